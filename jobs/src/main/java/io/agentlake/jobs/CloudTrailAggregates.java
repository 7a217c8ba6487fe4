package io.agentlake.jobs;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.desc;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_date;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentlake.jobs.lake.Lake;
import io.agentlake.jobs.lake.RunLedger;
import io.agentlake.schemas.TableContract;
import io.agentlake.schemas.Tables;
import io.agentlake.schemas.vocabulary.Platform;
import io.agentlake.transforms.sources.cloudtrail.CloudTrail;
import io.agentlake.transforms.sources.cloudtrail.CloudTrailDaily;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.storage.StorageLevel;

/**
 * Keeps the day-grained CloudTrail aggregates — {@code silver.activity_daily}, {@code
 * silver.principal_daily} (what the identity graph reads), {@code silver.observation_coverage},
 * {@code silver.unmapped_events} — current at a nightly cost that follows the new data, not the
 * lake's history (SPEC principle 5).
 *
 * <p><b>Watermark.</b> {@code ledger.folded_ingests} lists the ingest runs whose bronze rows the
 * aggregates already reflect. The new runs are the ingests COMMITTED in {@code ledger.runs} and not
 * listed there. Run ids, not an ingest-time high-water mark: ingests of different sources run in
 * parallel and commit out of order, so "everything after time T" could skip a run that started
 * earlier and committed later.
 *
 * <p><b>Merge.</b> The UTC days the new runs' events fall on are <em>recomputed</em> from every
 * bronze row of those days (old runs and new), and replace those days in each table in one Delta
 * commit ({@link Lake#replaceDays}; the pure step is {@link CloudTrailDaily#replaceDays}). Nothing
 * is ever added to a stored count, and that is what makes it safe:
 *
 * <ul>
 *   <li>a late event for an earlier day makes that day be recomputed, with its other events;
 *   <li>a crash after a replace but before the watermark is recorded only makes the next run
 *       recompute the same days from the same bronze: same rows, no double count;
 *   <li>an event that reached bronze twice through different runs has one eventTime, so both copies
 *       are in the same recomputed day and {@link CloudTrailDaily#events} keeps one;
 *   <li>re-running with nothing new writes nothing.
 * </ul>
 *
 * Every table is computed from the same de-duplicated events. The identity graph's facts in {@code
 * principal_daily} are mins and maxes, which a duplicate cannot change, but its event counts can,
 * so it counts events exactly as {@code activity_daily} does rather than skipping the
 * de-duplication.
 *
 * <p>The cost is reading the affected days' bronze rows, which Delta narrows by {@code _event_time}
 * file statistics (bronze files are written per ingest run, so they cluster by time).
 *
 * <p>Dangerous: only rows of committed ingests are read (an open ingest may yet be rolled back). A
 * bronze row that appears without a committed ingest in {@code ledger.runs}, or bronze rows deleted
 * by hand, are only seen by a full rebuild ({@code correlate --full}); a full rebuild also runs
 * whenever a table or the watermark is missing, or a table was written by an older agentlake with
 * other columns.
 *
 * <p>{@code activity_daily} and {@code observation_coverage} are platform-neutral: an incremental
 * replace touches only their {@code platform = 'aws'} rows, so other platforms' rows (Entra ID
 * sign-ins, written after this by the correlate job) stay. A full rebuild replaces the whole table,
 * so it must be followed, in the same run, by the other platforms' writes, as the correlate job
 * does.
 */
public final class CloudTrailAggregates {

  public static final String FULL = "FULL";
  public static final String INCREMENTAL = "INCREMENTAL";

  private static final List<TableContract> TABLES =
      List.of(
          Tables.ACTIVITY_DAILY,
          Tables.PRINCIPAL_DAILY,
          Tables.OBSERVATION_COVERAGE,
          Tables.UNMAPPED_EVENTS);

  private CloudTrailAggregates() {}

  /**
   * Brings the aggregates up to date with bronze (everything when {@code full}), records the
   * watermark and puts what was done under {@code cloudtrail_aggregates} in the report.
   */
  public static void update(
      Lake lake, boolean full, String runId, RunReport report, Map<String, TableWrite> writes) {
    // One reading of the ledger decides both which bronze rows count and which runs are new, so
    // an ingest that commits meanwhile is either in both or in neither (then folded next time).
    RunLedger.IngestRuns ingests = new RunLedger(lake).ingestRuns();
    Dataset<Row> bronze = ingests.bronze(lake, Tables.bronzeOf(CloudTrail.EVENT));
    boolean rebuild =
        full
            || !lake.exists(Tables.FOLDED_INGESTS)
            || TABLES.stream().anyMatch(t -> !lake.matchesContract(t));
    List<String> fresh = unfoldedIngests(lake, ingests.committedIds());
    ObjectNode node = report.root().putObject("cloudtrail_aggregates");
    node.put("mode", rebuild ? FULL : INCREMENTAL);
    node.put("new_ingest_runs", fresh.size());

    TreeSet<LocalDate> days = new TreeSet<>();
    if (rebuild) {
      Dataset<Row> events = CloudTrailDaily.events(bronze).persist(StorageLevel.MEMORY_AND_DISK());
      try {
        group(lake, "correlate: activity_daily (full rebuild)");
        timed(
            writes,
            Tables.ACTIVITY_DAILY,
            lake,
            () -> overwrite(lake, Tables.ACTIVITY_DAILY, CloudTrailDaily.daily(events)));
        group(lake, "correlate: principal_daily (full rebuild)");
        timed(
            writes,
            Tables.PRINCIPAL_DAILY,
            lake,
            () -> overwrite(lake, Tables.PRINCIPAL_DAILY, CloudTrailDaily.principalDaily(events)));
        group(lake, "correlate: observation_coverage (full rebuild)");
        timed(
            writes,
            Tables.OBSERVATION_COVERAGE,
            lake,
            () -> overwrite(lake, Tables.OBSERVATION_COVERAGE, CloudTrailDaily.coverage(events)));
        group(lake, "correlate: unmapped_events (full rebuild)");
        timed(
            writes,
            Tables.UNMAPPED_EVENTS,
            lake,
            () -> overwrite(lake, Tables.UNMAPPED_EVENTS, CloudTrailDaily.unmapped(events)));
      } finally {
        events.unpersist();
      }
    } else if (!fresh.isEmpty()) {
      group(lake, "correlate: days touched by " + fresh.size() + " new ingest runs");
      days.addAll(
          bronze
              .filter(col("_ingest_run_id").isin(fresh.toArray()))
              .select(to_date(col("_event_time")).as("day"))
              .filter(col("day").isNotNull())
              .distinct()
              .as(Encoders.DATE())
              .collectAsList()
              .stream()
              .map(java.sql.Date::toLocalDate)
              .toList());
      if (!days.isEmpty()) {
        Dataset<Row> events =
            CloudTrailDaily.events(bronze.filter(CloudTrailDaily.onDays(days)))
                .persist(StorageLevel.MEMORY_AND_DISK());
        try {
          group(lake, "correlate: activity_daily (" + days.size() + " days)");
          timed(
              writes,
              Tables.ACTIVITY_DAILY,
              lake,
              () ->
                  lake.replaceDays(
                      Tables.ACTIVITY_DAILY, CloudTrailDaily.daily(events), days, Platform.AWS));
          group(lake, "correlate: principal_daily (" + days.size() + " days)");
          timed(
              writes,
              Tables.PRINCIPAL_DAILY,
              lake,
              () ->
                  lake.replaceDays(
                      Tables.PRINCIPAL_DAILY, CloudTrailDaily.principalDaily(events), days));
          group(lake, "correlate: observation_coverage (" + days.size() + " days)");
          timed(
              writes,
              Tables.OBSERVATION_COVERAGE,
              lake,
              () ->
                  lake.replaceDays(
                      Tables.OBSERVATION_COVERAGE,
                      CloudTrailDaily.coverage(events),
                      days,
                      Platform.AWS));
          group(lake, "correlate: unmapped_events (" + days.size() + " days)");
          timed(
              writes,
              Tables.UNMAPPED_EVENTS,
              lake,
              () ->
                  lake.replaceDays(Tables.UNMAPPED_EVENTS, CloudTrailDaily.unmapped(events), days));
        } finally {
          events.unpersist();
        }
      }
    }
    ArrayNode dayList = node.putArray("days_recomputed");
    days.forEach(d -> dayList.add(d.toString()));
    recordFolded(lake, fresh, runId, rebuild ? FULL : INCREMENTAL, days.size());
    reportUnmapped(lake, report);
  }

  private static List<String> unfoldedIngests(Lake lake, List<String> committed) {
    List<String> fresh = new ArrayList<>(committed);
    if (lake.exists(Tables.FOLDED_INGESTS)) {
      fresh.removeAll(
          lake.read(Tables.FOLDED_INGESTS)
              .select("ingest_run_id")
              .as(Encoders.STRING())
              .collectAsList());
    }
    return fresh;
  }

  private static void recordFolded(
      Lake lake, List<String> runIds, String foldedBy, String mode, int days) {
    if (runIds.isEmpty() && lake.exists(Tables.FOLDED_INGESTS)) {
      return;
    }
    Timestamp now = Timestamp.from(Instant.now());
    List<Row> rows = new ArrayList<>();
    for (String id : runIds) {
      rows.add(RowFactory.create(id, foldedBy, now, mode, days));
    }
    lake.append(
        Tables.FOLDED_INGESTS, lake.spark().createDataFrame(rows, Tables.FOLDED_INGESTS.schema()));
  }

  /** The run report's line on unmapped events: how many in the lake, and the commonest names. */
  private static void reportUnmapped(Lake lake, RunReport report) {
    Dataset<Row> unmapped = lake.read(Tables.UNMAPPED_EVENTS);
    List<Row> top =
        unmapped
            .groupBy("event_source", "event_name")
            .agg(sum("event_count").as("n"))
            .orderBy(desc("n"), col("event_source"), col("event_name"))
            .collectAsList();
    ObjectNode node = report.root().putObject("unmapped_events");
    long total = 0;
    ArrayNode names = node.putArray("top");
    for (Row r : top) {
      total += r.getLong(2);
      if (names.size() < 10) {
        names.add(r.getString(0) + " " + r.getString(1) + ": " + r.getLong(2));
      }
    }
    node.put("events", total);
    node.put("kinds", top.size());
  }

  private static void overwrite(Lake lake, TableContract table, Dataset<Row> rows) {
    // Contiguous day ranges per file, so a later incremental run rewrites only the files of the
    // days it recomputes rather than every file of a full rebuild.
    lake.overwrite(table, rows.repartitionByRange(col("day")));
  }

  private static void timed(
      Map<String, TableWrite> writes, TableContract table, Lake lake, Runnable write) {
    long t0 = System.nanoTime();
    write.run();
    writes.put(
        table.name(),
        new TableWrite(lake.lastWrittenRows(table), (System.nanoTime() - t0) / 1_000_000));
  }

  private static void group(Lake lake, String description) {
    lake.spark().sparkContext().setJobGroup("correlate", description, false);
  }
}
