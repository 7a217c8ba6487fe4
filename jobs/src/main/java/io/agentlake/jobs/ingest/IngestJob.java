package io.agentlake.jobs.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentlake.jobs.RunReport;
import io.agentlake.jobs.lake.Lake;
import io.agentlake.jobs.lake.Leases;
import io.agentlake.jobs.lake.RunLedger;
import io.agentlake.schemas.SourceRecordType;
import io.agentlake.schemas.Tables;
import io.agentlake.transforms.Contracts;
import io.agentlake.transforms.bronze.Bronze;
import io.agentlake.transforms.bronze.ExtractedRecords;
import io.agentlake.transforms.ingest.QuarantineReason;
import io.agentlake.transforms.sources.Sources;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * Ingest: every export file not yet in the ledger is read once, its records land in bronze or in
 * quarantine, and the file is recorded with its counts. Re-running finds nothing new and writes
 * nothing, so a date can be re-run safely; the nightly cost follows the new files only.
 */
public final class IngestJob {

  static final StructType LISTING =
      StructType.fromDDL(
          "source_type STRING NOT NULL, source_file STRING NOT NULL, size BIGINT NOT NULL,"
              + " modification_time TIMESTAMP NOT NULL");

  /** Per-source counts, also used by the quality gate. */
  public record SourceCounts(
      String sourceType,
      long files,
      long filesFailed,
      long filesSkipped,
      long recordsRead,
      long accepted,
      long quarantined,
      long redelivered) {}

  /** What one ingest did. */
  public record Result(Map<String, SourceCounts> bySource, List<String> worstFiles, long newFiles) {

    public long recordsRead() {
      return bySource.values().stream().mapToLong(SourceCounts::recordsRead).sum();
    }

    /** Quarantined records and unreadable files, not counting re-deliveries (expected). */
    public long quarantinedEntries() {
      return bySource.values().stream()
          .mapToLong(c -> c.quarantined() - c.redelivered() + c.filesFailed())
          .sum();
    }

    /** Quarantined records and unreadable files, over everything read; the gate's measure. */
    public double quarantinedShare() {
      long denominator =
          recordsRead() + bySource.values().stream().mapToLong(SourceCounts::filesFailed).sum();
      return denominator == 0 ? 0.0 : (double) quarantinedEntries() / denominator;
    }
  }

  private IngestJob() {}

  /** The lease scopes an ingest of {@code sources} holds. */
  public static List<String> leaseScopes(List<String> sources) {
    return sources.stream().map(Leases::source).toList();
  }

  /**
   * {@link #run(Lake, String, List, Map, LocalDate, String, Timestamp, RunReport, Leases.Held)}
   * under leases it takes itself, with the default lease settings.
   */
  public static Result run(
      Lake lake,
      String exportsUri,
      List<String> sources,
      Map<String, String> sourcePaths,
      LocalDate date,
      String runId,
      Timestamp now,
      RunReport report) {
    try (Leases.Held held =
        new Leases(lake)
            .acquire(
                leaseScopes(sources),
                runId,
                "ingest",
                io.agentlake.jobs.config.AgentlakeConfig.DEFAULT_LEASE_TTL_SECONDS,
                io.agentlake.jobs.config.AgentlakeConfig.DEFAULT_LEASE_WAIT_SECONDS)) {
      return run(lake, exportsUri, sources, sourcePaths, date, runId, now, report, held);
    }
  }

  /** Ingests the new files of {@code sources}; the caller holds their leases. */
  public static Result run(
      Lake lake,
      String exportsUri,
      List<String> sources,
      Map<String, String> sourcePaths,
      LocalDate date,
      String runId,
      Timestamp now,
      RunReport report,
      Leases.Held leases) {
    SparkSession spark = lake.spark();
    RunLedger runs = new RunLedger(lake);
    // This run holds the leases of its sources, so an ingest of them that never committed is dead.
    List<String> rolledBack = runs.rollBackDeadIngests(date, sources);
    if (!rolledBack.isEmpty()) {
      report.root().putPOJO("rolled_back_runs", rolledBack);
    }
    RunLedger.IngestRuns ingests = runs.ingestRuns();
    spark.sparkContext().setJobGroup("ingest", "ingest: list and diff export files", false);
    ExportListing.Listing found =
        ExportListing.list(
            exportsUri, sources, sourcePaths, spark.sparkContext().hadoopConfiguration());
    if (!found.unassigned().isEmpty()) {
      ObjectNode unassigned = report.root().putObject("unassigned_files");
      unassigned.put("count", found.unassigned().size());
      var first = unassigned.putArray("first");
      found.unassigned().stream().limit(10).forEach(first::add);
      unassigned.put(
          "why",
          "no source-paths glob matches them and they are not under a <source-type>/ folder");
    }
    List<ExportFile> listed = found.files();
    List<Row> listingRows = new ArrayList<>();
    for (ExportFile f : listed) {
      listingRows.add(
          RowFactory.create(
              f.sourceType(), f.uri(), f.size(), new Timestamp(f.modificationTime())));
    }
    Dataset<Row> listing = spark.createDataFrame(listingRows, LISTING);
    Dataset<Row> known =
        ingests
            .committed(lake.read(Tables.INGESTED_FILES), "ingest_run_id")
            .select("source_file", "size", "modification_time");
    List<Row> fresh =
        listing
            .join(known, new String[] {"source_file", "size", "modification_time"}, "left_anti")
            .select("source_type", "source_file", "size", "modification_time")
            .orderBy("source_file")
            .collectAsList();
    if (fresh.isEmpty()) {
      return new Result(new TreeMap<>(), List.of(), 0);
    }

    spark.sparkContext().setJobGroup("ingest", "ingest: extract " + fresh.size() + " files", false);
    FileExtraction extraction = new FileExtraction(spark.sparkContext().hadoopConfiguration());
    int partitions =
        Math.max(1, Math.min(fresh.size(), spark.sparkContext().defaultParallelism() * 4));
    Dataset<Row> read =
        spark
            .createDataFrame(fresh, LISTING)
            .repartition(partitions, col("source_file"))
            .mapPartitions(
                (MapPartitionsFunction<Row, Row>) extraction::extract,
                Encoders.row(ExtractedRecords.SCHEMA))
            .persist(StorageLevel.MEMORY_AND_DISK());
    ObjectNode phases = report.root().putObject("ingest_phases_ms");
    long t0 = System.nanoTime();
    List<String> present =
        read.filter(col("record_position").geq(0).and(col("quarantine_reason").isNull()))
            .select("record_type")
            .distinct()
            .as(Encoders.STRING())
            .collectAsList();
    phases.put("extract", (System.nanoTime() - t0) / 1_000_000);
    t0 = System.nanoTime();
    Dataset<Row> extracted = withoutRedeliveries(lake, ingests, read, sources);
    phases.put("find_redeliveries", (System.nanoTime() - t0) / 1_000_000);
    runs.started(runId, date, sources);
    try {
      t0 = System.nanoTime();
      writeBronze(lake, extracted, present, sources, runId, now);
      phases.put("write_bronze", (System.nanoTime() - t0) / 1_000_000);
      t0 = System.nanoTime();
      lake.append(Tables.QUARANTINE, Bronze.quarantined(extracted, runId, now));
      Dataset<Row> counted = perFile(extracted);
      Dataset<Row> perFile = spark.createDataFrame(counted.collectAsList(), counted.schema());
      Dataset<Row> ledger =
          spark
              .createDataFrame(fresh, LISTING)
              .join(perFile.drop("file_source_type"), "source_file")
              .withColumn("ingest_run_id", lit(runId))
              .withColumn("ingest_time", lit(now));
      lake.append(Tables.INGESTED_FILES, Contracts.conform(ledger, Tables.INGESTED_FILES));
      Result result = summarise(perFile, fresh.size(), report);
      phases.put("write_quarantine_and_ledger", (System.nanoTime() - t0) / 1_000_000);
      leases.assertHeld();
      runs.record(runId, date, "ingest", RunLedger.COMMITTED, null);
      return result;
    } catch (Exception e) { // Delta's AnalysisException is checked, and thrown undeclared
      // The JVM survived: take back what this run wrote now, while it still holds the leases,
      // rather than leave it for the next run. If that fails too (storage down), the next run
      // that takes over the leases does it.
      try {
        runs.rollBack(runId, sources, date);
      } catch (Exception rollbackFailed) {
        e.addSuppressed(rollbackFailed);
      }
      throw e;
    } finally {
      read.unpersist();
    }
  }

  /**
   * Marks re-deliveries of records already in bronze (or earlier in this batch). Only the bronze
   * rows whose event time lies in the batch's range are consulted — a re-delivery carries the same
   * time — so the lookup costs what the new data spans, not the lake's history.
   */
  private static Dataset<Row> withoutRedeliveries(
      Lake lake, RunLedger.IngestRuns ingests, Dataset<Row> read, List<String> sources) {
    lake.spark().sparkContext().setJobGroup("ingest", "ingest: find re-deliveries", false);
    List<Row> spans =
        read.filter(col("dedupe_key").isNotNull())
            .groupBy("record_type")
            .agg(min("event_time").as("lo"), max("event_time").as("hi"))
            .collectAsList();
    if (spans.isEmpty()) {
      return read;
    }
    Dataset<Row> known = null;
    for (Row span : spans) {
      SourceRecordType type = Sources.recordType(span.getString(0)).orElseThrow();
      if (!sources.contains(type.sourceType())) {
        continue;
      }
      Timestamp lo = span.getTimestamp(1);
      Timestamp hi = span.getTimestamp(2);
      Column inSpan =
          lo == null
              ? col("_event_time").isNull()
              : col("_event_time")
                  .between(
                      new Timestamp(lo.getTime() - MARGIN_MS),
                      new Timestamp(hi.getTime() + MARGIN_MS))
                  .or(col("_event_time").isNull());
      Dataset<Row> keys =
          ingests
              .bronze(lake, Tables.bronzeOf(type))
              .filter(inSpan.and(col("_record_key").isNotNull()))
              .select(
                  lit(type.recordType()).as("record_type"),
                  col("_record_key").as("dedupe_key"),
                  col("_source_file").as("source_file"),
                  col("_record_position").as("record_position"));
      known = known == null ? keys : known.unionByName(keys);
    }
    if (known == null) {
      return read;
    }
    // The marks depend on bronze, which this ingest is about to append to, and Spark re-computes
    // plans that read a path being written: re-computed marks would find each new record "already
    // in bronze" — itself. So the (narrow) re-deliveries are materialised before any write: on the
    // driver when few (the usual case; the join is then a broadcast), else checkpointed.
    Dataset<Row> found = Bronze.redeliveries(read, known).localCheckpoint(true);
    long count = found.count();
    if (count == 0) {
      return read;
    }
    if (count <= MAX_COLLECTED_REDELIVERIES) {
      found = lake.spark().createDataFrame(found.collectAsList(), found.schema()).hint("broadcast");
    }
    return Bronze.applyRedeliveries(read, found);
  }

  /** Re-deliveries above this many are joined from a checkpoint rather than broadcast. */
  private static final long MAX_COLLECTED_REDELIVERIES = 200_000;

  /** Slack around the batch's event-time span when looking up kept records. */
  private static final long MARGIN_MS = 24L * 3600 * 1000;

  private static void writeBronze(
      Lake lake,
      Dataset<Row> extracted,
      List<String> present,
      List<String> sources,
      String runId,
      Timestamp now) {
    for (String source : sources) {
      for (SourceRecordType type : Sources.recordTypesOf(source)) {
        if (!present.contains(type.recordType())) {
          continue;
        }
        lake.spark()
            .sparkContext()
            .setJobGroup("ingest", "ingest: write bronze." + type.bronzeTable(), false);
        lake.append(Tables.bronzeOf(type), Bronze.accepted(extracted, type, runId, now));
      }
    }
  }

  /** One row per file: records read, accepted, quarantined, and the file-level error if any. */
  static Dataset<Row> perFile(Dataset<Row> extracted) {
    Column isRecord = col("record_position").geq(0);
    return extracted
        .groupBy("source_file")
        .agg(
            first("source_type").as("file_source_type"),
            sum(when(isRecord, 1L).otherwise(0L)).as("records_read"),
            sum(when(isRecord.and(col("quarantine_reason").isNull()), 1L).otherwise(0L))
                .as("records_accepted"),
            sum(when(isRecord.and(col("quarantine_reason").isNotNull()), 1L).otherwise(0L))
                .as("records_quarantined"),
            sum(when(
                        isRecord.and(
                            col("quarantine_reason")
                                .equalTo(QuarantineReason.DUPLICATE_DELIVERY.name())),
                        1L)
                    .otherwise(0L))
                .as("records_redelivered"),
            max(when(
                    not(isRecord),
                    when(col("skipped"), lit("SKIPPED")).otherwise(col("quarantine_reason"))))
                .as("file_error"),
            first(when(not(isRecord), col("normalised")), true).as("normalised"));
  }

  private static Result summarise(Dataset<Row> perFile, int newFiles, RunReport report) {
    Map<String, long[]> sums = new TreeMap<>();
    List<Row> rows = perFile.orderBy("source_file").collectAsList();
    List<Row> worst = new ArrayList<>(rows);
    for (Row r : rows) {
      long[] s = sums.computeIfAbsent(r.getAs("file_source_type"), k -> new long[7]);
      String error = r.getAs("file_error");
      s[0]++;
      if (error != null && !error.equals("SKIPPED")) {
        s[1]++;
      }
      if ("SKIPPED".equals(error)) {
        s[2]++;
      }
      s[3] += r.<Long>getAs("records_read");
      s[4] += r.<Long>getAs("records_accepted");
      s[5] += r.<Long>getAs("records_quarantined");
      s[6] += r.<Long>getAs("records_redelivered");
    }
    // Every record a documented variant rule changed, per file and per source: nothing mended is
    // silent.
    Map<String, Map<String, Long>> normalisedBySource = new TreeMap<>();
    Map<String, ObjectNode> normalisedFiles = new TreeMap<>();
    for (Row r : rows) {
      scala.collection.Map<String, Long> m = r.getAs("normalised");
      if (m == null || m.isEmpty()) {
        continue;
      }
      Map<String, Long> counts = new TreeMap<>(scala.jdk.javaapi.CollectionConverters.asJava(m));
      counts.forEach(
          (rule, n) ->
              normalisedBySource
                  .computeIfAbsent(r.getAs("file_source_type"), k -> new TreeMap<>())
                  .merge(rule, n, Long::sum));
      ObjectNode file = report.root().objectNode();
      counts.forEach(file::put);
      normalisedFiles.put(r.<String>getAs("source_file"), file);
    }
    Map<String, SourceCounts> bySource = new TreeMap<>();
    sums.forEach(
        (source, s) -> {
          SourceCounts c = new SourceCounts(source, s[0], s[1], s[2], s[3], s[4], s[5], s[6]);
          bySource.put(source, c);
          ObjectNode n = report.source(source);
          n.put("files", c.files());
          n.put("files_unreadable", c.filesFailed());
          n.put("files_skipped", c.filesSkipped());
          n.put("records_read", c.recordsRead());
          n.put("records_accepted", c.accepted());
          n.put("records_quarantined", c.quarantined());
          n.put("records_redelivered", c.redelivered());
          ObjectNode normalised = n.putObject("normalised");
          normalisedBySource.getOrDefault(source, Map.of()).forEach(normalised::put);
        });
    if (!normalisedFiles.isEmpty()) {
      ObjectNode files = report.root().putObject("normalised_files");
      normalisedFiles.forEach(files::set);
    }
    worst.sort(
        Comparator.<Row>comparingLong(r -> badness(r))
            .reversed()
            .thenComparing(r -> r.<String>getAs("source_file")));
    List<String> worstFiles = new ArrayList<>();
    for (Row r : worst) {
      if (badness(r) == 0 || worstFiles.size() == 5) {
        break;
      }
      worstFiles.add(r.<String>getAs("source_file"));
    }
    return new Result(bySource, worstFiles, newFiles);
  }

  private static long badness(Row r) {
    String error = r.getAs("file_error");
    long fileLevel = error != null && !error.equals("SKIPPED") ? 1 : 0;
    return r.<Long>getAs("records_quarantined") - r.<Long>getAs("records_redelivered") + fileLevel;
  }
}
