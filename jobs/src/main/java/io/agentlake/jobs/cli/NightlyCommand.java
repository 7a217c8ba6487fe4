package io.agentlake.jobs.cli;

import io.agentlake.jobs.Errors;
import io.agentlake.jobs.NightlyJob;
import io.agentlake.jobs.RunReport;
import io.agentlake.jobs.lake.Lake;
import io.agentlake.jobs.lake.Spark;
import io.agentlake.schemas.Sources;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "nightly",
    mixinStandardHelpOptions = true,
    description =
        "Ingest -> correlate -> analyze for one date: bronze, silver and gold Delta tables under --lake, and a JSON run report. Re-running a date replaces that date and duplicates nothing.")
final class NightlyCommand implements Callable<Integer> {

  @Option(
      names = "--exports",
      required = true,
      paramLabel = "URI",
      description = "Exports root: <exports>/<source-type>/...")
  String exports;

  @Mixin LakeOptions options;

  @Option(
      names = "--report",
      paramLabel = "FILE",
      description = "Write the JSON run report here (a path or Hadoop URI).")
  String reportFile;

  @Override
  public Integer call() {
    var date = options.runDate();
    SparkSession spark = Spark.session("agentlake nightly " + date);
    var config = options.config(spark.sparkContext().hadoopConfiguration());
    Lake lake = new Lake(spark, options.lake);
    RunReport report;
    try {
      report = NightlyJob.run(lake, exports, date, config, Sources.ALL, Progress::step);
    } finally {
      Progress.done();
    }
    writeReport(spark, report);
    System.out.println(report.toJson());
    return 0;
  }

  private void writeReport(SparkSession spark, RunReport report) {
    if (reportFile == null) {
      return;
    }
    Path path = new Path(reportFile);
    try (OutputStream out =
        path.getFileSystem(spark.sparkContext().hadoopConfiguration()).create(path, true)) {
      out.write(report.toJson().getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw Errors.storage("write the report to", reportFile, e);
    }
  }
}
