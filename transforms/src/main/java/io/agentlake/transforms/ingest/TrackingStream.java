package io.agentlake.transforms.ingest;

import java.io.IOException;
import java.io.InputStream;

/** Remembers the first read failure, so that no parser can swallow it. */
final class TrackingStream extends InputStream {
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
