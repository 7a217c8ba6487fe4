package io.agentlake.transforms.bronze;

import io.agentlake.transforms.ingest.ExtractedRecord;
import io.agentlake.transforms.ingest.FileOutcome;
import java.sql.Timestamp;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The shape of what the file reader hands to Spark: one row per extracted record, plus one row per
 * file ({@code record_position = -1}, {@code record_type = __file__}) carrying the file's outcome,
 * so that files with no records, and unreadable files, are still accounted for. The file row's
 * {@code normalised} counts the records each documented variant rule changed ({@code
 * ingest.EventVariants}).
 */
public final class ExtractedRecords {

  public static final String FILE_ROW = "__file__";

  public static final StructType SCHEMA =
      StructType.fromDDL(
          "source_type STRING NOT NULL, record_type STRING, source_file STRING NOT NULL,"
              + " record_position BIGINT NOT NULL, context MAP<STRING, STRING>, json STRING,"
              + " quarantine_reason STRING, quarantine_detail STRING, skipped BOOLEAN NOT NULL,"
              + " dedupe_key STRING, event_time TIMESTAMP, normalised MAP<STRING, BIGINT>");

  private ExtractedRecords() {}

  /** The row of one extracted record. */
  public static Row row(String sourceType, String sourceFile, ExtractedRecord r) {
    return RowFactory.create(
        sourceType,
        r.recordType(),
        sourceFile,
        r.position(),
        r.context() == null ? null : CollectionConverters.asScala(r.context()),
        r.json(),
        r.quarantineReason() == null ? null : r.quarantineReason().name(),
        r.quarantineDetail(),
        false,
        r.dedupeKey(),
        r.eventTime() == null ? null : Timestamp.from(r.eventTime()),
        null);
  }

  /** The row that carries a whole file's outcome. */
  public static Row fileRow(String sourceType, String sourceFile, FileOutcome outcome) {
    return RowFactory.create(
        sourceType,
        FILE_ROW,
        sourceFile,
        -1L,
        null,
        null,
        outcome.fileError() == null ? null : outcome.fileError().name(),
        outcome.fileErrorDetail(),
        outcome.skipped(),
        null,
        null,
        outcome.normalised().isEmpty() ? null : CollectionConverters.asScala(outcome.normalised()));
  }
}
