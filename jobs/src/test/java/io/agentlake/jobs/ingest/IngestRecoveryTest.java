package io.agentlake.jobs.ingest;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentlake.jobs.RunReport;
import io.agentlake.jobs.generate.GeneratorOptions;
import io.agentlake.jobs.generate.OrgGenerator;
import io.agentlake.jobs.lake.Lake;
import io.agentlake.jobs.lake.RunLedger;
import io.agentlake.schemas.Sources;
import io.agentlake.schemas.TableContract;
import io.agentlake.schemas.Tables;
import io.agentlake.testing.SharedSpark;
import io.delta.tables.DeltaTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
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
    for (TableContract t : Tables.ofLayer(TableContract.Layer.BRONZE)) {
      counts.put(t.name(), lake.read(t).count());
    }
    return counts;
  }
}
