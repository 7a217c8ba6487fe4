package io.agentlake.jobs.cli;

import io.agentlake.jobs.Errors;
import io.agentlake.jobs.RunContext;
import io.agentlake.jobs.Stage;
import io.agentlake.jobs.lake.Lake;
import io.agentlake.jobs.lake.Spark;
import io.agentlake.transforms.sources.Sources;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "ingest",
    mixinStandardHelpOptions = true,
    description =
        "Ingest new export files (all sources, or one) into bronze and quarantine. The quality"
            + " gate is the separate 'gate' stage.")
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
    RunContext run =
        new RunContext(new Lake(spark, options.lake), "ingest", date, config)
            .exports(exports)
            .sources(source == null ? Sources.ALL : List.of(source));
    return LakeOptions.runStages(run, List.of(Stage.INGEST), options.reportFile());
  }
}
