package io.agentlake.transforms.ingest;

import java.util.Map;

/**
 * What reading one export file came to. {@code recordsRead} counts every record handed to the sink,
 * accepted or quarantined, so it reconciles with the sink's own counts.
 *
 * @param recordsRead records handed to the sink
 * @param skipped true when the file is deliberately not read (CloudTrail digest files)
 * @param fileError null, or why the file as a whole (or its unread rest) went to quarantine
 * @param fileErrorDetail what exactly went wrong; null when {@code fileError} is null
 * @param normalised how many of the file's records each {@link EventVariants} rule changed (only
 *     rules that changed one)
 */
public record FileOutcome(
    long recordsRead,
    boolean skipped,
    QuarantineReason fileError,
    String fileErrorDetail,
    Map<String, Long> normalised) {

  public FileOutcome {
    normalised = normalised == null ? Map.of() : Map.copyOf(normalised);
  }

  /** A file that failed as a whole before any record was read (it could not be opened). */
  public static FileOutcome unreadable(String detail) {
    return new FileOutcome(0, false, QuarantineReason.UNREADABLE_FILE, detail, Map.of());
  }

  static FileOutcome read(long recordsRead, Map<String, Long> normalised) {
    return new FileOutcome(recordsRead, false, null, null, normalised);
  }

  static FileOutcome skippedFile() {
    return new FileOutcome(0, true, null, null, Map.of());
  }

  static FileOutcome withFileError(
      long recordsRead, QuarantineReason reason, String detail, Map<String, Long> normalised) {
    return new FileOutcome(recordsRead, false, reason, detail, normalised);
  }

  public boolean failed() {
    return fileError != null;
  }
}
