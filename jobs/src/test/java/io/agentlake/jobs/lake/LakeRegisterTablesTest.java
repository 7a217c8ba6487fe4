package io.agentlake.jobs.lake;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentlake.schemas.Tables;
import io.agentlake.testing.SharedSpark;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.UUID;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code agentlake sql --lake ./lake} names tables the README's way ({@code ledger.runs}). The
 * catalog resolves a relative table location against its warehouse folder, not the working
 * directory, so a lake given as a relative path once registered tables that pointed nowhere, and
 * every query failed with "table doesn't exist".
 */
@ExtendWith(SharedSpark.class)
class LakeRegisterTablesTest {

  @Test
  void aLakeGivenAsARelativePathRegistersTablesThatReadIt(SparkSession spark) {
    String relative = "target/relative-lake-" + UUID.randomUUID();
    Lake lake = new Lake(spark, relative);
    new RunLedger(lake)
        .record("run-1", LocalDate.parse("2026-10-05"), "ingest", RunLedger.STARTED, null);

    assertThat(lake.registerTables()).contains(Tables.RUNS.name());

    assertThat(spark.sql("SELECT count(*) FROM " + Tables.RUNS.name()).first().getLong(0))
        .isEqualTo(1L);
    String location =
        spark.sql("DESCRIBE DETAIL " + Tables.RUNS.name()).first().getAs("location").toString();
    assertThat(location)
        .as("the registered location is the lake's, under the working directory")
        .endsWith(Path.of(relative).toAbsolutePath() + "/" + Tables.RUNS.relativePath());
  }
}
