package io.agentlake.testing;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.map_entries;
import static org.apache.spark.sql.functions.sort_array;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.MapType;

/** Dataset equality the way it matters here: same schema, same rows, duplicates counted. */
public final class DatasetAssert {

  private DatasetAssert() {}

  public static void assertSameRows(Dataset<Row> actual, Dataset<Row> expected) {
    assertThat(actual.schema().simpleString()).isEqualTo(expected.schema().simpleString());
    Dataset<Row> a = comparable(actual);
    Dataset<Row> e = comparable(expected);
    assertThat(a.exceptAll(e).collectAsList()).as("rows only in actual").isEmpty();
    assertThat(e.exceptAll(a).collectAsList()).as("rows only in expected").isEmpty();
  }

  /**
   * Top-level map columns as their sorted entries: Spark refuses set operations on maps, and two
   * maps with the same entries are equal whatever their order.
   */
  private static Dataset<Row> comparable(Dataset<Row> rows) {
    Column[] columns =
        Arrays.stream(rows.schema().fields())
            .map(
                f ->
                    f.dataType() instanceof MapType
                        ? sort_array(map_entries(col(f.name()))).as(f.name())
                        : col(f.name()))
            .toArray(Column[]::new);
    return rows.select(columns);
  }
}
