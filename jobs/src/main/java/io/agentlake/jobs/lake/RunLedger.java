package io.agentlake.jobs.lake;

import static org.apache.spark.sql.functions.col;

import io.agentlake.schemas.TableContract;
import io.agentlake.schemas.Tables;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.RowFactory;

/**
 * {@code ledger.runs}: the append-only life of every run. Ingest writes several Delta tables one
 * after another, and a process can die between two of them; the ledger is how the next ingest finds
 * such a run and removes its partial rows before reading the files again, so a retry never
 * duplicates bronze. Each bronze file is written by one run, so deleting by run id touches only
 * that run's files.
 */
public final class RunLedger {

  public static final String STARTED = "STARTED";
  public static final String COMMITTED = "COMMITTED";
  public static final String ROLLED_BACK = "ROLLED_BACK";

  private final Lake lake;

  public RunLedger(Lake lake) {
    this.lake = lake;
  }

  public void record(String runId, LocalDate date, String command, String status, String report) {
    lake.append(
        Tables.RUNS,
        lake.spark()
            .createDataFrame(
                List.of(
                    RowFactory.create(
                        runId,
                        Date.valueOf(date),
                        command,
                        status,
                        Timestamp.from(Instant.now()),
                        report)),
                Tables.RUNS.schema()));
  }

  /**
   * Deletes the bronze and quarantine rows of every ingest that STARTED but neither COMMITTED nor
   * was ROLLED_BACK, and records the roll-back. Returns the run ids rolled back.
   */
  public List<String> rollBackInterruptedIngests(LocalDate date) {
    if (!lake.exists(Tables.RUNS)) {
      return List.of();
    }
    var runs = lake.read(Tables.RUNS);
    var started = runs.filter(col("status").equalTo(STARTED)).select("run_id");
    var closed = runs.filter(col("status").isin(COMMITTED, ROLLED_BACK)).select("run_id");
    List<String> interrupted =
        started.except(closed).as(Encoders.STRING()).collectAsList().stream().sorted().toList();
    for (String runId : interrupted) {
      for (TableContract t : Tables.ofLayer(TableContract.Layer.BRONZE)) {
        delete(t, "_ingest_run_id", runId);
      }
      delete(Tables.QUARANTINE, "ingest_run_id", runId);
      delete(Tables.INGESTED_FILES, "ingest_run_id", runId);
      record(runId, date, "ingest", ROLLED_BACK, null);
    }
    return interrupted;
  }

  private void delete(TableContract table, String column, String runId) {
    if (lake.exists(table)) {
      io.delta.tables.DeltaTable.forPath(lake.spark(), lake.path(table))
          .delete(col(column).equalTo(runId));
    }
  }
}
