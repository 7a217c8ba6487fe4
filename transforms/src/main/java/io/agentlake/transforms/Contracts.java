package io.agentlake.transforms;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.agentlake.schemas.TableContract;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;

/**
 * Brings a computed Dataset to the exact shape of a table contract: the contract's columns, in its
 * order, cast to its types. Every transform ends with it so the jobs write what {@code Tables}
 * declares.
 *
 * <p>Dangerous: a cast silently turns an unparseable value into null, so a transform must already
 * produce the right kind of value; this only pins names, order and exact types. A missing column is
 * an error (never filled with nulls), so a renamed column cannot disappear from a table unnoticed.
 */
public final class Contracts {

  private Contracts() {}

  public static Dataset<Row> conform(Dataset<Row> data, TableContract contract) {
    Set<String> present = Set.of(data.columns());
    List<String> missing =
        Arrays.stream(contract.schema().fields())
            .map(StructField::name)
            .filter(name -> !present.contains(name))
            .toList();
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException(
          "Cannot write "
              + contract.name()
              + ": the computed data has no column "
              + missing
              + " (it has "
              + Arrays.stream(data.columns()).collect(Collectors.joining(", "))
              + "). The transform that builds "
              + contract.name()
              + " must produce every column its contract in Tables declares.");
    }
    List<Column> columns = new ArrayList<>();
    for (StructField field : contract.schema().fields()) {
      columns.add(col(field.name()).cast(field.dataType()).as(field.name()));
    }
    return data.select(columns.toArray(new Column[0]));
  }

  /** A typed null for a contract column, for transforms that cannot know a value yet. */
  public static Column nullOf(TableContract contract, String column) {
    return lit(null).cast(contract.schema().apply(column).dataType());
  }
}
