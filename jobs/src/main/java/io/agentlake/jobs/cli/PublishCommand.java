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
    name = "publish",
    mixinStandardHelpOptions = true,
    description =
        "Record --date's gold as published (each gold table's Delta version and rows) once its"
            + " quality gate passed and analyze completed after it; exits 3 otherwise.")
final class PublishCommand implements Callable<Integer> {

  @Mixin LakeOptions options;

  @Override
  public Integer call() {
    var date = options.runDate();
    var spark = Spark.session("agentlake publish " + date);
    var config = options.config(spark.sparkContext().hadoopConfiguration());
    RunContext run = new RunContext(new Lake(spark, options.lake), "publish", date, config);
    return LakeOptions.runStages(run, List.of(Stage.PUBLISH), options.reportFile());
  }
}
