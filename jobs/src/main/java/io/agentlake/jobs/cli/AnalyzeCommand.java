package io.agentlake.jobs.cli;

import io.agentlake.jobs.AnalyzeJob;
import io.agentlake.jobs.RunReport;
import io.agentlake.jobs.lake.Lake;
import io.agentlake.jobs.lake.Spark;
import java.util.UUID;
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
    RunReport report = new RunReport(UUID.randomUUID().toString(), "analyze", date);
    long t0 = System.nanoTime();
    var writes = AnalyzeJob.run(new Lake(spark, options.lake), date, config);
    io.agentlake.jobs.TableWrite.report(
        report.stage("analyze", (System.nanoTime() - t0) / 1_000_000), writes);
    System.out.println(report.toJson());
    return 0;
  }
}
