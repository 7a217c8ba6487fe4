package io.agentlake.transforms.ingest;

/**
 * Why a record or a whole export file went to quarantine instead of bronze. The names are the codes
 * written to the quarantine table, so renaming one is a data migration.
 */
public enum QuarantineReason {
  /** File level: the stream failed while being read (e.g. a truncated gzip). */
  UNREADABLE_FILE,
  /** File level: no bytes, or only whitespace. */
  EMPTY_FILE,
  /** File level: binary content, or text that is none of the formats the source type accepts. */
  UNRECOGNIZED_FORMAT,
  /** A record (or the rest of a document) is not valid JSON. */
  MALFORMED_JSON,
  /** Valid syntax but not a record: not an object, a bad CSV/YAML row, a missing wrapper field. */
  MALFORMED_RECORD,
  /** A record longer than {@link RecordExtractor#MAX_RECORD_CHARS}. */
  OVERSIZED_RECORD,
  /** An element whose kind the source type does not know (e.g. an OpenAI {@code object}). */
  UNKNOWN_RECORD_TYPE,
  /** A required field is absent, null or empty. */
  MISSING_REQUIRED_FIELD,
  /** The record's event-time field is present but cannot be parsed. */
  INVALID_TIMESTAMP,
  /** A top-level field's JSON type contradicts the source schema. */
  WRONG_TYPE,
  /** A field holds a value outside the set the source allows (e.g. an unknown review decision). */
  INVALID_VALUE,
  /**
   * A re-delivery of a record already kept (same key, e.g. CloudTrail's account + eventID): the
   * source delivers some records twice by design. Kept here, not in bronze, so counts still
   * reconcile; not counted against the quality gate.
   */
  DUPLICATE_DELIVERY
}
