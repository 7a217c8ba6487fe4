package io.agentlake.jobs.cli;

import io.agentlake.jobs.RunContext;
import io.agentlake.jobs.Stage;
import io.agentlake.jobs.lake.Lake;
import io.agentlake.jobs.lake.Spark;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "analyze",
    mixinStandardHelpOptions = true,
    description = "Compute the gold tables for --date from silver, replacing that date's rows.")
final class AnalyzeCommand implements Callable<Integer> {

  @Mixin LakeOptions options;

  @Override
  public Integer call() {
    var date = options.runDate();
    var spark = Spark.session("agentlake analyze " + date);
    var config = options.config(spark.sparkContext().hadoopConfiguration());
    RunContext run = new RunContext(new Lake(spark, options.lake), "analyze", date, config);
    return LakeOptions.runStages(run, List.of(Stage.ANALYZE), options.reportFile());
  }
}
