package io.agentlake.transforms.ingest;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads one export file, in whichever native layout its source accepts, into redacted, checked
 * records. The layout is told from the content, not the file name ({@link FormatSniffer}); the
 * shared readers read it; the {@link SourcePackage} says everything that is the source's own. Pure:
 * it is handed the path (for the facts the path states) and the already-decompressed bytes, and
 * never opens a file.
 *
 * <p>Nothing is lost (SPEC 3.1): every record reaches the sink, accepted or with a {@link
 * QuarantineReason}; a problem with the file as a whole is reported in the {@link FileOutcome},
 * never thrown. {@link FileOutcome#recordsRead()} equals what the sink received.
 *
 * <p>Large files stream: wrapped record lists, JSON arrays and NDJSON are read one record at a
 * time. YAML is read whole (it is small by nature).
 */
public final class RecordExtractor {

  public static final int MAX_RECORD_CHARS = 1_000_000;

  private RecordExtractor() {}

  /**
   * Streams the records of one export file to the sink. Never throws for bad content: problems
   * become quarantine entries, or the outcome's file error.
   *
   * @param source the source whose folder the file is in
   * @param path where the file came from; only read for the facts it states (see {@link
   *     ExtractedRecord#context()}) and for the files a source skips
   * @param in the file's bytes, already decompressed; not closed here
   */
  public static FileOutcome extract(
      SourcePackage source, String path, InputStream in, RecordSink sink) {
    if (source.skips(path)) {
      return FileOutcome.skippedFile();
    }
    Records out = new Records(source, source.context(path.replace('\\', '/')), sink);
    TrackingStream tracked = new TrackingStream(in);
    byte[] head = readHead(tracked);
    InputStream body =
        tracked.failure == null
            ? new SequenceInputStream(new ByteArrayInputStream(head), tracked)
            : new SequenceInputStream(new ByteArrayInputStream(head), tracked.replayFailure());
    try {
      FormatSniffer.Detected detected = FormatSniffer.detect(source, head, tracked.failure != null);
      switch (detected.format()) {
        case JSON_DOCUMENT -> JsonDocumentReader.read(body, out);
        case NDJSON -> NdjsonReader.read(body, out);
        case CSV ->
            CsvReader.read(
                new InputStreamReader(body, StandardCharsets.UTF_8),
                detected.csvRecordType(),
                out,
                true);
        case YAML -> YamlReader.read(new InputStreamReader(body, StandardCharsets.UTF_8), out);
      }
    } catch (UnrecognizedFile e) {
      if (tracked.failure == null) {
        return FileOutcome.withFileError(out.count(), e.reason(), e.getMessage(), out.normalised());
      }
    } catch (IOException e) {
      tracked.noteFailure(e);
    }
    if (tracked.failure != null) {
      return FileOutcome.withFileError(
          out.count(),
          QuarantineReason.UNREADABLE_FILE,
          "The file could not be read to its end ("
              + tracked.failure
              + "); the "
              + out.count()
              + " records before the failure were kept. Re-copy or re-export the file.",
          out.normalised());
    }
    return FileOutcome.read(out.count(), out.normalised());
  }

  private static byte[] readHead(TrackingStream in) {
    byte[] buffer = new byte[FormatSniffer.HEAD_BYTES];
    int filled = 0;
    try {
      int n;
      while (filled < FormatSniffer.HEAD_BYTES
          && (n = in.read(buffer, filled, FormatSniffer.HEAD_BYTES - filled)) >= 0) {
        filled += n;
      }
    } catch (IOException e) {
      in.noteFailure(e);
    }
    return Arrays.copyOf(buffer, filled);
  }
}
