package io.agentlake.jobs.lake;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentlake.schemas.TableContract;
import io.agentlake.schemas.Tables;
import io.agentlake.testing.SharedSpark;
import java.nio.file.Files;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A lake written by an older agentlake holds gold tables without the columns a contract has since
 * gained (added last, nullable). The first run after an upgrade must write its date into such a
 * table, which then has the contract's columns; the older dates read null there. Without schema
 * merging Delta refuses that write, and every nightly after the upgrade failed.
 */
@ExtendWith(SharedSpark.class)
class LakeSchemaUpgradeTest {

  @Test
  void aTableWrittenBeforeItsContractGainedColumnsGainsThemWithTheNextDate(SparkSession spark)
      throws Exception {
    Lake lake = new Lake(spark, Files.createTempDirectory("agentlake-upgrade").toUri().toString());
    TableContract now = Tables.UNUSED_PRIVILEGES;
    int added = 3; // actions_granted, actions_used, folded
    StructType older =
        new StructType(Arrays.copyOf(now.schema().fields(), now.schema().size() - added));
    TableContract before =
        new TableContract(
            now.name(), now.layer(), older, now.grain(), now.keys(), now.partitionColumns());
    LocalDate first = LocalDate.of(2026, 10, 1);
    LocalDate second = first.plusDays(1);

    lake.replaceDate(before, oneRow(spark, older, first), first);
    assertThat(lake.matchesContract(now)).as("the older table lacks the new columns").isFalse();
    Dataset<Row> beforeNextWrite = lake.read(now);
    assertThat(beforeNextWrite.schema().fieldNames())
        .as("read before its next write, the table has the contract's columns")
        .containsExactly(now.schema().fieldNames());
    assertThat(beforeNextWrite.first().<Boolean>getAs("folded")).isNull();
    lake.replaceDate(now, oneRow(spark, now.schema(), second), second);

    assertThat(lake.matchesContract(now)).isTrue();
    Dataset<Row> all = lake.read(now);
    assertThat(all.schema().fieldNames()).containsExactly(now.schema().fieldNames());
    Row old = all.filter(col(Tables.AS_OF_DATE).equalTo(Date.valueOf(first))).first();
    Row fresh = all.filter(col(Tables.AS_OF_DATE).equalTo(Date.valueOf(second))).first();
    assertThat(old.<Boolean>getAs("folded")).isNull();
    assertThat(fresh.<Boolean>getAs("folded")).isTrue();
    assertThat(fresh.<Integer>getAs("actions_granted")).isEqualTo(1);
  }

  /** One row of the schema with a value of its type in every column, dated {@code day}. */
  private static Dataset<Row> oneRow(SparkSession spark, StructType schema, LocalDate day) {
    List<Object> values = new ArrayList<>();
    for (StructField f : schema.fields()) {
      if (f.name().equals(Tables.AS_OF_DATE)) {
        values.add(Date.valueOf(day));
      } else if (f.dataType().equals(DataTypes.StringType)) {
        values.add("x");
      } else if (f.dataType().equals(DataTypes.IntegerType)) {
        values.add(1);
      } else if (f.dataType().equals(DataTypes.LongType)) {
        values.add(1L);
      } else if (f.dataType().equals(DataTypes.BooleanType)) {
        values.add(true);
      } else if (f.dataType() instanceof ArrayType) {
        values.add(List.of());
      } else {
        values.add(null);
      }
    }
    return spark.createDataFrame(List.of(RowFactory.create(values.toArray())), schema);
  }
}
