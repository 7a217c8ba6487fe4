package io.agentlake.schemas;

import java.util.List;
import org.apache.spark.sql.types.StructType;

/**
 * One kind of record inside one source's exports, e.g. a CloudTrail event or an IAM role from an
 * authorization-details file. The schema names fields exactly as the vendor does; fields it does
 * not list survive in the bronze {@code _raw} column.
 *
 * @param sourceType the source folder name, e.g. {@code aws-cloudtrail}
 * @param recordType the record kind, e.g. {@code cloudtrail_event}
 * @param bronzeTable the bronze table the accepted records land in
 * @param schema explicit schema of one record
 * @param requiredFields top-level fields that must be present and non-empty, else quarantine
 * @param eventTimeField field holding the record's own time (null when it has none)
 * @param eventTimeFormat how that field is written: ISO-8601 text or epoch seconds
 * @param keyFields fields that identify the record at the source
 * @param deduplicated whether a second record with the same key is a re-delivery of the same
 *     immutable record (events, decisions) rather than a later state of it (snapshots); ingest
 *     keeps the first delivery in bronze and quarantines the others as {@code DUPLICATE_DELIVERY}
 */
public record SourceRecordType(
    String sourceType,
    String recordType,
    String bronzeTable,
    StructType schema,
    List<String> requiredFields,
    String eventTimeField,
    TimeFormat eventTimeFormat,
    List<String> keyFields,
    boolean deduplicated) {

  /**
   * A record type whose records are a snapshot of state (an inventory listing): a later record with
   * the same key is a later state of it, not a re-delivery, and it has no time of its own.
   */
  public static SourceRecordType snapshot(
      String sourceType,
      String recordType,
      String bronzeTable,
      String schemaDdl,
      List<String> requiredFields,
      List<String> keyFields) {
    return snapshot(
        sourceType,
        recordType,
        bronzeTable,
        schemaDdl,
        requiredFields,
        keyFields,
        null,
        TimeFormat.NONE);
  }

  /** As {@link #snapshot(String, String, String, String, List, List)}, with a time of its own. */
  public static SourceRecordType snapshot(
      String sourceType,
      String recordType,
      String bronzeTable,
      String schemaDdl,
      List<String> requiredFields,
      List<String> keyFields,
      String eventTimeField,
      TimeFormat eventTimeFormat) {
    return new SourceRecordType(
        sourceType,
        recordType,
        bronzeTable,
        StructType.fromDDL(schemaDdl),
        requiredFields,
        eventTimeField,
        eventTimeFormat,
        keyFields,
        false);
  }

  public enum TimeFormat {
    NONE,
    ISO_8601,
    EPOCH_SECONDS
  }
}
