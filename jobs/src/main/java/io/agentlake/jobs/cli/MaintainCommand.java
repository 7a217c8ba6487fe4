package io.agentlake.jobs.cli;

import io.agentlake.jobs.MaintainJob;
import io.agentlake.jobs.RunContext;
import io.agentlake.jobs.Stage;
import io.agentlake.jobs.lake.Lake;
import io.agentlake.jobs.lake.Spark;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "maintain",
    mixinStandardHelpOptions = true,
    description =
        "Compact every lake table's small files (Delta OPTIMIZE) and remove unreferenced files"
            + " older than the retention (VACUUM). Time travel reaches back as far as the"
            + " retention, so keep it as long as your evidence needs. Holds every lease a nightly"
            + " holds, so it waits for (or refuses beside) any other run on the lake, and is"
            + " recorded in ledger.runs with a JSON report on standard output.")
final class MaintainCommand implements Callable<Integer> {

  @Option(names = "--lake", required = true, paramLabel = "URI", description = "Lake root.")
  String lake;

  @Option(
      names = "--retention-days",
      paramLabel = "N",
      description = "Keep unreferenced files this long (default ${DEFAULT-VALUE}; at least 7).")
  int retentionDays = MaintainJob.DEFAULT_RETENTION_DAYS;

  /** The config's lease-ttl-seconds and lease-wait-seconds apply; the report is maintain's. */
  @Mixin RunFiles files;

  @Override
  public Integer call() {
    // Before any Spark or table: a refused retention changes nothing.
    MaintainJob.checkRetention(retentionDays);
    var spark = Spark.session("agentlake maintain");
    var settings = files.load(spark.sparkContext().hadoopConfiguration());
    RunContext run =
        new RunContext(new Lake(spark, lake), "maintain", LocalDate.now(ZoneOffset.UTC), settings)
            .retentionDays(retentionDays)
            .progress(Progress::step);
    return LakeOptions.runStages(run, List.of(Stage.MAINTAIN), files.reportFile);
  }
}
