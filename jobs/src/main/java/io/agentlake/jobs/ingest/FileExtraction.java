package io.agentlake.jobs.ingest;

import io.agentlake.transforms.bronze.ExtractedRecords;
import io.agentlake.transforms.ingest.FileOutcome;
import io.agentlake.transforms.ingest.RecordExtractor;
import io.agentlake.transforms.sources.Sources;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;

/**
 * Runs on executors: opens each export file, un-gzips it when its first bytes say gzip (content,
 * not the file name, decides), and turns it into {@link ExtractedRecords} rows — the records, then
 * one row for the file's own outcome. A file that cannot be opened becomes an UNREADABLE_FILE row;
 * nothing here throws for bad content.
 */
public final class FileExtraction implements Serializable {

  private final HashMap<String, String> hadoopConf;

  public FileExtraction(Configuration conf) {
    this.hadoopConf = new HashMap<>();
    for (Map.Entry<String, String> e : conf) {
      hadoopConf.put(e.getKey(), e.getValue());
    }
  }

  /**
   * Extracts the files of one partition lazily, one file at a time: memory holds one file's
   * records, never the partition's.
   */
  public Iterator<Row> extract(Iterator<Row> files) {
    Configuration conf = new Configuration(false);
    hadoopConf.forEach(conf::set);
    return new Iterator<>() {
      private Iterator<Row> current = java.util.Collections.emptyIterator();

      @Override
      public boolean hasNext() {
        while (!current.hasNext() && files.hasNext()) {
          Row f = files.next();
          List<Row> rows = new ArrayList<>();
          extractOne(f.getString(0), f.getString(1), conf, rows);
          current = rows.iterator();
        }
        return current.hasNext();
      }

      @Override
      public Row next() {
        if (!hasNext()) {
          throw new java.util.NoSuchElementException();
        }
        return current.next();
      }
    };
  }

  static void extractOne(String sourceType, String uri, Configuration conf, List<Row> out) {
    FileOutcome outcome;
    Path path = new Path(uri);
    try (InputStream raw = path.getFileSystem(conf).open(path);
        InputStream in = decompressed(raw)) {
      outcome =
          RecordExtractor.extract(
              Sources.of(sourceType),
              uri,
              in,
              r -> out.add(ExtractedRecords.row(sourceType, uri, r)));
    } catch (IOException e) {
      outcome = FileOutcome.unreadable(e.getClass().getSimpleName() + ": " + e.getMessage());
    }
    out.add(ExtractedRecords.fileRow(sourceType, uri, outcome));
  }

  /** Gzip is recognised by its magic bytes; anything else is passed through as is. */
  static InputStream decompressed(InputStream raw) throws IOException {
    BufferedInputStream in = new BufferedInputStream(raw, 1 << 16);
    in.mark(2);
    int b1 = in.read();
    int b2 = in.read();
    in.reset();
    if (b1 == 0x1f && b2 == 0x8b) {
      return new GZIPInputStream(in, 1 << 16);
    }
    return in;
  }
}
