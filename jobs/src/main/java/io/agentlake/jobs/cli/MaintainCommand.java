package io.agentlake.jobs.cli;

import io.agentlake.jobs.MaintainJob;
import io.agentlake.jobs.lake.Lake;
import io.agentlake.jobs.lake.Spark;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "maintain",
    mixinStandardHelpOptions = true,
    description =
        "Compact every lake table's small files (Delta OPTIMIZE) and remove unreferenced files"
            + " older than the retention (VACUUM). Time travel reaches back as far as the"
            + " retention, so keep it as long as your evidence needs.")
final class MaintainCommand implements Callable<Integer> {

  @Option(names = "--lake", required = true, paramLabel = "URI", description = "Lake root.")
  String lake;

  @Option(
      names = "--retention-days",
      paramLabel = "N",
      description = "Keep unreferenced files this long (default ${DEFAULT-VALUE}; at least 7).")
  int retentionDays = 30;

  @Override
  public Integer call() {
    var spark = Spark.session("agentlake maintain");
    var result = MaintainJob.run(new Lake(spark, lake), retentionDays);
    result.forEach(
        (table, m) ->
            System.out.printf(
                Locale.ROOT,
                "%-34s files %5d -> %5d   %,12d bytes%n",
                table,
                m.filesBefore(),
                m.filesAfter(),
                m.bytesAfter()));
    return 0;
  }
}
