package io.agentlake.transforms.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.agentlake.schemas.SourceRecordType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The variants of a log event that SIEM pipelines and query engines write, accepted as the event
 * they stand for, by documented rules. A source declares which of its record types take them
 * ({@link SourcePackage#variants}); {@link Records} applies them before the checks, and counts
 * every rule that changed a record, per file, for the run report ({@link FileOutcome#normalised}).
 * Nothing else is guessed: a record these rules do not mend is checked as it came, and a broken one
 * still goes to quarantine with its reason.
 *
 * <ul>
 *   <li>{@value #TIME_ALIAS}: the event time is missing and the record has {@code @timestamp}
 *       (Logstash and Elastic rename the time to it): the time is taken from it.
 *   <li>{@value #ZONE_LESS}: a time with no zone, {@code 2024-01-01 00:00:00.000} or {@code
 *       2022-12-11T19:42:55} as Athena, CloudTrail Lake and Panther print it, is read as UTC, to
 *       the nanosecond: {@code 2024-01-01T00:00:00.000Z}.
 *   <li>{@value #EPOCH_MILLIS}: a time given as milliseconds since the epoch (a JSON integer or a
 *       string of 12 or 13 digits) is rewritten as the ISO-8601 instant.
 *   <li>{@value #DERIVED_ID}: the event id is missing but every other required field is there: the
 *       id becomes {@value #DERIVED_ID_PREFIX} and the first 32 hex digits of the SHA-256 of the
 *       record as received, in canonical form (keys sorted, compact). The same record always gets
 *       the same id, so a re-ingest de-duplicates it, and the prefix marks the id as agentlake's.
 * </ul>
 *
 * @param timeAlias the field an absent event time may be taken from (null: none)
 * @param idField the event id field that may be derived (null: never derived)
 */
public record EventVariants(String timeAlias, String idField) {

  /** A record type that takes no variant. */
  public static final EventVariants NONE = new EventVariants(null, null);

  /** Variants for a log event: {@code @timestamp}, zone-less and epoch-millis times, an id. */
  public static EventVariants logEvent(String idField) {
    return new EventVariants("@timestamp", idField);
  }

  public static final String TIME_ALIAS = "@timestamp";
  public static final String ZONE_LESS = "zone_less_time_as_utc";
  public static final String EPOCH_MILLIS = "epoch_millis_time";
  public static final String DERIVED_ID = "derived_event_id";
  public static final String DERIVED_ID_PREFIX = "agentlake-derived-";

  private static final Pattern ZONE_LESS_TIME =
      Pattern.compile("(\\d{4}-\\d{2}-\\d{2})[ T](\\d{2}:\\d{2}(?::\\d{2}(?:\\.\\d{1,9})?)?)");
  private static final Pattern MILLIS = Pattern.compile("\\d{12,13}");

  /** Whether any variant applies. */
  public boolean any() {
    return timeAlias != null || idField != null;
  }

  /**
   * Applies the rules to {@code record} in place and adds one to {@code counts} for each rule that
   * changed it. The time rules apply only to a record type whose time is ISO-8601.
   */
  void apply(SourceRecordType type, ObjectNode record, Map<String, Long> counts) {
    if (!any()) {
      return;
    }
    String derivedId = null;
    if (idField != null && isBlank(record.get(idField)) && othersPresent(type, record)) {
      derivedId = DERIVED_ID_PREFIX + sha256(canonical(record)).substring(0, 32);
    }
    String timeField = type.eventTimeField();
    if (timeField != null && type.eventTimeFormat() == SourceRecordType.TimeFormat.ISO_8601) {
      if (timeAlias != null
          && isBlank(record.get(timeField))
          && !isBlank(record.get(timeAlias))
          && record.get(timeAlias).isValueNode()) {
        record.set(timeField, record.get(timeAlias).deepCopy());
        counts.merge(TIME_ALIAS, 1L, Long::sum);
      }
      JsonNode time = record.get(timeField);
      if (time != null && (time.isIntegralNumber() || time.isTextual())) {
        String text = time.isTextual() ? time.textValue().trim() : time.asText();
        Matcher zoneLess = ZONE_LESS_TIME.matcher(text);
        if (time.isTextual() && zoneLess.matches()) {
          String clock =
              zoneLess.group(2).length() == 5 ? zoneLess.group(2) + ":00" : zoneLess.group(2);
          record.set(timeField, TextNode.valueOf(zoneLess.group(1) + "T" + clock + "Z"));
          counts.merge(ZONE_LESS, 1L, Long::sum);
        } else if (MILLIS.matcher(text).matches()) {
          record.set(
              timeField, TextNode.valueOf(Instant.ofEpochMilli(Long.parseLong(text)).toString()));
          counts.merge(EPOCH_MILLIS, 1L, Long::sum);
        }
      }
    }
    if (derivedId != null && othersPresent(type, record)) {
      record.put(idField, derivedId);
      counts.merge(DERIVED_ID, 1L, Long::sum);
    }
  }

  /** Every required field but the id is there (after the time alias, which is checked again). */
  private boolean othersPresent(SourceRecordType type, ObjectNode record) {
    for (String field : type.requiredFields()) {
      if (field.equals(idField)) {
        continue;
      }
      JsonNode value = record.get(field);
      boolean aliased =
          field.equals(type.eventTimeField())
              && timeAlias != null
              && !isBlank(record.get(timeAlias));
      if (isBlank(value) && !aliased) {
        return false;
      }
    }
    return true;
  }

  private static boolean isBlank(JsonNode value) {
    return value == null
        || value.isNull()
        || value.isMissingNode()
        || (value.isTextual() && value.textValue().isBlank());
  }

  /** The record as compact JSON with every object's keys sorted: one text per content. */
  static String canonical(JsonNode node) {
    return JsonText.compact(sorted(node));
  }

  private static JsonNode sorted(JsonNode node) {
    if (node.isObject()) {
      TreeMap<String, JsonNode> fields = new TreeMap<>();
      Iterator<Map.Entry<String, JsonNode>> it = node.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        fields.put(e.getKey(), sorted(e.getValue()));
      }
      ObjectNode out = JsonText.JSON.createObjectNode();
      fields.forEach(out::set);
      return out;
    }
    if (node.isArray()) {
      var out = JsonText.JSON.createArrayNode();
      node.forEach(v -> out.add(sorted(v)));
      return out;
    }
    return node;
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
