package io.agentlake.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentlake.jobs.cli.Agentlake;
import io.agentlake.jobs.lake.Lake;
import io.agentlake.jobs.lake.Leases;
import io.agentlake.schemas.Tables;
import io.agentlake.testing.SharedSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.sql.Timestamp;
import java.util.List;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SharedSpark.class)
class MaintainJobTest {

  @Test
  void compactsSmallFilesWithoutChangingRows(SparkSession spark) throws Exception {
    Lake lake = new Lake(spark, Files.createTempDirectory("agentlake-maintain").toUri().toString());
    for (int i = 0; i < 4; i++) {
      lake.append(Tables.RUNS, runRow(spark, "run-" + i));
    }
    var result = MaintainJob.run(lake, 30);
    MaintainJob.TableMaintenance runs = result.get(Tables.RUNS.name());
    assertThat(runs.filesBefore()).isEqualTo(4);
    assertThat(runs.filesAfter()).isEqualTo(1);
    assertThat(lake.read(Tables.RUNS).count()).isEqualTo(4);
  }

  /**
   * maintain commits to every table, bronze included, so it holds every lease a nightly holds: with
   * one of them held by a live run it refuses (exit 1) and compacts nothing; once free it runs and
   * is recorded in ledger.runs with the leases it held.
   */
  @Test
  void maintainHoldsEveryLeaseAndRefusesBesideALiveRun(SparkSession spark) throws Exception {
    Path dir = Files.createTempDirectory("agentlake-maintain");
    Lake lake = new Lake(spark, dir.resolve("lake").toUri().toString());
    for (int i = 0; i < 3; i++) {
      lake.append(Tables.RUNS, runRow(spark, "run-" + i));
    }
    Path config = dir.resolve("agentlake.yaml");
    Files.writeString(config, "lease-ttl-seconds: 30\nlease-wait-seconds: 0\n");
    String[] maintain = {
      "maintain", "--lake", lake.root(), "--retention-days", "7", "--config", config.toString()
    };

    try (Leases.Held ingest =
        new Leases(lake)
            .acquire(List.of(Leases.source("okta-users")), "live-ingest", "ingest", 30, 0)) {
      assertThat(Agentlake.execute(maintain)).isEqualTo(AgentlakeException.RETRYABLE);
    }
    assertThat(commandStatuses(lake)).containsExactly("maintain REFUSED");
    assertThat(
            spark
                .sql("DESCRIBE HISTORY delta.`" + lake.path(Tables.RUNS) + "`")
                .filter("operation = 'OPTIMIZE'")
                .count())
        .as("nothing compacted beside the live run")
        .isZero();

    assertThat(Agentlake.execute(maintain)).isZero();
    assertThat(commandStatuses(lake)).containsExactly("maintain REFUSED", "maintain SUCCEEDED");
    String report =
        lake.read(Tables.RUNS)
            .filter("command = 'maintain' AND status = 'SUCCEEDED'")
            .select("report_json")
            .as(org.apache.spark.sql.Encoders.STRING())
            .first();
    assertThat(report)
        .contains("\"lake\"", "\"source:okta-users\"", "\"source:aws-cloudtrail\"")
        .contains("\"retention_days\" : 7");
  }

  private static List<String> commandStatuses(Lake lake) {
    return lake.read(Tables.RUNS)
        .filter("command = 'maintain'")
        .orderBy("event_time")
        .selectExpr("concat(command, ' ', status)")
        .as(org.apache.spark.sql.Encoders.STRING())
        .collectAsList();
  }

  private static org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> runRow(
      SparkSession spark, String runId) {
    return spark.createDataFrame(
        List.of(
            RowFactory.create(
                runId,
                Date.valueOf("2026-10-01"),
                "nightly",
                "SUCCEEDED",
                Timestamp.valueOf("2026-10-02 02:00:00"),
                "{}")),
        Tables.RUNS.schema());
  }

  @Test
  void aRetentionBelowDeltasSafetyMinimumIsRefused(SparkSession spark) throws Exception {
    Lake lake = new Lake(spark, Files.createTempDirectory("agentlake-maintain").toUri().toString());
    assertThatThrownBy(() -> MaintainJob.run(lake, 3))
        .isInstanceOf(AgentlakeException.class)
        .hasMessageContaining("below Delta's safety minimum");
  }
}
