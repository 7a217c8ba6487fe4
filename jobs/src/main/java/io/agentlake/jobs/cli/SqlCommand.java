package io.agentlake.jobs.cli;

import io.agentlake.jobs.Errors;
import io.agentlake.jobs.lake.Lake;
import io.agentlake.jobs.lake.Spark;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "sql",
    mixinStandardHelpOptions = true,
    description =
        "Run a Spark SQL query over the lake. Tables have stable names: bronze.aws_cloudtrail, silver.identities, gold.risk_scores, quarantine.records, ledger.runs ... (see README).")
final class SqlCommand implements Callable<Integer> {

  enum Format {
    table,
    csv,
    json
  }

  @Option(names = "--lake", required = true, paramLabel = "URI", description = "Lake root.")
  String lake;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      description = "table, csv or json (default ${DEFAULT-VALUE}).")
  Format format = Format.table;

  @Option(
      names = "--limit",
      paramLabel = "N",
      description = "At most N rows (default ${DEFAULT-VALUE}).")
  int limit = 1000;

  @Parameters(index = "0", paramLabel = "QUERY", description = "The SQL query, quoted.")
  String query;

  @Override
  public Integer call() {
    SparkSession spark = Spark.session("agentlake sql");
    Lake l = new Lake(spark, lake);
    if (l.registerTables().isEmpty()) {
      throw Errors.lakeMissing(lake);
    }
    Dataset<Row> result;
    try {
      result = spark.sql(query).limit(limit);
      result.schema();
    } catch (Exception e) {
      // Spark throws AnalysisException (parse and analysis errors) without declaring it.
      if (e instanceof AnalysisException) {
        throw Errors.sqlFailed(query, e);
      }
      throw e;
    }
    print(result, System.out);
    return 0;
  }

  private void print(Dataset<Row> result, PrintStream out) {
    switch (format) {
      case table -> out.print(Tables.render(result.columns(), result.collectAsList()));
      case csv -> {
        out.println(CsvCells.row(List.of(result.columns())));
        for (Row r : result.collectAsList()) {
          out.println(CsvCells.row(Tables.cells(r)));
        }
      }
      case json -> {
        for (String line : result.toJSON().collectAsList()) {
          out.println(line);
        }
      }
    }
  }
}
