package io.agentlake.testing;

import io.agentlake.schemas.TableContract;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/** Test data that reads like the data: a contract (or DDL) schema plus JSON rows. */
public final class Fixtures {

  private Fixtures() {}

  public static Dataset<Row> rows(SparkSession spark, TableContract contract, String... json) {
    return rows(spark, contract.schema(), json);
  }

  public static Dataset<Row> rows(SparkSession spark, String ddl, String... json) {
    return rows(spark, StructType.fromDDL(ddl), json);
  }

  public static Dataset<Row> rows(SparkSession spark, StructType schema, String... json) {
    return spark
        .read()
        .schema(schema)
        .option("mode", "FAILFAST")
        .json(spark.createDataset(List.of(json), Encoders.STRING()));
  }

  /** JSON with single quotes, so fixtures need no escaping: {@code j("{'a': 1}")}. */
  public static String j(String singleQuoted) {
    return singleQuoted.replace('\'', '"');
  }
}
