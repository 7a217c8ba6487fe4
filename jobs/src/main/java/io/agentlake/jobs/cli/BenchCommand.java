package io.agentlake.jobs.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentlake.jobs.NightlyJob;
import io.agentlake.jobs.RunReport;
import io.agentlake.jobs.config.AgentlakeConfig;
import io.agentlake.jobs.generate.GenerationSummary;
import io.agentlake.jobs.generate.GeneratorOptions;
import io.agentlake.jobs.generate.OrgGenerator;
import io.agentlake.jobs.lake.Lake;
import io.agentlake.jobs.lake.Spark;
import io.agentlake.schemas.Sources;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description =
        "Measures a nightly run: generates an organisation of the given size, runs nightly for its last day, then runs the same date again (nothing new to ingest), and prints the figures.")
final class BenchCommand implements Callable<Integer> {

  @Option(
      names = "--dir",
      paramLabel = "DIR",
      description = "Working folder (default ${DEFAULT-VALUE}); replaced on each run.")
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

  @Override
  public Integer call() throws Exception {
    Path root = Path.of(dir).toAbsolutePath();
    SparkSession spark = Spark.session("agentlake bench");
    FileSystem.get(root.toUri(), spark.sparkContext().hadoopConfiguration())
        .delete(new org.apache.hadoop.fs.Path(root.toUri()), true);
    String exports = root.resolve("exports").toUri().toString();
    GeneratorOptions options =
        new GeneratorOptions(
            exports,
            GeneratorOptions.DEFAULT_SEED,
            agents,
            days,
            eventsPerDay,
            GeneratorOptions.DEFAULT_START_DATE);
    long t0 = System.nanoTime();
    GenerationSummary g =
        OrgGenerator.generate(options, spark.sparkContext().hadoopConfiguration());
    double generateSeconds = (System.nanoTime() - t0) / 1e9;

    Lake lake = new Lake(spark, root.resolve("lake").toUri().toString());
    LocalDate date = options.endDate();
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
