package io.agentlake.transforms.bronze;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.from_json;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.timestamp_seconds;
import static org.apache.spark.sql.functions.when;

import io.agentlake.schemas.SourceRecordType;
import io.agentlake.schemas.Tables;
import io.agentlake.transforms.Contracts;
import io.agentlake.transforms.Times;
import io.agentlake.transforms.ingest.QuarantineReason;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.types.StructField;

/**
 * Turns extracted records into bronze rows and quarantine rows. Bronze keeps the vendor's fields
 * (parsed with the explicit schema) beside the redacted raw record and its lineage; everything the
 * extractor rejected becomes a quarantine row with its reason. Together they account for every
 * record read.
 */
public final class Bronze {

  /** Quarantine keeps a bounded excerpt of the raw record: enough to see the problem. */
  public static final int RAW_EXCERPT_CHARS = 4000;

  private Bronze() {}

  /** Accepted records of one record type, shaped as that type's bronze table. */
  public static Dataset<Row> accepted(
      Dataset<Row> extracted, SourceRecordType type, String runId, Timestamp ingestTime) {
    Dataset<Row> parsed =
        extracted
            .filter(
                col("record_type")
                    .equalTo(type.recordType())
                    .and(col("quarantine_reason").isNull())
                    .and(col("record_position").geq(0)))
            .withColumn(
                "_parsed", from_json(col("json"), type.schema(), Map.of("mode", "PERMISSIVE")));
    List<Column> cols = new ArrayList<>();
    cols.add(col("source_type").as("_source_type"));
    cols.add(col("record_type").as("_record_type"));
    cols.add(col("source_file").as("_source_file"));
    cols.add(col("record_position").as("_record_position"));
    cols.add(col("context").as("_context"));
    cols.add(lit(runId).as("_ingest_run_id"));
    cols.add(lit(ingestTime).as("_ingest_time"));
    cols.add(eventTime(type).as("_event_time"));
    cols.add(coalesce(col("dedupe_key"), recordKey(type)).as("_record_key"));
    cols.add(col("json").as("_raw"));
    for (StructField f : type.schema().fields()) {
      cols.add(col("_parsed." + f.name()).as(f.name()));
    }
    return Contracts.conform(parsed.select(cols.toArray(new Column[0])), Tables.bronzeOf(type));
  }

  /** Rejected records and unreadable files, shaped as the quarantine table. */
  public static Dataset<Row> quarantined(
      Dataset<Row> extracted, String runId, Timestamp ingestTime) {
    Dataset<Row> rejected =
        extracted
            .filter(col("quarantine_reason").isNotNull())
            .select(
                col("source_type"),
                when(col("record_type").equalTo(ExtractedRecords.FILE_ROW), lit(null))
                    .otherwise(col("record_type"))
                    .as("record_type"),
                col("source_file"),
                col("record_position"),
                col("quarantine_reason").as("reason"),
                col("quarantine_detail").as("detail"),
                substring(col("json"), 1, RAW_EXCERPT_CHARS).as("raw_excerpt"),
                lit(runId).as("ingest_run_id"),
                lit(ingestTime).as("ingest_time"));
    return Contracts.conform(rejected, Tables.QUARANTINE);
  }

  /**
   * Quarantines re-deliveries: accepted records of a de-duplicated type whose key is already in
   * bronze ({@code known}), or appeared earlier in this batch (the first by file and position is
   * kept). Each one's detail names the delivery that was kept, so the evidence trail is complete.
   *
   * @param extracted rows shaped as {@link ExtractedRecords#SCHEMA}
   * @param known keys already in bronze: {@code record_type, dedupe_key, source_file,
   *     record_position}
   */
  public static Dataset<Row> markRedeliveries(Dataset<Row> extracted, Dataset<Row> known) {
    return applyRedeliveries(extracted, redeliveries(extracted, known));
  }

  /**
   * The re-deliveries among {@code extracted}, narrow: {@code source_file, record_position,
   * redelivery_detail}. Only keys move through the shuffle, never the records themselves.
   */
  public static Dataset<Row> redeliveries(Dataset<Row> extracted, Dataset<Row> known) {
    WindowSpec byKey =
        Window.partitionBy("record_type", "dedupe_key").orderBy("source_file", "record_position");
    Dataset<Row> inBatch =
        extracted
            .filter(col("dedupe_key").isNotNull().and(col("quarantine_reason").isNull()))
            .select("record_type", "dedupe_key", "source_file", "record_position")
            .withColumn("_n", row_number().over(byKey))
            .withColumn(
                "_first", first(struct(col("source_file"), col("record_position"))).over(byKey));
    Dataset<Row> kept =
        known
            .groupBy("record_type", "dedupe_key")
            .agg(min(struct(col("source_file"), col("record_position"))).as("_kept"));
    Column keptBefore = col("_kept").isNotNull();
    return inBatch
        .join(kept, new String[] {"record_type", "dedupe_key"}, "left")
        .filter(keptBefore.or(col("_n").gt(1)))
        .select(
            col("source_file"),
            col("record_position"),
            concat(
                    lit("same key ("),
                    col("dedupe_key"),
                    lit(") as the record kept from "),
                    when(keptBefore, col("_kept.source_file")).otherwise(col("_first.source_file")),
                    lit(" at position "),
                    when(keptBefore, col("_kept.record_position"))
                        .otherwise(col("_first.record_position"))
                        .cast("string"),
                    when(keptBefore, lit(" by an earlier ingest")).otherwise(lit(" in this run")))
                .as("redelivery_detail"));
  }

  /** Quarantines the rows named in {@code redeliveries} as DUPLICATE_DELIVERY. */
  public static Dataset<Row> applyRedeliveries(Dataset<Row> extracted, Dataset<Row> redeliveries) {
    Column isRedelivery = col("redelivery_detail").isNotNull().and(col("dedupe_key").isNotNull());
    return extracted
        .join(redeliveries, new String[] {"source_file", "record_position"}, "left")
        .withColumn(
            "quarantine_reason",
            when(isRedelivery, lit(QuarantineReason.DUPLICATE_DELIVERY.name()))
                .otherwise(col("quarantine_reason")))
        .withColumn(
            "quarantine_detail",
            when(isRedelivery, col("redelivery_detail")).otherwise(col("quarantine_detail")))
        .select(
            java.util.Arrays.stream(ExtractedRecords.SCHEMA.fieldNames())
                .map(org.apache.spark.sql.functions::col)
                .toArray(Column[]::new));
  }

  private static Column eventTime(SourceRecordType type) {
    if (type.eventTimeField() == null) {
      return lit(null).cast("timestamp");
    }
    Column raw = col("_parsed." + type.eventTimeField());
    return switch (type.eventTimeFormat()) {
      case EPOCH_SECONDS -> timestamp_seconds(raw.cast("long"));
      case ISO_8601 -> Times.parseIso(raw);
      case NONE -> lit(null).cast("timestamp");
    };
  }

  private static Column recordKey(SourceRecordType type) {
    Column[] parts =
        type.keyFields().stream()
            .map(k -> coalesce(col("_parsed." + k).cast("string"), lit("")))
            .toArray(Column[]::new);
    return concat_ws("|", parts);
  }
}
