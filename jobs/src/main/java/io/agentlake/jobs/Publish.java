package io.agentlake.jobs;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentlake.jobs.lake.Lake;
import io.agentlake.schemas.TableContract;
import io.agentlake.schemas.Tables;
import io.agentlake.transforms.LakeTables;
import io.delta.tables.DeltaTable;
import java.io.IOException;
import java.sql.Date;
import org.apache.spark.sql.Row;

/**
 * Publish: the last stage. It refuses unless the date's newest quality-gate verdict passed and an
 * analyze completed after it, then records each gold table's Delta version and the date's row
 * count, so a reader (or an auditor) can name exactly the gold a run published. A stage that failed
 * half-way through analyze leaves gold that no publish names.
 */
final class Publish {

  private static final ObjectMapper JSON = new ObjectMapper();

  private Publish() {}

  static void publish(RunContext run, ObjectNode section) {
    Lake lake = run.lake();
    if (!run.analyzedInThisRun()) {
      requireGatedAndAnalyzed(lake, run);
    }
    ObjectNode tables = section.putObject("tables");
    for (TableContract t : LakeTables.ofLayer(TableContract.Layer.GOLD)) {
      if (!lake.exists(t)) {
        continue;
      }
      long version =
          DeltaTable.forPath(lake.spark(), lake.path(t))
              .history(1)
              .select("version")
              .first()
              .getLong(0);
      long rows =
          lake.read(t)
              .filter(col(Tables.AS_OF_DATE).equalTo(lit(Date.valueOf(run.date()))))
              .count();
      tables.putObject(t.name()).put("delta_version", version).put("rows", rows);
    }
    section.put("as_of_date", run.date().toString());
  }

  /**
   * Reads the date's finished runs in order: the newest one with a gate stage must have passed it,
   * and an analyze stage must have succeeded at or after it.
   */
  private static void requireGatedAndAnalyzed(Lake lake, RunContext run) {
    String gate = null;
    boolean analyzedAfterGate = false;
    for (Row r :
        lake.read(Tables.RUNS)
            .filter(
                col("run_date")
                    .equalTo(lit(Date.valueOf(run.date())))
                    .and(col("report_json").isNotNull()))
            .orderBy("event_time")
            .select("report_json")
            .collectAsList()) {
      JsonNode report;
      try {
        report = JSON.readTree(r.getString(0));
      } catch (IOException e) {
        continue;
      }
      for (JsonNode stage : report.path("stages")) {
        String outcome = stage.path("outcome").asText("");
        switch (stage.path("stage").asText()) {
          case "gate" -> {
            gate = outcome;
            analyzedAfterGate = false;
          }
          case "analyze" -> analyzedAfterGate = "SUCCEEDED".equals(outcome);
          default -> {}
        }
      }
    }
    String date = run.date().toString();
    if (gate == null) {
      throw Errors.notReadyToPublish(date, "no quality gate has judged " + date + " yet");
    }
    if (!"SUCCEEDED".equals(gate)) {
      throw Errors.notReadyToPublish(
          date, "the newest quality-gate verdict for " + date + " is " + gate);
    }
    if (!analyzedAfterGate) {
      throw Errors.notReadyToPublish(
          date, "no analyze of " + date + " has completed since its quality gate passed");
    }
  }
}
