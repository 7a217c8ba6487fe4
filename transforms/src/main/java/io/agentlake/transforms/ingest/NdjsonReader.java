package io.agentlake.transforms.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/** Reads NDJSON one line at a time: a bad or oversized line is quarantined, the rest read on. */
final class NdjsonReader {

  private NdjsonReader() {}

  static void read(InputStream body, Records out) throws IOException {
    String type = out.source().fallbackRecordType();
    LineReader lines =
        new LineReader(
            new InputStreamReader(body, StandardCharsets.UTF_8), RecordExtractor.MAX_RECORD_CHARS);
    long lineNo = -1;
    String line;
    while ((line = lines.next()) != null) {
      lineNo++;
      if (lineNo == 0 && line.startsWith("\uFEFF")) {
        line = line.substring(1);
      }
      if (lines.overflowed()) {
        out.quarantineText(
            type,
            lineNo,
            line,
            QuarantineReason.OVERSIZED_RECORD,
            "line "
                + (lineNo + 1)
                + " is longer than "
                + RecordExtractor.MAX_RECORD_CHARS
                + " characters");
        continue;
      }
      if (line.isBlank()) {
        continue;
      }
      JsonNode node;
      try {
        node = JsonText.JSON.readTree(line);
      } catch (JsonProcessingException e) {
        out.quarantineText(
            type,
            lineNo,
            line,
            QuarantineReason.MALFORMED_JSON,
            "line " + (lineNo + 1) + " is not valid JSON: " + Records.describe(e));
        continue;
      }
      out.element(node, lineNo);
    }
  }
}
