package io.agentlake.transforms.ingest;

import java.time.Instant;
import java.util.Map;

/**
 * One record read from an export file, already redacted.
 *
 * @param recordType e.g. {@code cloudtrail_event}; null when a quarantined record's kind is unknown
 * @param position 0-based index of the record in its file (line for NDJSON, data row for CSV)
 * @param json the record as compact JSON after redaction; for quarantined records at most {@link
 *     #QUARANTINE_JSON_CHARS} characters, and null when nothing readable is left
 * @param context facts taken from the file's path (account, region, day, project_id)
 * @param quarantineReason null for an accepted record
 * @param quarantineDetail what exactly is wrong, naming the field; null for an accepted record
 * @param dedupeKey for an accepted record of a {@link
 *     io.agentlake.schemas.SourceRecordType#deduplicated() de-duplicated} type, its key fields
 *     joined by {@code |} (as bronze's {@code _record_key}); else null
 * @param eventTime that record's own time, when it has one; else null
 */
public record ExtractedRecord(
    String recordType,
    long position,
    String json,
    Map<String, String> context,
    QuarantineReason quarantineReason,
    String quarantineDetail,
    String dedupeKey,
    Instant eventTime) {

  public static final int QUARANTINE_JSON_CHARS = 4_000;

  public boolean quarantined() {
    return quarantineReason != null;
  }
}
