package io.agentlake.jobs.lake;

import io.agentlake.jobs.Errors;
import io.agentlake.schemas.TableContract;
import io.agentlake.schemas.Tables;
import io.delta.tables.DeltaTable;
import java.io.IOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * The lake on disk: one Delta table per {@link TableContract}, at {@code <root>/<layer>/<table>}.
 * The root is any Hadoop URI (file:, s3a:, abfss:). Writes follow the table's kind: bronze and
 * ledgers append, silver is replaced whole (the day-grained CloudTrail aggregates replace the days
 * they recompute), gold replaces exactly one {@code as_of_date}.
 */
public final class Lake {

  private final SparkSession spark;
  private final String root;

  public Lake(SparkSession spark, String root) {
    this.spark = spark;
    this.root = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
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

  public boolean exists(TableContract table) {
    try {
      Path log = new Path(path(table) + "/_delta_log");
      FileSystem fs = log.getFileSystem(spark.sparkContext().hadoopConfiguration());
      return fs.exists(log);
    } catch (IOException e) {
      throw Errors.storage("check", path(table), e);
    }
  }

  /** The table's rows, or an empty Dataset with its schema when it has not been written yet. */
  public Dataset<Row> read(TableContract table) {
    if (!exists(table)) {
      return spark.createDataFrame(List.of(), table.schema());
    }
    return spark.read().format("delta").load(path(table));
  }

  public void append(TableContract table, Dataset<Row> rows) {
    writer(table, rows).mode(SaveMode.Append).save(path(table));
  }

  public void overwrite(TableContract table, Dataset<Row> rows) {
    writer(table, rows)
        .mode(SaveMode.Overwrite)
        .option("overwriteSchema", "true")
        .save(path(table));
  }

  /** Replaces the rows of one run date, leaving every other date as it was. */
  public void replaceDate(TableContract table, Dataset<Row> rows, LocalDate date) {
    writer(table, rows)
        .mode(SaveMode.Overwrite)
        .option("replaceWhere", Tables.AS_OF_DATE + " = DATE'" + date + "'")
        .save(path(table));
  }

  /**
   * Replaces every row of a day-grained table whose {@code day} is one of {@code days} with {@code
   * rows}, in one Delta commit (files of other days are untouched; Delta checks every written row
   * falls on one of the days). Readers see the old days or the new ones, never a mix.
   */
  public void replaceDays(TableContract table, Dataset<Row> rows, Collection<LocalDate> days) {
    if (days.isEmpty()) {
      return;
    }
    String list =
        days.stream()
            .sorted()
            .map(d -> "DATE'" + d + "'")
            .collect(java.util.stream.Collectors.joining(", "));
    writer(table, rows)
        .mode(SaveMode.Overwrite)
        .option("replaceWhere", "day IN (" + list + ")")
        .save(path(table));
  }

  /**
   * Creates the table from its contract the first time, so the lake's schema is the contract's (NOT
   * NULL columns included, which Delta then enforces on every write) rather than whatever a
   * computed Dataset happened to infer. Deletion vectors stay off so non-Spark readers (delta-rs)
   * can read every table at reader protocol 1.
   */
  /** The bronze columns Delta keeps file statistics on (what reads filter by). */
  static final String BRONZE_STATS_COLUMNS =
      "_source_file,_record_position,_ingest_run_id,_ingest_time,_event_time";

  public void ensure(TableContract table) {
    if (exists(table)) {
      return;
    }
    try {
      var builder =
          DeltaTable.createIfNotExists(spark)
              .location(path(table))
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
    } catch (RuntimeException e) {
      // Parallel jobs (one ingest per source) may race to create a shared table such as the
      // ledger; the loser's commit fails. The table the winner created is the same contract.
      if (!exists(table)) {
        throw e;
      }
    }
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
      for (TableContract t : Tables.ofLayer(layer)) {
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
                path(t).replace("'", "\\'")));
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

  private org.apache.spark.sql.DataFrameWriter<Row> writer(TableContract table, Dataset<Row> rows) {
    org.apache.spark.sql.DataFrameWriter<Row> w = rows.write().format("delta");
    if (!table.partitionColumns().isEmpty()) {
      w = w.partitionBy(table.partitionColumns().toArray(new String[0]));
    }
    return w;
  }
}
