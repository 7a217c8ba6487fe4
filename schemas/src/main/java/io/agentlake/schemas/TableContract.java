package io.agentlake.schemas;

import java.util.List;
import org.apache.spark.sql.types.StructType;

/**
 * The contract of one lake table: where it lives, what one row means, which columns identify a row
 * and how it is partitioned. Every table the jobs write is declared once, in {@link Tables};
 * readers (notebooks, BI, the {@code sql} command) rely on these names and schemas staying stable.
 *
 * @param name stable query name, {@code <layer>.<table>}, e.g. {@code gold.risk_scores}
 * @param layer bronze, silver, gold, quarantine or ledger
 * @param schema the exact Spark schema written; never inferred
 * @param grain what one row is, in words
 * @param keys the columns that identify one row (unique together)
 * @param partitionColumns physical partitioning; gold tables partition by {@code as_of_date}
 */
public record TableContract(
    String name,
    Layer layer,
    StructType schema,
    String grain,
    List<String> keys,
    List<String> partitionColumns) {

  public enum Layer {
    BRONZE,
    SILVER,
    GOLD,
    QUARANTINE,
    LEDGER;

    public String folder() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** Path of the table below the lake root, e.g. {@code gold/risk_scores}. */
  public String relativePath() {
    return layer.folder() + "/" + name.substring(name.indexOf('.') + 1);
  }

  /** The part after the layer, e.g. {@code risk_scores}. */
  public String tableName() {
    return name.substring(name.indexOf('.') + 1);
  }

  /**
   * The whole contract as text, as the golden files under {@code src/test/resources/golden} hold
   * it: a change to a schema, grain or key shows as a diff there.
   */
  public String describe() {
    return "name: "
        + name
        + "\nlayer: "
        + layer
        + "\npath: "
        + relativePath()
        + "\ngrain: "
        + grain
        + "\nkeys: "
        + keys
        + "\npartitioned by: "
        + partitionColumns
        + "\n"
        + schema.treeString();
  }

  /** True for tables that hold one snapshot per run date and are replaced date by date. */
  public boolean isSnapshotPerDate() {
    return partitionColumns.contains(Tables.AS_OF_DATE);
  }
}
