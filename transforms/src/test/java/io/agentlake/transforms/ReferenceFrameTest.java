package io.agentlake.transforms;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentlake.testing.SharedSpark;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SharedSpark.class)
class ReferenceFrameTest {

  private static final StructType SCHEMA = StructType.fromDDL("k STRING, v INT");

  @Test
  void itIsBuiltOnceAndBuiltAgainAfterTheSessionReleasedItsBlocks(SparkSession spark) {
    AtomicInteger reads = new AtomicInteger();
    ReferenceFrame table =
        new ReferenceFrame(
            () -> {
              reads.incrementAndGet();
              return List.of(RowFactory.create("a", 1), RowFactory.create("b", 2));
            },
            SCHEMA);

    Dataset<Row> first = table.in(spark);
    assertThat(table.in(spark)).as("the same Dataset while its blocks are held").isSameAs(first);
    assertThat(first.count()).isEqualTo(2);

    // what a soak does between trials (io.agentlake.jobs.lake.Spark.releaseCaches)
    spark.sparkContext().getPersistentRDDs().values().foreach(rdd -> rdd.unpersist(true));

    Dataset<Row> again = table.in(spark);
    assertThat(again).as("made anew: the old one's blocks are gone").isNotSameAs(first);
    assertThat(again.filter("v = 2").select("k").as(org.apache.spark.sql.Encoders.STRING()).first())
        .isEqualTo("b");
    assertThat(reads).as("the rows are read from their source once").hasValue(1);
  }
}
