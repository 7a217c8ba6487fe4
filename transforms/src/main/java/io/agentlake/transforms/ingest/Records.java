package io.agentlake.transforms.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentlake.schemas.SourceRecordType;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Hands one file's records to the sink, counting them, after the source has normalised them and the
 * shared and the source's checks and redaction have run. Every record ends here, accepted or
 * quarantined with a reason, so the count is what the file outcome reports.
 */
public final class Records {

  private final SourcePackage source;
  private final Map<String, String> context;
  private final RecordSink sink;
  private final Map<String, Long> normalised = new TreeMap<>();
  private long count;

  Records(SourcePackage source, Map<String, String> context, RecordSink sink) {
    this.source = source;
    this.context = context;
    this.sink = sink;
  }

  /** Records handed to the sink so far; also the next record's position in a JSON document. */
  public long count() {
    return count;
  }

  SourcePackage source() {
    return source;
  }

  /** How many records each {@link EventVariants} rule changed so far. */
  Map<String, Long> normalised() {
    return Map.copyOf(normalised);
  }

  /** A record whose type the source tells from the record itself, at the next position. */
  public void element(JsonNode node) {
    element(node, count);
  }

  /** A record whose type the source tells from the record itself. */
  public void element(JsonNode node, long position) {
    if (!node.isObject()) {
      record(source.fallbackRecordType(), node, position);
      return;
    }
    String type = source.recordTypeOf(node);
    if (type == null) {
      quarantine(
          null, position, node, QuarantineReason.UNKNOWN_RECORD_TYPE, source.unknownRecord(node));
      return;
    }
    record(type, node, position);
  }

  /** A record of a known type, at the next position. */
  public void record(String type, JsonNode node) {
    record(type, node, count);
  }

  /** A record of a known type: normalised, checked and redacted, then accepted or quarantined. */
  public void record(String type, JsonNode node, long position) {
    if (!node.isObject()) {
      quarantine(
          type,
          position,
          node,
          QuarantineReason.MALFORMED_RECORD,
          "a record must be a JSON object, not a JSON "
              + node.getNodeType().name().toLowerCase(Locale.ROOT));
      return;
    }
    ObjectNode object = (ObjectNode) node;
    SourceRecordType recordType =
        source
            .recordType(type)
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "Source " + source.name() + " emitted record type " + type + " (a bug)"));
    source.normalise(type, object, context);
    source.variants(type).apply(recordType, object, normalised);
    RecordChecks.Problem problem = RecordChecks.check(recordType, object);
    if (problem == null) {
      problem = source.check(type, object);
    }
    String json = JsonText.compact(source.redact(type, object));
    if (json.length() > RecordExtractor.MAX_RECORD_CHARS) {
      emit(
          type,
          position,
          JsonText.truncate(json),
          QuarantineReason.OVERSIZED_RECORD,
          "record is "
              + json.length()
              + " characters; the limit is "
              + RecordExtractor.MAX_RECORD_CHARS,
          null,
          null);
    } else if (problem != null) {
      emit(type, position, JsonText.truncate(json), problem.reason(), problem.detail(), null, null);
    } else if (recordType.deduplicated()) {
      emit(type, position, json, null, null, keyOf(recordType, object), timeOf(recordType, object));
    } else {
      emit(type, position, json, null, null, null, null);
    }
  }

  /** Quarantines a record as read (redacted, cut to size). */
  public void quarantine(
      String type, long position, JsonNode node, QuarantineReason reason, String detail) {
    JsonNode copy = node.deepCopy();
    emit(
        type,
        position,
        JsonText.truncate(JsonText.compact(SecretRedactor.redact(copy))),
        reason,
        detail,
        null,
        null);
  }

  /** Quarantines raw text (a bad line), redacted before it is cut to size; null for none. */
  public void quarantineText(
      String type, long position, String raw, QuarantineReason reason, String detail) {
    String json =
        raw == null
            ? null
            : JsonText.truncate(
                SecretRedactor.redactText(
                    raw.length() > 2 * ExtractedRecord.QUARANTINE_JSON_CHARS
                        ? raw.substring(0, 2 * ExtractedRecord.QUARANTINE_JSON_CHARS)
                        : raw));
    emit(type, position, json, reason, detail, null, null);
  }

  private void emit(
      String type,
      long position,
      String json,
      QuarantineReason reason,
      String detail,
      String dedupeKey,
      Instant eventTime) {
    count++;
    sink.accept(
        new ExtractedRecord(type, position, json, context, reason, detail, dedupeKey, eventTime));
  }

  /** The record's key fields as text joined by {@code |}, exactly as bronze's _record_key. */
  static String keyOf(SourceRecordType type, ObjectNode record) {
    StringBuilder key = new StringBuilder();
    for (int i = 0; i < type.keyFields().size(); i++) {
      if (i > 0) {
        key.append('|');
      }
      JsonNode value = record.get(type.keyFields().get(i));
      if (value != null && value.isValueNode() && !value.isNull()) {
        key.append(value.asText());
      }
    }
    return key.toString();
  }

  /** The record's own time (already checked by {@link RecordChecks}), or null. */
  private static Instant timeOf(SourceRecordType type, ObjectNode record) {
    JsonNode value = type.eventTimeField() == null ? null : record.get(type.eventTimeField());
    if (value == null || value.isNull()) {
      return null;
    }
    return switch (type.eventTimeFormat()) {
      case ISO_8601 ->
          value.isTextual() && !value.textValue().isBlank()
              ? OffsetDateTime.parse(value.textValue().trim()).toInstant()
              : null;
      case EPOCH_SECONDS -> Instant.ofEpochSecond(value.asLong());
      case NONE -> null;
    };
  }

  /** A parse error as one line with its location, redacted (Jackson quotes the bad token). */
  public static String describe(JsonProcessingException e) {
    String location =
        e.getLocation() == null
            ? ""
            : " (line "
                + e.getLocation().getLineNr()
                + ", column "
                + e.getLocation().getColumnNr()
                + ")";
    return JsonText.shorten(
            SecretRedactor.redactText(e.getOriginalMessage()).replace('\n', ' '), 300)
        + location;
  }
}
