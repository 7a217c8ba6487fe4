package io.agentlake.transforms.bronze;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentlake.testing.Extracted;
import io.agentlake.testing.SharedSpark;
import io.agentlake.transforms.sources.Sources;
import io.agentlake.transforms.sources.cloudtrail.CloudTrail;
import io.agentlake.transforms.sources.oktausers.OktaUsers;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SharedSpark.class)
class BronzeRedeliveryTest {

  private static String event(String account, String id) {
    return "{\"eventID\":\""
        + id
        + "\",\"recipientAccountId\":\""
        + account
        + "\",\"eventTime\":\"2026-11-01T10:00:00Z\",\"eventSource\":\"s3.amazonaws.com\","
        + "\"eventName\":\"GetObject\"}";
  }

  private static String records(String... events) {
    return "{\"Records\":[" + String.join(",", events) + "]}";
  }

  private static final Dataset<Row> noneKnown(SparkSession spark) {
    return spark.createDataFrame(
        List.of(),
        org.apache.spark.sql.types.StructType.fromDDL(
            "record_type STRING, dedupe_key STRING, source_file STRING, record_position BIGINT"));
  }

  @Test
  void aSecondDeliveryInTheSameBatchIsQuarantinedAndNamesTheKeptOne(SparkSession spark) {
    Dataset<Row> extracted =
        new Extracted(spark)
            .text(CloudTrail.NAME, "a/1.json", records(event("111", "e1"), event("111", "e2")))
            .text(CloudTrail.NAME, "a/2.json", records(event("111", "e2"), event("222", "e2")))
            .rows();

    List<Row> marked =
        Bronze.markRedeliveries(extracted, noneKnown(spark))
            .filter(col("record_position").geq(0))
            .orderBy("source_file", "record_position")
            .collectAsList();

    assertThat(marked).hasSize(4);
    assertThat(marked)
        .extracting(r -> r.<String>getAs("quarantine_reason"))
        .containsExactly(null, null, "DUPLICATE_DELIVERY", null);
    assertThat(marked.get(2).<String>getAs("quarantine_detail"))
        .contains("111|e2")
        .contains("a/1.json at position 1 in this run");
    // the same eventID in another account is another event
    assertThat(marked.get(3).<String>getAs("dedupe_key")).isEqualTo("222|e2");
  }

  @Test
  void aRecordAlreadyInBronzeIsQuarantinedAndBronzeGetsOnlyTheNewOnes(SparkSession spark) {
    Extracted earlier =
        new Extracted(spark).text(CloudTrail.NAME, "day1.json", records(event("111", "e1")));
    Dataset<Row> bronze = earlier.bronze("cloudtrail_event");
    Dataset<Row> known =
        bronze.select(
            col("_record_type").as("record_type"),
            col("_record_key").as("dedupe_key"),
            col("_source_file").as("source_file"),
            col("_record_position").as("record_position"));
    Dataset<Row> extracted =
        new Extracted(spark)
            .text(
                CloudTrail.NAME,
                "day1-redelivered.json",
                records(event("111", "e1"), event("111", "e3")))
            .rows();

    Dataset<Row> marked = Bronze.markRedeliveries(extracted, known);

    Row dup = marked.filter(col("quarantine_reason").equalTo("DUPLICATE_DELIVERY")).first();
    assertThat(dup.<String>getAs("quarantine_detail"))
        .contains("day1.json at position 0 by an earlier ingest");
    List<Row> kept =
        Bronze.accepted(
                marked,
                Sources.recordType("cloudtrail_event").orElseThrow(),
                "run-2",
                Extracted.INGEST_TIME)
            .collectAsList();
    assertThat(kept).extracting(r -> r.<String>getAs("eventID")).containsExactly("e3");
    assertThat(Bronze.quarantined(marked, "run-2", Extracted.INGEST_TIME).count()).isEqualTo(1);
  }

  @Test
  void snapshotRecordsWithTheSameKeyAreNotRedeliveries(SparkSession spark) {
    String users = "[{\"id\":\"00u1\",\"status\":\"ACTIVE\"}]";
    Dataset<Row> extracted =
        new Extracted(spark)
            .text(OktaUsers.NAME, "users-day1.json", users)
            .text(OktaUsers.NAME, "users-day2.json", users)
            .rows();
    assertThat(
            Bronze.markRedeliveries(extracted, noneKnown(spark))
                .filter(col("quarantine_reason").isNotNull())
                .count())
        .isZero();
  }
}
