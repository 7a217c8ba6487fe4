package io.agentlake.transforms.ingest;

import java.io.IOException;
import java.io.Reader;

/**
 * Reads lines of at most {@code max} characters; a longer line is cut, flagged and skipped to its
 * end, so one giant line cannot exhaust memory.
 */
final class LineReader {
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
