package io.agentlake.transforms.ingest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.agentlake.schemas.SourceRecordType;
import io.agentlake.schemas.Sources;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.SequenceInputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads one export file, in whichever native format its source type allows, into redacted, checked
 * records. The format is told from the content, not the file name. Pure: it is handed the path (for
 * the facts the path states) and the already-decompressed bytes, and never opens a file.
 *
 * <p>Nothing is lost (SPEC 3.1): every record reaches the sink, accepted or with a {@link
 * QuarantineReason}; a problem with the file as a whole is reported in the {@link FileOutcome},
 * never thrown. {@link FileOutcome#recordsRead()} equals what the sink received.
 *
 * <p>Large files stream: CloudTrail {@code Records}, JSON arrays, the lists of an IAM authorization
 * details file and NDJSON are read one record at a time. YAML manifests are read whole (they are
 * small by nature).
 */
public final class RecordExtractor {

  public static final int MAX_RECORD_CHARS = 1_000_000;

  /** How much of the file format detection looks at. */
  static final int HEAD_BYTES = 256 * 1024;

  /** Parses one record from text; text after the record is an error. */
  private static final JsonMapper JSON =
      JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

  /** Reads records off a parser mid-stream, where more tokens follow by design. */
  private static final JsonMapper STREAM = JsonMapper.builder().build();

  private static final CsvMapper CSV = new CsvMapper();
  private static final YAMLMapper YAML = new YAMLMapper();

  private static final String IAM_USER = "iam_user";
  private static final String IAM_GROUP = "iam_group";
  private static final String IAM_ROLE = "iam_role";
  private static final String IAM_POLICY = "iam_policy";
  private static final String CREDENTIAL_REPORT_ROW = "credential_report_row";
  private static final Map<String, String> IAM_LISTS =
      Map.of(
          "UserDetailList", IAM_USER,
          "GroupDetailList", IAM_GROUP,
          "RoleDetailList", IAM_ROLE,
          "Policies", IAM_POLICY);

  private static final Map<String, String> OPENAI_OBJECTS =
      Map.of(
          "organization.project", "openai_project",
          "organization.project.service_account", "openai_service_account",
          "organization.project.api_key", "openai_api_key",
          "organization.admin_api_key", "openai_api_key",
          "organization.user", "openai_user");

  private static final Set<String> MANIFEST_LISTS = Set.of("backup_owners", "credentials");

  private static final String REVIEW_DECISION = "review_decision";

  /**
   * Record types written by people (spreadsheets, hand-kept YAML): cells are trimmed and an empty
   * cell means "not given", where a vendor's CSV keeps its text exactly.
   */
  private static final Set<String> HAND_WRITTEN = Set.of("manifest_agent", REVIEW_DECISION);

  private static final Pattern YAML_START =
      Pattern.compile("^(?:---|- |-$|[\"']?[A-Za-z_][\\w -]*[\"']?\\s*:)");

  private RecordExtractor() {}

  /**
   * Streams the records of one export file to the sink. Never throws for bad content: problems
   * become quarantine entries, or the outcome's file error.
   *
   * @param sourceType one of {@link Sources#ALL}
   * @param path where the file came from; only read for the facts it states (see {@link
   *     ExtractedRecord#context()}) and to skip CloudTrail digest files
   * @param in the file's bytes, already decompressed; not closed here
   * @throws IllegalArgumentException when {@code sourceType} is not one agentlake knows
   */
  public static FileOutcome extract(
      String sourceType, String path, InputStream in, RecordSink sink) {
    if (!Sources.isKnownSource(sourceType)) {
      throw new IllegalArgumentException(
          "Unknown source type '"
              + sourceType
              + "' for "
              + path
              + ": the extractor reads only "
              + Sources.ALL
              + ". Fix the exports folder name or the source mapping in the config.");
    }
    if (Sources.AWS_CLOUDTRAIL.equals(sourceType) && ExportPath.isCloudTrailDigest(path)) {
      return FileOutcome.skippedFile();
    }
    Emitter out = new Emitter(sourceType, ExportPath.context(sourceType, path), sink);
    TrackingStream tracked = new TrackingStream(in);
    byte[] head = readHead(tracked);
    InputStream body =
        tracked.failure == null
            ? new SequenceInputStream(new ByteArrayInputStream(head), tracked)
            : new SequenceInputStream(new ByteArrayInputStream(head), tracked.replayFailure());
    try {
      Format format = detect(sourceType, head, tracked.failure != null);
      switch (format) {
        case JSON_DOCUMENT -> readJsonDocument(body, out);
        case NDJSON -> readNdjson(body, out);
        case CSV ->
            readCsv(
                utf8(body),
                Sources.AWS_IAM.equals(sourceType) ? CREDENTIAL_REPORT_ROW : out.defaultType(),
                out,
                true);
        case YAML -> readYaml(utf8(body), out);
      }
    } catch (UnrecognizedFile e) {
      if (tracked.failure == null) {
        return FileOutcome.withFileError(out.count, e.reason, e.getMessage());
      }
    } catch (IOException e) {
      tracked.noteFailure(e);
    }
    if (tracked.failure != null) {
      return FileOutcome.withFileError(
          out.count,
          QuarantineReason.UNREADABLE_FILE,
          "The file could not be read to its end ("
              + tracked.failure
              + "); the "
              + out.count
              + " records before the failure were kept. Re-copy or re-export the file.");
    }
    return FileOutcome.read(out.count);
  }

  // ---------------------------------------------------------------- format detection

  private enum Format {
    JSON_DOCUMENT,
    NDJSON,
    CSV,
    YAML
  }

  /** A file whose format the source type does not accept; a file-level outcome, not a record. */
  private static final class UnrecognizedFile extends Exception {
    final QuarantineReason reason;

    UnrecognizedFile(QuarantineReason reason, String message) {
      super(message, null, false, false);
      this.reason = reason;
    }
  }

  private static Format detect(String sourceType, byte[] head, boolean truncated)
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
              + sourceType
              + " accepts only JSON, NDJSON, CSV or YAML text. Remove it from the exports folder"
              + " or map it to the right source type.");
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
      return Format.JSON_DOCUMENT;
    }
    if (first == '{') {
      return isNdjson(sourceType, trimmed) ? Format.NDJSON : Format.JSON_DOCUMENT;
    }
    String firstLine = trimmed.lines().findFirst().orElse("").strip();
    if (Sources.AWS_IAM.equals(sourceType) && firstLine.startsWith("user,arn")) {
      return Format.CSV;
    }
    if (Sources.REVIEW_DECISIONS.equals(sourceType)
        && firstLine.contains("decision")
        && firstLine.contains(",")) {
      return Format.CSV;
    }
    if (Sources.AGENT_MANIFEST.equals(sourceType)) {
      if (firstLine.contains("agent_id") && firstLine.contains(",")) {
        return Format.CSV;
      }
      String meaningful =
          trimmed
              .lines()
              .map(String::strip)
              .filter(l -> !l.isEmpty() && !l.startsWith("#"))
              .findFirst()
              .orElse("");
      if (YAML_START.matcher(meaningful).find()) {
        return Format.YAML;
      }
    }
    throw new UnrecognizedFile(
        QuarantineReason.UNRECOGNIZED_FORMAT,
        "The file starts with '"
            + SecretRedactor.redactText(shorten(firstLine, 60))
            + "', which is not a format "
            + sourceType
            + " accepts (see SPEC section 4). Remove it from the exports folder or map it to the"
            + " right source type.");
  }

  /**
   * NDJSON when the first line is a whole object on its own and another object line follows. A
   * pretty-printed document starts with a lone brace; a one-line wrapper ({@code {"Records":[..]}})
   * is a document even when several are concatenated.
   */
  private static boolean isNdjson(String sourceType, String text) {
    if (Sources.AWS_IAM.equals(sourceType)) {
      return false;
    }
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
      JsonNode node = JSON.readTree(firstLine);
      return !hasWrapper(sourceType, node);
    } catch (JsonProcessingException e) {
      return true; // a broken first line of an NDJSON file: quarantine that line, read the rest
    }
  }

  private static boolean hasWrapper(String sourceType, JsonNode node) {
    return switch (sourceType) {
      case Sources.AWS_CLOUDTRAIL -> node.has("Records") || node.has("Events");
      case Sources.BEDROCK_AGENTS -> node.has("agentSummaries") || node.has("agent");
      case Sources.OPENAI_ADMIN -> node.path("data").isArray();
      case Sources.AGENT_MANIFEST -> node.path("agents").isArray();
      case Sources.REVIEW_DECISIONS -> node.path("decisions").isArray();
      default -> false;
    };
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

  // ---------------------------------------------------------------- JSON documents

  /**
   * Reads whole-file JSON: one or more root values (arrays, wrapper objects or single records).
   * Syntax breaks mid-way keep the records before the break and quarantine the rest as one entry.
   */
  private static void readJsonDocument(InputStream body, Emitter out)
      throws IOException, UnrecognizedFile {
    try (JsonParser p = STREAM.createParser(body)) {
      try {
        JsonToken token;
        while ((token = p.nextToken()) != null) {
          if (token == JsonToken.START_ARRAY) {
            if (Sources.AWS_IAM.equals(out.sourceType)) {
              throw new UnrecognizedFile(
                  QuarantineReason.UNRECOGNIZED_FORMAT,
                  "A JSON array is not an aws-iam export: expected the object written by 'aws iam"
                      + " get-account-authorization-details' or 'aws iam get-credential-report'.");
            }
            readArray(p, out, out::element);
          } else if (token == JsonToken.START_OBJECT) {
            readRootObject(p, out);
          } else {
            out.element(STREAM.readTree(p));
          }
        }
      } catch (JsonProcessingException e) {
        out.quarantineText(
            out.defaultType(),
            out.count,
            null,
            QuarantineReason.MALFORMED_JSON,
            "The JSON breaks after record " + out.count + ": " + describe(e));
      }
    }
  }

  private interface ElementHandler {
    void accept(JsonNode element) throws IOException;
  }

  /** Streams the elements of the array the parser is at (on START_ARRAY). */
  private static void readArray(JsonParser p, Emitter out, ElementHandler handler)
      throws IOException {
    while (p.nextToken() != JsonToken.END_ARRAY) {
      if (p.currentToken() == null) {
        throw new com.fasterxml.jackson.core.JsonParseException(p, "unexpected end of array");
      }
      handler.accept(STREAM.readTree(p));
    }
  }

  /**
   * Reads a root object field by field, streaming the record lists it wraps and keeping the other
   * fields; an object that wraps no list is itself a record (or a credential report).
   */
  private static void readRootObject(JsonParser p, Emitter out)
      throws IOException, UnrecognizedFile {
    ObjectNode rest = JSON.createObjectNode();
    boolean wrapped = false;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken value = p.nextToken();
      ElementHandler list = value == JsonToken.START_ARRAY ? listHandler(out, name) : null;
      if (list != null) {
        wrapped = true;
        readArray(p, out, list);
      } else if (Sources.BEDROCK_AGENTS.equals(out.sourceType)
          && name.equals("agent")
          && value == JsonToken.START_OBJECT) {
        wrapped = true;
        out.element(STREAM.readTree(p));
      } else {
        rest.set(name, STREAM.readTree(p));
      }
    }
    if (wrapped) {
      return;
    }
    if (Sources.AWS_IAM.equals(out.sourceType)) {
      if (rest.has("Content")) {
        readCredentialReport(rest, out);
        return;
      }
      throw new UnrecognizedFile(
          QuarantineReason.UNRECOGNIZED_FORMAT,
          "This JSON object has none of UserDetailList, GroupDetailList, RoleDetailList, Policies"
              + " or Content, so it is neither an authorization-details export nor a credential"
              + " report (fields: "
              + shorten(fieldNames(rest), 200)
              + "). Remove it from the aws-iam folder.");
    }
    out.element(rest);
  }

  /** The handler for a wrapped record list, or null when {@code name} is not one here. */
  private static ElementHandler listHandler(Emitter out, String name) {
    switch (out.sourceType) {
      case Sources.AWS_CLOUDTRAIL:
        if (name.equals("Records")) {
          return out::element;
        }
        if (name.equals("Events")) {
          return out::lookupEvent;
        }
        return null;
      case Sources.AWS_IAM:
        String type = IAM_LISTS.get(name);
        return type == null ? null : element -> out.record(type, element, out.count);
      case Sources.BEDROCK_AGENTS:
        return name.equals("agentSummaries") ? out::element : null;
      case Sources.OPENAI_ADMIN:
        return name.equals("data") ? out::element : null;
      case Sources.AGENT_MANIFEST:
        return name.equals("agents") ? out::element : null;
      case Sources.REVIEW_DECISIONS:
        return name.equals("decisions") ? out::element : null;
      default:
        return null;
    }
  }

  private static void readCredentialReport(ObjectNode report, Emitter out) throws IOException {
    JsonNode content = report.get("Content");
    String csv = null;
    if (content.isTextual()) {
      String text = content.textValue().strip();
      if (text.startsWith("user,")) {
        csv = text;
      } else {
        try {
          String decoded =
              new String(Base64.getMimeDecoder().decode(text), StandardCharsets.UTF_8).strip();
          csv = decoded.startsWith("user,") ? decoded : null;
        } catch (IllegalArgumentException e) {
          csv = null;
        }
      }
    }
    if (csv == null) {
      out.quarantineNode(
          CREDENTIAL_REPORT_ROW,
          out.count,
          report,
          QuarantineReason.MALFORMED_RECORD,
          "The credential report's Content is neither base64 of a CSV nor a CSV starting with"
              + " 'user,arn': re-run 'aws iam get-credential-report'.");
      return;
    }
    readCsv(new StringReader(csv), CREDENTIAL_REPORT_ROW, out, false);
  }

  // ---------------------------------------------------------------- NDJSON

  private static void readNdjson(InputStream body, Emitter out) throws IOException {
    LineReader lines = new LineReader(utf8(body), MAX_RECORD_CHARS);
    long lineNo = -1;
    String line;
    while ((line = lines.next()) != null) {
      lineNo++;
      if (lineNo == 0 && line.startsWith("\uFEFF")) {
        line = line.substring(1);
      }
      if (lines.overflowed()) {
        out.quarantineText(
            out.defaultType(),
            lineNo,
            line,
            QuarantineReason.OVERSIZED_RECORD,
            "line " + (lineNo + 1) + " is longer than " + MAX_RECORD_CHARS + " characters");
        continue;
      }
      if (line.isBlank()) {
        continue;
      }
      JsonNode node;
      try {
        node = JSON.readTree(line);
      } catch (JsonProcessingException e) {
        out.quarantineText(
            out.defaultType(),
            lineNo,
            line,
            QuarantineReason.MALFORMED_JSON,
            "line " + (lineNo + 1) + " is not valid JSON: " + describe(e));
        continue;
      }
      out.element(node, lineNo);
    }
  }

  // ---------------------------------------------------------------- CSV and YAML

  /**
   * Reads a CSV with a header row: one record per data row, header names as keys, values as text
   * (manifest list columns become arrays, empty manifest cells null).
   */
  private static void readCsv(Reader reader, String type, Emitter out, boolean positionsFromZero)
      throws IOException {
    boolean manifest = "manifest_agent".equals(type);
    boolean handWritten = HAND_WRITTEN.contains(type);
    long base = positionsFromZero ? 0 : out.count;
    long row = -1;
    String[] header = null;
    try (MappingIterator<String[]> rows =
        CSV.readerFor(String[].class)
            .with(CsvParser.Feature.WRAP_AS_ARRAY)
            .with(CsvParser.Feature.SKIP_EMPTY_LINES)
            .readValues(reader)) {
      while (rows.hasNextValue()) {
        String[] cells = rows.nextValue();
        if (header == null) {
          header =
              Arrays.stream(cells).map(c -> c.replace("\uFEFF", "").strip()).toArray(String[]::new);
          continue;
        }
        row++;
        if (Arrays.stream(cells).allMatch(String::isBlank)) {
          continue;
        }
        ObjectNode node = JSON.createObjectNode();
        for (int i = 0; i < Math.min(cells.length, header.length); i++) {
          String cell = cells[i];
          if (manifest && MANIFEST_LISTS.contains(header[i])) {
            node.set(header[i], splitList(cell));
          } else if (handWritten && cell.isBlank()) {
            node.putNull(header[i]);
          } else {
            node.put(header[i], handWritten ? cell.strip() : cell);
          }
        }
        boolean extraCells =
            Arrays.stream(cells, Math.min(cells.length, header.length), cells.length)
                .anyMatch(c -> !c.isBlank());
        if (extraCells) {
          out.quarantineNode(
              type,
              base + row,
              node,
              QuarantineReason.MALFORMED_RECORD,
              "data row "
                  + (row + 1)
                  + " has "
                  + cells.length
                  + " cells but the header has "
                  + header.length);
          continue;
        }
        out.record(type, node, base + row);
      }
    } catch (JsonProcessingException e) {
      out.quarantineText(
          type,
          base + row + 1,
          null,
          QuarantineReason.MALFORMED_RECORD,
          "The CSV breaks after data row " + (row + 1) + ": " + describe(e));
    }
  }

  private static void readYaml(Reader reader, Emitter out) throws IOException {
    JsonNode root;
    try {
      root = YAML.readTree(reader);
    } catch (JsonProcessingException e) {
      out.quarantineText(
          out.defaultType(),
          0,
          null,
          QuarantineReason.MALFORMED_RECORD,
          "The YAML does not parse: " + describe(e));
      return;
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      return;
    }
    JsonNode list = root.path("agents").isArray() ? root.get("agents") : root;
    if (list.isArray()) {
      for (JsonNode element : list) {
        out.element(element);
      }
    } else {
      out.element(list);
    }
  }

  private static ArrayNode splitList(String cell) {
    ArrayNode list = JSON.createArrayNode();
    for (String part : cell.split(";")) {
      if (!part.isBlank()) {
        list.add(part.strip());
      }
    }
    return list;
  }

  // ---------------------------------------------------------------- records

  /** Hands records to the sink, counting them, after normalising, checking and redacting. */
  private static final class Emitter {
    final String sourceType;
    final Map<String, String> context;
    final RecordSink sink;
    long count;

    Emitter(String sourceType, Map<String, String> context, RecordSink sink) {
      this.sourceType = sourceType;
      this.context = context;
      this.sink = sink;
    }

    /** The record type when the source has only one, else null. */
    String defaultType() {
      return switch (sourceType) {
        case Sources.AWS_CLOUDTRAIL -> "cloudtrail_event";
        case Sources.OKTA_USERS -> "okta_user";
        case Sources.OKTA_SYSTEM_LOG -> "okta_event";
        case Sources.BEDROCK_AGENTS -> "bedrock_agent";
        case Sources.AGENT_MANIFEST -> "manifest_agent";
        case Sources.REVIEW_DECISIONS -> REVIEW_DECISION;
        default -> null;
      };
    }

    void element(JsonNode node) {
      element(node, count);
    }

    /** A record whose type follows from the source (or, for OpenAI, from its own fields). */
    void element(JsonNode node, long position) {
      if (Sources.OPENAI_ADMIN.equals(sourceType) && node.isObject()) {
        String type = openAiType(node);
        if (type == null) {
          quarantineNode(
              null,
              position,
              node,
              QuarantineReason.UNKNOWN_RECORD_TYPE,
              "object '"
                  + node.path("object").asText("")
                  + "' is not one of "
                  + OPENAI_OBJECTS.keySet()
                  + " nor an audit log entry (effective_at and type)");
          return;
        }
        record(type, node, position);
        return;
      }
      if (Sources.AWS_IAM.equals(sourceType)) {
        quarantineNode(
            null,
            position,
            node,
            QuarantineReason.UNKNOWN_RECORD_TYPE,
            "an aws-iam record outside UserDetailList/GroupDetailList/RoleDetailList/Policies");
        return;
      }
      record(defaultType(), node, position);
    }

    /** One element of {@code aws cloudtrail lookup-events}: the event is a JSON string inside. */
    void lookupEvent(JsonNode node) {
      long position = count;
      JsonNode inner = node.get("CloudTrailEvent");
      if (inner == null || !inner.isTextual()) {
        quarantineNode(
            "cloudtrail_event",
            position,
            node,
            QuarantineReason.MALFORMED_RECORD,
            "lookup-events element has no CloudTrailEvent string");
        return;
      }
      JsonNode event;
      try {
        event = JSON.readTree(inner.textValue());
      } catch (JsonProcessingException e) {
        quarantineText(
            "cloudtrail_event",
            position,
            inner.textValue(),
            QuarantineReason.MALFORMED_JSON,
            "CloudTrailEvent is not valid JSON: " + describe(e));
        return;
      }
      record("cloudtrail_event", event, position);
    }

    void record(String type, JsonNode node, long position) {
      if (!node.isObject()) {
        quarantineNode(
            type,
            position,
            node,
            QuarantineReason.MALFORMED_RECORD,
            "a record must be a JSON object, not a JSON "
                + node.getNodeType().name().toLowerCase(Locale.ROOT));
        return;
      }
      ObjectNode object = (ObjectNode) node;
      normalise(type, object);
      SourceRecordType recordType = Sources.recordType(type).orElseThrow();
      RecordChecks.Problem problem = RecordChecks.check(recordType, object);
      String json =
          compact(
              "cloudtrail_event".equals(type)
                  ? SecretRedactor.redactCloudTrailEvent(object)
                  : SecretRedactor.redact(object));
      if (json.length() > MAX_RECORD_CHARS) {
        emit(
            type,
            position,
            truncate(json),
            QuarantineReason.OVERSIZED_RECORD,
            "record is " + json.length() + " characters; the limit is " + MAX_RECORD_CHARS);
      } else if (problem != null) {
        emit(type, position, truncate(json), problem.reason(), problem.detail());
      } else if (recordType.deduplicated()) {
        emit(
            type,
            position,
            json,
            null,
            null,
            keyOf(recordType, object),
            timeOf(recordType, object));
      } else {
        emit(type, position, json, null, null);
      }
    }

    void quarantineNode(
        String type, long position, JsonNode node, QuarantineReason reason, String detail) {
      JsonNode copy = node.deepCopy();
      emit(type, position, truncate(compact(SecretRedactor.redact(copy))), reason, detail);
    }

    /** Quarantines raw text (a bad line), redacted before it is cut to size. */
    void quarantineText(
        String type, long position, String raw, QuarantineReason reason, String detail) {
      String json =
          raw == null
              ? null
              : truncate(
                  SecretRedactor.redactText(
                      raw.length() > 2 * ExtractedRecord.QUARANTINE_JSON_CHARS
                          ? raw.substring(0, 2 * ExtractedRecord.QUARANTINE_JSON_CHARS)
                          : raw));
      emit(type, position, json, reason, detail);
    }

    private void emit(
        String type, long position, String json, QuarantineReason reason, String detail) {
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

  private static String openAiType(JsonNode node) {
    JsonNode object = node.get("object");
    if (object != null && object.isTextual()) {
      return OPENAI_OBJECTS.get(object.textValue());
    }
    if (object == null && node.has("effective_at") && node.has("type")) {
      return "openai_audit_log";
    }
    return null;
  }

  /** Source-specific reshaping to the declared schema, before checks. */
  private static void normalise(String type, ObjectNode node) {
    switch (type) {
      case IAM_USER -> normaliseDocuments(node, "UserPolicyList", "PolicyDocument");
      case IAM_GROUP -> normaliseDocuments(node, "GroupPolicyList", "PolicyDocument");
      case IAM_ROLE -> {
        normaliseDocument(node, "AssumeRolePolicyDocument");
        normaliseDocuments(node, "RolePolicyList", "PolicyDocument");
      }
      case IAM_POLICY -> normaliseDocuments(node, "PolicyVersionList", "Document");
      case "manifest_agent" -> {
        for (String field : MANIFEST_LISTS) {
          JsonNode value = node.get(field);
          if (value != null && value.isTextual()) {
            node.set(field, splitList(value.textValue()));
          } else if (value != null && value.isArray()) {
            ArrayNode cleaned = JSON.createArrayNode();
            value.forEach(
                v -> {
                  if (!v.isTextual()) {
                    cleaned.add(v);
                  } else if (!v.textValue().isBlank()) {
                    cleaned.add(v.textValue().strip());
                  }
                });
            node.set(field, cleaned);
          }
        }
      }
      case REVIEW_DECISION -> {
        JsonNode decision = node.get("decision");
        if (decision != null && decision.isTextual()) {
          node.put("decision", decision.textValue().strip().toUpperCase(Locale.ROOT));
        }
      }
      default -> {}
    }
  }

  private static void normaliseDocuments(ObjectNode node, String list, String field) {
    JsonNode items = node.get(list);
    if (items != null && items.isArray()) {
      for (JsonNode item : items) {
        if (item instanceof ObjectNode holder) {
          normaliseDocument(holder, field);
        }
      }
    }
  }

  /**
   * IAM policy documents arrive as objects (the CLI decodes them) or as URL-encoded JSON strings
   * (the raw API); the schema keeps them as one compact JSON string either way.
   */
  static void normaliseDocument(ObjectNode holder, String field) {
    JsonNode value = holder.get(field);
    if (value == null || value.isNull()) {
      return;
    }
    if (value.isContainerNode()) {
      holder.put(field, compact(value));
      return;
    }
    if (!value.isTextual()) {
      return;
    }
    String text = value.textValue().strip();
    if (text.regionMatches(true, 0, "%7B", 0, 3)) {
      try {
        text = URLDecoder.decode(text, StandardCharsets.UTF_8).strip();
      } catch (IllegalArgumentException e) {
        return; // not URL encoding after all: leave the text as the vendor wrote it
      }
    }
    if (text.startsWith("{")) {
      try {
        holder.put(field, compact(JSON.readTree(text)));
      } catch (JsonProcessingException e) {
        holder.put(field, text);
      }
    }
  }

  // ---------------------------------------------------------------- small helpers

  private static String compact(JsonNode node) {
    try {
      return JSON.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("Could not serialise a JSON tree (a bug)", e);
    }
  }

  private static String truncate(String json) {
    return json == null || json.length() <= ExtractedRecord.QUARANTINE_JSON_CHARS
        ? json
        : json.substring(0, ExtractedRecord.QUARANTINE_JSON_CHARS);
  }

  private static String shorten(String text, int max) {
    return text.length() <= max ? text : text.substring(0, max) + "...";
  }

  private static String fieldNames(ObjectNode node) {
    StringBuilder names = new StringBuilder();
    node.fieldNames().forEachRemaining(n -> names.append(names.isEmpty() ? "" : ", ").append(n));
    return names.toString();
  }

  /** A parse error as one line with its location, redacted (Jackson quotes the bad token). */
  private static String describe(JsonProcessingException e) {
    String location =
        e.getLocation() == null
            ? ""
            : " (line "
                + e.getLocation().getLineNr()
                + ", column "
                + e.getLocation().getColumnNr()
                + ")";
    return shorten(SecretRedactor.redactText(e.getOriginalMessage()).replace('\n', ' '), 300)
        + location;
  }

  private static Reader utf8(InputStream body) {
    return new InputStreamReader(body, StandardCharsets.UTF_8);
  }

  private static byte[] readHead(TrackingStream in) {
    byte[] buffer = new byte[HEAD_BYTES];
    int filled = 0;
    try {
      int n;
      while (filled < HEAD_BYTES && (n = in.read(buffer, filled, HEAD_BYTES - filled)) >= 0) {
        filled += n;
      }
    } catch (IOException e) {
      in.noteFailure(e);
    }
    return Arrays.copyOf(buffer, filled);
  }

  /** Remembers the first read failure, so that no parser can swallow it. */
  private static final class TrackingStream extends InputStream {
    private final InputStream in;
    IOException failure;

    TrackingStream(InputStream in) {
      this.in = in;
    }

    void noteFailure(IOException e) {
      if (failure == null) {
        failure = e;
      }
    }

    /** A stream that fails again where the original failed. */
    InputStream replayFailure() {
      return new InputStream() {
        @Override
        public int read() throws IOException {
          throw new IOException("read failed earlier: " + failure.getMessage(), failure);
        }
      };
    }

    @Override
    public int read() throws IOException {
      try {
        return in.read();
      } catch (IOException e) {
        noteFailure(e);
        throw e;
      }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      try {
        return in.read(b, off, len);
      } catch (IOException e) {
        noteFailure(e);
        throw e;
      }
    }
  }

  /**
   * Reads lines of at most {@code max} characters; a longer line is cut, flagged and skipped to its
   * end, so one giant line cannot exhaust memory.
   */
  private static final class LineReader {
    private final Reader in;
    private final int max;
    private final char[] buffer = new char[64 * 1024];
    private int pos;
    private int len;
    private boolean overflowed;

    LineReader(Reader in, int max) {
      this.in = in;
      this.max = max;
    }

    boolean overflowed() {
      return overflowed;
    }

    String next() throws IOException {
      StringBuilder line = new StringBuilder();
      overflowed = false;
      boolean any = false;
      while (true) {
        if (pos == len) {
          len = in.read(buffer);
          pos = 0;
          if (len <= 0) {
            len = 0;
            return any ? strip(line) : null;
          }
        }
        any = true;
        int start = pos;
        while (pos < len && buffer[pos] != '\n') {
          pos++;
        }
        int room = max + 1 - line.length();
        if (room > 0) {
          line.append(buffer, start, Math.min(pos - start, room));
        }
        if (line.length() > max) {
          overflowed = true;
        }
        if (pos < len) {
          pos++; // the newline
          return strip(line);
        }
      }
    }

    private static String strip(StringBuilder line) {
      int end = line.length();
      if (end > 0 && line.charAt(end - 1) == '\r') {
        end--;
      }
      return line.substring(0, end);
    }
  }
}
