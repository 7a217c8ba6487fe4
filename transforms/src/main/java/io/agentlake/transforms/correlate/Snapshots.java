package io.agentlake.transforms.correlate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.row_number;

import java.util.Arrays;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/**
 * Bronze accumulates every export ever ingested; inventory sources (IAM, Okta users, agents) are
 * snapshots, so silver wants the latest version of each record. "Latest" is by ingest time, then
 * file and position, so the choice is deterministic when one run ingests two copies.
 */
public final class Snapshots {

  private Snapshots() {}

  public static Dataset<Row> latest(Dataset<Row> bronze, String... keyColumns) {
    Column[] keys = Arrays.stream(keyColumns).map(Snapshots::keyColumn).toArray(Column[]::new);
    return bronze
        .withColumn(
            "_rank",
            row_number()
                .over(
                    Window.partitionBy(keys)
                        .orderBy(
                            col("_ingest_time").desc(),
                            col("_source_file").desc(),
                            col("_record_position").desc())))
        .filter(col("_rank").equalTo(1))
        .drop("_rank");
  }

  private static Column keyColumn(String name) {
    return col(name);
  }
}
