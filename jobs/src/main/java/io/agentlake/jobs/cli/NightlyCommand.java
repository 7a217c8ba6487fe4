package io.agentlake.jobs.cli;

import io.agentlake.jobs.NightlyJob;
import io.agentlake.jobs.RunContext;
import io.agentlake.jobs.lake.Lake;
import io.agentlake.jobs.lake.Spark;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "nightly",
    mixinStandardHelpOptions = true,
    description =
        "Ingest -> quality gate -> correlate -> analyze -> publish for one date: bronze, silver"
            + " and gold Delta tables under --lake, and a JSON run report. Re-running a date"
            + " replaces that date and duplicates nothing.")
final class NightlyCommand implements Callable<Integer> {

  @Option(
      names = "--exports",
      required = true,
      paramLabel = "URI",
      description = "Exports root: <exports>/<source-type>/...")
  String exports;

  @Mixin LakeOptions options;

  @Option(
      names = "--accept-quarantine",
      description =
          "Pass the quality gate even when the quarantined share is above the threshold; the"
              + " override is recorded in the run report.")
  boolean acceptQuarantine;

  @Override
  public Integer call() {
    var date = options.runDate();
    SparkSession spark = Spark.session("agentlake nightly " + date);
    var config = options.config(spark.sparkContext().hadoopConfiguration());
    RunContext run =
        new RunContext(new Lake(spark, options.lake), "nightly", date, config)
            .exports(exports)
            .acceptQuarantine(acceptQuarantine)
            .progress(Progress::step);
    return LakeOptions.runStages(run, NightlyJob.STAGES, options.reportFile());
  }
}
