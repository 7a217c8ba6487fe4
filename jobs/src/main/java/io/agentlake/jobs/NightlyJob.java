package io.agentlake.jobs;

import io.agentlake.jobs.config.AgentlakeConfig;
import io.agentlake.jobs.ingest.IngestJob;
import io.agentlake.jobs.lake.Lake;
import io.agentlake.jobs.lake.RunLedger;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The stages in order for one date — ingest, quality gate, correlate, analyze — with a run report
 * and a row in {@code ledger.runs}. A failed quality gate stops before gold is published for the
 * date, after keeping what was good in bronze.
 */
public final class NightlyJob {

  private NightlyJob() {}

  public static RunReport run(
      Lake lake,
      String exportsUri,
      LocalDate date,
      AgentlakeConfig config,
      List<String> sources,
      Consumer<String> progress) {
    String runId = UUID.randomUUID().toString();
    Timestamp started = Timestamp.from(Instant.now());
    RunReport report = new RunReport(runId, "nightly", date);
    try {
      long t0 = System.nanoTime();
      progress.accept("ingest    " + date);
      IngestJob.Result ingest =
          IngestJob.run(
              lake, exportsUri, sources, config.sourcePaths(), date, runId, started, report);
      report
          .stage("ingest", millisSince(t0))
          .put("new_files", ingest.newFiles())
          .put("records_read", ingest.recordsRead())
          .put("quarantined", ingest.quarantinedEntries());
      double share = ingest.quarantinedShare();
      report.root().put("quarantined_share", share);
      if (share > config.quarantineThreshold()) {
        report.status("QUALITY_GATE_FAILED");
        throw Errors.qualityGate(
            date.toString(), share, config.quarantineThreshold(), ingest.worstFiles());
      }

      long t1 = System.nanoTime();
      progress.accept("correlate " + date);
      Map<String, TableWrite> silver = CorrelateJob.run(lake, report, date);
      TableWrite.report(report.stage("correlate", millisSince(t1)), silver);

      long t2 = System.nanoTime();
      progress.accept("analyze   " + date);
      Map<String, TableWrite> gold = AnalyzeJob.run(lake, date, config);
      TableWrite.report(report.stage("analyze", millisSince(t2)), gold);
      report.status("SUCCEEDED");
      return report;
    } catch (RuntimeException e) {
      if (!report.root().has("status")) {
        report.status("FAILED");
      }
      report.root().put("error", String.valueOf(e.getMessage()));
      throw e;
    } finally {
      recordRun(lake, report, date);
    }
  }

  private static void recordRun(Lake lake, RunReport report, LocalDate date) {
    new RunLedger(lake)
        .record(
            report.runId(),
            date,
            "nightly",
            report.root().path("status").asText("FAILED"),
            report.toJson());
  }

  private static long millisSince(long nanos) {
    return (System.nanoTime() - nanos) / 1_000_000;
  }
}
