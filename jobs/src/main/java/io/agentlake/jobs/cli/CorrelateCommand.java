package io.agentlake.jobs.cli;

import io.agentlake.jobs.RunContext;
import io.agentlake.jobs.Stage;
import io.agentlake.jobs.lake.Lake;
import io.agentlake.jobs.lake.Spark;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "correlate",
    mixinStandardHelpOptions = true,
    description =
        "Bring the CloudTrail daily aggregates (activity, principals, coverage, unmapped events)"
            + " up to date with the ingests not yet folded in, then rebuild the other silver tables"
            + " (identities, agents, edges from the inventory and the principals' daily facts;"
            + " entitlements) from bronze.")
final class CorrelateCommand implements Callable<Integer> {

  @Mixin LakeOptions options;

  @Option(
      names = "--full",
      description =
          "Rebuild the CloudTrail daily aggregates from all of bronze instead of recomputing only"
              + " the days new ingests touched (after bronze was changed by hand, or to check).")
  boolean full;

  @Override
  public Integer call() {
    var date = options.runDate();
    var spark = Spark.session("agentlake correlate " + date);
    var config = options.config(spark.sparkContext().hadoopConfiguration());
    RunContext run =
        new RunContext(new Lake(spark, options.lake), "correlate", date, config).full(full);
    return LakeOptions.runStages(run, List.of(Stage.CORRELATE), options.reportFile());
  }
}
