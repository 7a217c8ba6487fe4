package io.agentlake.transforms.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;

/** The JSON mappers and small text helpers every reader and source package shares. */
public final class JsonText {

  /** Parses one record from text; text after the record is an error. */
  public static final JsonMapper JSON =
      JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

  /** Reads records off a parser mid-stream, where more tokens follow by design. */
  static final JsonMapper STREAM = JsonMapper.builder().build();

  private JsonText() {}

  /** {@code node} as compact JSON text. */
  public static String compact(JsonNode node) {
    try {
      return JSON.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("Could not serialise a JSON tree (a bug)", e);
    }
  }

  /** Cut to what a quarantine row keeps. */
  static String truncate(String json) {
    return json == null || json.length() <= ExtractedRecord.QUARANTINE_JSON_CHARS
        ? json
        : json.substring(0, ExtractedRecord.QUARANTINE_JSON_CHARS);
  }

  public static String shorten(String text, int max) {
    return text.length() <= max ? text : text.substring(0, max) + "...";
  }

  /** The object's field names, comma-separated, for messages. */
  public static String fieldNames(ObjectNode node) {
    StringBuilder names = new StringBuilder();
    node.fieldNames().forEachRemaining(n -> names.append(names.isEmpty() ? "" : ", ").append(n));
    return names.toString();
  }

  /** A cell holding a {@code ;}-separated list, as an array of its non-blank parts, trimmed. */
  public static ArrayNode splitList(String cell) {
    ArrayNode list = JSON.createArrayNode();
    for (String part : cell.split(";")) {
      if (!part.isBlank()) {
        list.add(part.strip());
      }
    }
    return list;
  }
}
