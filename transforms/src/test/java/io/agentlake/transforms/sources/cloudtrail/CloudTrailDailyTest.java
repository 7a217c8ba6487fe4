package io.agentlake.transforms.sources.cloudtrail;

import static io.agentlake.testing.DatasetAssert.assertSameRows;
import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentlake.testing.Extracted;
import io.agentlake.testing.SharedSpark;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * CloudTrail → activity: the incremental day-replacement step against a full recomputation, the
 * report of events with no IAM action, the S3 event-name exceptions of SPEC 6.2, and the two export
 * forms of one event resolving alike. Events go through the real extractor and bronze.
 */
@ExtendWith(SharedSpark.class)
class CloudTrailDailyTest {

  private static final String ROLE = "arn:aws:iam::111122223333:role/agent-role";
  private static final LocalDate DAY1 = LocalDate.parse("2026-10-01");
  private static final LocalDate DAY2 = LocalDate.parse("2026-10-02");

  /** One CloudTrail event by the agent role's session, as a JSON object. */
  private static String event(String id, String time, String source, String name, String extra) {
    return ("{'eventVersion':'1.09','eventID':'%s','eventTime':'%s','eventSource':'%s',"
            + "%s'awsRegion':'us-east-1','recipientAccountId':'111122223333',"
            + "'userIdentity':{'type':'AssumedRole','principalId':'AROAEXAMPLE:sess-1',"
            + "'arn':'arn:aws:sts::111122223333:assumed-role/agent-role/sess-1',"
            + "'accountId':'111122223333','sessionContext':{'sessionIssuer':{'type':'Role',"
            + "'arn':'"
            + ROLE
            + "','accountId':'111122223333','userName':'agent-role'}}}%s}")
        .formatted(id, time, source, name == null ? "" : "'eventName':'" + name + "',", extra)
        .replace('\'', '"');
  }

  private static String s3(String id, String time, String name, String requestParameters) {
    return event(
        id,
        time,
        "s3.amazonaws.com",
        name,
        ",'eventCategory':'Data','requestParameters':" + requestParameters);
  }

  /** Bronze CloudTrail rows of one delivered log file holding the given events. */
  private static Dataset<Row> delivered(SparkSession spark, String file, String... events) {
    return new Extracted(spark)
        .text(
            CloudTrail.NAME,
            "exports/aws-cloudtrail/" + file,
            "{\"Records\":[" + String.join(",", events) + "]}")
        .bronze("cloudtrail_event");
  }

  private static Dataset<Row> events(Dataset<Row> bronze) {
    return CloudTrailDaily.events(bronze);
  }

  /**
   * What an incremental run does: recompute the days the new rows fall on from all bronze rows of
   * those days, and replace them.
   */
  private static Dataset<Row> step(
      Dataset<Row> existingDaily, Dataset<Row> allBronze, Dataset<Row> newBronze) {
    Set<LocalDate> days = new TreeSet<>();
    for (Row r : newBronze.selectExpr("to_date(_event_time)").distinct().collectAsList()) {
      days.add(r.getDate(0).toLocalDate());
    }
    Dataset<Row> recomputed =
        CloudTrailDaily.daily(events(allBronze.filter(CloudTrailDaily.onDays(days))));
    return CloudTrailDaily.replaceDays(existingDaily, recomputed, days);
  }

  @Test
  void aNewDayIsAddedAndTheOtherDaysAreKeptAsTheyWere(SparkSession spark) {
    Dataset<Row> run1 =
        delivered(
            spark,
            "a.json",
            event("e1", "2026-10-01T10:00:00Z", "sts.amazonaws.com", "GetCallerIdentity", ""));
    Dataset<Row> run2 =
        delivered(
            spark,
            "b.json",
            event("e2", "2026-10-02T09:00:00Z", "sts.amazonaws.com", "GetCallerIdentity", ""));
    Dataset<Row> after1 = CloudTrailDaily.daily(events(run1));
    Dataset<Row> after2 = step(after1, run1.unionByName(run2), run2);

    assertSameRows(after2, CloudTrailDaily.daily(events(run1.unionByName(run2))));
    assertSameRows(after2.filter(col("day").equalTo(java.sql.Date.valueOf(DAY1))), after1);
    assertThat(after2.count()).isEqualTo(2);
  }

  @Test
  void lateEventsMergeIntoTheirDayWithCountsTimesAndSessionsCombined(SparkSession spark) {
    Dataset<Row> run1 =
        delivered(
            spark,
            "a.json",
            event("e1", "2026-10-01T10:00:00Z", "sts.amazonaws.com", "GetCallerIdentity", ""),
            event("e2", "2026-10-01T11:00:00Z", "sts.amazonaws.com", "GetCallerIdentity", ""));
    // Delivered a day later: a late event of day 1 (earlier than both), one of day 2, and a
    // re-delivery of e2 that reached bronze through another file.
    Dataset<Row> run2 =
        delivered(
            spark,
            "b.json",
            event("e0", "2026-10-01T08:00:00Z", "sts.amazonaws.com", "GetCallerIdentity", "")
                .replace("sess-1", "sess-0"),
            event("e2", "2026-10-01T11:00:00Z", "sts.amazonaws.com", "GetCallerIdentity", ""),
            event("e3", "2026-10-02T09:00:00Z", "sts.amazonaws.com", "GetCallerIdentity", ""));
    Dataset<Row> all = run1.unionByName(run2);
    Dataset<Row> after2 = step(CloudTrailDaily.daily(events(run1)), all, run2);

    assertSameRows(after2, CloudTrailDaily.daily(events(all)));
    Row day1 = after2.filter(col("day").equalTo(java.sql.Date.valueOf(DAY1))).first();
    assertThat(day1.<Long>getAs("success_count")).isEqualTo(3L);
    assertThat(day1.<java.sql.Timestamp>getAs("first_time").toInstant())
        .hasToString("2026-10-01T08:00:00Z");
    assertThat(day1.<java.sql.Timestamp>getAs("last_time").toInstant())
        .hasToString("2026-10-01T11:00:00Z");
    assertThat(day1.<String>getAs("sample_event_id")).isEqualTo("e0");
    assertThat(day1.getList(day1.fieldIndex("session_names"))).containsExactly("sess-0", "sess-1");
    assertThat(after2.filter(col("day").equalTo(java.sql.Date.valueOf(DAY2))).count()).isEqualTo(1);
  }

  @Test
  void replayingTheSameStepChangesNothing(SparkSession spark) {
    Dataset<Row> run1 =
        delivered(
            spark,
            "a.json",
            event("e1", "2026-10-01T10:00:00Z", "sts.amazonaws.com", "GetCallerIdentity", ""));
    Dataset<Row> run2 =
        delivered(
            spark,
            "b.json",
            event("e2", "2026-10-01T12:00:00Z", "sts.amazonaws.com", "GetCallerIdentity", ""));
    Dataset<Row> all = run1.unionByName(run2);
    Dataset<Row> once = step(CloudTrailDaily.daily(events(run1)), all, run2);
    // As after a crash between the merge and the watermark: the same new rows come again.
    Dataset<Row> twice = step(once, all, run2);
    assertSameRows(twice, once);
    // And a step with no new rows replaces no day.
    assertSameRows(CloudTrailDaily.replaceDays(once, once.limit(0), List.of()), once);
    assertThat(twice.first().<Long>getAs("success_count")).isEqualTo(2L);
  }

  /** (An event without eventName never reaches bronze: ingest quarantines it.) */
  @Test
  void eventsWithNoIamActionAreCountedAsUnmappedNotDropped(SparkSession spark) {
    Dataset<Row> bronze =
        delivered(
            spark,
            "a.json",
            event("e1", "2026-10-01T10:00:00Z", "sts.amazonaws.com", "GetCallerIdentity", ""),
            event("e2", "2026-10-01T10:05:00Z", "agent.internal.example.com", "Invoke", ""),
            event("e3", "2026-10-01T10:06:00Z", "agent.internal.example.com", "Invoke", ""),
            event("e4", "2026-10-01T10:07:00Z", "Not A Host", "GetObject", ""),
            event("e5", "2026-10-01T10:08:00Z", "monitoring.amazonaws.com", "GetMetricData", ""),
            event("e6", "2026-10-01T10:09:00Z", "lambda.amazonaws.com", "Invoke", ""));
    Dataset<Row> ev = events(bronze);

    List<String> unmapped = new ArrayList<>();
    for (Row r :
        CloudTrailDaily.unmapped(ev).orderBy("event_source", "event_name").collectAsList()) {
      unmapped.add(
          r.getAs("event_source")
              + " "
              + r.getAs("event_name")
              + " "
              + r.getAs("day")
              + " x"
              + r.getAs("event_count")
              + " "
              + r.getAs("sample_event_id"));
    }
    assertThat(unmapped)
        .containsExactly(
            "Not A Host GetObject 2026-10-01 x1 e4",
            "agent.internal.example.com Invoke 2026-10-01 x2 e2");
    // Mapped ones land in activity, with the eventSource exception (monitoring → cloudwatch) and
    // the Lambda data event named Invoke for the lambda:InvokeFunction permission.
    assertThat(actions(CloudTrailDaily.daily(ev)))
        .containsExactlyInAnyOrder(
            "sts:getcalleridentity *", "cloudwatch:getmetricdata *", "lambda:invokefunction *");
  }

  @Test
  void s3EventNamesMapToTheirIamActionsAsInTheDataFile(SparkSession spark) {
    String bucket = "{'bucketName':'reports'}".replace('\'', '"');
    String object = "{'bucketName':'reports','key':'q3.csv'}".replace('\'', '"');
    Dataset<Row> bronze =
        delivered(
            spark,
            "a.json",
            s3("e1", "2026-10-01T10:00:00Z", "ListObjects", bucket),
            s3("e2", "2026-10-01T10:00:01Z", "ListObjectsV2", bucket),
            s3("e3", "2026-10-01T10:00:02Z", "HeadBucket", bucket),
            s3("e4", "2026-10-01T10:00:03Z", "HeadObject", object),
            s3("e5", "2026-10-01T10:00:04Z", "CreateMultipartUpload", object),
            s3("e6", "2026-10-01T10:00:05Z", "UploadPart", object),
            s3("e7", "2026-10-01T10:00:06Z", "CompleteMultipartUpload", object),
            s3("e8", "2026-10-01T10:00:07Z", "ListBuckets", "{}"),
            s3("e9", "2026-10-01T10:00:08Z", "GetObject", object));
    List<String> byEvent = new ArrayList<>();
    for (Row r :
        CloudTrailDaily.eventActions(events(bronze))
            .orderBy("eventID", "action")
            .select("eventName", "action", "resource")
            .collectAsList()) {
      byEvent.add(r.getString(0) + " -> " + r.getString(1) + " " + r.getString(2));
    }
    assertThat(byEvent)
        .containsExactly(
            "ListObjects -> s3:listbucket arn:aws:s3:::reports",
            "ListObjectsV2 -> s3:listbucket arn:aws:s3:::reports",
            "HeadBucket -> s3:listbucket arn:aws:s3:::reports",
            "HeadObject -> s3:getobject arn:aws:s3:::reports/*",
            "CreateMultipartUpload -> s3:putobject arn:aws:s3:::reports/*",
            "UploadPart -> s3:putobject arn:aws:s3:::reports/*",
            "CompleteMultipartUpload -> s3:putobject arn:aws:s3:::reports/*",
            "ListBuckets -> s3:listallmybuckets *",
            "GetObject -> s3:getobject arn:aws:s3:::reports/*");
  }

  @Test
  void copyObjectReadsTheSourceBucketAndWritesTheTargetBucket(SparkSession spark) {
    String copy =
        "{'bucketName':'archive','key':'q3.csv','x-amz-copy-source':'reports/2026/q3.csv'}"
            .replace('\'', '"');
    String partCopy =
        "{'bucketName':'archive','key':'big.bin','partNumber':'1','uploadId':'u1',"
            .concat("'x-amz-copy-source':'/raw-data/big.bin?versionId=3'}")
            .replace('\'', '"');
    Dataset<Row> bronze =
        delivered(
            spark,
            "a.json",
            s3("e1", "2026-10-01T10:00:00Z", "CopyObject", copy),
            s3("e2", "2026-10-01T10:00:01Z", "UploadPartCopy", partCopy));
    assertThat(actions(CloudTrailDaily.daily(events(bronze))))
        .containsExactlyInAnyOrder(
            "s3:getobject arn:aws:s3:::reports/*",
            "s3:putobject arn:aws:s3:::archive/*",
            "s3:getobject arn:aws:s3:::raw-data/*");
  }

  @Test
  void theLookupEventsFormAndTheDeliveredFormResolveAlike(SparkSession spark) {
    String ev =
        s3(
            "e1",
            "2026-10-01T10:00:00Z",
            "GetObject",
            "{'bucketName':'reports','key':'q3.csv'}".replace('\'', '"'));
    String quoted = ev.replace("\\", "\\\\").replace("\"", "\\\"");
    String lookup =
        "{\"Events\":[{\"EventId\":\"e1\",\"EventName\":\"GetObject\","
            + "\"EventTime\":1790848800.0,\"CloudTrailEvent\":\""
            + quoted
            + "\"}]}";
    Dataset<Row> fromLookup =
        new Extracted(spark)
            .text(CloudTrail.NAME, "exports/aws-cloudtrail/lookup.json", lookup)
            .bronze("cloudtrail_event");
    Dataset<Row> fromFile = delivered(spark, "a.json", ev);

    String[] facts = {"principal_id", "session_name", "account_id", "day", "action", "resource"};
    Dataset<Row> a = CloudTrailDaily.eventActions(events(fromLookup)).select("eventID", facts);
    Dataset<Row> b = CloudTrailDaily.eventActions(events(fromFile)).select("eventID", facts);
    assertThat(a.count()).isEqualTo(1);
    assertSameRows(a, b);
    assertThat(a.first().<String>getAs("principal_id")).isEqualTo("aws:" + ROLE);
    assertThat(a.first().<String>getAs("action")).isEqualTo("s3:getobject");
  }

  private static List<String> actions(Dataset<Row> daily) {
    List<String> out = new ArrayList<>();
    for (Row r : daily.select("action", "resource").collectAsList()) {
      out.add(r.getString(0) + " " + r.getString(1));
    }
    return out;
  }
}
