package io.agentlake.transforms.ingest;

/** Receives the records of one export file, accepted and quarantined alike, in file order. */
@FunctionalInterface
public interface RecordSink {
  void accept(ExtractedRecord record);
}
