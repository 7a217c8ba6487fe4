package io.agentlake.jobs.lake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentlake.testing.SharedSpark;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A commit version is written once: racing writers get one winner and the winner's bytes. */
@ExtendWith(SharedSpark.class)
class ExclusiveLocalLogStoreTest {

  private static final int WRITERS = 6;
  private static final int VERSIONS = 400;

  @Test
  void racingWritersOfOneVersionHaveExactlyOneWinnerWhoseCommitIsTheFile() throws Exception {
    Path log =
        Files.createDirectories(
            Files.createTempDirectory("agentlake-logstore").resolve("_delta_log"));
    Configuration conf = new Configuration();
    ExclusiveLocalLogStore store = new ExclusiveLocalLogStore(conf);
    ConcurrentHashMap<Integer, List<Integer>> winners = new ConcurrentHashMap<>();
    AtomicInteger refused = new AtomicInteger();
    CyclicBarrier together = new CyclicBarrier(WRITERS);
    ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
    List<Future<?>> done = new ArrayList<>();
    for (int w = 0; w < WRITERS; w++) {
      int writer = w;
      done.add(
          pool.submit(
              () -> {
                for (int v = 0; v < VERSIONS; v++) {
                  together.await(30, TimeUnit.SECONDS);
                  try {
                    store.write(commit(log, v), lines(writer, v).iterator(), false, conf);
                    winners.computeIfAbsent(v, k -> new ArrayList<>()).add(writer);
                  } catch (FileAlreadyExistsException e) {
                    refused.incrementAndGet();
                  }
                }
                return null;
              }));
    }
    for (Future<?> f : done) {
      f.get(5, TimeUnit.MINUTES);
    }
    pool.shutdown();

    for (int v = 0; v < VERSIONS; v++) {
      List<Integer> won = winners.get(v);
      assertThat(won).as("writers that won version %d", v).hasSize(1);
      assertThat(Files.readAllLines(Path.of(commit(log, v).toUri()), StandardCharsets.UTF_8))
          .as("version %d holds its winner's commit", v)
          .isEqualTo(lines(won.get(0), v));
    }
    assertThat(refused.get()).isEqualTo(VERSIONS * (WRITERS - 1));
    try (Stream<Path> left = Files.list(log)) {
      assertThat(left.map(p -> p.getFileName().toString()))
          .as("no temporary or checksum files are left")
          .hasSize(VERSIONS)
          .allMatch(n -> n.matches("\\d{20}\\.json"));
    }
  }

  @Test
  void anExistingVersionIsNeverReplacedUnlessOverwriteIsAsked() throws Exception {
    Path log =
        Files.createDirectories(
            Files.createTempDirectory("agentlake-logstore").resolve("_delta_log"));
    Configuration conf = new Configuration();
    ExclusiveLocalLogStore store = new ExclusiveLocalLogStore(conf);
    store.write(commit(log, 0), List.of("first").iterator(), false, conf);

    assertThatThrownBy(() -> store.write(commit(log, 0), List.of("second").iterator(), false, conf))
        .isInstanceOf(FileAlreadyExistsException.class);
    assertThat(Files.readString(Path.of(commit(log, 0).toUri()))).isEqualTo("first\n");

    store.write(commit(log, 0), List.of("third").iterator(), true, conf);
    assertThat(Files.readString(Path.of(commit(log, 0).toUri()))).isEqualTo("third\n");
  }

  /**
   * Delta in this JVM (as in every job) commits through the store: no Hadoop checksum beside it.
   */
  @Test
  void deltaCommitsToLocalLakesGoThroughTheStore(SparkSession spark) throws Exception {
    assertThat(spark.conf().get(ExclusiveLocalLogStore.SPARK_CONF))
        .isEqualTo(ExclusiveLocalLogStore.class.getName());
    Path table = Files.createTempDirectory("agentlake-logstore").resolve("t");
    spark.range(3).write().format("delta").save(table.toUri().toString());
    spark.range(2).write().format("delta").mode("append").save(table.toUri().toString());
    assertThat(spark.read().format("delta").load(table.toUri().toString()).count()).isEqualTo(5);
    try (Stream<Path> files = Files.list(table.resolve("_delta_log"))) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .contains("00000000000000000000.json", "00000000000000000001.json")
          .noneMatch(n -> n.startsWith(".") && n.endsWith(".json.crc"));
    }
  }

  private static org.apache.hadoop.fs.Path commit(Path log, int version) {
    return new org.apache.hadoop.fs.Path(
        log.resolve(String.format("%020d.json", version)).toUri().toString());
  }

  private static List<String> lines(int writer, int version) {
    return List.of(
        "{\"commitInfo\":{\"writer\":" + writer + ",\"version\":" + version + "}}",
        "{\"add\":{\"path\":\"part-" + writer + "-" + version + ".parquet\"}}");
  }
}
