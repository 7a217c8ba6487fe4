package io.agentlake.transforms.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Tells a file's layout from the start of its content, never from its name: gzip and binary files
 * and empty ones are refused for every source; JSON documents and NDJSON are told apart by one
 * rule; CSV and YAML are recognised by the source ({@link SourcePackage#textLayout}).
 */
final class FormatSniffer {

  /** How much of the file detection looks at. */
  static final int HEAD_BYTES = 256 * 1024;

  /** The layouts the shared readers read. */
  enum Format {
    JSON_DOCUMENT,
    NDJSON,
    CSV,
    YAML
  }

  /** The layout, and for CSV the record type of its rows. */
  record Detected(Format format, String csvRecordType) {}

  private FormatSniffer() {}

  static Detected detect(SourcePackage source, byte[] head, boolean truncated)
      throws UnrecognizedFile {
    if (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
      throw new UnrecognizedFile(
          QuarantineReason.UNRECOGNIZED_FORMAT,
          "The file is still gzip-compressed: the reader must decompress .gz files before"
              + " extraction. Check the file's extension or the reader's codec detection.");
    }
    if (looksBinary(head, truncated || head.length == HEAD_BYTES)) {
      throw new UnrecognizedFile(
          QuarantineReason.UNRECOGNIZED_FORMAT,
          "The file is binary, not UTF-8 text: "
              + source.name()
              + " accepts "
              + source.accepts()
              + ". Remove it from the exports folder or map it to the right source type.");
    }
    String text = new String(head, StandardCharsets.UTF_8);
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1);
    }
    String trimmed = text.strip();
    if (trimmed.isEmpty()) {
      throw new UnrecognizedFile(
          QuarantineReason.EMPTY_FILE,
          "The file is empty or whitespace only: the export produced nothing. Check the export"
              + " job, or delete the file if an empty export is expected.");
    }
    char first = trimmed.charAt(0);
    if (first == '[') {
      return new Detected(Format.JSON_DOCUMENT, null);
    }
    if (first == '{') {
      return new Detected(
          source.acceptsNdjson() && isNdjson(source, trimmed)
              ? Format.NDJSON
              : Format.JSON_DOCUMENT,
          null);
    }
    String firstLine = trimmed.lines().findFirst().orElse("").strip();
    String meaningful =
        trimmed
            .lines()
            .map(String::strip)
            .filter(l -> !l.isEmpty() && !l.startsWith("#"))
            .findFirst()
            .orElse("");
    SourcePackage.TextLayout layout = source.textLayout(firstLine, meaningful);
    if (layout != null) {
      return switch (layout.format()) {
        case CSV -> new Detected(Format.CSV, layout.recordType());
        case YAML -> new Detected(Format.YAML, null);
      };
    }
    throw new UnrecognizedFile(
        QuarantineReason.UNRECOGNIZED_FORMAT,
        "The file starts with '"
            + SecretRedactor.redactText(JsonText.shorten(firstLine, 60))
            + "', which is not a format "
            + source.name()
            + " accepts: it reads "
            + source.accepts()
            + " (see SPEC section 4). Remove it from the exports folder or map it to the right"
            + " source type.");
  }

  /**
   * NDJSON when the first line is a whole object on its own and another object line follows. A
   * pretty-printed document starts with a lone brace; a one-line wrapper ({@code {"Records":[..]}})
   * is a document even when several are concatenated.
   */
  private static boolean isNdjson(SourcePackage source, String text) {
    String[] lines = text.split("\n", 3);
    if (lines.length < 2) {
      return false;
    }
    String firstLine = lines[0].strip();
    boolean anotherObjectLine =
        text.substring(lines[0].length()).lines().map(String::strip).anyMatch(l -> !l.isEmpty())
            && text.substring(lines[0].length()).strip().startsWith("{");
    if (!firstLine.startsWith("{") || !firstLine.endsWith("}") || !anotherObjectLine) {
      return false;
    }
    try {
      JsonNode node = JsonText.JSON.readTree(firstLine);
      return !isWrapper(source, node);
    } catch (JsonProcessingException e) {
      return true; // a broken first line of an NDJSON file: quarantine that line, read the rest
    }
  }

  /** Whether a root object wraps records, by the source's own wrapper rule. */
  static boolean isWrapper(SourcePackage source, JsonNode node) {
    for (Map.Entry<String, JsonNode> field : node.properties()) {
      JsonNode value = field.getValue();
      if (value.isContainerNode()
          && source.wrapper(field.getKey(), value.isArray(), (ObjectNode) node) != null) {
        return true;
      }
    }
    return false;
  }

  private static boolean looksBinary(byte[] head, boolean mayEndMidCharacter) {
    int control = 0;
    for (byte b : head) {
      if (b == 0) {
        return true;
      }
      if (b > 0 && b < 0x20 && b != '\n' && b != '\r' && b != '\t' && b != '\f') {
        control++;
      }
    }
    if (control > head.length / 100) {
      return true;
    }
    int checked = mayEndMidCharacter ? Math.max(0, head.length - 3) : head.length;
    try {
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(head, 0, checked));
      return false;
    } catch (CharacterCodingException e) {
      return true;
    }
  }
}
