package io.agentlake.jobs.cli;

import io.agentlake.jobs.Errors;
import io.agentlake.jobs.config.AgentlakeConfig;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Options shared by the commands that run stages: where the lake is, the date, the config. */
final class LakeOptions {

  @Option(
      names = "--lake",
      required = true,
      paramLabel = "URI",
      description = "Lake root (any Hadoop URI: a path, file:/..., s3a://...).")
  String lake;

  @Option(
      names = "--date",
      required = true,
      paramLabel = "YYYY-MM-DD",
      description = "Run date: analysis is as of the end of this UTC day.")
  String date;

  @Mixin RunFiles files;

  @Option(
      names = "--window-days",
      paramLabel = "N",
      description =
          "Usage window W for unused privileges (1-365; overrides window-days in --config;"
              + " default "
              + AgentlakeConfig.DEFAULT_WINDOW_DAYS
              + ").")
  Integer windowDays;

  @Option(
      names = "--grace-days",
      paramLabel = "N",
      description =
          "Grants younger than this are TOO_NEW (0-365; default "
              + AgentlakeConfig.DEFAULT_GRACE_DAYS
              + ").")
  Integer graceDays;

  @Option(
      names = "--idle-days",
      paramLabel = "N",
      description =
          "Days without activity that make an agent IDLE (1-3650; default "
              + AgentlakeConfig.DEFAULT_IDLE_DAYS
              + ").")
  Integer idleDays;

  /**
   * Runs {@code stages} as one run of {@code run.command()} and prints its report on standard
   * output, whatever the outcome; a failure propagates to the CLI's error handler (exit code).
   */
  static int runStages(
      io.agentlake.jobs.RunContext run,
      java.util.List<io.agentlake.jobs.Stage> stages,
      String reportFile) {
    try {
      io.agentlake.jobs.StageRunner.run(run, stages, reportFile);
    } finally {
      Progress.done();
      System.out.println(run.report().toJson());
    }
    return 0;
  }

  LocalDate runDate() {
    return parseDate("--date", date);
  }

  AgentlakeConfig config(Configuration hadoop) {
    AgentlakeConfig base = files.load(hadoop);
    try {
      return base.withWindowDays(windowDays).withGraceDays(graceDays).withIdleDays(idleDays);
    } catch (AgentlakeConfig.OutOfRange e) {
      // The file's values were checked by load, so what is out of range here came from a flag.
      throw Errors.flagOutOfRange("--" + e.key(), e.allowed(), e.got());
    }
  }

  String reportFile() {
    return files.reportFile;
  }

  static LocalDate parseDate(String option, String value) {
    try {
      return LocalDate.parse(value);
    } catch (DateTimeParseException e) {
      throw Errors.badOption(option, "'" + value + "' is not a date like 2026-10-30");
    }
  }
}
