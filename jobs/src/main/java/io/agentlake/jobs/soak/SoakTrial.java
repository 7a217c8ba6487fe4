package io.agentlake.jobs.soak;

import io.agentlake.jobs.cli.Agentlake;
import io.agentlake.jobs.lake.Lake;
import io.agentlake.jobs.soak.LakeComparison.Difference;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * One crash-safety trial, the unit of {@code agentlake soak} and of the test suite's trials: a
 * child {@code nightly} on a fresh lake, SIGKILLed as soon as a condition holds; {@code nightly}
 * for the same date again in this JVM; and the lake compared with a clean run's, table by table
 * ({@link LakeComparison#compare}). The condition is the caller's: the soak kills at a random
 * moment, a test at a point it names (an ingest inside its write window, a later stage).
 *
 * @param launcher how children are started
 * @param reference the clean run's lake, which every trial's lake must equal
 * @param exports the exports every run reads
 * @param date the date every run is for
 * @param config the job config every run uses (short leases, so the re-run takes over quickly)
 * @param childTimeout longer than any child run can take
 */
public record SoakTrial(
    AgentlakeProcess.Launcher launcher,
    Lake reference,
    String exports,
    LocalDate date,
    Path config,
    Duration childTimeout) {

  /**
   * What one trial found.
   *
   * @param reached the stage the child had reached when it was killed ({@link
   *     AgentlakeProcess#FINISHED} if it exited first)
   * @param rerunMillis how long the re-run took
   * @param compareMillis how long the comparison took
   * @param differences every way the lake differs from the reference; empty when it matches
   */
  public record Result(
      String reached, long rerunMillis, long compareMillis, List<Difference> differences) {

    public boolean matches() {
      return differences.isEmpty();
    }
  }

  /**
   * Runs one trial in {@code dir} (its lake, the child's log, the re-run's log and report): starts
   * the child, checks {@code killWhen} every 20 ms while it runs and SIGKILLs it once it holds,
   * re-runs the date in this JVM and compares. A child that exits non-zero before the kill, or a
   * re-run that fails, is a difference.
   */
  public Result run(Path dir, Predicate<AgentlakeProcess> killWhen) {
    Path lakePath = dir.resolve("lake");
    List<Difference> found = new ArrayList<>();
    String reached;
    try (AgentlakeProcess child =
        launcher.start(nightly(lakePath, null), dir.resolve("child.log"))) {
      while (child.isAlive() && !killWhen.test(child)) {
        sleep(20);
      }
      reached = child.kill();
      if (reached.equals(AgentlakeProcess.FINISHED) && child.exitCode() != 0) {
        found.add(
            new Difference(
                "nightly",
                "the child nightly exited "
                    + child.exitCode()
                    + " on its own before the kill; see "
                    + child.log()));
      }
    }

    long t0 = System.nanoTime();
    Path rerunLog = dir.resolve("rerun.log");
    int code = inProcess(nightly(lakePath, dir.resolve("rerun-report.json")), rerunLog);
    long rerun = (System.nanoTime() - t0) / 1_000_000;
    t0 = System.nanoTime();
    if (code != 0) {
      found.add(
          new Difference("nightly", "the re-run exited " + code + ": " + lastLines(rerunLog, 4)));
    } else {
      found.addAll(LakeComparison.compare(reference, lakeAt(lakePath)));
    }
    long compare = (System.nanoTime() - t0) / 1_000_000;
    return new Result(reached, rerun, compare, List.copyOf(found));
  }

  /** The lake at {@code path}, read with the reference's SparkSession. */
  public Lake lakeAt(Path path) {
    return new Lake(reference.spark(), path.toUri().toString());
  }

  /** {@code nightly} of this trial's date on {@code lake}, with a report file if one is given. */
  public List<String> nightly(Path lake, Path report) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "nightly",
                "--exports",
                exports,
                "--lake",
                lake.toUri().toString(),
                "--date",
                date.toString(),
                "--config",
                config.toString()));
    if (report != null) {
      args.addAll(List.of("--report", report.toString()));
    }
    return args;
  }

  /**
   * Runs an agentlake command in this JVM (sharing its SparkSession: no JVM or Spark start-up), its
   * stdout and stderr sent to {@code log} so they do not mix with the caller's lines. Swapping
   * System.out is safe only while this JVM runs one thing at a time, as the soak and the trials do.
   */
  public static int inProcess(List<String> args, Path log) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    try {
      Files.createDirectories(log.getParent());
      try (PrintStream to =
          new PrintStream(Files.newOutputStream(log), true, StandardCharsets.UTF_8)) {
        System.setOut(to);
        System.setErr(to);
        return Agentlake.execute(new PrintWriter(to, true), args.toArray(String[]::new));
      } finally {
        System.setOut(out);
        System.setErr(err);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not write the run's log " + log, e);
    }
  }

  private static String lastLines(Path log, int n) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join(" | ", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    } catch (IOException e) {
      return "(its log " + log + " could not be read: " + e.getMessage() + ")";
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
