package io.agentlake.jobs.lake;

import io.delta.storage.HadoopFileSystemLogStore;
import java.io.IOException;
import java.io.Writer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delta's transaction log on a local file system, safe when several agentlake processes commit to
 * one table at once.
 *
 * <p>Delta's optimistic concurrency rests on one primitive: writing commit {@code N} must fail if
 * {@code N} exists. Delta's own stores for {@code file:} do not give it across processes: they
 * check that the target is absent and then rename, and a local rename replaces an existing file, so
 * two processes that both see version {@code N} free both "win" and one commit silently replaces
 * the other (issue 12's process test saw this as a {@code ChecksumException}: one run's commit with
 * the other's Hadoop checksum file). Here the commit is written to a hidden temporary file, forced
 * to disk, and published with a hard link, which the kernel refuses atomically when the name is
 * taken; the loser gets {@link java.nio.file.FileAlreadyExistsException}, which Delta turns into a
 * retry or a concurrent-modification error. No Hadoop {@code .crc} file is written for a commit, so
 * none can disagree with it.
 *
 * <p>Switched on for {@code file:} by {@link Spark#session}; other schemes keep Delta's stores.
 */
public class ExclusiveLocalLogStore extends HadoopFileSystemLogStore {

  private static final Logger LOG = LoggerFactory.getLogger(ExclusiveLocalLogStore.class);

  /** The Spark setting that selects this store for {@code file:} paths. */
  public static final String SPARK_CONF = "spark.delta.logStore.file.impl";

  private static volatile boolean warnedNoLinks;

  public ExclusiveLocalLogStore(Configuration initHadoopConf) {
    super(initHadoopConf);
  }

  @Override
  public void write(
      Path path, Iterator<String> actions, Boolean overwrite, Configuration hadoopConf)
      throws IOException {
    java.nio.file.Path target = local(path, hadoopConf);
    java.nio.file.Path dir = target.getParent();
    Files.createDirectories(dir);
    java.nio.file.Path temp =
        dir.resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
    try {
      try (FileChannel channel =
          FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        Writer writer = Channels.newWriter(channel, StandardCharsets.UTF_8);
        while (actions.hasNext()) {
          writer.write(actions.next());
          writer.write('\n');
        }
        writer.flush();
        channel.force(true);
      }
      if (Boolean.TRUE.equals(overwrite)) {
        Files.move(
            temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } else {
        publishExclusively(temp, target);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /** Makes {@code temp} visible as {@code target}, or throws FileAlreadyExistsException. */
  private static void publishExclusively(java.nio.file.Path temp, java.nio.file.Path target)
      throws IOException {
    try {
      Files.createLink(target, temp);
    } catch (java.nio.file.FileAlreadyExistsException e) {
      throw e;
    } catch (UnsupportedOperationException | FileSystemException e) {
      if (Files.exists(target)) {
        throw new java.nio.file.FileAlreadyExistsException(target.toString());
      }
      // A file system without hard links (some FUSE and SMB mounts): fall back to the check and
      // rename Delta does, which is safe for one process at a time only.
      if (!warnedNoLinks) {
        warnedNoLinks = true;
        LOG.warn(
            "the lake's file system does not support hard links ({}); concurrent agentlake runs"
                + " on this lake are not safe: put the lake on a local disk or on s3a://",
            e.toString());
      }
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
    }
  }

  private static java.nio.file.Path local(Path path, Configuration conf) throws IOException {
    Path qualified = path.getFileSystem(conf).makeQualified(path);
    return java.nio.file.Path.of(qualified.toUri());
  }

  /** A reader sees a commit whole or not at all: it appears by link or atomic move. */
  @Override
  public Boolean isPartialWriteVisible(Path path, Configuration hadoopConf) {
    return false;
  }
}
