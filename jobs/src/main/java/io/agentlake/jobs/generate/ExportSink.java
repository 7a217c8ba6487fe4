package io.agentlake.jobs.generate;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Where the generator writes: files under one Hadoop URI (local, s3a, ...), counted as they are
 * closed. Gzip output is deterministic because Java writes a zero mtime in the header.
 */
final class ExportSink {
  private static final JsonFactory JSON = new JsonFactory();

  private final FileSystem fs;
  private final Path root;
  private long files;
  private long bytes;

  ExportSink(String outUri, Configuration conf) throws IOException {
    this.root = new Path(outUri);
    this.fs = root.getFileSystem(conf);
    // The local file system would add a .crc sidecar per file; real exports have none.
    fs.setWriteChecksum(false);
  }

  long files() {
    return files;
  }

  long bytes() {
    return bytes;
  }

  /** A compact (or pretty) JSON generator on a new file; closing it closes the file. */
  JsonGenerator json(String relativePath, boolean gzip, boolean pretty) throws IOException {
    OutputStream out = open(relativePath);
    if (gzip) {
      out = new GZIPOutputStream(out, 64 * 1024);
    }
    JsonGenerator g = JSON.createGenerator(out);
    if (pretty) {
      g.setPrettyPrinter(new DefaultPrettyPrinter());
    }
    return g;
  }

  /** A UTF-8 text file (CSV, NDJSON). */
  Writer text(String relativePath) throws IOException {
    return new OutputStreamWriter(open(relativePath), StandardCharsets.UTF_8);
  }

  private OutputStream open(String relativePath) throws IOException {
    OutputStream raw = fs.create(new Path(root, relativePath), true);
    return new FilterOutputStream(new java.io.BufferedOutputStream(raw, 64 * 1024)) {
      private long written;
      private boolean closed;

      @Override
      public void write(int b) throws IOException {
        out.write(b);
        written++;
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        written += len;
      }

      @Override
      public void close() throws IOException {
        if (!closed) {
          closed = true;
          super.close();
          files++;
          bytes += written;
        }
      }
    };
  }
}
