package io.agentlake.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentlake.jobs.lake.Lake;
import io.agentlake.schemas.Tables;
import io.agentlake.testing.SharedSpark;
import java.nio.file.Files;
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
      lake.append(
          Tables.RUNS,
          spark.createDataFrame(
              List.of(
                  RowFactory.create(
                      "run-" + i,
                      Date.valueOf("2026-10-01"),
                      "nightly",
                      "SUCCEEDED",
                      Timestamp.valueOf("2026-10-02 02:00:00"),
                      "{}")),
              Tables.RUNS.schema()));
    }
    var result = MaintainJob.run(lake, 30);
    MaintainJob.TableMaintenance runs = result.get(Tables.RUNS.name());
    assertThat(runs.filesBefore()).isEqualTo(4);
    assertThat(runs.filesAfter()).isEqualTo(1);
    assertThat(lake.read(Tables.RUNS).count()).isEqualTo(4);
  }

  @Test
  void aRetentionBelowDeltasSafetyMinimumIsRefused(SparkSession spark) throws Exception {
    Lake lake = new Lake(spark, Files.createTempDirectory("agentlake-maintain").toUri().toString());
    assertThatThrownBy(() -> MaintainJob.run(lake, 3))
        .isInstanceOf(AgentlakeException.class)
        .hasMessageContaining("below Delta's safety minimum");
  }
}
