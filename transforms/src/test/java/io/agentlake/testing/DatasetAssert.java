package io.agentlake.testing;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** Dataset equality the way it matters here: same schema, same rows, duplicates counted. */
public final class DatasetAssert {

  private DatasetAssert() {}

  public static void assertSameRows(Dataset<Row> actual, Dataset<Row> expected) {
    assertThat(actual.schema().simpleString()).isEqualTo(expected.schema().simpleString());
    assertThat(actual.exceptAll(expected).collectAsList()).as("rows only in actual").isEmpty();
    assertThat(expected.exceptAll(actual).collectAsList()).as("rows only in expected").isEmpty();
  }
}
