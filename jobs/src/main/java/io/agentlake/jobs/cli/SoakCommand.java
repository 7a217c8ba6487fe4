package io.agentlake.jobs.cli;

import io.agentlake.jobs.AgentlakeException;
import io.agentlake.jobs.Errors;
import io.agentlake.jobs.generate.GenerationSummary;
import io.agentlake.jobs.generate.GeneratorOptions;
import io.agentlake.jobs.generate.OrgGenerator;
import io.agentlake.jobs.lake.Lake;
import io.agentlake.jobs.lake.Spark;
import io.agentlake.jobs.soak.AgentlakeProcess;
import io.agentlake.jobs.soak.LakeComparison;
import io.agentlake.jobs.soak.LakeComparison.Difference;
import io.agentlake.jobs.soak.SoakDir;
import io.agentlake.jobs.soak.SoakTrial;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "soak",
    mixinStandardHelpOptions = true,
    description = {
      "Proves crash safety: generates a small organisation, runs a clean nightly for its last day into a reference lake (in a child JVM, timed), then for each trial starts nightly on a fresh lake in a child JVM, SIGKILLs it at a random moment within that time, re-runs nightly for the date and compares every bronze, quarantine, file-ledger, silver and gold table with the reference (run ids and ingest times aside) and bronze with the ledger.",
      "Prints one line per trial and a summary; exits 0 when every trial matches, 3 when any differs (printing how)."
    })
final class SoakCommand implements Callable<Integer> {

  /**
   * Short leases, so the re-run takes over the killed run's lease within seconds rather than the
   * default two minutes. A live run rewrites its heartbeat file every quarter of the TTL (a plain
   * file write, not a Delta commit, so a busy driver cannot delay it by seconds) and refuses to
   * commit once its last heartbeat is older than the TTL; 10 s leaves a 7.5 s margin for a pause.
   */
  static final int DEFAULT_LEASE_TTL_SECONDS = 10;

  static final int LEASE_WAIT_SECONDS = 120;

  /** A child nightly of the soak's small organisation that runs longer than this is stuck. */
  private static final Duration CHILD_TIMEOUT = Duration.ofMinutes(30);

  /** Stages a kill can land in, in the order the summary lists them. */
  private static final List<String> KILL_STAGES = kinds();

  @Option(
      names = "--trials",
      paramLabel = "N",
      description = "Kill-and-re-run trials (default ${DEFAULT-VALUE}).")
  int trials = 20;

  @Option(
      names = "--seed",
      paramLabel = "S",
      description =
          "Seed of the generated organisation and of the kill times (default ${DEFAULT-VALUE}).")
  long seed = GeneratorOptions.DEFAULT_SEED;

  @Option(
      names = "--dir",
      paramLabel = "DIR",
      description =
          "Working folder (default ${DEFAULT-VALUE}). Must be new, empty or an earlier soak's:"
              + " its contents are replaced.")
  String dir = ".agentlake/soak";

  @Option(names = "--agents", paramLabel = "N", description = "Agents (default ${DEFAULT-VALUE}).")
  int agents = 12;

  @Option(
      names = "--days",
      paramLabel = "N",
      description = "Days of history (default ${DEFAULT-VALUE}).")
  int days = 3;

  @Option(
      names = "--events-per-day",
      paramLabel = "N",
      description = "CloudTrail events per day (default ${DEFAULT-VALUE}).")
  int eventsPerDay = 50;

  @Option(
      names = "--lease-ttl-seconds",
      paramLabel = "N",
      description =
          "lease-ttl-seconds of every run (default ${DEFAULT-VALUE}): the re-run waits up to this"
              + " long to take over the killed run's lease; too short and live runs lose theirs.")
  int leaseTtlSeconds = DEFAULT_LEASE_TTL_SECONDS;

  @Option(
      names = "--child-jvm-option",
      paramLabel = "OPT",
      description =
          "A JVM option for the child runs, after this JVM's own (repeatable; write it attached,"
              + " e.g. --child-jvm-option=-Xmx2g).")
  List<String> childJvmOptions = new ArrayList<>();

  @Override
  public Integer call() throws IOException {
    if (trials < 1) {
      throw Errors.badOption("--trials", "must be at least 1");
    }
    long started = System.nanoTime();
    SoakDir soak = SoakDir.claim(Path.of(dir));
    SparkSession spark = Spark.session("agentlake soak");
    String exports = soak.resolve("exports").toUri().toString();
    GeneratorOptions options =
        new GeneratorOptions(
            exports, seed, agents, days, eventsPerDay, GeneratorOptions.DEFAULT_START_DATE);
    GenerationSummary generated =
        OrgGenerator.generate(options, spark.sparkContext().hadoopConfiguration());
    LocalDate date = options.endDate();
    Path config = writeConfig(soak.resolve("agentlake.yaml"), Math.min(days, 90), leaseTtlSeconds);
    AgentlakeProcess.Launcher launcher =
        AgentlakeProcess.launcher().withJvmOptions(childJvmOptions);

    System.out.printf(
        Locale.ROOT,
        "agentlake soak: %d trials, seed %d; %d agents, %d days, %d events/day (%d files) in %s%n",
        trials,
        seed,
        agents,
        days,
        eventsPerDay,
        generated.files(),
        soak.root());
    System.out.println(
        "  compares "
            + LakeComparison.comparedTables().size()
            + " tables (bronze, quarantine, file ledger, silver, gold), ignoring "
            + LakeComparison.IGNORED.stream()
                .map(i -> i.table() + " " + i.column())
                .collect(Collectors.joining(", ")));

    Path referenceLake = soak.resolve("reference/lake");
    long referenceMillis;
    SoakTrial runner =
        new SoakTrial(
            launcher,
            new Lake(spark, referenceLake.toUri().toString()),
            exports,
            date,
            config,
            CHILD_TIMEOUT);
    try (AgentlakeProcess reference =
        launcher.start(
            runner.nightly(referenceLake, null), soak.resolve("reference/nightly.log"))) {
      int code = reference.waitFor(CHILD_TIMEOUT);
      if (code != 0) {
        throw Errors.soakChildFailed("the clean reference nightly", code, reference.log());
      }
      referenceMillis = reference.durationMillis();
      System.out.printf(
          Locale.ROOT,
          "  reference: clean child nightly for %s in %.1f s (stages began at %s)%n",
          date,
          referenceMillis / 1000.0,
          stageTimes(reference.stageStartMillis()));
    }

    SplittableRandom random = new SplittableRandom(seed);
    Map<String, Integer> killsByStage = new LinkedHashMap<>();
    KILL_STAGES.forEach(s -> killsByStage.put(s, 0));
    int differing = 0, differences = 0;
    long killMillis = 0, rerunMillis = 0, compareMillis = 0;
    long trialsStarted = System.nanoTime();
    for (int n = 1; n <= trials; n++) {
      Path trial = soak.resolve(String.format(Locale.ROOT, "trials/%03d", n));
      long killAt = (long) (random.nextDouble() * referenceMillis);
      SoakTrial.Result result = runner.run(trial, child -> child.millisSinceStart() >= killAt);
      killsByStage.merge(result.reached(), 1, Integer::sum);
      killMillis += killAt;
      rerunMillis += result.rerunMillis();
      compareMillis += result.compareMillis();
      // the re-runs share this JVM: what a trial leaves on the heap, and what stays once its
      // caches are released (a figure that grows trial after trial is a leak)
      long heldMb = heapAfterGcMb();
      io.agentlake.jobs.lake.Spark.releaseCaches(spark);
      long heapMb = heapAfterGcMb();

      List<Difference> found = result.differences();
      System.out.printf(
          Locale.ROOT,
          "trial %3d/%d  kill at %6.1f s of %.1f  reached %-9s  re-run %5.1f s  compare %5.1f s"
              + "  heap %4d MB (%4d before release)  %s%n",
          n,
          trials,
          killAt / 1000.0,
          referenceMillis / 1000.0,
          result.reached(),
          result.rerunMillis() / 1000.0,
          result.compareMillis() / 1000.0,
          heapMb,
          heldMb,
          found.isEmpty() ? "match" : "DIFFERS (" + found.size() + "; lake kept in " + trial + ")");
      for (Difference d : found) {
        System.out.println("    " + d);
      }
      if (found.isEmpty()) {
        soak.clear(trial);
      } else {
        differing++;
        differences += found.size();
      }
      System.out.flush();
    }
    double total = (System.nanoTime() - started) / 1e9;
    double trialsSeconds = (System.nanoTime() - trialsStarted) / 1e9;
    System.out.printf(
        Locale.ROOT,
        "%nagentlake soak: %d trials, %d differing (%d differences)%n",
        trials,
        differing,
        differences);
    System.out.println(
        "  kills by stage: "
            + killsByStage.entrySet().stream()
                .filter(e -> e.getValue() > 0)
                .map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining(", ")));
    System.out.printf(
        Locale.ROOT,
        "  times: set-up (generate + reference nightly) %.1f s; per trial (mean) killed after"
            + " %.1f s, re-run %.1f s, compare %.1f s, whole trial %.1f s; total %.1f s (%.1f"
            + " min)%n",
        total - trialsSeconds,
        killMillis / 1000.0 / trials,
        rerunMillis / 1000.0 / trials,
        compareMillis / 1000.0 / trials,
        trialsSeconds / trials,
        total,
        total / 60);
    return differing == 0 ? 0 : AgentlakeException.BAD_INPUT;
  }

  /** Heap in use after a full collection, in MB (a soak figure, not a production path). */
  private static long heapAfterGcMb() {
    System.gc();
    return java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed()
        >> 20;
  }

  private static List<String> kinds() {
    List<String> kinds = new ArrayList<>();
    kinds.add(AgentlakeProcess.BEFORE);
    kinds.addAll(AgentlakeProcess.STAGES);
    kinds.add(AgentlakeProcess.FINISHED);
    return kinds;
  }

  private static Path writeConfig(Path file, int windowDays, int leaseTtlSeconds)
      throws IOException {
    Files.writeString(
        file,
        "# Written by agentlake soak. Short leases: the re-run after a SIGKILL takes over the"
            + " killed run's lease once it is "
            + leaseTtlSeconds
            + " s old.\n"
            + "window-days: "
            + windowDays
            + "\nlease-ttl-seconds: "
            + leaseTtlSeconds
            + "\nlease-wait-seconds: "
            + LEASE_WAIT_SECONDS
            + "\n",
        StandardCharsets.UTF_8);
    return file;
  }

  private static String stageTimes(Map<String, Long> starts) {
    return starts.isEmpty()
        ? "none printed"
        : starts.entrySet().stream()
            .map(e -> String.format(Locale.ROOT, "%s %.1f s", e.getKey(), e.getValue() / 1000.0))
            .collect(Collectors.joining(", "));
  }
}
