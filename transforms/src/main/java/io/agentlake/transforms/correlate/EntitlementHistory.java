package io.agentlake.transforms.correlate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.when;

import io.agentlake.schemas.Tables;
import io.agentlake.transforms.Contracts;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;

/**
 * The history of {@code silver.entitlements} (SPEC 5, slowly changing): previous table + the grants
 * of the run date's IAM snapshot → the next table. A row present in both keeps its {@code
 * valid_from}; a row that disappeared gets {@code valid_to = runDate} (exclusive: it held until the
 * day before); a new row starts at {@code runDate}. Rows already closed are kept as they are.
 *
 * <p>A row is identified by all its columns except the validity pair, so a grant whose attributes
 * change (it becomes conditional, a Deny appears) closes and reopens. Re-running a date first
 * rewinds what runs on or after that date wrote (their rows are dropped, their closings undone), so
 * a re-run replaces that date's effect and is idempotent. Consumers of the current state filter on
 * {@code valid_to IS NULL}; the state on a past day D is {@code valid_from <= D AND (valid_to IS
 * NULL OR valid_to > D)}.
 */
public final class EntitlementHistory {

  private static final Set<String> VALIDITY = Set.of("valid_from", "valid_to");

  private EntitlementHistory() {}

  /** The rows of the current state ({@code valid_to IS NULL}). */
  public static Dataset<Row> current(Dataset<Row> entitlements) {
    return entitlements.filter(col("valid_to").isNull());
  }

  public static Dataset<Row> next(Dataset<Row> previous, Dataset<Row> snapshot, LocalDate runDate) {
    Column day = lit(runDate);
    Dataset<Row> rewound =
        Contracts.conform(previous, Tables.ENTITLEMENTS)
            .filter(col("valid_from").lt(day))
            .withColumn(
                "valid_to",
                when(col("valid_to").geq(day), lit(null).cast("date")).otherwise(col("valid_to")));
    Dataset<Row> closed = rewound.filter(col("valid_to").isNotNull());
    Dataset<Row> open = rewound.filter(col("valid_to").isNull()).withColumn("grant_hash", hash());
    Dataset<Row> now =
        Contracts.conform(snapshot, Tables.ENTITLEMENTS)
            .distinct()
            .withColumn("grant_hash", hash());

    Dataset<Row> nowHashes = now.select("grant_hash").distinct();
    Dataset<Row> kept = open.join(nowHashes, new String[] {"grant_hash"}, "left_semi");
    Dataset<Row> ended =
        open.join(nowHashes, new String[] {"grant_hash"}, "left_anti").withColumn("valid_to", day);
    Dataset<Row> added =
        now.join(open.select("grant_hash"), new String[] {"grant_hash"}, "left_anti")
            .withColumn("valid_from", day)
            .withColumn("valid_to", lit(null).cast("date"));
    return Contracts.conform(
        closed
            .unionByName(kept.drop("grant_hash"))
            .unionByName(ended.drop("grant_hash"))
            .unionByName(added.drop("grant_hash")),
        Tables.ENTITLEMENTS);
  }

  /** A digest of every column but the validity pair: what makes two rows the same grant. */
  private static Column hash() {
    Column[] business =
        Arrays.stream(Tables.ENTITLEMENTS.schema().fields())
            .map(StructField::name)
            .filter(n -> !VALIDITY.contains(n))
            .map(n -> col(n))
            .toArray(Column[]::new);
    return sha2(to_json(struct(business)), 256);
  }
}
