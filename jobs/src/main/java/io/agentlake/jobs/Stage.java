package io.agentlake.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentlake.jobs.ingest.IngestJob;
import io.agentlake.jobs.lake.Leases;
import io.agentlake.transforms.sources.Sources;
import java.util.List;
import java.util.Map;

/**
 * The stages of a run, each with the leases it needs and the report section it fills. {@code
 * nightly} runs them all in this order; every other command runs one; the Airflow DAG's tasks are
 * those commands. So a stage means the same thing wherever it runs.
 */
public enum Stage {
  /** New export files of the run's sources into bronze and quarantine. */
  INGEST("ingest") {
    @Override
    List<String> leaseScopes(RunContext run) {
      return IngestJob.leaseScopes(run.sources());
    }

    @Override
    void run(RunContext run, ObjectNode section) {
      IngestJob.Result result =
          IngestJob.run(
              run.lake(),
              run.exportsUri(),
              run.sources(),
              run.config().sourcePaths(),
              run.date(),
              run.runId(),
              run.started(),
              run.report(),
              run.leases());
      section
          .put("new_files", result.newFiles())
          .put("records_read", result.recordsRead())
          .put("quarantined", result.quarantinedEntries());
    }
  },

  /** The quality gate over every file ingested for the date, as the exports now stand. */
  GATE("gate") {
    @Override
    List<String> leaseScopes(RunContext run) {
      return List.of();
    }

    @Override
    void run(RunContext run, ObjectNode section) {
      QualityGate.judge(run, section);
    }
  },

  /** Bronze to silver. */
  CORRELATE("correlate") {
    @Override
    void run(RunContext run, ObjectNode section) {
      Map<String, TableWrite> silver =
          CorrelateJob.run(run.lake(), run.report(), run.date(), run.full());
      TableWrite.report(section, silver);
    }
  },

  /** Silver to gold for the date. */
  ANALYZE("analyze") {
    @Override
    void run(RunContext run, ObjectNode section) {
      TableWrite.report(section, AnalyzeJob.run(run.lake(), run.date(), run.config()));
      run.analyzed();
    }
  },

  /**
   * Weekly housekeeping of every table (OPTIMIZE, VACUUM). It commits to every table, bronze
   * included, so it holds every lease a nightly holds: it never runs beside an ingest or a stage.
   */
  MAINTAIN("maintain") {
    @Override
    List<String> leaseScopes(RunContext run) {
      List<String> scopes = new java.util.ArrayList<>(IngestJob.leaseScopes(Sources.ALL));
      scopes.add(Leases.LAKE);
      return scopes;
    }

    @Override
    void run(RunContext run, ObjectNode section) {
      ObjectNode tables = section.putObject("tables");
      MaintainJob.run(run.lake(), run.retentionDays())
          .forEach(
              (table, m) ->
                  tables
                      .putObject(table)
                      .put("files_before", m.filesBefore())
                      .put("files_after", m.filesAfter())
                      .put("bytes_after", m.bytesAfter()));
      section.put("retention_days", run.retentionDays());
    }
  },

  /** Records the date's gold as published, with each gold table's Delta version. */
  PUBLISH("publish") {
    @Override
    void run(RunContext run, ObjectNode section) {
      Publish.publish(run, section);
    }
  };

  private final String label;

  Stage(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }

  /** Silver and gold writers hold the lake-wide lease. */
  List<String> leaseScopes(RunContext run) {
    return List.of(Leases.LAKE);
  }

  abstract void run(RunContext run, ObjectNode section);
}
