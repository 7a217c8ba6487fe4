package io.agentlake.transforms.bronze;

import org.apache.spark.sql.types.StructType;

/**
 * The shape of what the file reader hands to Spark: one row per extracted record, plus one row per
 * file ({@code record_position = -1}, {@code record_type = __file__}) carrying the file's outcome,
 * so that files with no records, and unreadable files, are still accounted for.
 */
public final class ExtractedRecords {

  public static final String FILE_ROW = "__file__";

  public static final StructType SCHEMA =
      StructType.fromDDL(
          "source_type STRING NOT NULL, record_type STRING, source_file STRING NOT NULL,"
              + " record_position BIGINT NOT NULL, context MAP<STRING, STRING>, json STRING,"
              + " quarantine_reason STRING, quarantine_detail STRING, skipped BOOLEAN NOT NULL");

  private ExtractedRecords() {}
}
