package io.agentlake.jobs.lake;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Leases in {@code ledger.leases}: how runs that write the lake keep out of each other's way, on
 * any storage where Delta commits are atomic (which the lake needs anyway).
 *
 * <p>An ingest holds {@code source:<type>} for every source it ingests; correlate, analyze and
 * publish hold {@code lake}. Who holds a scope is its row in the Delta table; whether the holder is
 * alive is its <em>heartbeat file</em>, {@code ledger/leases/_heartbeats/<run id>.json}, which the
 * holder rewrites every quarter of the TTL with a plain file-system write. Renewing therefore needs
 * no Spark job and no Delta commit: a busy driver (every task slot taken by a long write) or a
 * stream of other runs' claims cannot starve it, and the table's log grows by claims and releases
 * only. A run is dead when its heartbeat file says it expired (or, for a row with no file, when the
 * row's own {@code expires_at} has passed).
 *
 * <p>A claim is one conditional MERGE over all the scopes a run needs, made only when every one is
 * free, and it is a compare-and-swap: a row is taken only if it is released, already this run's, or
 * still exactly the row of the dead holder the claimer saw. Two runs claiming at once read the same
 * snapshot and Delta's conflict check fails the second commit, whose retry then matches nothing. A
 * holder that was only paused comes back to find the row someone else's, which {@link
 * Held#assertHeld} catches before it commits.
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
    // Beat from before the claim, so a run that dies right after claiming leaves an expiring
    // heartbeat, and a claim slowed by a busy machine is not mistaken for a dead one.
    Heartbeat beat = new Heartbeat(runId, ttlSeconds);
    beat.start();
    try {
      while (true) {
        Map<String, Row> before = state(sorted);
        Row blocker = null;
        for (String scope : sorted) {
          Row r = before.get(scope);
          if (r != null && !claimable(r, runId) && blocker == null) {
            blocker = r;
          }
        }
        if (blocker == null) {
          lake.retrying(Tables.LEASES, () -> claim(sorted, before, runId, command, ttlSeconds));
          Map<String, Row> now = state(sorted);
          List<String> mine = new ArrayList<>();
          for (String scope : sorted) {
            Row r = now.get(scope);
            if (r != null && runId.equals(r.getAs("holder_run_id")) && !isReleased(r)) {
              mine.add(scope);
            } else if (blocker == null) {
              blocker = r;
            }
          }
          if (blocker == null) {
            List<String> takenOver = new ArrayList<>();
            for (String scope : sorted) {
              Row was = before.get(scope);
              if (was != null && !isReleased(was) && !runId.equals(was.getAs("holder_run_id"))) {
                takenOver.add(scope + " from run " + was.getAs("holder_run_id"));
                heartbeatFile(was.getAs("holder_run_id")).delete();
              }
            }
            return new Held(sorted, runId, beat, takenOver);
          }
          // All or nothing: give back what this attempt got, so two runs that each hold part of
          // what the other wants cannot wait for each other.
          release(mine, runId);
        }
        if (System.currentTimeMillis() > deadline) {
          throw Errors.leaseHeld(
              blocker.getAs("scope"),
              blocker.getAs("holder_run_id"),
              blocker.getAs("command"),
              blocker.getAs("holder"),
              waitSeconds);
        }
        sleep(Math.min(2000L, ttlSeconds * 250L) + ThreadLocalRandom.current().nextLong(500));
      }
    } catch (Exception e) {
      beat.stop();
      throw e;
    }
  }

  /** Free for {@code runId}: released, already its own, or held by a run whose heartbeat died. */
  private boolean claimable(Row lease, String runId) {
    if (isReleased(lease) || runId.equals(lease.getAs("holder_run_id"))) {
      return true;
    }
    Instant expires = heartbeatFile(lease.getAs("holder_run_id")).expiresAt(ttlOf(lease));
    if (expires == null) {
      expires = lease.<Timestamp>getAs("expires_at").toInstant();
    }
    return expires.isBefore(Instant.now());
  }

  /** The holder's TTL, as its claim recorded it (heartbeat_at and expires_at of its claim). */
  private static java.time.Duration ttlOf(Row lease) {
    return java.time.Duration.between(
        lease.<Timestamp>getAs("heartbeat_at").toInstant(),
        lease.<Timestamp>getAs("expires_at").toInstant());
  }

  private static boolean isReleased(Row lease) {
    return lease.<Boolean>getAs("released");
  }

  /**
   * One MERGE for all scopes. A scope's row is replaced only when it is released, this run's, or
   * still the very row seen in {@code seen} (same holder, same claim time), so a retry after a
   * conflict cannot take a lease another run has just claimed.
   */
  private void claim(
      List<String> scopes, Map<String, Row> seen, String runId, String command, int ttlSeconds) {
    Instant now = Instant.now();
    String holder = thisProcess();
    List<Row> rows = new ArrayList<>();
    for (String scope : scopes) {
      Row was = seen.get(scope);
      rows.add(
          RowFactory.create(
              scope,
              runId,
              command,
              holder,
              Timestamp.from(now),
              Timestamp.from(now),
              Timestamp.from(now.plusSeconds(ttlSeconds)),
              false,
              was == null ? null : was.getAs("holder_run_id"),
              was == null ? null : was.getAs("acquired_at")));
    }
    StructType source =
        Tables.LEASES
            .schema()
            .add("seen_holder_run_id", DataTypes.StringType, true)
            .add("seen_acquired_at", DataTypes.TimestampType, true);
    Map<String, String> columns = new LinkedHashMap<>();
    for (String c : Tables.LEASES.schema().fieldNames()) {
      columns.put(c, "s." + c);
    }
    DeltaTable.forPath(lake.spark(), lake.path(Tables.LEASES))
        .as("t")
        .merge(lake.spark().createDataFrame(rows, source).as("s"), "t.scope = s.scope")
        .whenMatched(
            "t.released OR t.holder_run_id = s.holder_run_id"
                + " OR (t.holder_run_id = s.seen_holder_run_id"
                + " AND t.acquired_at = s.seen_acquired_at)")
        .updateExpr(columns)
        .whenNotMatched()
        .insertExpr(columns)
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
                    Map.of(
                        "released",
                        lit(true),
                        "heartbeat_at",
                        lit(Timestamp.from(Instant.now())))));
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a lease", e);
    }
  }

  /** Where a run's heartbeat lives: beside the leases table, out of Delta's sight. */
  HeartbeatFile heartbeatFile(String runId) {
    return new HeartbeatFile(
        new org.apache.hadoop.fs.Path(
            lake.path(Tables.LEASES) + "/" + HEARTBEATS + "/" + runId + ".json"));
  }

  /** The folder of heartbeat files inside the leases table (Delta ignores names starting "_"). */
  static final String HEARTBEATS = "_heartbeats";

  /** A run's heartbeat file: one small JSON document, rewritten whole on every beat. */
  final class HeartbeatFile {
    private final org.apache.hadoop.fs.Path path;

    HeartbeatFile(org.apache.hadoop.fs.Path path) {
      this.path = path;
    }

    private org.apache.hadoop.fs.FileSystem fs() throws java.io.IOException {
      return path.getFileSystem(lake.spark().sparkContext().hadoopConfiguration());
    }

    void write(String runId, Instant renewedAt, Instant expiresAt) throws java.io.IOException {
      ObjectNode doc = JSON.createObjectNode();
      doc.put("run_id", runId);
      doc.put("holder", thisProcess());
      doc.put("renewed_at", renewedAt.toString());
      doc.put("expires_at", expiresAt.toString());
      try (var out = fs().create(path, true)) {
        out.write(JSON.writeValueAsBytes(doc));
      }
    }

    /**
     * When the holder said it expires; null when there is no file. A file that does not parse was
     * caught half-written by its live holder, or left torn for good by a holder killed while
     * rewriting it (a SIGKILL between the rewrite's truncate and its write leaves it empty; the
     * soak found a killed run's lease that no later run could take over). Either way it was last
     * written at its modification time, so it expires one {@code ttl} (the holder's) after that: a
     * live holder rewrites it every quarter of that, a dead one never again.
     */
    Instant expiresAt(java.time.Duration ttl) {
      try {
        byte[] bytes;
        try (var in = fs().open(path)) {
          bytes = in.readAllBytes();
        }
        return Instant.parse(JSON.readTree(bytes).path("expires_at").asText());
      } catch (java.io.FileNotFoundException e) {
        return null;
      } catch (java.io.IOException | RuntimeException torn) {
        try {
          return Instant.ofEpochMilli(fs().getFileStatus(path).getModificationTime()).plus(ttl);
        } catch (java.io.FileNotFoundException gone) {
          return null;
        } catch (java.io.IOException | RuntimeException unknown) {
          return Instant.now().plusSeconds(1); // storage unsure: live for now, look again
        }
      }
    }

    void delete() {
      try {
        fs().delete(path, false);
      } catch (java.io.IOException e) {
        // Left behind, it only says a finished run expired; the next takeover deletes it.
      }
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The background beat of one run: rewrites its heartbeat file every quarter of the TTL. */
  private final class Heartbeat {
    private final String runId;
    private final int ttlSeconds;
    private final HeartbeatFile file;
    private final ScheduledExecutorService scheduler;
    private volatile long renewedAt;

    Heartbeat(String runId, int ttlSeconds) {
      this.runId = runId;
      this.ttlSeconds = ttlSeconds;
      this.file = heartbeatFile(runId);
      this.scheduler =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "agentlake-lease-heartbeat");
                t.setDaemon(true);
                return t;
              });
    }

    /** Writes the file now (failing if storage refuses it), then every quarter of the TTL. */
    void start() {
      write();
      long period = Math.max(1000L, ttlSeconds * 250L);
      scheduler.scheduleWithFixedDelay(this::beatQuietly, period, period, TimeUnit.MILLISECONDS);
    }

    private void write() {
      Instant now = Instant.now();
      try {
        file.write(runId, now, now.plusSeconds(ttlSeconds));
      } catch (java.io.IOException e) {
        throw Errors.storage(
            "write the heartbeat of run " + runId + " to", file.path.toString(), e);
      }
      renewedAt = now.toEpochMilli();
    }

    private void beatQuietly() {
      try {
        write();
      } catch (Exception e) {
        // A storage hiccup: the next beat tries again; assertHeld judges the result.
      }
    }

    /** Stops beating and deletes the file: the run no longer holds anything. */
    void stop() {
      scheduler.shutdownNow();
      try {
        scheduler.awaitTermination(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      file.delete();
    }
  }

  /** Leases one run holds, renewed in the background until {@link #close}. */
  public final class Held implements AutoCloseable {

    private final List<String> scopes;
    private final String runId;
    private final Heartbeat beat;
    private final List<String> takenOver;

    private Held(List<String> scopes, String runId, Heartbeat beat, List<String> takenOver) {
      this.scopes = scopes;
      this.runId = runId;
      this.beat = beat;
      this.takenOver = takenOver;
    }

    public List<String> scopes() {
      return scopes;
    }

    /** "scope from run X" for each lease that was still marked held by a dead run. */
    public List<String> takenOver() {
      return takenOver;
    }

    /**
     * Fails with {@link Errors#leaseLost} unless every lease is still this run's and its heartbeat
     * was renewed within the TTL. Called right before a commit that must not follow a takeover.
     */
    public void assertHeld() {
      Map<String, Row> now = state(scopes);
      long sinceRenewal = System.currentTimeMillis() - beat.renewedAt;
      for (String scope : scopes) {
        Row r = now.get(scope);
        if (r == null
            || !runId.equals(r.getAs("holder_run_id"))
            || isReleased(r)
            || sinceRenewal > beat.ttlSeconds * 1000L) {
          throw Errors.leaseLost(scope, runId);
        }
      }
    }

    /** Releases the leases (those still this run's), then stops the heartbeat. */
    @Override
    public void close() {
      try {
        release(scopes, runId);
      } finally {
        beat.stop();
      }
    }
  }
}
