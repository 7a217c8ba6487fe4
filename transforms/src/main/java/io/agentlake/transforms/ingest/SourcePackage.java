package io.agentlake.transforms.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.agentlake.schemas.SourceRecordType;
import io.agentlake.schemas.vocabulary.Platform;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything agentlake knows about one source's exports, in one place: the record types and their
 * explicit schemas, how its files are laid out, how a record is reshaped, checked and redacted. The
 * ingest machinery ({@link RecordExtractor} and its readers) is shared and knows no source; each
 * source is one package under {@code io.agentlake.transforms.sources}, registered once in {@code
 * Sources}.
 *
 * <p>Every method but the first three has a default that fits a plain JSON source whose records are
 * all of one type, so a simple source states only its name, its record type and what it accepts.
 */
public interface SourcePackage {

  /** The exports folder name, e.g. {@code aws-cloudtrail}; also {@code _source_type} in bronze. */
  String name();

  /** The record types its exports hold, each with its bronze table and explicit schema. */
  List<SourceRecordType> recordTypes();

  /**
   * What the source accepts, in words a user can act on, e.g. "the JSON written by 'okta users
   * list'". Error messages about a file this source cannot read quote it.
   */
  String accepts();

  /**
   * The platform whose identities and grants this source exports ({@code
   * silver.identities.platform} of what it yields); empty for sources of no platform (the manifest,
   * review decisions).
   */
  default Optional<Platform> platform() {
    return Optional.empty();
  }

  /** The record type called {@code name}, when it is one of this source's. */
  default Optional<SourceRecordType> recordType(String name) {
    return recordTypes().stream().filter(t -> t.recordType().equals(name)).findFirst();
  }

  // ---------------------------------------------------------------- files

  /** A file in the source's folder that holds no records by design (e.g. CloudTrail digests). */
  default boolean skips(String path) {
    return false;
  }

  /** Facts the file's path states about its records (account, region, day, project). */
  default Map<String, String> context(String path) {
    return Map.of();
  }

  // ---------------------------------------------------------------- layout

  /**
   * The record type of a record read on its own (an array element, an NDJSON line, a lone object, a
   * wrapped list's element handed to {@link Records#element}); null when the record is none of this
   * source's, and it is quarantined as UNKNOWN_RECORD_TYPE with {@link #unknownRecord}.
   */
  default String recordTypeOf(JsonNode record) {
    return recordTypes().size() == 1 ? recordTypes().get(0).recordType() : null;
  }

  /** Why {@code record} is none of this source's record types, for quarantine. */
  default String unknownRecord(JsonNode record) {
    return "not a " + name() + " record";
  }

  /** The record type of a record when its kind is not known yet (bad lines, broken documents). */
  default String fallbackRecordType() {
    return recordTypes().size() == 1 ? recordTypes().get(0).recordType() : null;
  }

  /**
   * How the value of a root object's field {@code field} is read when that field wraps records (an
   * array of them, or a single one), or null when it does not: {@code {"Records": [...]}}, {@code
   * {"data": [...]}}. A root object none of whose fields wraps records is itself read by {@link
   * #unwrappedObject}. NDJSON is told from a one-line wrapper by the same rule.
   */
  default Wrapper wrapper(String field, boolean array) {
    return null;
  }

  /**
   * As {@link #wrapper(String, boolean)}, for a source whose wrapper also says what the records
   * are: {@code siblings} holds the root object's other fields read so far (in a Microsoft Graph
   * page, {@code @odata.context} precedes {@code value}).
   */
  default Wrapper wrapper(String field, boolean array, ObjectNode siblings) {
    return wrapper(field, array);
  }

  /** Reads a root object that wraps no records; by default it is a record itself. */
  default void unwrappedObject(ObjectNode object, Records out)
      throws IOException, UnrecognizedFile {
    out.element(object);
  }

  /** Whether a JSON array at the root holds this source's records. */
  default boolean acceptsRootArray() {
    return true;
  }

  /** Whether the source's exports may be NDJSON (one record per line). */
  default boolean acceptsNdjson() {
    return true;
  }

  /**
   * The text layout a file that is not JSON is in, told from its first line and its first line that
   * is neither blank nor a {@code #} comment; null when it is none this source accepts.
   */
  default TextLayout textLayout(String firstLine, String firstMeaningfulLine) {
    return null;
  }

  /** The value of one CSV cell; by default its exact text, as a vendor's CSV means it. */
  default JsonNode csvCell(String recordType, String column, String cell) {
    return TextNode.valueOf(cell);
  }

  // ---------------------------------------------------------------- records

  /**
   * Reshapes a record to the declared schema before it is checked (in place); {@code context} is
   * what the file's path states ({@link #context}).
   */
  default void normalise(String recordType, ObjectNode record, Map<String, String> context) {}

  /**
   * Which documented variants of a record SIEM pipelines and query engines write are accepted for
   * this record type ({@link EventVariants}); none by default.
   */
  default EventVariants variants(String recordType) {
    return EventVariants.NONE;
  }

  /**
   * The source's own check of a record that passed the shared ones (required fields, event time,
   * top-level types), or null when it may go to bronze.
   */
  default RecordChecks.Problem check(String recordType, JsonNode record) {
    return null;
  }

  /**
   * Redacts credential material from a record, in place, returning it. The default applies the
   * shared rules ({@link SecretRedactor#redact}); a source with its own rules applies them first.
   */
  default JsonNode redact(String recordType, ObjectNode record) {
    return SecretRedactor.redact(record);
  }

  /** Reads the value of a wrapping field: each element of an array, or the single object. */
  @FunctionalInterface
  interface Wrapper {
    /** Each record is one whose type the source tells from the record ({@link #recordTypeOf}). */
    Wrapper ELEMENTS = (record, out) -> out.element(record);

    void read(JsonNode record, Records out) throws IOException;

    /** Each record is of type {@code recordType}. */
    static Wrapper of(String recordType) {
      return (record, out) -> out.record(recordType, record);
    }
  }

  /**
   * A text layout: CSV with a header row, all of one record type, or YAML.
   *
   * @param format CSV or YAML
   * @param recordType for CSV, the type of every row; null for YAML
   */
  record TextLayout(Format format, String recordType) {
    public enum Format {
      CSV,
      YAML
    }

    public static TextLayout csv(String recordType) {
      return new TextLayout(Format.CSV, recordType);
    }

    public static TextLayout yaml() {
      return new TextLayout(Format.YAML, null);
    }
  }
}
