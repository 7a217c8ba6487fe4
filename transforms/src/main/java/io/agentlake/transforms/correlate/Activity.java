package io.agentlake.transforms.correlate;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sort_array;
import static org.apache.spark.sql.functions.split;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.transform;
import static org.apache.spark.sql.functions.when;

import io.agentlake.schemas.Tables;
import io.agentlake.transforms.Contracts;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;

/**
 * CloudTrail events → who did what, where, when: the daily activity aggregate and the observation
 * coverage that says which days and event categories the logs could show at all. Everything
 * downstream reads these aggregates, never raw events.
 *
 * <p>Dangerous: a denied attempt is recorded beside successes but is never use; an event with any
 * other error counts as neither. CloudTrail delivers some events twice, so events are de-duplicated
 * on (account, eventID) first.
 */
public final class Activity {

  private static final String S3_OBJECT_ACTIONS =
      "(?i)^s3:(getobject|putobject|deleteobject|getobjectacl|putobjectacl|getobjectversion"
          + "|deleteobjectversion|restoreobject|getobjecttagging|putobjecttagging|abortmultipartupload)$";

  private Activity() {}

  /** Events de-duplicated, with the acting principal resolved (SPEC 6.1). */
  public static Dataset<Row> events(Dataset<Row> bronzeCloudTrail) {
    Dataset<Row> unique =
        bronzeCloudTrail
            .withColumn(
                "_dup",
                row_number()
                    .over(
                        Window.partitionBy(col("recipientAccountId"), col("eventID"))
                            .orderBy(col("_source_file"), col("_record_position"))))
            .filter(col("_dup").equalTo(1))
            .drop("_dup");
    Column type = col("userIdentity.type");
    Column issuer = col("userIdentity.sessionContext.sessionIssuer.arn");
    Column account = coalesce(col("userIdentity.accountId"), col("recipientAccountId"));
    Column principalArn =
        when(type.equalTo("AssumedRole"), coalesce(issuer, col("userIdentity.arn")))
            .when(type.equalTo("Root"), concat(lit("arn:aws:iam::"), account, lit(":root")))
            .when(
                type.equalTo("AWSService"),
                concat(lit("service:"), coalesce(col("userIdentity.invokedBy"), lit("unknown"))))
            .when(type.equalTo("FederatedUser"), coalesce(issuer, col("userIdentity.arn")))
            .otherwise(coalesce(col("userIdentity.arn"), col("userIdentity.principalId")));
    return unique
        .withColumn("principal_arn", principalArn)
        .withColumn("principal_id", concat(lit("aws:"), principalArn))
        .withColumn(
            "session_name",
            when(type.equalTo("AssumedRole"), element_at(split(col("userIdentity.arn"), "/"), -1)))
        .withColumn("account_id", col("recipientAccountId"))
        .withColumn("day", to_date(col("_event_time")))
        .withColumn(
            "denied",
            coalesce(
                col("errorCode").rlike("(?i)(AccessDenied|Unauthorized|NotAuthorized|Forbidden)"),
                lit(false)))
        .withColumn("succeeded", col("errorCode").isNull())
        .withColumn(
            "event_category", coalesce(col("eventCategory"), lit("Management")).cast("string"));
  }

  /** Each event exploded to the IAM action(s) it exercised, lower-case. */
  public static Dataset<Row> eventActions(Dataset<Row> events) {
    SparkSession spark = events.sparkSession();
    Dataset<Row> prefixes = broadcast(CloudTrailActions.sourcePrefixes(spark));
    Dataset<Row> renamed =
        broadcast(
            CloudTrailActions.eventActions(spark)
                .groupBy("event_source", "event_name")
                .agg(collect_list("action").as("mapped_actions")));
    Dataset<Row> withPrefix =
        events
            .join(prefixes, events.col("eventSource").equalTo(prefixes.col("event_source")), "left")
            .withColumn(
                "iam_prefix",
                coalesce(
                    col("prefix"), regexp_replace(col("eventSource"), "\\.amazonaws\\.com$", "")))
            .drop("event_source", "prefix");
    Dataset<Row> mapped =
        withPrefix.join(
            renamed,
            withPrefix
                .col("eventSource")
                .equalTo(renamed.col("event_source"))
                .and(withPrefix.col("eventName").equalTo(renamed.col("event_name"))),
            "left");
    Column actions =
        coalesce(
            col("mapped_actions"), array(concat(col("iam_prefix"), lit(":"), col("eventName"))));
    Column bucket = col("requestParameters.bucketName");
    return mapped
        .withColumn("action", explode(transform(actions, a -> lower(a))))
        .withColumn(
            "resource",
            when(bucket.isNull(), lit("*"))
                .when(
                    col("action").rlike(S3_OBJECT_ACTIONS),
                    concat(lit("arn:aws:s3:::"), bucket, lit("/*")))
                .otherwise(concat(lit("arn:aws:s3:::"), bucket)))
        .drop("event_source", "event_name", "mapped_actions");
  }

  /** {@code silver.activity_daily}. */
  public static Dataset<Row> daily(Dataset<Row> events) {
    Dataset<Row> grouped =
        eventActions(events)
            .filter(col("day").isNotNull())
            .groupBy("principal_id", "account_id", "action", "resource", "day", "event_category")
            .agg(
                sum(when(col("succeeded"), 1L).otherwise(0L)).as("success_count"),
                sum(when(col("denied"), 1L).otherwise(0L)).as("denied_count"),
                min("_event_time").as("first_time"),
                max("_event_time").as("last_time"),
                min("eventID").as("sample_event_id"),
                sort_array(collect_set("session_name")).as("session_names"));
    return Contracts.conform(grouped, Tables.ACTIVITY_DAILY);
  }

  /** {@code silver.observation_coverage}: per account and day, events seen by category. */
  public static Dataset<Row> coverage(Dataset<Row> events) {
    Dataset<Row> grouped =
        events
            .filter(col("day").isNotNull().and(col("account_id").isNotNull()))
            .groupBy("account_id", "day")
            .agg(
                count(when(col("event_category").equalTo("Management"), 1))
                    .cast("long")
                    .as("management_events"),
                count(when(col("event_category").equalTo("Data"), 1))
                    .cast("long")
                    .as("data_events"))
            .withColumn("source", lit("aws-cloudtrail"));
    return Contracts.conform(grouped, Tables.OBSERVATION_COVERAGE);
  }
}
