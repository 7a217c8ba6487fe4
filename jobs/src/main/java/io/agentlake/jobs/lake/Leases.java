package io.agentlake.jobs.lake;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;

import io.agentlake.jobs.Errors;
import io.agentlake.schemas.Tables;
import io.delta.tables.DeltaTable;
import java.net.InetAddress;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * Leases in {@code ledger.leases}: how runs that write the lake keep out of each other's way, on
 * any storage where Delta commits are atomic (which the lake needs anyway).
 *
 * <p>An ingest holds {@code source:<type>} for every source it ingests; correlate, analyze and
 * publish hold {@code lake}. A lease is claimed by one conditional MERGE per attempt: a scope's row
 * is taken when it is released, expired or already this run's. Two runs claiming at once both read
 * the same snapshot, and Delta's conflict check fails the second commit, which then retries and
 * sees the first run's live lease. The holder renews its leases every quarter of the TTL from a
 * daemon thread; a lease not renewed for the TTL is dead, so its run is provably gone (or paused
 * past its lease, which {@link Held#assertHeld} catches before it commits).
 *
 * <p>Dangerous: expiry compares the holder's clock with the claimer's. Clocks must agree to well
 * within the TTL, and no pause between {@link Held#assertHeld} and the commit that follows it may
 * outlast the TTL.
 */
public final class Leases {

  /** The lake-wide scope: silver and gold writers. */
  public static final String LAKE = "lake";

  private final Lake lake;

  public Leases(Lake lake) {
    this.lake = lake;
  }

  public static String source(String sourceType) {
    return "source:" + sourceType;
  }

  /** This process, as it appears in a lease: host and pid. */
  static String thisProcess() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      host = "unknown-host";
    }
    return host + " pid " + ProcessHandle.current().pid();
  }

  /**
   * Claims every scope for {@code runId}, waiting while any is held by a live run. Throws {@link
   * Errors#leaseHeld} (exit 1) when {@code waitSeconds} pass first.
   */
  public Held acquire(
      List<String> scopes, String runId, String command, int ttlSeconds, int waitSeconds) {
    lake.ensure(Tables.LEASES);
    List<String> sorted = List.copyOf(new TreeSet<>(scopes));
    long deadline = System.currentTimeMillis() + waitSeconds * 1000L;
    Map<String, Row> before = state(sorted);
    while (true) {
      lake.retrying(Tables.LEASES, () -> claim(sorted, runId, command, ttlSeconds));
      Map<String, Row> now = state(sorted);
      List<String> mine = new ArrayList<>();
      Row blocker = null;
      for (String scope : sorted) {
        Row r = now.get(scope);
        if (r != null && runId.equals(r.getAs("holder_run_id")) && !r.<Boolean>getAs("released")) {
          mine.add(scope);
        } else if (blocker == null) {
          blocker = r;
        }
      }
      if (blocker == null) {
        List<String> takenOver = new ArrayList<>();
        for (String scope : sorted) {
          Row was = before.get(scope);
          if (was != null
              && !was.<Boolean>getAs("released")
              && !runId.equals(was.getAs("holder_run_id"))) {
            takenOver.add(scope + " from run " + was.getAs("holder_run_id"));
          }
        }
        return new Held(sorted, runId, ttlSeconds, takenOver);
      }
      // All or nothing: give back what this attempt got, so two runs that each hold part of what
      // the other wants cannot wait for each other.
      release(mine, runId);
      if (System.currentTimeMillis() > deadline) {
        throw Errors.leaseHeld(
            blocker.getAs("scope"),
            blocker.getAs("holder_run_id"),
            blocker.getAs("command"),
            blocker.getAs("holder"),
            waitSeconds);
      }
      before = now;
      sleep(Math.min(2000L, ttlSeconds * 250L) + ThreadLocalRandom.current().nextLong(500));
    }
  }

  private void claim(List<String> scopes, String runId, String command, int ttlSeconds) {
    Instant now = Instant.now();
    List<Row> rows = new ArrayList<>();
    String holder = thisProcess();
    for (String scope : scopes) {
      rows.add(
          RowFactory.create(
              scope,
              runId,
              command,
              holder,
              Timestamp.from(now),
              Timestamp.from(now),
              Timestamp.from(now.plusSeconds(ttlSeconds)),
              false));
    }
    DeltaTable.forPath(lake.spark(), lake.path(Tables.LEASES))
        .as("t")
        .merge(
            lake.spark().createDataFrame(rows, Tables.LEASES.schema()).as("s"), "t.scope = s.scope")
        .whenMatched(
            "t.released OR t.expires_at < s.heartbeat_at OR t.holder_run_id = s.holder_run_id")
        .updateAll()
        .whenNotMatched()
        .insertAll()
        .execute();
  }

  private Map<String, Row> state(List<String> scopes) {
    Map<String, Row> byScope = new LinkedHashMap<>();
    for (Row r :
        lake.read(Tables.LEASES).filter(col("scope").isin(scopes.toArray())).collectAsList()) {
      byScope.put(r.getAs("scope"), r);
    }
    return byScope;
  }

  private void release(List<String> scopes, String runId) {
    if (scopes.isEmpty()) {
      return;
    }
    lake.retrying(
        Tables.LEASES,
        () ->
            DeltaTable.forPath(lake.spark(), lake.path(Tables.LEASES))
                .update(
                    col("scope")
                        .isin(scopes.toArray())
                        .and(col("holder_run_id").equalTo(runId))
                        .and(not(col("released"))),
                    Map.of("released", lit(true))));
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a lease", e);
    }
  }

  /** Leases one run holds, renewed in the background until {@link #close}. */
  public final class Held implements AutoCloseable {

    private final List<String> scopes;
    private final String runId;
    private final int ttlSeconds;
    private final List<String> takenOver;
    private final ScheduledExecutorService heartbeat;
    private volatile long renewedAt = System.currentTimeMillis();

    private Held(List<String> scopes, String runId, int ttlSeconds, List<String> takenOver) {
      this.scopes = scopes;
      this.runId = runId;
      this.ttlSeconds = ttlSeconds;
      this.takenOver = takenOver;
      this.heartbeat =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "agentlake-lease-heartbeat");
                t.setDaemon(true);
                return t;
              });
      long period = Math.max(1000L, ttlSeconds * 250L);
      heartbeat.scheduleWithFixedDelay(this::renew, period, period, TimeUnit.MILLISECONDS);
    }

    public List<String> scopes() {
      return scopes;
    }

    /** "scope from run X" for each lease that was still marked held by a dead run. */
    public List<String> takenOver() {
      return takenOver;
    }

    private void renew() {
      try {
        lake.spark().sparkContext().setJobGroup("lease", "renew leases " + scopes, false);
        Instant now = Instant.now();
        DeltaTable.forPath(lake.spark(), lake.path(Tables.LEASES))
            .update(
                col("scope")
                    .isin(scopes.toArray())
                    .and(col("holder_run_id").equalTo(runId))
                    .and(not(col("released"))),
                Map.of(
                    "heartbeat_at", lit(Timestamp.from(now)),
                    "expires_at", lit(Timestamp.from(now.plusSeconds(ttlSeconds)))));
        renewedAt = now.toEpochMilli();
      } catch (RuntimeException e) {
        // A conflict or a storage hiccup: the next beat tries again; assertHeld judges the result.
      }
    }

    /**
     * Fails with {@link Errors#leaseLost} unless every lease is still this run's and was renewed
     * within the TTL. Called right before a commit that must not follow a takeover.
     */
    public void assertHeld() {
      Map<String, Row> now = state(scopes);
      long sinceRenewal = System.currentTimeMillis() - renewedAt;
      for (String scope : scopes) {
        Row r = now.get(scope);
        if (r == null
            || !runId.equals(r.getAs("holder_run_id"))
            || r.<Boolean>getAs("released")
            || sinceRenewal > ttlSeconds * 1000L) {
          throw Errors.leaseLost(scope, runId);
        }
      }
    }

    @Override
    public void close() {
      heartbeat.shutdownNow();
      try {
        heartbeat.awaitTermination(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      release(scopes, runId);
    }
  }
}
