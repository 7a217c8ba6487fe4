package io.agentlake.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentlake.jobs.lake.Lake;
import io.agentlake.jobs.lake.Leases;
import io.agentlake.jobs.lake.RunLedger;
import io.agentlake.schemas.Tables;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.apache.hadoop.fs.Path;

/**
 * Runs stages in order as one run: creates the shared tables, takes every lease the stages need at
 * once (all or nothing, so two runs cannot each hold half of what the other waits for), names each
 * stage's Spark jobs, times it into its report section, and on every outcome the JVM survives —
 * success, a failed quality gate, a refused lease, any error — writes the report to the {@code
 * --report} file and one row to {@code ledger.runs} saying which stage failed and why.
 */
public final class StageRunner {

  /** Tables every run may write first; created before any lease is taken or any ingest starts. */
  private static final List<io.agentlake.schemas.TableContract> SHARED =
      List.of(Tables.RUNS, Tables.LEASES, Tables.INGESTED_FILES, Tables.QUARANTINE);

  private StageRunner() {}

  /**
   * Runs {@code stages} for {@code run}; returns its report, or throws the failure after recording
   * it. {@code reportFile} (a Hadoop URI or path) may be null.
   */
  public static RunReport run(RunContext run, List<Stage> stages, String reportFile) {
    RunReport report = run.report();
    Lake lake = run.lake();
    String current = "prepare";
    try {
      group(lake, "prepare", "prepare: create shared tables");
      lake.ensure(SHARED);
      TreeSet<String> scopes = new TreeSet<>();
      stages.forEach(s -> scopes.addAll(s.leaseScopes(run)));
      current = "lease";
      Leases.Held held =
          scopes.isEmpty()
              ? null
              : new Leases(lake)
                  .acquire(
                      new ArrayList<>(scopes),
                      run.runId(),
                      run.command(),
                      run.config().leaseTtlSeconds(),
                      run.config().leaseWaitSeconds());
      run.leases(held);
      try {
        if (held != null) {
          report.root().putPOJO("leases", held.scopes());
          if (!held.takenOver().isEmpty()) {
            report.root().putPOJO("leases_taken_over", held.takenOver());
          }
        }
        for (Stage stage : stages) {
          current = stage.label();
          run.progressSink().accept(String.format("%-9s %s", stage.label(), run.date()));
          group(lake, stage.label(), stage.label() + " " + run.date());
          long t0 = System.nanoTime();
          ObjectNode section = report.stage(stage.label(), 0);
          try {
            stage.run(run, section);
            section.put("outcome", "SUCCEEDED");
          } catch (Exception e) { // Delta's AnalysisException is checked, and thrown undeclared
            section.put("outcome", outcomeOf(e));
            throw e;
          } finally {
            section.put("duration_ms", (System.nanoTime() - t0) / 1_000_000);
          }
        }
      } finally {
        if (held != null) {
          held.close();
        }
      }
      report.status("SUCCEEDED");
      return report;
    } catch (Exception e) {
      report.status(outcomeOf(e));
      report.root().put("failed_stage", current);
      ObjectNode error = report.root().putObject("error");
      AgentlakeException known = Errors.find(e);
      if (known != null) {
        error.put("problem", known.problem());
        error.put("cause", known.why());
        error.put("fix", known.fix());
        error.put("exit_code", known.exitCode());
      } else {
        error.put("problem", e.getClass().getSimpleName() + ": " + e.getMessage());
        error.put("exit_code", AgentlakeException.RETRYABLE);
      }
      throw e;
    } finally {
      writeReportFile(run, reportFile);
      recordRun(run);
    }
  }

  private static String outcomeOf(Exception e) {
    AgentlakeException known = Errors.find(e);
    return known == null ? "FAILED" : known.runStatus();
  }

  /** The report file comes first: it may be reachable when the lake is not. */
  private static void writeReportFile(RunContext run, String reportFile) {
    if (reportFile == null) {
      return;
    }
    Path path = new Path(reportFile);
    try (OutputStream out =
        path.getFileSystem(run.lake().spark().sparkContext().hadoopConfiguration())
            .create(path, true)) {
      out.write(run.report().toJson().getBytes(StandardCharsets.UTF_8));
    } catch (Exception e) {
      System.err.println(
          "agentlake: could not write the run report to "
              + reportFile
              + " ("
              + e.getClass().getSimpleName()
              + ": "
              + e.getMessage()
              + "); it is printed on standard output");
    }
  }

  private static void recordRun(RunContext run) {
    try {
      new RunLedger(run.lake())
          .record(
              run.runId(),
              run.date(),
              run.command(),
              run.report().root().path("status").asText("FAILED"),
              run.report().toJson());
    } catch (Exception e) {
      System.err.println(
          "agentlake: could not record run "
              + run.runId()
              + " in ledger.runs ("
              + e.getClass().getSimpleName()
              + ": "
              + e.getMessage()
              + ")");
    }
  }

  private static void group(Lake lake, String group, String description) {
    lake.spark().sparkContext().setJobGroup(group, description, false);
  }
}
