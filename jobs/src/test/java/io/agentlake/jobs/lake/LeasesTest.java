package io.agentlake.jobs.lake;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentlake.jobs.AgentlakeException;
import io.agentlake.schemas.Tables;
import io.agentlake.testing.SharedSpark;
import java.nio.file.Files;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Leases: live ones keep other runs out, dead ones are taken over, and a claim is all or none. */
@ExtendWith(SharedSpark.class)
class LeasesTest {

  private static Lake lake(SparkSession spark) throws Exception {
    return new Lake(spark, Files.createTempDirectory("agentlake-leases").toUri().toString());
  }

  @Test
  void aLiveLeaseRefusesASecondRunUntilReleased(SparkSession spark) throws Exception {
    Lake lake = lake(spark);
    Leases leases = new Leases(lake);
    Leases.Held first = leases.acquire(List.of("source:aws-iam"), "run-1", "ingest", 60, 0);

    assertThatThrownBy(() -> leases.acquire(List.of("source:aws-iam"), "run-2", "ingest", 60, 0))
        .isInstanceOfSatisfying(
            AgentlakeException.class,
            e -> {
              assertThat(e.exitCode()).isEqualTo(AgentlakeException.RETRYABLE);
              assertThat(e.runStatus()).isEqualTo("REFUSED");
              assertThat(e.problem()).contains("source:aws-iam");
              assertThat(e.why()).contains("run-1");
            });
    // Another source is free meanwhile.
    leases.acquire(List.of("source:okta-users"), "run-3", "ingest", 60, 0).close();

    first.close();
    try (Leases.Held second = leases.acquire(List.of("source:aws-iam"), "run-2", "ingest", 60, 0)) {
      assertThat(second.takenOver()).as("a released lease is not a takeover").isEmpty();
      second.assertHeld();
    }
  }

  @Test
  void aLeaseNotRenewedWithinItsTtlIsTakenOverAndItsHolderCannotCommit(SparkSession spark)
      throws Exception {
    Lake lake = lake(spark);
    Leases leases = new Leases(lake);
    // What a SIGKILLed holder leaves: a lease row that nobody renews, expired a second ago.
    plantDeadRunLease(spark, lake, Instant.now().minusSeconds(1));

    try (Leases.Held held = leases.acquire(List.of("lake"), "run-2", "analyze", 60, 0)) {
      assertThat(held.takenOver()).containsExactly("lake from run dead-run");
      assertThat(
              lake.read(Tables.LEASES)
                  .filter(col("scope").equalTo("lake"))
                  .select("holder_run_id")
                  .first()
                  .getString(0))
          .isEqualTo("run-2");
    }
  }

  @Test
  void aRunThatLostItsLeaseFailsItsCommitCheck(SparkSession spark) throws Exception {
    Lake lake = lake(spark);
    Leases leases = new Leases(lake);
    Leases.Held paused = leases.acquire(List.of("source:aws-iam"), "run-1", "ingest", 60, 0);
    // Another run took the lease over (as it would once run-1 stopped renewing it).
    io.delta.tables.DeltaTable.forPath(spark, lake.path(Tables.LEASES))
        .update(
            col("scope").equalTo("source:aws-iam"),
            java.util.Map.of("holder_run_id", org.apache.spark.sql.functions.lit("run-2")));

    assertThatThrownBy(paused::assertHeld)
        .isInstanceOfSatisfying(
            AgentlakeException.class,
            e -> assertThat(e.problem()).contains("run-1 lost its lease 'source:aws-iam'"));
    paused.close();
    assertThat(
            lake.read(Tables.LEASES)
                .filter(col("holder_run_id").equalTo("run-2").and(col("released").equalTo(false)))
                .count())
        .as("closing a lost lease does not release the new holder's")
        .isEqualTo(1);
  }

  @Test
  void aClaimIsAllOrNothing(SparkSession spark) throws Exception {
    Lake lake = lake(spark);
    Leases leases = new Leases(lake);
    try (Leases.Held okta =
        leases.acquire(List.of("source:okta-users"), "run-1", "ingest", 60, 0)) {
      assertThatThrownBy(
              () ->
                  leases.acquire(
                      List.of("source:aws-iam", "source:okta-users", "lake"),
                      "nightly-2",
                      "nightly",
                      60,
                      0))
          .isInstanceOf(AgentlakeException.class);
      assertThat(
              lake.read(Tables.LEASES)
                  .filter(
                      col("holder_run_id").equalTo("nightly-2").and(col("released").equalTo(false)))
                  .count())
          .as("the scopes it did get are given back")
          .isZero();
    }
  }

  @Test
  void theHeartbeatKeepsALeaseAlivePastItsTtl(SparkSession spark) throws Exception {
    Lake lake = lake(spark);
    Leases leases = new Leases(lake);
    try (Leases.Held held = leases.acquire(List.of("lake"), "run-1", "correlate", 4, 0)) {
      Thread.sleep(6_000);
      held.assertHeld();
      assertThatThrownBy(() -> leases.acquire(List.of("lake"), "run-2", "analyze", 4, 0))
          .isInstanceOf(AgentlakeException.class);
    }
  }

  @Test
  void theHeartbeatIsAFileBesideTheTableThatCloseRemoves(SparkSession spark) throws Exception {
    Lake lake = lake(spark);
    Leases leases = new Leases(lake);
    java.nio.file.Path file =
        java.nio.file.Path.of(
            java.net.URI.create(lake.path(Tables.LEASES) + "/_heartbeats/run-1.json"));
    long versions;
    try (Leases.Held held = leases.acquire(List.of("lake"), "run-1", "correlate", 4, 0)) {
      versions = history(spark, lake);
      String first = Files.readString(file);
      assertThat(first).contains("\"run_id\":\"run-1\"", "\"expires_at\"");
      Thread.sleep(2_500);
      assertThat(Files.readString(file)).as("rewritten by the heartbeat").isNotEqualTo(first);
      assertThat(history(spark, lake))
          .as("renewing commits nothing to the table")
          .isEqualTo(versions);
    }
    assertThat(file).doesNotExist();
  }

  @Test
  void twoRunsTakingOverOneDeadLeaseAtOnceGetOneWinner(SparkSession spark) throws Exception {
    Lake lake = lake(spark);
    Leases leases = new Leases(lake);
    // The holder died: its row was claimed for another minute, but its heartbeat file, which is
    // what says whether a holder is alive, expired a second ago.
    plantDeadRunLease(spark, lake, Instant.now().plusSeconds(50));
    leases
        .heartbeatFile("dead-run")
        .write("dead-run", Instant.now().minusSeconds(61), Instant.now().minusSeconds(1));
    java.util.concurrent.ExecutorService two = java.util.concurrent.Executors.newFixedThreadPool(2);
    List<java.util.concurrent.Future<Leases.Held>> claims = new java.util.ArrayList<>();
    for (String run : List.of("run-a", "run-b")) {
      claims.add(two.submit(() -> leases.acquire(List.of("lake"), run, "analyze", 60, 0)));
    }
    List<Leases.Held> won = new java.util.ArrayList<>();
    int refused = 0;
    for (var claim : claims) {
      try {
        won.add(claim.get());
      } catch (java.util.concurrent.ExecutionException e) {
        assertThat(e.getCause()).isInstanceOf(AgentlakeException.class);
        refused++;
      }
    }
    two.shutdown();
    assertThat(won).hasSize(1);
    assertThat(refused).isEqualTo(1);
    assertThat(won.get(0).takenOver()).containsExactly("lake from run dead-run");
    won.get(0).assertHeld();
    won.get(0).close();
  }

  @Test
  void aHeartbeatFileLeftEmptyByAKillMidRewriteExpiresOneTtlAfterItsLastWrite(SparkSession spark)
      throws Exception {
    Lake lake = lake(spark);
    Leases leases = new Leases(lake);
    // dead-run claimed the lake a minute ago with a 20 s TTL, and was SIGKILLed while rewriting
    // its heartbeat file: truncated, never written again
    Instant claimed = Instant.now().minusSeconds(60);
    plantDeadRunLease(spark, lake, claimed.plusSeconds(20));
    java.nio.file.Path file =
        java.nio.file.Path.of(
            java.net.URI.create(lake.path(Tables.LEASES) + "/_heartbeats/dead-run.json"));
    Files.createDirectories(file.getParent());
    Files.write(file, new byte[0]);

    // just written: as likely a live holder caught mid-write, so the lease holds
    assertThatThrownBy(() -> leases.acquire(List.of("lake"), "run-2", "analyze", 60, 0))
        .isInstanceOf(AgentlakeException.class);

    // last written 30 s ago, more than the holder's TTL: dead, taken over
    Files.setLastModifiedTime(
        file, java.nio.file.attribute.FileTime.from(Instant.now().minusSeconds(30)));
    try (Leases.Held held = leases.acquire(List.of("lake"), "run-2", "analyze", 60, 0)) {
      assertThat(held.takenOver()).containsExactly("lake from run dead-run");
    }
  }

  private static long history(SparkSession spark, Lake lake) {
    return io.delta.tables.DeltaTable.forPath(spark, lake.path(Tables.LEASES)).history().count();
  }

  /** The "lake" lease row of run dead-run on another host, claimed a minute ago, expiring then. */
  private static void plantDeadRunLease(SparkSession spark, Lake lake, Instant expires) {
    Instant claimed = Instant.now().minusSeconds(60);
    lake.ensure(Tables.LEASES);
    lake.append(
        Tables.LEASES,
        spark.createDataFrame(
            List.of(
                RowFactory.create(
                    "lake",
                    "dead-run",
                    "analyze",
                    "elsewhere pid 1",
                    Timestamp.from(claimed),
                    Timestamp.from(claimed),
                    Timestamp.from(expires),
                    false)),
            Tables.LEASES.schema()));
  }
}
