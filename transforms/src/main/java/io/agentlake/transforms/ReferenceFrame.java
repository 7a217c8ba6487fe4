package io.agentlake.transforms;

import java.util.List;
import java.util.function.Supplier;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.LogicalRDD;
import org.apache.spark.sql.types.StructType;

/**
 * A bundled reference table (the action catalog, the CloudTrail event-name mappings) as a Dataset
 * made once per SparkSession and kept in its block manager. A Dataset made from driver rows is a
 * local relation: every task of a stage that scans it carries its rows (the 22,092-row action
 * catalog made tasks of over 1 MB, deserialised one by one), and every step that made it anew paid
 * for that again. Locally checkpointed once, its rows are blocks that tasks read.
 *
 * <p>When the session's persisted data is released (a soak between trials) the next use builds it
 * again, so a caller never reads a table whose blocks are gone.
 */
public final class ReferenceFrame {

  private final Supplier<List<Row>> rows;
  private final StructType schema;
  private List<Row> built;
  private SparkSession session;
  private Dataset<Row> frame;
  private int rddId;

  public ReferenceFrame(Supplier<List<Row>> rows, StructType schema) {
    this.rows = rows;
    this.schema = schema;
  }

  /** The table in {@code spark}, checkpointed on first use. */
  public synchronized Dataset<Row> in(SparkSession spark) {
    if (frame == null
        || session != spark
        || !spark.sparkContext().getPersistentRDDs().contains(rddId)) {
      if (built == null) {
        built = List.copyOf(rows.get());
      }
      frame = spark.createDataFrame(built, schema).localCheckpoint();
      rddId = ((LogicalRDD) frame.queryExecution().analyzed()).rdd().id();
      session = spark;
    }
    return frame;
  }
}
