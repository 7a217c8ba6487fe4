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
    assertThat(creates(spark, winner)).as("one create").isEqualTo(1);
  }

  /**
   * Found by the soak (seed 46, trial 34): a nightly SIGKILLed 10.6 s in, while it created the
   * lake's first table, left {@code ledger/runs/_delta_log/} holding only Delta's empty {@code
   * _staged_commits/} folder. Every later create of that table was refused ({@code
   * DELTA_TABLE_NOT_FOUND}), so every later run of the lake failed. Here the dead create also left
   * the hidden temporary file of a first commit it never published. Once no commit has appeared for
   * the whole create wait, the writer clears the leftovers and creates the table.
   */
  @Test
  void aCreateThatDiedBeforeItsFirstCommitIsClearedAfterTheWaitAndTheTableCreated(
      SparkSession spark) throws Exception {
    Path root = Files.createTempDirectory("agentlake-dead-create");
    Lake lake = new Lake(spark, root.toUri().toString(), java.time.Duration.ofSeconds(2));
    Path log = Path.of(java.net.URI.create(lake.path(Tables.RUNS))).resolve("_delta_log");
    Files.createDirectories(log.resolve("_staged_commits"));
    Files.writeString(
        log.resolve(".00000000000000000000.json." + java.util.UUID.randomUUID() + ".tmp"), "{");

    new RunLedger(lake)
        .record("run-1", LocalDate.parse("2026-10-05"), "nightly", RunLedger.STARTED, null);

    assertThat(lake.read(Tables.RUNS).count()).isEqualTo(1);
    assertThat(creates(spark, lake)).isEqualTo(1);
    try (var left = Files.list(log)) {
      assertThat(left.map(p -> p.getFileName().toString()))
          .as("no temporary file of the dead create is left")
          .noneMatch(n -> n.endsWith(".tmp"));
    }
  }

  /** The CREATE commits in the history of the lake's {@code ledger.runs}. */
  private static long creates(SparkSession spark, Lake lake) {
    return spark
        .sql("DESCRIBE HISTORY delta.`" + lake.path(Tables.RUNS) + "`")
        .filter("operation LIKE 'CREATE%'")
        .count();
  }
}
