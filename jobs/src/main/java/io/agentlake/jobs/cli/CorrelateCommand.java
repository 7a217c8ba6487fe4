package io.agentlake.jobs.cli;

import io.agentlake.jobs.CorrelateJob;
import io.agentlake.jobs.RunReport;
import io.agentlake.jobs.lake.Lake;
import io.agentlake.jobs.lake.Spark;
import java.util.UUID;
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
    RunReport report = new RunReport(UUID.randomUUID().toString(), "correlate", date);
    long t0 = System.nanoTime();
    var writes = CorrelateJob.run(new Lake(spark, options.lake), report, date, full);
    io.agentlake.jobs.TableWrite.report(
        report.stage("correlate", (System.nanoTime() - t0) / 1_000_000), writes);
    System.out.println(report.toJson());
    return 0;
  }
}
