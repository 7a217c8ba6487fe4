package io.agentlake.jobs.ingest;

import io.agentlake.jobs.Errors;
import io.agentlake.schemas.Sources;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * Lists the export files under {@code <exports>/<source-type>/}, recursively, through the Hadoop
 * FileSystem (so local paths and s3a:// work alike). Hidden files ({@code .x}, {@code _x}) are
 * skipped, as Spark and Hadoop tools do; everything else is handed to the extractor, which decides
 * by content what a file is.
 */
public final class ExportListing {

  private ExportListing() {}

  public static List<ExportFile> list(String exportsUri, List<String> sources, Configuration conf) {
    Path root = new Path(exportsUri);
    List<ExportFile> files = new ArrayList<>();
    try {
      FileSystem fs = root.getFileSystem(conf);
      if (!fs.exists(root)) {
        throw Errors.exportsNotFound(exportsUri);
      }
      boolean anySource = false;
      for (FileStatus child : fs.listStatus(root)) {
        String source = child.getPath().getName();
        if (!child.isDirectory() || !Sources.isKnownSource(source)) {
          continue;
        }
        anySource = true;
        if (!sources.contains(source)) {
          continue;
        }
        RemoteIterator<LocatedFileStatus> it = fs.listFiles(child.getPath(), true);
        while (it.hasNext()) {
          LocatedFileStatus f = it.next();
          if (hidden(child.getPath(), f.getPath())) {
            continue;
          }
          files.add(
              new ExportFile(source, f.getPath().toString(), f.getLen(), f.getModificationTime()));
        }
      }
      if (!anySource) {
        throw Errors.noSourceFolders(exportsUri, Sources.ALL);
      }
    } catch (IOException e) {
      throw Errors.storage("list", exportsUri, e);
    }
    files.sort(Comparator.comparing(ExportFile::uri));
    return files;
  }

  private static boolean hidden(Path sourceRoot, Path file) {
    for (Path p = file; p != null && !p.equals(sourceRoot); p = p.getParent()) {
      String name = p.getName();
      if (name.startsWith(".") || name.startsWith("_")) {
        return true;
      }
    }
    return false;
  }
}
