package io.agentlake.testing;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** Helpers for the tests' intermediate tables. */
public final class Frames {

  private Frames() {}

  /**
   * The rows computed now and held as a leaf of every plan built on them, as a job's next step
   * reads a table the previous step wrote to Delta. A cached dataset keeps its whole lineage in the
   * logical plan, and Spark re-analyses that plan on every operation built on top of it: a test
   * that chains silver into gold in memory spent most of its time in the analyser.
   */
  public static Dataset<Row> materialized(Dataset<Row> rows) {
    return rows.localCheckpoint(true);
  }
}
