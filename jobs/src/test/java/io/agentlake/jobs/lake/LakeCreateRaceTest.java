package io.agentlake.jobs.lake;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentlake.schemas.Tables;
import io.agentlake.testing.SharedSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The first night's parallel ingests (separate processes) all create the shared ledger tables at
 * once. While the winner's create is under way its table folder holds only the hidden temporary
 * file of its first commit: a loser that tries its own create then is refused by Delta (the
 * location is not empty) and must wait for the winner's commit instead of failing its run.
 */
@ExtendWith(SharedSpark.class)
class LakeCreateRaceTest {

  @Test
  void aWriterWhoseCreateMeetsAnotherProcessCreateUnderWayWaitsForItsCommit(SparkSession spark)
      throws Exception {
    Path root = Files.createTempDirectory("agentlake-create-race");
    Lake loser = new Lake(spark, root.toUri().toString());
    // the state another process's create leaves between writing its first commit and publishing it
    Path log = Path.of(java.net.URI.create(loser.path(Tables.RUNS))).resolve("_delta_log");
    Files.createDirectories(log);
    Path underWay =
        log.resolve(".00000000000000000000.json." + java.util.UUID.randomUUID() + ".tmp");
    Files.writeString(underWay, "{}");

    CompletableFuture<Void> write =
        CompletableFuture.runAsync(
            () ->
                new RunLedger(loser)
                    .record(
                        "run-2", LocalDate.parse("2026-10-05"), "ingest", RunLedger.STARTED, null));
    Thread.sleep(3_000);
    assertThat(write).as("the loser waits while the other create is under way").isNotDone();

    // the other process publishes its create: its first commit takes the name of version 0 (made
    // here as that process would, in a folder of its own)
    Lake other = new Lake(spark, Files.createTempDirectory("agentlake-other").toUri().toString());
    other.ensure(Tables.RUNS);
    Path commit = Path.of("00000000000000000000.json");
    Files.copy(
        Path.of(java.net.URI.create(other.path(Tables.RUNS))).resolve("_delta_log").resolve(commit),
        underWay,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.move(underWay, log.resolve(commit));

    write.get(2, TimeUnit.MINUTES); // a loser that gave up on the create throws here
    Lake winner = new Lake(spark, root.toUri().toString());
    new RunLedger(winner)
        .record("run-1", LocalDate.parse("2026-10-05"), "ingest", RunLedger.STARTED, null);
    assertThat(winner.read(Tables.RUNS).count()).isEqualTo(2);
    assertThat(
            spark
                .sql("DESCRIBE HISTORY delta.`" + winner.path(Tables.RUNS) + "`")
                .filter("operation LIKE 'CREATE%'")
                .count())
        .as("one create")
        .isEqualTo(1);
  }
}
