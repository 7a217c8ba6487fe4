package io.agentlake.jobs.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentlake.jobs.AgentlakeException;
import io.agentlake.jobs.RunReport;
import io.agentlake.jobs.generate.GeneratorOptions;
import io.agentlake.jobs.generate.OrgGenerator;
import io.agentlake.jobs.lake.Lake;
import io.agentlake.jobs.lake.Leases;
import io.agentlake.jobs.lake.RunLedger;
import io.agentlake.schemas.TableContract;
import io.agentlake.schemas.Tables;
import io.agentlake.testing.SharedSpark;
import io.agentlake.transforms.LakeTables;
import io.agentlake.transforms.sources.Sources;
import io.delta.tables.DeltaTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** An ingest that died half-way is rolled back by the next one, so a retry duplicates nothing. */
@ExtendWith(SharedSpark.class)
class IngestRecoveryTest {

  private static final LocalDate DATE = LocalDate.of(2026, 10, 3);

  @Test
  void aRunThatDiedBeforeCommittingIsRolledBackAndItsFilesIngestedOnce(SparkSession spark)
      throws Exception {
    Path dir = Files.createTempDirectory("agentlake-recovery");
    String exports = dir.resolve("exports").toUri().toString();
    OrgGenerator.generate(
        new GeneratorOptions(exports, 3, 12, 3, 40, GeneratorOptions.DEFAULT_START_DATE),
        new Configuration());
    Lake lake = new Lake(spark, dir.resolve("lake").toUri().toString());

    ingest(lake, exports, "run-1");
    Map<String, Long> once = bronzeCounts(lake);
    assertThat(once.values().stream().mapToLong(Long::longValue).sum()).isPositive();

    // What a crash between the bronze writes and the file ledger leaves behind: run-1's rows are
    // in bronze, but neither its ledger rows nor its COMMITTED event are.
    DeltaTable.forPath(spark, lake.path(Tables.INGESTED_FILES))
        .delete(col("ingest_run_id").equalTo("run-1"));
    DeltaTable.forPath(spark, lake.path(Tables.RUNS))
        .delete(col("status").equalTo(RunLedger.COMMITTED));

    IngestJob.Result retry = ingest(lake, exports, "run-2");

    assertThat(retry.newFiles()).as("every file is read again").isPositive();
    assertThat(bronzeCounts(lake)).isEqualTo(once);
    assertThat(
            lake.read(Tables.RUNS)
                .filter(
                    col("run_id")
                        .equalTo("run-1")
                        .and(col("status").equalTo(RunLedger.ROLLED_BACK)))
                .count())
        .isEqualTo(1);
    assertThat(lake.read(Tables.INGESTED_FILES).select("ingest_run_id").distinct().collectAsList())
        .extracting(r -> r.getString(0))
        .containsExactly("run-2");
  }

  @Test
  void anOpenIngestWhoseLeaseIsLiveIsNeitherRolledBackNorReadAndIsTakenOverOnceDead(
      SparkSession spark) throws Exception {
    Path dir = Files.createTempDirectory("agentlake-live-ingest");
    String exports = dir.resolve("exports").toUri().toString();
    OrgGenerator.generate(
        new GeneratorOptions(exports, 4, 12, 2, 20, GeneratorOptions.DEFAULT_START_DATE),
        new Configuration());
    Lake lake = new Lake(spark, dir.resolve("lake").toUri().toString());
    TableContract roles = LakeTables.byName("bronze.aws_iam_roles").orElseThrow();

    ingest(lake, exports, "iam-1", List.of("aws-iam"));
    long rolesOnce = lake.read(roles).count();
    assertThat(rolesOnce).isPositive();
    // iam-1 as a run still writing: STARTED, not COMMITTED, and holding a live lease.
    DeltaTable.forPath(spark, lake.path(Tables.RUNS))
        .delete(col("run_id").equalTo("iam-1").and(col("status").equalTo(RunLedger.COMMITTED)));
    holdLease(lake, "source:aws-iam", "iam-1", Instant.now().plusSeconds(600));

    // An ingest of another source leaves it alone, and readers do not see its rows.
    ingest(lake, exports, "okta-1", List.of("okta-users"));
    assertThat(statuses(lake, "iam-1")).containsExactly(RunLedger.STARTED);
    assertThat(lake.read(roles).count()).isEqualTo(rolesOnce);
    assertThat(new RunLedger(lake).ingestRuns().bronze(lake, roles).count()).isZero();

    // An ingest of the same source cannot start while the lease is live ...
    assertThatThrownBy(
            () ->
                IngestJob.run(
                    lake,
                    exports,
                    List.of("aws-iam"),
                    Map.of(),
                    DATE,
                    "iam-2",
                    Timestamp.from(Instant.now()),
                    new RunReport("iam-2", "ingest", DATE),
                    new Leases(lake).acquire(List.of("source:aws-iam"), "iam-2", "ingest", 60, 0)))
        .isInstanceOfSatisfying(
            AgentlakeException.class, e -> assertThat(e.runStatus()).isEqualTo("REFUSED"));

    // ... and once it has expired, the next one rolls iam-1 back and ingests its files once.
    DeltaTable.forPath(spark, lake.path(Tables.LEASES))
        .update(
            col("scope").equalTo("source:aws-iam"),
            Map.of("expires_at", lit(Timestamp.from(Instant.now().minusSeconds(1)))));
    IngestJob.Result retry = ingest(lake, exports, "iam-3", List.of("aws-iam"));
    assertThat(retry.newFiles()).isPositive();
    assertThat(statuses(lake, "iam-1")).contains(RunLedger.ROLLED_BACK);
    assertThat(lake.read(roles).count()).isEqualTo(rolesOnce);
    assertThat(lake.read(roles).select("_ingest_run_id").distinct().collectAsList())
        .extracting(r -> r.getString(0))
        .containsExactly("iam-3");
    assertThat(statuses(lake, "okta-1")).doesNotContain(RunLedger.ROLLED_BACK);
  }

  /** Makes the scope's lease row (written by the run's own ingest) live again for {@code runId}. */
  private static void holdLease(Lake lake, String scope, String runId, Instant expires) {
    DeltaTable.forPath(lake.spark(), lake.path(Tables.LEASES))
        .update(
            col("scope").equalTo(scope),
            Map.of(
                "holder_run_id", lit(runId),
                "holder", lit("another host pid 42"),
                "released", lit(false),
                "expires_at", lit(Timestamp.from(expires))));
  }

  private static List<String> statuses(Lake lake, String runId) {
    return lake.read(Tables.RUNS)
        .filter(col("run_id").equalTo(runId))
        .orderBy("event_time")
        .select("status")
        .as(org.apache.spark.sql.Encoders.STRING())
        .collectAsList();
  }

  private static IngestJob.Result ingest(
      Lake lake, String exports, String runId, List<String> sources) {
    return IngestJob.run(
        lake,
        exports,
        sources,
        Map.of(),
        DATE,
        runId,
        Timestamp.from(Instant.now()),
        new RunReport(runId, "ingest", DATE));
  }

  private static IngestJob.Result ingest(Lake lake, String exports, String runId) {
    return IngestJob.run(
        lake,
        exports,
        Sources.ALL,
        Map.of(),
        DATE,
        runId,
        Timestamp.from(Instant.now()),
        new RunReport(runId, "ingest", DATE));
  }

  private static Map<String, Long> bronzeCounts(Lake lake) {
    Map<String, Long> counts = new TreeMap<>();
    for (TableContract t : LakeTables.ofLayer(TableContract.Layer.BRONZE)) {
      counts.put(t.name(), lake.read(t).count());
    }
    return counts;
  }
}
