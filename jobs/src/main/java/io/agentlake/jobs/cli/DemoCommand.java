package io.agentlake.jobs.cli;

import io.agentlake.jobs.Errors;
import io.agentlake.jobs.NightlyJob;
import io.agentlake.jobs.config.AgentlakeConfig;
import io.agentlake.jobs.generate.GenerationSummary;
import io.agentlake.jobs.generate.GeneratorOptions;
import io.agentlake.jobs.generate.OrgGenerator;
import io.agentlake.jobs.lake.Lake;
import io.agentlake.jobs.lake.Spark;
import io.agentlake.transforms.sources.Sources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description =
        "Generate a small organisation, run nightly for its last days into a local lake, and print what a security lead wants to read first.")
final class DemoCommand implements Callable<Integer> {

  /**
   * The demo's window: its history is 30 days, so the default 90-day window could judge nothing.
   */
  static final int DEMO_WINDOW_DAYS = 28;

  @Option(
      names = "--dir",
      paramLabel = "DIR",
      description =
          "Working folder for exports and lake (default ${DEFAULT-VALUE}); replaced on each run,"
              + " so it must be new, empty, or one a previous demo or bench created.")
  String dir = ".agentlake/demo";

  @Option(
      names = "--agents",
      paramLabel = "N",
      description = "Agents in the organisation (default ${DEFAULT-VALUE}).")
  int agents = 30;

  @Option(
      names = "--days",
      paramLabel = "N",
      description = "Days of history (default ${DEFAULT-VALUE}).")
  int days = 30;

  @Option(
      names = "--runs",
      paramLabel = "N",
      description = "Nightly runs, for the last N days in order (default ${DEFAULT-VALUE}).")
  int runs = 3;

  @Option(
      names = "--seed",
      paramLabel = "N",
      description = "Random seed (default ${DEFAULT-VALUE}).")
  long seed = GeneratorOptions.DEFAULT_SEED;

  /**
   * The file demo and bench leave in a folder they create. Its presence is their only licence to
   * delete that folder on the next run.
   */
  static final String SCRATCH_MARKER = ".agentlake-scratch";

  @Override
  public Integer call() throws Exception {
    Path root = Path.of(dir).toAbsolutePath();
    String exports = root.resolve("exports").toUri().toString();
    String lakeUri = root.resolve("lake").toUri().toString();
    GeneratorOptions options =
        generatorOptions(
            () ->
                new GeneratorOptions(
                    exports, seed, agents, days, 1500, GeneratorOptions.DEFAULT_START_DATE));
    claimScratchFolder(root, "demo");
    System.err.println(
        "agentlake demo: " + agents + " agents, " + days + " days of history, in " + root);

    SparkSession spark = Spark.session("agentlake demo");
    Progress.step("generate  exports in native formats");
    GenerationSummary s =
        OrgGenerator.generate(options, spark.sparkContext().hadoopConfiguration());
    Progress.done();
    System.err.printf(
        Locale.ROOT,
        "     %d files, %d CloudTrail events, %d accounts%n",
        s.files(),
        s.cloudTrailEvents(),
        s.accounts());

    AgentlakeConfig config = AgentlakeConfig.defaults().withWindowDays(DEMO_WINDOW_DAYS);
    Lake lake = new Lake(spark, lakeUri);
    LocalDate last = options.endDate();
    for (int i = Math.min(runs, days) - 1; i >= 0; i--) {
      NightlyJob.run(lake, exports, last.minusDays(i), config, Sources.ALL, Progress::step);
    }
    Progress.done();
    lake.registerTables();
    printSummary(spark, last, lakeUri);
    return 0;
  }

  /** Builds the generator's options, turning their range errors into a usage error. */
  static GeneratorOptions generatorOptions(Supplier<GeneratorOptions> options) {
    try {
      return options.get();
    } catch (IllegalArgumentException e) {
      throw Errors.badOption("the generator options", e.getMessage());
    }
  }

  /**
   * Makes {@code root} an empty folder marked as agentlake's: creates it, claims it when it is
   * empty, or empties it when an earlier run's marker is in it. Anything else (a folder with other
   * files and no marker, or a file) is refused before anything is touched.
   *
   * <p>Dangerous by nature: it deletes a tree. The marker is what stops {@code --dir ~} from
   * deleting a home folder; never relax the check to guess from the folder's contents.
   */
  static void claimScratchFolder(Path root, String command) throws IOException {
    if (Files.exists(root)) {
      if (!Files.isDirectory(root)) {
        throw Errors.notAScratchFolder(
            command, root.toString(), SCRATCH_MARKER, "is a file, not a folder");
      }
      boolean marked = Files.isRegularFile(root.resolve(SCRATCH_MARKER), LinkOption.NOFOLLOW_LINKS);
      List<Path> children;
      try (Stream<Path> list = Files.list(root)) {
        children = list.toList();
      }
      if (!marked && !children.isEmpty()) {
        throw Errors.notAScratchFolder(
            command,
            root.toString(),
            SCRATCH_MARKER,
            "is not empty and has no " + SCRATCH_MARKER + " file");
      }
      for (Path child : children) {
        deleteTree(child);
      }
    }
    Files.createDirectories(root);
    Files.writeString(
        root.resolve(SCRATCH_MARKER),
        "agentlake "
            + command
            + " created this folder at "
            + Instant.now()
            + " and deletes everything in it on each run.\n"
            + "Remove this file to stop demo and bench from ever deleting it.\n");
  }

  /** Deletes a file or a folder tree; symbolic links are removed, never followed. */
  private static void deleteTree(Path path) throws IOException {
    try (Stream<Path> tree = Files.walk(path)) {
      for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private static void printSummary(SparkSession spark, LocalDate date, String lakeUri) {
    String d = "DATE'" + date + "'";
    System.out.println();
    System.out.println(
        "agentlake — findings as of " + date + " (window " + DEMO_WINDOW_DAYS + " days)");
    System.out.println();
    System.out.println("The 10 riskiest agents, with the factors behind each score:");
    List<Row> top =
        spark
            .sql(
                "SELECT agent_id, name, score, tier,"
                    + " slice(transform(array_sort(filter(factors, f -> f.contribution > 0),"
                    + "   (a, b) -> CASE WHEN a.contribution > b.contribution THEN -1"
                    + "   WHEN a.contribution < b.contribution THEN 1 ELSE 0 END),"
                    + "   f -> concat(f.factor, ' +', format_number(f.contribution, 1))), 1, 3) AS top"
                    + " FROM gold.risk_scores WHERE as_of_date = "
                    + d
                    + " ORDER BY score DESC, agent_id LIMIT 10")
            .collectAsList();
    for (Row r : top) {
      System.out.printf(
          Locale.ROOT,
          "  %5.1f %-8s %-34s %s%n",
          r.getDouble(2),
          r.getString(3),
          r.getString(0),
          String.join(", ", r.<String>getList(4)));
    }
    System.out.println();
    System.out.println("Orphaned agents by reason:");
    for (Row r :
        spark
            .sql(
                "SELECT reason, count(*) AS agents, array_join(slice(sort_array(collect_list(agent_id)), 1, 3), ', ') AS examples"
                    + " FROM gold.orphaned_agents LATERAL VIEW explode(reasons) r AS reason"
                    + " WHERE as_of_date = "
                    + d
                    + " GROUP BY reason ORDER BY agents DESC, reason")
            .collectAsList()) {
      System.out.printf(
          Locale.ROOT, "  %-22s %3d   e.g. %s%n", r.getString(0), r.getLong(1), r.getString(2));
    }
    System.out.println();
    System.out.println("Unused privileges by level and verdict (rows a reviewer reads):");
    for (Row r :
        spark
            .sql(
                "SELECT level, verdict, count(*) FROM gold.unused_privileges WHERE as_of_date = "
                    + d
                    + " AND NOT coalesce(folded, false)"
                    + " GROUP BY level, verdict ORDER BY level, verdict")
            .collectAsList()) {
      System.out.printf(
          Locale.ROOT, "  %-9s %-22s %5d%n", r.getString(0), r.getString(1), r.getLong(2));
    }
    long folded =
        spark
            .sql(
                "SELECT count(*) FROM gold.unused_privileges WHERE as_of_date = "
                    + d
                    + " AND folded")
            .first()
            .getLong(0);
    System.out.printf(
        Locale.ROOT,
        "  (and %d ACTION rows folded into the SERVICE row of a service none of whose actions was"
            + " used: WHERE folded lists them)%n",
        folded);
    System.out.println();
    Row least =
        spark
            .sql(
                "SELECT count(*), coalesce(sum(grants_removed), 0),"
                    + " coalesce(sum(actions_before), 0), coalesce(sum(actions_after), 0),"
                    + " coalesce(sum(grants_narrowed), 0)"
                    + " FROM gold.least_privilege_policies WHERE as_of_date = "
                    + d)
            .first();
    System.out.printf(
        Locale.ROOT,
        "Least-privilege policies: %d principals; they remove %d unused grants and narrow %d"
            + " (%d granted actions down to %d)%n",
        least.getLong(0),
        least.getLong(1),
        least.getLong(4),
        least.getLong(2),
        least.getLong(3));
    Row queue =
        spark
            .sql(
                "SELECT count(*), count_if(status = 'OPEN'), count_if(status = 'SUPPRESSED')"
                    + " FROM gold.review_queue WHERE as_of_date = "
                    + d)
            .first();
    System.out.printf(
        Locale.ROOT,
        "Review queue: %d items, %d open, %d suppressed by an accepted risk%n",
        queue.getLong(0),
        queue.getLong(1),
        queue.getLong(2));
    System.out.println();
    System.out.println("Dig further, e.g. the unused grants of the riskiest agents' principals:");
    System.out.println(
        "  ./agentlake sql --lake "
            + lakeUri
            + " \"SELECT principal_arn, action_pattern, policy_name, days_unused FROM"
            + " gold.unused_privileges WHERE as_of_date = '"
            + date
            + "' AND level = 'GRANT' AND verdict = 'UNUSED' ORDER BY principal_arn\"");
    System.out.println("  and the policy that would replace a principal's grants:");
    System.out.println(
        "  ./agentlake sql --lake "
            + lakeUri
            + " --format json \"SELECT principal_arn, policy_document, changes FROM"
            + " gold.least_privilege_policies WHERE as_of_date = '"
            + date
            + "' LIMIT 1\"");
  }
}
