package io.agentlake.jobs.cli;

import io.agentlake.jobs.Errors;
import io.agentlake.jobs.RunReport;
import io.agentlake.jobs.ingest.IngestJob;
import io.agentlake.jobs.lake.Lake;
import io.agentlake.jobs.lake.Spark;
import io.agentlake.schemas.Sources;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "ingest",
    mixinStandardHelpOptions = true,
    description = "Ingest new export files (all sources, or one) into bronze and quarantine.")
final class IngestCommand implements Callable<Integer> {

  @Option(names = "--exports", required = true, paramLabel = "URI", description = "Exports root.")
  String exports;

  @Option(
      names = "--source",
      paramLabel = "TYPE",
      description = "Only this source type (e.g. aws-cloudtrail).")
  String source;

  @Mixin LakeOptions options;

  @Override
  public Integer call() {
    if (source != null && !Sources.isKnownSource(source)) {
      throw Errors.unknownSource(source, Sources.ALL);
    }
    var date = options.runDate();
    var spark = Spark.session("agentlake ingest " + date);
    var config = options.config(spark.sparkContext().hadoopConfiguration());
    String runId = UUID.randomUUID().toString();
    RunReport report = new RunReport(runId, "ingest", date);
    IngestJob.Result result =
        IngestJob.run(
            new Lake(spark, options.lake),
            exports,
            source == null ? Sources.ALL : List.of(source),
            config.sourcePaths(),
            date,
            runId,
            Timestamp.from(Instant.now()),
            report);
    System.out.println(report.toJson());
    if (result.quarantinedShare() > config.quarantineThreshold()) {
      throw Errors.qualityGate(
          date.toString(),
          result.quarantinedShare(),
          config.quarantineThreshold(),
          result.worstFiles());
    }
    return 0;
  }
}
