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
    name = "gate",
    mixinStandardHelpOptions = true,
    description =
        "The quality gate for --date: judges every file ingested for the date, as the exports"
            + " now stand, and exits 3 when the quarantined share is above quarantine-threshold."
            + " Re-running fails the same way until the files are fixed or removed.")
final class GateCommand implements Callable<Integer> {

  @Option(names = "--exports", required = true, paramLabel = "URI", description = "Exports root.")
  String exports;

  @Mixin LakeOptions options;

  @Option(
      names = "--accept-quarantine",
      description =
          "Pass even when the quarantined share is above the threshold; the override is recorded"
              + " in the run report.")
  boolean acceptQuarantine;

  @Override
  public Integer call() {
    var date = options.runDate();
    var spark = Spark.session("agentlake gate " + date);
    var config = options.config(spark.sparkContext().hadoopConfiguration());
    RunContext run =
        new RunContext(new Lake(spark, options.lake), "gate", date, config)
            .exports(exports)
            .acceptQuarantine(acceptQuarantine);
    return LakeOptions.runStages(run, List.of(Stage.GATE), options.reportFile());
  }
}
