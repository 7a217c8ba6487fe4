package io.agentlake.jobs.soak;

import io.agentlake.jobs.Errors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The soak's working folder. The soak empties it at the start and deletes each matching trial's
 * lake, so it must never be a folder someone else keeps things in: it uses a folder only when it is
 * new, empty, or holds the {@link #MARKER} an earlier soak left, and it never deletes the folder
 * itself. Dangerous: {@link #clear} deletes recursively; every path it is given comes from here.
 */
public final class SoakDir {

  public static final String MARKER = ".agentlake-soak";

  private final Path root;

  private SoakDir(Path root) {
    this.root = root;
  }

  /**
   * Claims {@code dir}: creates it (and the marker), or checks an existing one is empty or marked
   * and deletes what an earlier soak left in it. Refuses, before touching anything, a file or a
   * non-empty folder without the marker.
   */
  public static SoakDir claim(Path dir) {
    Path root = dir.toAbsolutePath().normalize();
    try {
      if (Files.exists(root)) {
        if (!Files.isDirectory(root)) {
          throw Errors.soakDirNotOurs(root.toString(), "it is a file, not a folder");
        }
        boolean empty;
        try (Stream<Path> children = Files.list(root)) {
          empty = children.findAny().isEmpty();
        }
        if (!empty && !Files.isRegularFile(root.resolve(MARKER))) {
          throw Errors.soakDirNotOurs(
              root.toString(), "it is not empty and no earlier soak created it");
        }
      }
      Files.createDirectories(root);
      SoakDir soak = new SoakDir(root);
      try (Stream<Path> children = Files.list(root)) {
        for (Path child : children.toList()) {
          if (!child.getFileName().toString().equals(MARKER)) {
            soak.clear(child);
          }
        }
      }
      Files.writeString(
          root.resolve(MARKER),
          "Created by 'agentlake soak', which deletes everything in this folder when it runs"
              + " again.\n",
          StandardCharsets.UTF_8);
      return soak;
    } catch (IOException e) {
      throw Errors.storage("prepare the soak folder", root.toString(), e);
    }
  }

  public Path root() {
    return root;
  }

  public Path resolve(String other) {
    return root.resolve(other);
  }

  /** Deletes {@code path} (a file or a folder, recursively), which must lie inside this folder. */
  public void clear(Path path) {
    Path p = path.toAbsolutePath().normalize();
    if (!p.startsWith(root) || p.equals(root)) {
      throw new IllegalArgumentException(p + " is not inside the soak folder " + root);
    }
    if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(p)) {
      List<Path> all = walk.sorted(Comparator.reverseOrder()).toList();
      for (Path f : all) {
        Files.delete(f);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not delete " + p, e);
    }
  }
}
