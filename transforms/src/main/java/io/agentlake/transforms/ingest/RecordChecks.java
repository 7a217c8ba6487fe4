package io.agentlake.transforms.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentlake.schemas.SourceRecordType;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The per-record checks that decide between bronze and quarantine: required fields, the event time,
 * and top-level JSON types against the source schema. Only the top level is checked: deeper
 * surprises are kept in bronze's raw column rather than lost. A source adds its own checks ({@link
 * SourcePackage#check}).
 */
public final class RecordChecks {

  private static final Pattern INTEGER_TEXT = Pattern.compile("-?\\d{1,18}");

  /** A failed check: the reason and a detail naming the field. */
  public record Problem(QuarantineReason reason, String detail) {}

  private RecordChecks() {}

  /** The first problem with {@code record} (an object), or null when it may go to bronze. */
  static Problem check(SourceRecordType type, JsonNode record) {
    for (String field : type.requiredFields()) {
      JsonNode value = record.get(field);
      if (isEmpty(value)) {
        return new Problem(
            QuarantineReason.MISSING_REQUIRED_FIELD,
            "required field '" + field + "' is " + (value == null ? "missing" : "null or empty"));
      }
    }
    Problem time = checkEventTime(type, record);
    if (time != null) {
      return time;
    }
    for (StructField field : type.schema().fields()) {
      JsonNode value = record.get(field.name());
      if (value != null && !value.isNull() && !matches(field.dataType(), value)) {
        return new Problem(
            QuarantineReason.WRONG_TYPE,
            "field '"
                + field.name()
                + "' is a JSON "
                + value.getNodeType().name().toLowerCase(java.util.Locale.ROOT)
                + " but the schema says "
                + field.dataType().simpleString());
      }
    }
    return null;
  }

  private static boolean isEmpty(JsonNode value) {
    return value == null
        || value.isNull()
        || value.isMissingNode()
        || (value.isTextual() && value.textValue().isBlank())
        || (value.isContainerNode() && value.isEmpty());
  }

  private static Problem checkEventTime(SourceRecordType type, JsonNode record) {
    String field = type.eventTimeField();
    if (field == null) {
      return null;
    }
    JsonNode value = record.get(field);
    if (value == null || value.isNull() || (value.isTextual() && value.textValue().isBlank())) {
      return null;
    }
    boolean ok =
        switch (type.eventTimeFormat()) {
          case ISO_8601 -> value.isTextual() && isIsoInstant(value.textValue());
          case EPOCH_SECONDS -> value.isIntegralNumber() && value.canConvertToLong();
          case NONE -> true;
        };
    if (ok) {
      return null;
    }
    String shown = value.isTextual() ? value.textValue() : value.toString();
    if (shown.length() > 64) {
      shown = shown.substring(0, 64) + "...";
    }
    return new Problem(
        QuarantineReason.INVALID_TIMESTAMP,
        "field '"
            + field
            + "' = "
            + SecretRedactor.redactText(shown)
            + " is not "
            + (type.eventTimeFormat() == SourceRecordType.TimeFormat.ISO_8601
                ? "an ISO-8601 time with a zone (e.g. 2024-07-30T21:53:13Z)"
                : "a number of epoch seconds"));
  }

  private static boolean isIsoInstant(String text) {
    try {
      OffsetDateTime.parse(text.trim(), DateTimeFormatter.ISO_OFFSET_DATE_TIME);
      return true;
    } catch (DateTimeParseException e) {
      return false;
    }
  }

  /**
   * Whether a JSON value can fill a schema type the way the bronze reader will read it. Numbers
   * written as strings are fine for BIGINT; any scalar is fine for STRING.
   */
  private static boolean matches(DataType type, JsonNode value) {
    if (type instanceof StringType) {
      return value.isValueNode();
    }
    if (type instanceof LongType) {
      return (value.isIntegralNumber() && value.canConvertToLong())
          || (value.isTextual() && INTEGER_TEXT.matcher(value.textValue().trim()).matches());
    }
    if (type instanceof BooleanType) {
      return value.isBoolean();
    }
    if (type instanceof StructType || type instanceof MapType) {
      return value.isObject();
    }
    if (type instanceof ArrayType) {
      return value.isArray();
    }
    return true;
  }
}
