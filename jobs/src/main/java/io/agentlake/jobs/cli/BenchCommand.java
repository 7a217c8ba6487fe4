package io.agentlake.jobs.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentlake.jobs.Errors;
import io.agentlake.jobs.NightlyJob;
import io.agentlake.jobs.RunReport;
import io.agentlake.jobs.config.AgentlakeConfig;
import io.agentlake.jobs.generate.GenerationSummary;
import io.agentlake.jobs.generate.GeneratorOptions;
import io.agentlake.jobs.generate.OrgGenerator;
import io.agentlake.jobs.ingest.IngestJob;
import io.agentlake.jobs.lake.Lake;
import io.agentlake.jobs.lake.Spark;
import io.agentlake.transforms.sources.Sources;
import io.agentlake.transforms.sources.cloudtrail.CloudTrail;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Measures a nightly run: generates an organisation of the given size, runs nightly for its last day, then runs the same date again (nothing new to ingest), and prints the figures.",
      "With --history: measures whether nightly cost follows new data: runs nightly for day 1 on an empty lake, folds in days 2..N-1 with one ingest + correlate (untimed), then runs nightly for day N, and prints both nights' times stage by stage and their ratio.",
      "With --analyze: measures analyze alone: generates --agents (default 1,000) over --days (default 90), ingests and correlates untimed, then times analyze for the last day with a 90-day window and prints each gold table's time and rows.",
      "With --ingest: measures CloudTrail ingest alone (extraction, checks, redaction, re-delivery lookup, bronze + quarantine + ledger writes) next to a bare Spark read of the same files with an explicit schema, and prints records/s, MB/s and the ratio."
    })
final class BenchCommand implements Callable<Integer> {

  /** What --analyze measures by default: the 1,000 agents with 90 days of history. */
  static final int ANALYZE_AGENTS = 1000, ANALYZE_DAYS = 90;

  @Option(
      names = "--dir",
      paramLabel = "DIR",
      description =
          "Working folder (default ${DEFAULT-VALUE}); replaced on each run, so it must be new,"
              + " empty, or one a previous bench or demo created.")
  String dir = ".agentlake/bench";

  @Option(names = "--agents", paramLabel = "N", description = "Agents (default ${DEFAULT-VALUE}).")
  int agents = 40;

  @Option(
      names = "--days",
      paramLabel = "N",
      description = "Days of history (default ${DEFAULT-VALUE}).")
  int days = 30;

  @Option(
      names = "--events-per-day",
      paramLabel = "N",
      description = "CloudTrail events per day (default ${DEFAULT-VALUE}).")
  int eventsPerDay = 5000;

  @Option(
      names = "--ingest",
      description =
          "Benchmark CloudTrail ingest against a bare spark.read().json() of the same files instead"
              + " of a nightly run (use e.g. --days 10 --events-per-day 100000 for 1M events).")
  boolean ingest;

  @Option(
      names = "--history",
      description =
          "Benchmark a nightly run on a lake holding --days - 1 days of history against the first"
              + " night on an empty lake, at the same daily volume (e.g. --days 31"
              + " --events-per-day 20000). The ratio should stay near 1.")
  boolean history;

  @Option(
      names = "--analyze",
      description =
          "Benchmark analyze (silver -> gold) for the last day with a 90-day window, after an"
              + " untimed ingest and correlate; --agents defaults to "
              + ANALYZE_AGENTS
              + " and --days to "
              + ANALYZE_DAYS
              + " in this mode.")
  boolean analyze;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    List<String> modes = new java.util.ArrayList<>();
    if (ingest) {
      modes.add("--ingest");
    }
    if (history) {
      modes.add("--history");
    }
    if (analyze) {
      modes.add("--analyze");
    }
    if (modes.size() > 1) {
      throw Errors.exclusiveOptions("bench", modes, List.of("--ingest", "--history", "--analyze"));
    }
    if (analyze) {
      applyAnalyzeDefaults();
    }
    if (history && days < 2) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(),
          "--history needs --days of at least 2 (a first night and a night with history)");
    }
    Path root = Path.of(dir).toAbsolutePath();
    String exports = root.resolve(history ? "generated" : "exports").toUri().toString();
    GeneratorOptions options =
        DemoCommand.generatorOptions(
            () ->
                new GeneratorOptions(
                    exports,
                    GeneratorOptions.DEFAULT_SEED,
                    agents,
                    days,
                    eventsPerDay,
                    GeneratorOptions.DEFAULT_START_DATE));
    DemoCommand.claimScratchFolder(root, "bench");
    SparkSession spark = Spark.session("agentlake bench");
    long t0 = System.nanoTime();
    GenerationSummary g =
        OrgGenerator.generate(options, spark.sparkContext().hadoopConfiguration());
    double generateSeconds = (System.nanoTime() - t0) / 1e9;

    Lake lake = new Lake(spark, root.resolve("lake").toUri().toString());
    LocalDate date = options.endDate();
    if (ingest) {
      return benchIngest(spark, lake, exports, date, g, generateSeconds);
    }
    if (history) {
      return benchHistory(lake, root, options, g, generateSeconds);
    }
    if (analyze) {
      return benchAnalyze(lake, exports, options, g, generateSeconds);
    }
    AgentlakeConfig config = AgentlakeConfig.defaults().withWindowDays(Math.min(days, 90));
    RunReport first = NightlyJob.run(lake, exports, date, config, Sources.ALL, Progress::step);
    RunReport again = NightlyJob.run(lake, exports, date, config, Sources.ALL, Progress::step);
    Progress.done();

    System.out.printf(
        Locale.ROOT,
        "%nagentlake bench: %d agents, %d days, %d events/day (%d files, %.1f MB of exports)%n",
        agents,
        days,
        eventsPerDay,
        g.files(),
        g.bytes() / 1e6);
    System.out.printf(
        Locale.ROOT,
        "  generate              %7.1f s   %,10.0f events/s%n",
        generateSeconds,
        g.cloudTrailEvents() / generateSeconds);
    print("first run ", first);
    print("same date again (no new files)", again);
    return 0;
  }

  /** Sizes the analyze benchmark is about, unless --agents / --days were given. */
  private void applyAnalyzeDefaults() {
    picocli.CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
    if (!parsed.hasMatchedOption("--agents")) {
      agents = ANALYZE_AGENTS;
    }
    if (!parsed.hasMatchedOption("--days")) {
      days = ANALYZE_DAYS;
    }
  }

  /**
   * Every day's exports are ingested and correlated once, untimed (the lake a nightly run finds
   * after --days nights), then analyze runs for the last day and is timed per gold table. The
   * events per day matter little here: analyze reads daily aggregates per principal and action, so
   * its input grows with agents and days, not with event volume above the agents' daily use.
   */
  private int benchAnalyze(
      Lake lake,
      String exports,
      GeneratorOptions options,
      GenerationSummary g,
      double generateSeconds) {
    LocalDate date = options.endDate();
    int window = Math.min(days, 90);
    AgentlakeConfig config = AgentlakeConfig.defaults().withWindowDays(window);
    String setupId = java.util.UUID.randomUUID().toString();
    RunReport setup = new RunReport(setupId, "ingest+correlate", date);
    Progress.step("ingest " + days + " days (untimed)");
    long t0 = System.nanoTime();
    IngestJob.run(
        lake,
        exports,
        Sources.ALL,
        Map.of(),
        date,
        setupId,
        java.sql.Timestamp.from(java.time.Instant.now()),
        setup);
    double ingestSeconds = (System.nanoTime() - t0) / 1e9;
    Progress.step("correlate " + date + " (untimed)");
    t0 = System.nanoTime();
    io.agentlake.jobs.CorrelateJob.run(lake, setup, date);
    double correlateSeconds = (System.nanoTime() - t0) / 1e9;

    Progress.step("analyze " + date);
    RunReport report = new RunReport(java.util.UUID.randomUUID().toString(), "analyze", date);
    t0 = System.nanoTime();
    Map<String, io.agentlake.jobs.TableWrite> writes =
        io.agentlake.jobs.AnalyzeJob.run(lake, date, config);
    long analyzeMillis = (System.nanoTime() - t0) / 1_000_000;
    io.agentlake.jobs.TableWrite.report(report.stage("analyze", analyzeMillis), writes);
    Progress.done();

    System.out.printf(
        Locale.ROOT,
        "%nagentlake bench --analyze: %d agents, %d days, %d CloudTrail events/day"
            + " (%,d events, %.1f MB of exports), window %d days, %d cores%n",
        agents,
        days,
        eventsPerDay,
        g.cloudTrailEvents(),
        g.bytes() / 1e6,
        window,
        lake.spark().sparkContext().defaultParallelism());
    System.out.printf(
        Locale.ROOT,
        "  setup (untimed): generate %.1f s, ingest %.1f s, correlate %.1f s%n",
        generateSeconds,
        ingestSeconds,
        correlateSeconds);
    System.out.println("  silver read by analyze:");
    for (io.agentlake.schemas.TableContract t :
        List.of(
            io.agentlake.schemas.Tables.AGENTS,
            io.agentlake.schemas.Tables.IDENTITIES,
            io.agentlake.schemas.Tables.IDENTITY_EDGES,
            io.agentlake.schemas.Tables.ENTITLEMENTS,
            io.agentlake.schemas.Tables.ACTIVITY_DAILY,
            io.agentlake.schemas.Tables.OBSERVATION_COVERAGE)) {
      System.out.printf(
          Locale.ROOT,
          "    %-30s %12s rows%n",
          t.name(),
          String.format(Locale.ROOT, "%,d", lake.read(t).count()));
    }
    JsonNode stage = report.root().path("stages").path(0);
    System.out.println("  analyze " + date + ":");
    stage
        .path("tables")
        .fields()
        .forEachRemaining(
            t ->
                System.out.printf(
                    Locale.ROOT,
                    "    %-30s %7.1f s %12s rows%n",
                    t.getKey(),
                    t.getValue().path("ms").asLong() / 1000.0,
                    String.format(Locale.ROOT, "%,d", t.getValue().path("rows").asLong())));
    System.out.printf(
        Locale.ROOT, "    %-30s %7.1f s%n", "total", stage.path("duration_ms").asLong() / 1000.0);
    return 0;
  }

  /**
   * Exports "arrive" as they would in production, but with the history loaded in one go: every
   * source but CloudTrail plus CloudTrail's day 1, nightly on an empty lake (timed); then days
   * 2..N-1 of CloudTrail at once, folded in by one ingest + correlate (the history load, not
   * compared); then day N, nightly (timed). The ledger skips the files already ingested, so night N
   * reads only day N's files; the report shows which files and days it processed.
   */
  private int benchHistory(
      Lake lake, Path root, GeneratorOptions options, GenerationSummary g, double generateSeconds)
      throws java.io.IOException {
    Path generated = root.resolve("generated");
    Path exports = root.resolve("exports");
    String exportsUri = exports.toUri().toString();
    AgentlakeConfig config = AgentlakeConfig.defaults();
    LocalDate first = options.startDate();
    LocalDate last = options.endDate();

    arrive(generated, exports, null, null);
    arrive(generated, exports, first, first);
    Progress.step("nightly " + first + " (empty lake)");
    long t0 = System.nanoTime();
    RunReport firstNight = NightlyJob.run(lake, exportsUri, first, config, Sources.ALL, s -> {});
    double firstSeconds = (System.nanoTime() - t0) / 1e9;

    LocalDate historyFrom = first.plusDays(1);
    LocalDate historyTo = last.minusDays(1);
    int historyFiles = 0;
    double historySeconds = 0;
    if (!historyTo.isBefore(historyFrom)) {
      historyFiles = arrive(generated, exports, historyFrom, historyTo);
      Progress.step("history load " + historyFrom + ".." + historyTo);
      t0 = System.nanoTime();
      String runId = java.util.UUID.randomUUID().toString();
      RunReport r = new RunReport(runId, "ingest+correlate", historyTo);
      IngestJob.run(
          lake,
          exportsUri,
          Sources.ALL,
          Map.of(),
          historyTo,
          runId,
          java.sql.Timestamp.from(java.time.Instant.now()),
          r);
      io.agentlake.jobs.CorrelateJob.run(lake, r, historyTo);
      historySeconds = (System.nanoTime() - t0) / 1e9;
    }

    int lastFiles = arrive(generated, exports, last, last);
    Progress.step("nightly " + last + " (" + (days - 1) + " days of history)");
    t0 = System.nanoTime();
    RunReport lastNight = NightlyJob.run(lake, exportsUri, last, config, Sources.ALL, s -> {});
    double lastSeconds = (System.nanoTime() - t0) / 1e9;
    Progress.done();

    System.out.printf(
        Locale.ROOT,
        "%nagentlake bench --history: %d agents, %d days, %d CloudTrail events/day"
            + " (%,d events, %.1f MB of exports), %d cores%n",
        agents,
        days,
        eventsPerDay,
        g.cloudTrailEvents(),
        g.bytes() / 1e6,
        lake.spark().sparkContext().defaultParallelism());
    System.out.printf(Locale.ROOT, "  generate              %7.1f s%n", generateSeconds);
    if (historyFiles > 0) {
      System.out.printf(
          Locale.ROOT,
          "  history load          %7.1f s   (%s..%s: one ingest + correlate of %d CloudTrail"
              + " files, not compared)%n",
          historySeconds,
          historyFrom,
          historyTo,
          historyFiles);
    }
    JsonNode aggregates = lastNight.root().path("cloudtrail_aggregates");
    System.out.printf(
        Locale.ROOT,
        "  night %s: %d CloudTrail files arrived, ingest read %d new files (%,d records);"
            + " aggregates %s, days recomputed %s%n",
        last,
        lastFiles,
        stage(lastNight, "ingest").path("new_files").asLong(),
        stage(lastNight, "ingest").path("records_read").asLong(),
        aggregates.path("mode").asText(),
        aggregates.path("days_recomputed"));
    System.out.printf(
        Locale.ROOT, "%n  %-40s %9s %9s %7s%n", "seconds", "day 1", "day " + days, "ratio");
    compare("nightly", firstSeconds, lastSeconds);
    for (JsonNode stage : firstNight.root().path("stages")) {
      String name = stage.path("stage").asText();
      compare(
          "  " + name,
          seconds(stage.path("duration_ms")),
          seconds(stage(lastNight, name).path("duration_ms")));
      java.util.Set<String> parts = new java.util.LinkedHashSet<>();
      partsOf(firstNight, name).fieldNames().forEachRemaining(parts::add);
      partsOf(lastNight, name).fieldNames().forEachRemaining(parts::add);
      for (String part : parts) {
        compare(
            "    " + part,
            seconds(partsOf(firstNight, name).path(part)),
            seconds(partsOf(lastNight, name).path(part)));
      }
      compare(
          "    (rest: listing, reading, planning)",
          unaccounted(firstNight, name),
          unaccounted(lastNight, name));
    }
    System.out.printf(
        Locale.ROOT,
        "%n  day %d / day 1: %.2f (%.1f s / %.1f s)%n",
        days,
        lastSeconds / firstSeconds,
        lastSeconds,
        firstSeconds);
    return 0;
  }

  private static JsonNode stage(RunReport report, String name) {
    for (JsonNode stage : report.root().path("stages")) {
      if (stage.path("stage").asText().equals(name)) {
        return stage;
      }
    }
    return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
  }

  /**
   * Where a stage's time went, as name → milliseconds: ingest's phases, or the tables correlate and
   * analyze wrote (each table's time is computing and writing it).
   */
  private static JsonNode partsOf(RunReport report, String stageName) {
    if (stageName.equals("ingest")) {
      return report.root().path("ingest_phases_ms");
    }
    com.fasterxml.jackson.databind.node.ObjectNode millis =
        com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    stage(report, stageName)
        .path("tables")
        .fields()
        .forEachRemaining(t -> millis.set(t.getKey(), t.getValue().path("ms")));
    return millis;
  }

  /** A stage's time not in any of its parts. */
  private static double unaccounted(RunReport report, String stageName) {
    long millis = stage(report, stageName).path("duration_ms").asLong();
    for (JsonNode part : partsOf(report, stageName)) {
      millis -= part.asLong();
    }
    return millis / 1000.0;
  }

  private static double seconds(JsonNode millis) {
    return millis.isNumber() ? millis.asLong() / 1000.0 : Double.NaN;
  }

  private static void compare(String label, double before, double after) {
    System.out.printf(
        Locale.ROOT,
        "  %-40s %9s %9s %7s%n",
        label,
        Double.isNaN(before) ? "-" : String.format(Locale.ROOT, "%.1f", before),
        Double.isNaN(after) ? "-" : String.format(Locale.ROOT, "%.1f", after),
        Double.isNaN(before) || Double.isNaN(after) || before < 0.05
            ? ""
            : String.format(Locale.ROOT, "%.2f", after / before));
  }

  /**
   * Copies the CloudTrail day folders {@code from}..{@code to} (inclusive) from the generated tree
   * into the exports, or every other source when {@code from} is null; returns the files copied.
   */
  private static int arrive(Path generated, Path exports, LocalDate from, LocalDate to)
      throws java.io.IOException {
    List<String> folders = new java.util.ArrayList<>();
    for (LocalDate d = from; d != null && !d.isAfter(to); d = d.plusDays(1)) {
      folders.add("/" + d.toString().replace('-', '/') + "/");
    }
    Path cloudTrail = generated.resolve("aws-cloudtrail");
    int copied = 0;
    try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(generated)) {
      for (Path f : files.filter(java.nio.file.Files::isRegularFile).toList()) {
        boolean isCloudTrail = f.startsWith(cloudTrail);
        boolean wanted =
            from == null
                ? !isCloudTrail
                : isCloudTrail && folders.stream().anyMatch(f.toString()::contains);
        if (wanted) {
          Path target = exports.resolve(generated.relativize(f));
          java.nio.file.Files.createDirectories(target.getParent());
          java.nio.file.Files.copy(f, target);
          copied++;
        }
      }
    }
    return copied;
  }

  private int benchIngest(
      SparkSession spark,
      Lake lake,
      String exports,
      LocalDate date,
      GenerationSummary g,
      double generateSeconds) {
    String delivered = exports + "/aws-cloudtrail/AWSLogs/*/CloudTrail/*/*/*/*/*.json.gz";
    org.apache.hadoop.fs.Path glob = new org.apache.hadoop.fs.Path(delivered);
    long bytes = 0;
    List<String> files = new java.util.ArrayList<>();
    try {
      for (org.apache.hadoop.fs.FileStatus f :
          glob.getFileSystem(spark.sparkContext().hadoopConfiguration()).globStatus(glob)) {
        bytes += f.getLen();
        files.add(f.getPath().toString());
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    Progress.step("bare read");
    StructType records =
        new StructType()
            .add(
                "Records",
                org.apache.spark.sql.types.DataTypes.createArrayType(CloudTrail.EVENT_SCHEMA));
    long t0 = System.nanoTime();
    spark
        .read()
        .schema(records)
        .json(files.toArray(new String[0]))
        .selectExpr("explode(Records) AS e")
        .selectExpr("e.*")
        .write()
        .format("noop")
        .mode("overwrite")
        .save();
    double bareSeconds = (System.nanoTime() - t0) / 1e9;

    Progress.step("ingest");
    String runId = java.util.UUID.randomUUID().toString();
    RunReport report = new RunReport(runId, "ingest", date);
    t0 = System.nanoTime();
    IngestJob.Result result =
        IngestJob.run(
            lake,
            exports,
            List.of(CloudTrail.NAME),
            Map.of(),
            date,
            runId,
            java.sql.Timestamp.from(java.time.Instant.now()),
            report);
    double ingestSeconds = (System.nanoTime() - t0) / 1e9;
    Progress.done();
    long events = result.recordsRead();
    System.out.printf(
        Locale.ROOT,
        "%nagentlake bench --ingest: %,d CloudTrail events in %,d delivered files (%.1f MB gzipped),"
            + " %d cores%n",
        events,
        files.size(),
        bytes / 1e6,
        spark.sparkContext().defaultParallelism());
    System.out.printf(Locale.ROOT, "  generate          %7.1f s%n", generateSeconds);
    line("bare spark read", bareSeconds, g.cloudTrailEvents(), bytes);
    line("agentlake ingest", ingestSeconds, events, bytes);
    report
        .root()
        .path("ingest_phases_ms")
        .fields()
        .forEachRemaining(
            p ->
                System.out.printf(
                    Locale.ROOT,
                    "      %-27s %7.1f s%n",
                    p.getKey(),
                    p.getValue().asLong() / 1000.0));
    System.out.printf(
        Locale.ROOT,
        "  ingest throughput is %.0f%% of the bare read (accepted %,d, quarantined %,d)%n",
        100 * bareSeconds / ingestSeconds,
        result.bySource().get(CloudTrail.NAME).accepted(),
        result.bySource().get(CloudTrail.NAME).quarantined());
    return 0;
  }

  private static void line(String label, double seconds, long records, long bytes) {
    System.out.printf(
        Locale.ROOT,
        "  %-17s %7.1f s   %,10.0f records/s   %6.1f MB/s (gzipped)%n",
        label,
        seconds,
        records / seconds,
        bytes / 1e6 / seconds);
  }

  private static void print(String label, RunReport report) {
    System.out.println("  " + label + ":");
    long records = report.root().path("stages").path(0).path("records_read").asLong();
    for (JsonNode stage : report.root().path("stages")) {
      double seconds = stage.path("duration_ms").asLong() / 1000.0;
      String rate =
          stage.path("stage").asText().equals("ingest") && seconds > 0 && records > 0
              ? String.format(Locale.ROOT, "%,10.0f records/s", records / seconds)
              : "";
      System.out.printf(
          Locale.ROOT, "    %-18s %7.1f s   %s%n", stage.path("stage").asText(), seconds, rate);
    }
  }
}
