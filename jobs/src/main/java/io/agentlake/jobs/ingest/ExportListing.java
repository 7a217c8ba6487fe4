package io.agentlake.jobs.ingest;

import io.agentlake.jobs.Errors;
import io.agentlake.transforms.sources.Sources;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * Lists the export files and says which source each belongs to, through the Hadoop FileSystem (so
 * local paths and s3a:// work alike). A file belongs to the source of the first configured path
 * glob it matches ({@code source-paths}), else to the source its top folder is named after ({@code
 * <exports>/<source-type>/...}). Hidden files ({@code .x}, {@code _x}) are skipped, as Spark and
 * Hadoop tools do; everything else is handed to the extractor, which decides by content what a file
 * is.
 */
public final class ExportListing {

  /**
   * What was found: the files to ingest (of the requested sources) and the files under the exports
   * root that no glob and no source folder claims (reported, so a mistyped glob shows).
   */
  public record Listing(List<ExportFile> files, List<String> unassigned) {}

  private ExportListing() {}

  /**
   * @param sourcePaths glob (relative to the exports root) to source type, in priority order
   */
  public static Listing list(
      String exportsUri,
      List<String> sources,
      Map<String, String> sourcePaths,
      Configuration conf) {
    Path root = new Path(exportsUri);
    Map<PathMatcher, String> matchers = new LinkedHashMap<>();
    sourcePaths.forEach(
        (glob, source) ->
            matchers.put(FileSystems.getDefault().getPathMatcher("glob:" + glob), source));
    List<ExportFile> files = new ArrayList<>();
    List<String> unassigned = new ArrayList<>();
    try {
      FileSystem fs = root.getFileSystem(conf);
      if (!fs.exists(root)) {
        throw Errors.exportsNotFound(exportsUri);
      }
      String rootPath = fs.getFileStatus(root).getPath().toUri().getPath();
      boolean anySource = false;
      for (FileStatus child : fs.listStatus(root)) {
        String folder = child.getPath().getName();
        boolean sourceFolder = child.isDirectory() && Sources.isKnownSource(folder);
        anySource |= sourceFolder;
        if (!sourceFolder && matchers.isEmpty()) {
          continue; // without globs, only source folders are read: nothing else is walked
        }
        if (isHidden(folder)) {
          continue;
        }
        RemoteIterator<LocatedFileStatus> it = fs.listFiles(child.getPath(), true);
        while (it.hasNext()) {
          LocatedFileStatus f = it.next();
          String relative = relative(rootPath, f.getPath());
          if (hidden(relative)) {
            continue;
          }
          String source = sourceOf(relative, matchers, sourceFolder ? folder : null);
          if (source == null) {
            unassigned.add(f.getPath().toString());
          } else if (sources.contains(source)) {
            anySource = true;
            files.add(
                new ExportFile(
                    source, f.getPath().toString(), f.getLen(), f.getModificationTime()));
          } else {
            anySource = true;
          }
        }
      }
      if (!anySource) {
        throw Errors.noSourceFolders(exportsUri, Sources.ALL);
      }
    } catch (IOException e) {
      throw Errors.storage("list", exportsUri, e);
    }
    files.sort(Comparator.comparing(ExportFile::uri));
    unassigned.sort(Comparator.naturalOrder());
    return new Listing(files, unassigned);
  }

  private static String sourceOf(
      String relative, Map<PathMatcher, String> matchers, String folderSource) {
    java.nio.file.Path path = java.nio.file.Path.of(relative);
    for (Map.Entry<PathMatcher, String> m : matchers.entrySet()) {
      if (m.getKey().matches(path)) {
        return m.getValue();
      }
    }
    return folderSource;
  }

  private static String relative(String rootPath, Path file) {
    String p = file.toUri().getPath();
    String prefix = rootPath.endsWith("/") ? rootPath : rootPath + "/";
    return p.startsWith(prefix) ? p.substring(prefix.length()) : p;
  }

  private static boolean hidden(String relative) {
    for (String part : relative.split("/")) {
      if (isHidden(part)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isHidden(String name) {
    return name.startsWith(".") || name.startsWith("_");
  }
}
