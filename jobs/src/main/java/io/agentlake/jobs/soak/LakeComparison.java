package io.agentlake.jobs.soak;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.map_entries;
import static org.apache.spark.sql.functions.sort_array;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.when;

import io.agentlake.jobs.lake.Lake;
import io.agentlake.jobs.lake.RunLedger;
import io.agentlake.schemas.TableContract;
import io.agentlake.schemas.TableContract.Layer;
import io.agentlake.schemas.Tables;
import io.agentlake.transforms.LakeTables;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Whether a lake holds exactly what a clean run of the same input holds: every bronze, quarantine,
 * file-ledger, silver and gold table row for row, duplicates counted (a multiset difference both
 * ways, like the tests' {@code DatasetAssert}), except the columns {@link #IGNORED} that differ
 * between two clean runs by design; and bronze reconciles with the file ledger. This is what "crash
 * safety" means for the soak and the process-level tests: a run killed anywhere and run again
 * leaves no trace of the kill.
 */
public final class LakeComparison {

  /** A column that legitimately differs between two clean runs of the same input. */
  public record IgnoredColumn(String table, String column, String why) {

    boolean appliesTo(TableContract t) {
      return table.endsWith(".*")
          ? t.name().startsWith(table.substring(0, table.length() - 1))
          : t.name().equals(table);
    }
  }

  /** One way a lake differs from the reference or fails to reconcile. */
  public record Difference(String table, String what) {
    @Override
    public String toString() {
      return table + ": " + what;
    }
  }

  /**
   * Found by diffing two clean nightly runs of one generated organisation (12 agents, 3 days) on
   * two fresh lakes, table by table and then column by column: only these columns differed, in
   * every bronze table and in the file ledger. Quarantine was empty in those runs; its run columns
   * are written from the same run id and start time as bronze's. Silver and gold had no differing
   * column: they are functions of the committed input and the run date alone, so nothing there is
   * ignored.
   */
  public static final List<IgnoredColumn> IGNORED =
      List.of(
          new IgnoredColumn(
              "bronze.*", "_ingest_run_id", "the id of the run that ingested the row: new per run"),
          new IgnoredColumn(
              "bronze.*", "_ingest_time", "the wall-clock start of that run: new per run"),
          new IgnoredColumn(
              Tables.QUARANTINE.name(),
              "ingest_run_id",
              "the id of the run that quarantined the record: new per run"),
          new IgnoredColumn(
              Tables.QUARANTINE.name(), "ingest_time", "the wall-clock start of that run"),
          new IgnoredColumn(
              Tables.INGESTED_FILES.name(),
              "ingest_run_id",
              "the id of the run that read the file: new per run"),
          new IgnoredColumn(
              Tables.INGESTED_FILES.name(), "ingest_time", "the wall-clock start of that run"));

  /** Sample rows shown per difference. */
  private static final int SAMPLES = 3;

  private static final String SIDE = "_agentlake_side";

  private LakeComparison() {}

  /**
   * The tables whose rows must match: bronze, quarantine, the file ledger, silver and gold. Not
   * {@code ledger.runs}, {@code ledger.folded_ingests} or any other run log: they record each run,
   * so a killed and re-run lake rightly has more events than a clean one.
   */
  public static List<TableContract> comparedTables() {
    List<TableContract> tables = new ArrayList<>(LakeTables.ofLayer(Layer.BRONZE));
    tables.add(Tables.QUARANTINE);
    tables.add(Tables.INGESTED_FILES);
    tables.addAll(LakeTables.ofLayer(Layer.SILVER));
    tables.addAll(LakeTables.ofLayer(Layer.GOLD));
    return tables;
  }

  /**
   * Everything: each compared table, the bronze total, and the reconciliation of {@code actual}.
   */
  public static List<Difference> compare(Lake expected, Lake actual) {
    List<Difference> found = new ArrayList<>(compareTables(expected, actual, comparedTables()));
    long expectedBronze = bronzeRows(expected);
    long actualBronze = bronzeRows(actual);
    if (expectedBronze != actualBronze) {
      found.add(
          new Difference(
              "bronze", "total rows " + actualBronze + ", the reference has " + expectedBronze));
    }
    found.addAll(reconcile(actual));
    return found;
  }

  /** Row-for-row comparison of the given tables, ignoring only the {@link #IGNORED} columns. */
  public static List<Difference> compareTables(
      Lake expected, Lake actual, List<TableContract> tables) {
    List<Difference> found = new ArrayList<>();
    for (TableContract t : tables) {
      boolean inExpected = expected.exists(t);
      boolean inActual = actual.exists(t);
      if (!inExpected && !inActual) {
        continue;
      }
      if (inExpected != inActual) {
        found.add(
            new Difference(
                t.name(),
                inActual ? "exists, but not in the reference" : "missing (the reference has it)"));
        continue;
      }
      found.addAll(compareRows(t.name(), expected.read(t), actual.read(t), ignoredIn(t)));
    }
    return found;
  }

  /** The {@link #IGNORED} columns of one table. */
  public static Set<String> ignoredIn(TableContract t) {
    return IGNORED.stream()
        .filter(i -> i.appliesTo(t))
        .map(IgnoredColumn::column)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  /**
   * The multiset difference of two Datasets in one pass: each row counted +1 on the actual side and
   * -1 on the expected side, grouped by every compared column; a group whose count is not 0 is a
   * row one side has more often than the other.
   */
  public static List<Difference> compareRows(
      String table, Dataset<Row> expected, Dataset<Row> actual, Set<String> ignored) {
    Dataset<Row> e = comparable(expected, ignored);
    Dataset<Row> a = comparable(actual, ignored);
    if (!e.schema().simpleString().equals(a.schema().simpleString())) {
      return List.of(
          new Difference(
              table,
              "schema "
                  + a.schema().simpleString()
                  + ", the reference has "
                  + e.schema().simpleString()));
    }
    Column[] columns =
        Arrays.stream(a.columns()).map(c -> col("`" + c + "`")).toArray(Column[]::new);
    Dataset<Row> surplus =
        a.withColumn(SIDE, lit(1L))
            .unionByName(e.withColumn(SIDE, lit(-1L)))
            .groupBy(columns)
            .agg(sum(SIDE).as(SIDE))
            .filter(col(SIDE).notEqual(0L))
            .cache();
    try {
      Row totals =
          surplus
              .agg(
                  coalesce(sum(when(col(SIDE).gt(0), col(SIDE))), lit(0L)),
                  coalesce(sum(when(col(SIDE).lt(0), col(SIDE).multiply(-1))), lit(0L)))
              .first();
      long onlyActual = totals.getLong(0);
      long onlyExpected = totals.getLong(1);
      if (onlyActual == 0 && onlyExpected == 0) {
        return List.of();
      }
      List<Difference> found = new ArrayList<>();
      if (onlyActual > 0) {
        found.add(
            new Difference(
                table,
                onlyActual
                    + " row(s) not in the reference (extra or duplicated), e.g. "
                    + samples(surplus.filter(col(SIDE).gt(0)))));
      }
      if (onlyExpected > 0) {
        found.add(
            new Difference(
                table,
                onlyExpected
                    + " reference row(s) missing, e.g. "
                    + samples(surplus.filter(col(SIDE).lt(0)))));
      }
      return found;
    } finally {
      surplus.unpersist();
    }
  }

  /**
   * Bronze against the file ledger, over the ingests that COMMITTED: each file's accepted records
   * are exactly its bronze rows of that run, its quarantined records exactly its quarantine rows of
   * that run; no file (path, size, mtime) is in the ledger twice; no run is both COMMITTED and
   * ROLLED_BACK; and no row of bronze, quarantine or the ledger belongs to a run that never
   * committed (a killed run's rows must have been rolled back by the run that took over).
   */
  public static List<Difference> reconcile(Lake lake) {
    List<Difference> found = new ArrayList<>();
    Dataset<Row> runs = lake.read(Tables.RUNS);
    Dataset<Row> committed =
        runs.filter(col("status").equalTo(RunLedger.COMMITTED))
            .select(col("run_id").as("ingest_run_id"))
            .distinct();
    List<String> both =
        committed
            .join(
                runs.filter(col("status").equalTo(RunLedger.ROLLED_BACK))
                    .select(col("run_id").as("ingest_run_id")),
                "ingest_run_id")
            .distinct()
            .collectAsList()
            .stream()
            .map(r -> r.getString(0))
            .toList();
    if (!both.isEmpty()) {
      found.add(new Difference(Tables.RUNS.name(), "runs both COMMITTED and ROLLED_BACK: " + both));
    }

    Dataset<Row> allFiles = lake.read(Tables.INGESTED_FILES);
    Dataset<Row> files = allFiles.join(committed, "ingest_run_id").cache();
    try {
      report(
          found,
          Tables.INGESTED_FILES.name(),
          "row(s) of ingests that never committed",
          allFiles.join(committed, new String[] {"ingest_run_id"}, "left_anti"));
      report(
          found,
          Tables.INGESTED_FILES.name(),
          "file version(s) (path, size, mtime) ingested by more than one committed run",
          files
              .groupBy("source_file", "size", "modification_time")
              .agg(count(lit(1)).as("runs"))
              .filter(col("runs").gt(1)));

      Dataset<Row> bronze = null;
      for (TableContract t : LakeTables.ofLayer(Layer.BRONZE)) {
        if (lake.exists(t)) {
          Dataset<Row> rows =
              lake.read(t)
                  .select(
                      col("_source_file").as("source_file"),
                      col("_ingest_run_id").as("ingest_run_id"));
          bronze = bronze == null ? rows : bronze.union(rows);
        }
      }
      if (bronze != null) {
        report(
            found,
            "bronze",
            "file(s) whose bronze rows of a run differ from the ledger's records_accepted"
                + " (rows of uncommitted runs count as a difference)",
            perFileMismatch(files, bronze, "records_accepted"));
      }
      Dataset<Row> quarantined =
          lake.read(Tables.QUARANTINE)
              .filter(col("record_position").geq(0))
              .select("source_file", "ingest_run_id");
      report(
          found,
          Tables.QUARANTINE.name(),
          "file(s) whose quarantined records of a run differ from the ledger's"
              + " records_quarantined (rows of uncommitted runs count as a difference)",
          perFileMismatch(files, quarantined, "records_quarantined"));
    } finally {
      files.unpersist();
    }
    return found;
  }

  /** Files and runs where the table's row count differs from the ledger's count column. */
  private static Dataset<Row> perFileMismatch(
      Dataset<Row> files, Dataset<Row> rows, String ledgerCount) {
    String[] key = {"source_file", "ingest_run_id"};
    Dataset<Row> counted =
        rows.groupBy("source_file", "ingest_run_id").agg(count(lit(1)).as("rows"));
    return files
        .select(col("source_file"), col("ingest_run_id"), col(ledgerCount).as("ledger"))
        .join(counted, key, "full_outer")
        .filter(coalesce(col("ledger"), lit(0L)).notEqual(coalesce(col("rows"), lit(0L))));
  }

  private static void report(List<Difference> found, String table, String what, Dataset<Row> bad) {
    Dataset<Row> cached = bad.cache();
    try {
      long n = cached.count();
      if (n > 0) {
        found.add(new Difference(table, n + " " + what + ", e.g. " + samples(cached)));
      }
    } finally {
      cached.unpersist();
    }
  }

  /** Rows of every bronze table. */
  public static long bronzeRows(Lake lake) {
    long rows = 0;
    for (TableContract t : LakeTables.ofLayer(Layer.BRONZE)) {
      if (lake.exists(t)) {
        rows += lake.read(t).count();
      }
    }
    return rows;
  }

  /**
   * The compared columns in a form set operations accept: top-level maps as their sorted entries
   * (two maps with the same entries are equal whatever their order), maps nested deeper as JSON.
   */
  static Dataset<Row> comparable(Dataset<Row> rows, Set<String> ignored) {
    List<Column> columns = new ArrayList<>();
    for (StructField f : rows.schema().fields()) {
      if (ignored.contains(f.name())) {
        continue;
      }
      Column c = col("`" + f.name() + "`");
      if (f.dataType() instanceof MapType) {
        c = sort_array(map_entries(c));
      } else if (containsMap(f.dataType())) {
        c = to_json(c);
      }
      columns.add(c.as(f.name()));
    }
    return rows.select(columns.toArray(Column[]::new));
  }

  private static boolean containsMap(DataType type) {
    if (type instanceof MapType) {
      return true;
    }
    if (type instanceof ArrayType a) {
      return containsMap(a.elementType());
    }
    if (type instanceof StructType s) {
      return Arrays.stream(s.fields()).anyMatch(f -> containsMap(f.dataType()));
    }
    return false;
  }

  private static String samples(Dataset<Row> rows) {
    return rows.limit(SAMPLES).collectAsList().stream()
        .map(r -> abbreviate(r.toString()))
        .collect(Collectors.joining("; "));
  }

  private static String abbreviate(String s) {
    return s.length() <= 400 ? s : s.substring(0, 400) + "…";
  }
}
