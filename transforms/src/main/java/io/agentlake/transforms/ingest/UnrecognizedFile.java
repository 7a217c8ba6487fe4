package io.agentlake.transforms.ingest;

/**
 * A file whose layout its source does not accept: a file-level outcome (the file goes to quarantine
 * as one entry), never a record.
 */
public final class UnrecognizedFile extends Exception {

  private final QuarantineReason reason;

  public UnrecognizedFile(QuarantineReason reason, String message) {
    super(message, null, false, false);
    this.reason = reason;
  }

  public QuarantineReason reason() {
    return reason;
  }
}
