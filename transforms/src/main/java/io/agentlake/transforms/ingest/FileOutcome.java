package io.agentlake.transforms.ingest;

/**
 * What reading one export file came to. {@code recordsRead} counts every record handed to the sink,
 * accepted or quarantined, so it reconciles with the sink's own counts.
 *
 * @param recordsRead records handed to the sink
 * @param skipped true when the file is deliberately not read (CloudTrail digest files)
 * @param fileError null, or why the file as a whole (or its unread rest) went to quarantine
 * @param fileErrorDetail what exactly went wrong; null when {@code fileError} is null
 */
public record FileOutcome(
    long recordsRead, boolean skipped, QuarantineReason fileError, String fileErrorDetail) {

  static FileOutcome read(long recordsRead) {
    return new FileOutcome(recordsRead, false, null, null);
  }

  static FileOutcome skippedFile() {
    return new FileOutcome(0, true, null, null);
  }

  static FileOutcome withFileError(long recordsRead, QuarantineReason reason, String detail) {
    return new FileOutcome(recordsRead, false, reason, detail);
  }

  public boolean failed() {
    return fileError != null;
  }
}
