package io.agentlake.jobs.lake;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.not;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentlake.schemas.SourceRecordType;
import io.agentlake.schemas.TableContract;
import io.agentlake.schemas.Tables;
import io.agentlake.transforms.sources.Sources;
import java.io.IOException;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * {@code ledger.runs}: the append-only life of every run. An ingest writes several Delta tables one
 * after another and can die between two of them, so it records STARTED (with the sources it
 * ingests) before its first write and COMMITTED after its last. Everything that reads bronze reads
 * only the rows of committed ingests ({@link IngestRuns#committed}); the rows of an ingest that
 * never committed are deleted by the run that takes over its dead lease, or by the ingest itself
 * when it fails with the JVM still alive. Each bronze file is written by one run, so deleting by
 * run id touches only that run's rows.
 */
public final class RunLedger {

  public static final String STARTED = "STARTED";
  public static final String COMMITTED = "COMMITTED";
  public static final String ROLLED_BACK = "ROLLED_BACK";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Lake lake;

  public RunLedger(Lake lake) {
    this.lake = lake;
  }

  public void record(String runId, LocalDate date, String command, String status, String report) {
    lake.append(
        Tables.RUNS,
        lake.spark()
            .createDataFrame(
                List.of(
                    RowFactory.create(
                        runId,
                        Date.valueOf(date),
                        command,
                        status,
                        Timestamp.from(Instant.now()),
                        report)),
                Tables.RUNS.schema()));
  }

  /** Records that ingest {@code runId} of {@code sources} is about to write. */
  public void started(String runId, LocalDate date, Collection<String> sources) {
    record(
        runId,
        date,
        "ingest",
        STARTED,
        JSON.createObjectNode()
            .set("sources", JSON.valueToTree(new TreeSet<>(sources)))
            .toString());
  }

  /** The ingest runs as {@code ledger.runs} says now, read once so every answer agrees. */
  public IngestRuns ingestRuns() {
    Map<String, IngestRun> byId = new LinkedHashMap<>();
    if (lake.exists(Tables.RUNS)) {
      for (Row r :
          lake.read(Tables.RUNS)
              .filter(col("command").equalTo("ingest"))
              .select("run_id", "run_date", "status", "report_json")
              .collectAsList()) {
        String id = r.getString(0);
        IngestRun run = byId.computeIfAbsent(id, IngestRun::new);
        switch (r.getString(2)) {
          case STARTED -> {
            run.started = true;
            run.date = r.getDate(1).toLocalDate();
            run.sources = sourcesOf(r.getString(3));
          }
          case COMMITTED -> run.committed = true;
          case ROLLED_BACK -> run.rolledBack = true;
          default -> {}
        }
      }
    }
    return new IngestRuns(byId);
  }

  private static List<String> sourcesOf(String report) {
    if (report == null) {
      return null;
    }
    try {
      JsonNode sources = JSON.readTree(report).path("sources");
      List<String> out = new ArrayList<>();
      sources.forEach(s -> out.add(s.asText()));
      return sources.isArray() ? out : null;
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * Rolls back every ingest that started, neither committed nor was rolled back, and ingested one
   * of {@code heldSources}. The caller holds those sources' leases, so no live run can be such an
   * ingest: a live ingest holds the lease of every source it writes. (A STARTED row written before
   * ingests recorded their sources names none; it counts as touching every source.)
   */
  public List<String> rollBackDeadIngests(LocalDate date, Collection<String> heldSources) {
    List<String> rolledBack = new ArrayList<>();
    for (IngestRun run : ingestRuns().open()) {
      List<String> sources = run.sources == null ? Sources.ALL : run.sources;
      if (sources.stream().anyMatch(heldSources::contains)) {
        rollBack(run.runId, sources, date);
        rolledBack.add(run.runId);
      }
    }
    return rolledBack;
  }

  /** Deletes one ingest's bronze, quarantine and file-ledger rows and records ROLLED_BACK. */
  public void rollBack(String runId, Collection<String> sources, LocalDate date) {
    for (String source : sources) {
      for (SourceRecordType type : Sources.recordTypesOf(source)) {
        lake.delete(Tables.bronzeOf(type), col("_ingest_run_id").equalTo(runId));
      }
    }
    lake.delete(Tables.QUARANTINE, col("ingest_run_id").equalTo(runId));
    lake.delete(Tables.INGESTED_FILES, col("ingest_run_id").equalTo(runId));
    record(runId, date, "ingest", ROLLED_BACK, null);
  }

  /** One ingest run's events. */
  public static final class IngestRun {
    final String runId;
    LocalDate date;
    List<String> sources;
    boolean started;
    boolean committed;
    boolean rolledBack;

    IngestRun(String runId) {
      this.runId = runId;
    }

    public String runId() {
      return runId;
    }

    /** The run date it was started for; null when only later events of it are in the ledger. */
    public LocalDate date() {
      return date;
    }

    public boolean committed() {
      return committed && !rolledBack;
    }
  }

  /** The ingest runs at one moment. */
  public static final class IngestRuns {
    private final Map<String, IngestRun> byId;

    IngestRuns(Map<String, IngestRun> byId) {
      this.byId = byId;
    }

    /** Committed ingests, sorted by run id. */
    public List<String> committedIds() {
      return byId.values().stream()
          .filter(IngestRun::committed)
          .map(IngestRun::runId)
          .sorted()
          .toList();
    }

    /** Committed ingests started for {@code date}. */
    public List<String> committedOn(LocalDate date) {
      return byId.values().stream()
          .filter(r -> r.committed() && date.equals(r.date))
          .map(IngestRun::runId)
          .sorted()
          .toList();
    }

    /** Started and neither committed nor rolled back: alive, or dead and not yet rolled back. */
    List<IngestRun> open() {
      return byId.values().stream()
          .filter(r -> r.started && !r.committed && !r.rolledBack)
          .toList();
    }

    /** Every ingest whose rows must not be read: not committed, or rolled back. */
    public List<String> uncommittedIds() {
      return byId.values().stream()
          .filter(r -> !r.committed())
          .map(IngestRun::runId)
          .sorted()
          .toList();
    }

    /**
     * The rows of committed ingests only ({@code runIdColumn} names the ingest run). Few runs are
     * ever uncommitted (their rows are deleted when rolled back), so this is a short exclusion.
     */
    public Dataset<Row> committed(Dataset<Row> rows, String runIdColumn) {
      List<String> excluded = uncommittedIds();
      if (excluded.isEmpty()) {
        return rows;
      }
      Column in = col(runIdColumn).isin(excluded.toArray());
      return rows.filter(not(in));
    }

    /** {@link #committed} for a bronze table. */
    public Dataset<Row> bronze(Lake lake, TableContract table) {
      return committed(lake.read(table), "_ingest_run_id");
    }
  }
}
