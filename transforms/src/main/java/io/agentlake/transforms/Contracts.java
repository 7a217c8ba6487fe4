package io.agentlake.transforms;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.agentlake.schemas.TableContract;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;

/** Shapes a computed Dataset into a table's contract: its columns, in its order, with its types. */
public final class Contracts {

  private Contracts() {}

  /**
   * Selects the contract's columns in order, cast to the contract's types. A column the contract
   * has and the input lacks is an error, not a silent null: a transform that forgot a column must
   * fail its test.
   */
  public static Dataset<Row> conform(Dataset<Row> in, TableContract contract) {
    Set<String> present = Arrays.stream(in.columns()).collect(Collectors.toSet());
    Column[] cols =
        Arrays.stream(contract.schema().fields())
            .map(f -> column(present, f, contract))
            .toArray(Column[]::new);
    return in.select(cols);
  }

  private static Column column(Set<String> present, StructField f, TableContract contract) {
    if (!present.contains(f.name())) {
      throw new IllegalArgumentException(
          "Computed rows for "
              + contract.name()
              + " lack column '"
              + f.name()
              + "' (has "
              + present
              + ")");
    }
    return col(f.name()).cast(f.dataType()).as(f.name());
  }

  /** A typed null, for columns a source does not provide. */
  public static Column nullOf(String ddlType) {
    return lit(null).cast(ddlType);
  }
}
