package io.agentlake.jobs.lake;

import io.agentlake.jobs.Errors;
import io.agentlake.schemas.TableContract;
import io.agentlake.schemas.Tables;
import io.agentlake.schemas.vocabulary.Platform;
import io.agentlake.transforms.LakeTables;
import io.delta.tables.DeltaTable;
import java.io.IOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructField;

/**
 * The lake on disk: one Delta table per {@link TableContract}, at {@code <root>/<layer>/<table>}.
 * The root is any Hadoop URI (file:, s3a:, abfss:). Writes follow the table's kind: bronze and
 * ledgers append, silver is replaced whole (the day-grained CloudTrail aggregates replace the days
 * they recompute), gold replaces exactly one {@code as_of_date}.
 */
public final class Lake {

  private final SparkSession spark;
  private final String root;

  /** Tables known to exist, so a run checks storage once per table, not once per write. */
  private final java.util.Set<String> existing = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** Attempts at a commit that keeps meeting a concurrent writer before the run gives up. */
  static final int COMMIT_ATTEMPTS = 8;

  /**
   * How long {@link #ensure} waits for another run's create of the same table to commit before it
   * takes the create for dead and clears what it left.
   */
  static final java.time.Duration CREATE_WAIT = java.time.Duration.ofSeconds(60);

  private final java.time.Duration createWait;

  public Lake(SparkSession spark, String root) {
    this(spark, root, CREATE_WAIT);
  }

  /** A lake whose {@link #ensure} waits {@code createWait} for another create (tests). */
  Lake(SparkSession spark, String root, java.time.Duration createWait) {
    this.spark = spark;
    this.root = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
    this.createWait = createWait;
  }

  public String root() {
    return root;
  }

  public SparkSession spark() {
    return spark;
  }

  public String path(TableContract table) {
    return root + "/" + table.relativePath();
  }

  /**
   * True when the table has a committed version: a commit or checkpoint file in its log, not just a
   * {@code _delta_log} folder that a concurrent creator has started.
   */
  public boolean exists(TableContract table) {
    if (existing.contains(table.name())) {
      return true;
    }
    try {
      Path log = new Path(path(table) + "/_delta_log");
      FileSystem fs = log.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(log)) {
        return false;
      }
      for (org.apache.hadoop.fs.FileStatus f : fs.listStatus(log)) {
        String name = f.getPath().getName();
        if (name.endsWith(".json") && !name.startsWith(".")
            || name.endsWith(".checkpoint.parquet")
            || name.equals("_last_checkpoint")) {
          existing.add(table.name());
          return true;
        }
      }
      return false;
    } catch (IOException e) {
      throw Errors.storage("check", path(table), e);
    }
  }

  /**
   * Runs one commit, again when Delta reports a concurrent modification (the failed attempt
   * committed nothing), up to {@link #COMMIT_ATTEMPTS} times with a growing, jittered back-off;
   * then fails with {@link Errors#concurrentWrite} (exit 1).
   */
  public void retrying(TableContract table, Runnable commit) {
    for (int attempt = 1; ; attempt++) {
      try {
        commit.run();
        return;
      } catch (RuntimeException e) {
        if (!isConflict(e)) {
          throw e;
        }
        if (attempt == COMMIT_ATTEMPTS) {
          throw Errors.concurrentWrite(table.name(), attempt, e);
        }
        try {
          Thread.sleep(
              (100L << Math.min(attempt, 5))
                  + java.util.concurrent.ThreadLocalRandom.current().nextLong(200));
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  static boolean isConflict(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.util.ConcurrentModificationException) {
        return true;
      }
    }
    return false;
  }

  /**
   * The table's rows, or an empty Dataset with its schema when it has not been written yet. A table
   * written before its contract gained columns (they are added last, nullable) reads them as null
   * until its next write adds them, so a step reading it needs no case of its own for lakes of
   * older agentlake versions.
   */
  public Dataset<Row> read(TableContract table) {
    if (!exists(table)) {
      return spark.createDataFrame(List.of(), table.schema());
    }
    Dataset<Row> stored = spark.read().format("delta").load(path(table));
    Set<String> present = Set.of(stored.columns());
    for (StructField field : table.schema().fields()) {
      if (!present.contains(field.name())) {
        stored = stored.withColumn(field.name(), functions.lit(null).cast(field.dataType()));
      }
    }
    return stored;
  }

  public void append(TableContract table, Dataset<Row> rows) {
    ensure(table);
    retrying(table, () -> writer(table, rows).mode(SaveMode.Append).save(path(table)));
  }

  /**
   * Replaces the whole table. The table keeps its contract's schema (NOT NULL columns stay
   * enforced); only a table written by an older agentlake with other columns or types has its
   * schema replaced.
   */
  public void overwrite(TableContract table, Dataset<Row> rows) {
    ensure(table);
    boolean sameColumns =
        sameColumns(spark.read().format("delta").load(path(table)).schema(), table.schema());
    retrying(
        table,
        () -> {
          var w = writer(table, rows).mode(SaveMode.Overwrite);
          if (!sameColumns) {
            w = w.option("overwriteSchema", "true").option("mergeSchema", "false");
          }
          w.save(path(table));
        });
  }

  private static boolean sameColumns(
      org.apache.spark.sql.types.StructType stored,
      org.apache.spark.sql.types.StructType contract) {
    return stored.asNullable().equals(contract.asNullable());
  }

  /** Replaces the rows of one run date, leaving every other date as it was. */
  public void replaceDate(TableContract table, Dataset<Row> rows, LocalDate date) {
    ensure(table);
    retrying(
        table,
        () ->
            writer(table, rows)
                .mode(SaveMode.Overwrite)
                .option("replaceWhere", Tables.AS_OF_DATE + " = DATE'" + date + "'")
                .save(path(table)));
  }

  /**
   * Replaces every row of a day-grained table whose {@code day} is one of {@code days} with {@code
   * rows}, in one Delta commit (files of other days are untouched; Delta checks every written row
   * falls on one of the days). Readers see the old days or the new ones, never a mix.
   */
  public void replaceDays(TableContract table, Dataset<Row> rows, Collection<LocalDate> days) {
    replaceDays(table, rows, days, null);
  }

  /**
   * {@link #replaceDays(TableContract, Dataset, Collection)} for the rows of one platform only
   * ({@code platform} null: every row of those days), so each platform's writer owns its slice of a
   * platform-neutral table.
   */
  public void replaceDays(
      TableContract table, Dataset<Row> rows, Collection<LocalDate> days, Platform platform) {
    if (days.isEmpty()) {
      return;
    }
    String list =
        days.stream()
            .sorted()
            .map(d -> "DATE'" + d + "'")
            .collect(java.util.stream.Collectors.joining(", "));
    replaceWhere(
        table,
        rows,
        (platform == null ? "" : platformIs(platform) + " AND ") + "day IN (" + list + ")");
  }

  /**
   * Replaces every row of one platform with {@code rows}, in one Delta commit, leaving the other
   * platforms' rows as they were (Delta checks every written row is of that platform).
   */
  public void replacePlatform(TableContract table, Dataset<Row> rows, Platform platform) {
    replaceWhere(table, rows, platformIs(platform));
  }

  private static String platformIs(Platform platform) {
    return "platform = '" + platform.value() + "'";
  }

  private void replaceWhere(TableContract table, Dataset<Row> rows, String condition) {
    ensure(table);
    retrying(
        table,
        () ->
            writer(table, rows)
                .mode(SaveMode.Overwrite)
                .option("replaceWhere", condition)
                .save(path(table)));
  }

  /**
   * Whether the stored table has the contract's columns and types (nullability aside); false when
   * it was written by an older agentlake, or does not exist.
   */
  public boolean matchesContract(TableContract table) {
    return exists(table)
        && sameColumns(spark.read().format("delta").load(path(table)).schema(), table.schema());
  }

  private boolean lacksContractColumns(TableContract table) {
    if (!exists(table)) {
      return false;
    }
    Set<String> stored =
        Set.of(spark.read().format("delta").load(path(table)).schema().fieldNames());
    return !stored.containsAll(List.of(table.schema().fieldNames()));
  }

  /** Deletes the rows matching {@code condition}, if the table exists. */
  public void delete(TableContract table, org.apache.spark.sql.Column condition) {
    if (exists(table)) {
      retrying(table, () -> DeltaTable.forPath(spark, path(table)).delete(condition));
    }
  }

  /** The bronze columns Delta keeps file statistics on (what reads filter by). */
  static final String BRONZE_STATS_COLUMNS =
      "_source_file,_record_position,_ingest_run_id,_ingest_time,_event_time";

  /**
   * Creates the table from its contract the first time, so the lake's schema is the contract's (NOT
   * NULL columns included, which Delta then enforces on every write) rather than whatever a
   * computed Dataset happened to infer. Every write calls it. Deletion vectors stay off so
   * non-Spark readers (delta-rs) can read every table at reader protocol 1.
   */
  public void ensure(TableContract table) {
    long deadline = System.nanoTime() + createWait.toNanos();
    boolean cleared = false;
    for (int attempt = 1; !exists(table); attempt++) {
      try {
        var builder =
            DeltaTable.createIfNotExists(spark)
                .location(qualified(path(table)))
                .addColumns(table.schema())
                .partitionedBy(table.partitionColumns().toArray(new String[0]))
                .property("delta.enableDeletionVectors", "false")
                .property("delta.minReaderVersion", "1")
                .property("delta.minWriterVersion", "2");
        if (table.layer() == TableContract.Layer.BRONZE) {
          // Bronze is read by run, time and file, never by a vendor field: statistics on the
          // vendor's (often nested) fields would cost every write and skip no file.
          builder = builder.property("delta.dataSkippingStatsColumns", BRONZE_STATS_COLUMNS);
        }
        builder.execute();
      } catch (Exception e) {
        // Parallel runs (one ingest per source) race to create a shared table such as the ledger.
        // The loser fails while the winner's create is under way (the location is not empty, or
        // holds no commit yet) and must wait for the winner's commit, which on a busy machine
        // takes seconds. Delta says so with an AnalysisException, which is a checked exception
        // Scala throws undeclared: catching only RuntimeException let it fail the run at once
        // (one of eight ingests on CI needed Airflow's retry).
        if (exists(table)) {
          return;
        }
        if (System.nanoTime() > deadline) {
          if (cleared || !clearAbandonedCreate(table)) {
            throw e;
          }
          // A create that has shown no commit for the whole wait died before its first commit
          // (a SIGKILL between Delta's making the log folder and publishing version 0). What it
          // left refuses every later create, so without this the lake would stay wedged for good.
          cleared = true;
          deadline = System.nanoTime() + createWait.toNanos();
          continue;
        }
        try {
          Thread.sleep(Math.min(2_000L, 100L << Math.min(attempt, 5)));
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  /**
   * Removes what a create that died before its first commit left in the table's log: its hidden
   * temporary files and Delta's empty folders, then the log folder itself. Never a commit: once one
   * is there the table exists and nothing is removed, and a folder that still holds files is
   * refused by the non-recursive delete. A live but stalled creator whose temporary file goes finds
   * its publish failing and waits, in its own {@link #ensure}, for the create made here. Returns
   * false when there was no such log folder: the create failed for another reason.
   */
  private boolean clearAbandonedCreate(TableContract table) {
    Path log = new Path(path(table) + "/_delta_log");
    try {
      FileSystem fs = log.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(log)) {
        return false;
      }
      if (exists(table)) {
        return true; // committed meanwhile: the caller's loop finds it
      }
      for (org.apache.hadoop.fs.FileStatus f : fs.listStatus(log)) {
        if (f.isDirectory() || f.getPath().getName().startsWith(".")) {
          fs.delete(f.getPath(), false);
        }
      }
      if (!exists(table)) {
        fs.delete(log, false);
      }
      return true;
    } catch (IOException e) {
      throw Errors.abandonedCreate(log.toString(), e);
    }
  }

  /** {@code file:///x} and {@code file:/x} are one place, but Delta's CREATE compares strings. */
  private String qualified(String uri) {
    try {
      Path p = new Path(uri);
      return p.getFileSystem(spark.sparkContext().hadoopConfiguration())
          .makeQualified(p)
          .toString();
    } catch (IOException e) {
      throw Errors.storage("resolve", uri, e);
    }
  }

  /** Creates each table that does not exist yet from its contract. */
  public void ensure(Collection<TableContract> tables) {
    tables.forEach(this::ensure);
  }

  /**
   * Rows written by the table's latest commit, from Delta's own operation metrics (no re-scan of
   * the table). 0 when the table has no commit with that metric.
   */
  public long lastWrittenRows(TableContract table) {
    Row last = DeltaTable.forPath(spark, path(table)).history(1).select("operationMetrics").first();
    scala.collection.Map<String, String> metrics = last.getMap(0);
    return metrics == null || !metrics.contains("numOutputRows")
        ? 0L
        : Long.parseLong(metrics.apply("numOutputRows"));
  }

  /** The run dates present in a gold table, ascending. */
  public List<LocalDate> dates(TableContract table) {
    List<LocalDate> dates = new ArrayList<>();
    if (!exists(table)) {
      return dates;
    }
    for (Row r :
        read(table)
            .select(Tables.AS_OF_DATE)
            .distinct()
            .orderBy(Tables.AS_OF_DATE)
            .collectAsList()) {
      dates.add(r.getDate(0).toLocalDate());
    }
    return dates;
  }

  /**
   * Registers every existing table under its stable name ({@code gold.risk_scores}) in the session
   * catalog, so SQL can name tables the way the README does.
   */
  public List<String> registerTables() {
    List<String> names = new ArrayList<>();
    for (TableContract.Layer layer : TableContract.Layer.values()) {
      boolean created = false;
      for (TableContract t : LakeTables.ofLayer(layer)) {
        if (!exists(t)) {
          continue;
        }
        if (!created) {
          spark.sql("CREATE DATABASE IF NOT EXISTS " + layer.folder());
          created = true;
        }
        spark.sql(
            String.format(
                Locale.ROOT,
                "CREATE TABLE IF NOT EXISTS %s USING delta LOCATION '%s'",
                t.name(),
                // qualified: the catalog resolves a relative LOCATION against its warehouse
                // folder, not the working directory, and `sql --lake ./lake` found no table
                qualified(path(t)).replace("'", "\\'")));
        names.add(t.name());
      }
    }
    return names;
  }

  /** Delta's reader protocol version for a table; gold must stay at 1 for non-Spark readers. */
  public int minReaderVersion(TableContract table) {
    return spark
        .sql("DESCRIBE DETAIL delta.`" + path(table) + "`")
        .select("minReaderVersion")
        .first()
        .getInt(0);
  }

  /**
   * A Delta writer for the table. A table written by an older agentlake that lacks columns its
   * contract has since gained (added last, nullable) gains them with this write, its older rows
   * reading null there; without it Delta refuses the write as a schema mismatch and the first run
   * after an upgrade fails. A column removed or retyped is not merged: Delta still refuses that.
   */
  private org.apache.spark.sql.DataFrameWriter<Row> writer(TableContract table, Dataset<Row> rows) {
    org.apache.spark.sql.DataFrameWriter<Row> w = rows.write().format("delta");
    if (lacksContractColumns(table)) {
      w = w.option("mergeSchema", "true");
    }
    if (!table.partitionColumns().isEmpty()) {
      w = w.partitionBy(table.partitionColumns().toArray(new String[0]));
    }
    return w;
  }
}
