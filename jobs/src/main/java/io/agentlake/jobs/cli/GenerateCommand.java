package io.agentlake.jobs.cli;

import io.agentlake.jobs.Errors;
import io.agentlake.jobs.generate.GenerationSummary;
import io.agentlake.jobs.generate.GeneratorOptions;
import io.agentlake.jobs.generate.OrgGenerator;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    description =
        "Writes the exports of one synthetic organisation in the vendors' native formats, plus ground_truth.json listing every planted finding. Same seed, same bytes.")
final class GenerateCommand implements Callable<Integer> {

  @Option(
      names = "--out",
      required = true,
      paramLabel = "URI",
      description = "Where to write the exports (a path or Hadoop URI).")
  String out;

  @Option(
      names = "--seed",
      paramLabel = "N",
      description = "Random seed (default ${DEFAULT-VALUE}).")
  long seed = GeneratorOptions.DEFAULT_SEED;

  @Option(
      names = "--agents",
      paramLabel = "N",
      description = "Number of agents, at least 12 (default ${DEFAULT-VALUE}).")
  int agents = GeneratorOptions.DEFAULT_AGENTS;

  @Option(
      names = "--days",
      paramLabel = "N",
      description = "Days of history (default ${DEFAULT-VALUE}).")
  int days = GeneratorOptions.DEFAULT_DAYS;

  @Option(
      names = "--events-per-day",
      paramLabel = "N",
      description = "CloudTrail events per day across accounts (default ${DEFAULT-VALUE}).")
  int eventsPerDay = GeneratorOptions.DEFAULT_EVENTS_PER_DAY;

  @Option(
      names = "--start-date",
      paramLabel = "YYYY-MM-DD",
      description = "First day of history (default 2026-10-01).")
  String startDate;

  @Override
  public Integer call() throws Exception {
    GeneratorOptions options;
    try {
      options =
          new GeneratorOptions(
              out,
              seed,
              agents,
              days,
              eventsPerDay,
              startDate == null
                  ? GeneratorOptions.DEFAULT_START_DATE
                  : LakeOptions.parseDate("--start-date", startDate));
    } catch (IllegalArgumentException e) {
      throw Errors.badOption("the generator options", e.getMessage());
    }
    long t0 = System.nanoTime();
    GenerationSummary s = OrgGenerator.generate(options, new Configuration());
    System.out.printf(
        java.util.Locale.ROOT,
        "wrote %d files (%.1f MB): %d agents, %d accounts, %d CloudTrail events, %s to %s, in %.1f s%n",
        s.files(),
        s.bytes() / 1e6,
        s.agents(),
        s.accounts(),
        s.cloudTrailEvents(),
        options.startDate(),
        options.endDate(),
        (System.nanoTime() - t0) / 1e9);
    System.out.println("ground truth: " + out + "/ground_truth.json");
    return 0;
  }
}
