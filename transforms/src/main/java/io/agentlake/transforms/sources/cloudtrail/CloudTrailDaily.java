package io.agentlake.transforms.sources.cloudtrail;

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
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.get_json_object;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.regexp_extract;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sort_array;
import static org.apache.spark.sql.functions.split;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;

import io.agentlake.schemas.Tables;
import io.agentlake.schemas.vocabulary.IdPrefix;
import io.agentlake.schemas.vocabulary.Platform;
import io.agentlake.schemas.vocabulary.UserAgentClass;
import io.agentlake.transforms.Contracts;
import java.sql.Date;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.Collection;
import java.util.TreeSet;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.functions;

/**
 * CloudTrail events → who did what, where, when: the daily activity aggregate, the daily principal
 * facts the identity graph is built from, and the observation coverage that says which days and
 * event categories the logs could show at all. Everything downstream reads these aggregates, never
 * raw events.
 *
 * <p>Dangerous: a denied attempt is recorded beside successes but is never use; an event with any
 * other error counts as neither. CloudTrail delivers some events twice, so events are de-duplicated
 * on (account, eventID) first — within the rows given, which is why an incremental update
 * recomputes whole days ({@link #replaceDays}) rather than adding new rows' counts to stored ones:
 * both copies of an event share its day. Events with no derivable IAM action are not in {@link
 * #daily}; {@link #unmapped} counts them.
 */
public final class CloudTrailDaily {

  /** The log CloudTrail activity comes from: {@code silver.observation_coverage.source}. */
  public static final String CLOUDTRAIL_LOG = "aws-cloudtrail";

  private static final String S3_OBJECT_ACTIONS =
      "(?i)^s3:(getobject|putobject|deleteobject|getobjectacl|putobjectacl|getobjectversion"
          + "|deleteobjectversion|restoreobject|getobjecttagging|putobjecttagging|abortmultipartupload)$";

  private CloudTrailDaily() {}

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
    return resolved(unique);
  }

  /** Events with the acting principal resolved, as given (duplicates and all). */
  private static Dataset<Row> resolved(Dataset<Row> bronzeCloudTrail) {
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
    return bronzeCloudTrail
        .withColumn("principal_arn", principalArn)
        .withColumn("principal_id", IdPrefix.AWS.of(principalArn))
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

  /** Each event exploded to the IAM action(s) it exercised, lower-case. Unmappable events drop. */
  public static Dataset<Row> eventActions(Dataset<Row> events) {
    Column bucket =
        when(col("on_resource").equalTo(CloudTrailActions.COPY_SOURCE), copySourceBucket())
            .otherwise(col("requestParameters.bucketName"));
    return withActions(events)
        .withColumn("exercised", explode(col("mapped_actions")))
        .withColumn("action", lower(col("exercised.action")))
        .withColumn("on_resource", col("exercised.on_resource"))
        .withColumn(
            "resource",
            when(bucket.isNull(), lit("*"))
                .when(
                    col("action").rlike(S3_OBJECT_ACTIONS),
                    concat(lit("arn:aws:s3:::"), bucket, lit("/*")))
                .otherwise(concat(lit("arn:aws:s3:::"), bucket)))
        .drop("mapped_actions", "exercised", "on_resource");
  }

  /**
   * Events with a {@code mapped_actions} array of (action, on_resource): the data-file rows for
   * renamed events, else {@code <prefix>:<eventName>}; null when no action can be derived (no
   * eventSource or eventName, or a host that is neither an AWS service endpoint nor listed in the
   * eventSource exceptions).
   */
  private static Dataset<Row> withActions(Dataset<Row> events) {
    SparkSession spark = events.sparkSession();
    Dataset<Row> prefixes = broadcast(CloudTrailActions.sourcePrefixes(spark));
    Dataset<Row> renamed =
        broadcast(
            CloudTrailActions.eventActions(spark)
                .groupBy("event_source", "event_name")
                .agg(
                    sort_array(collect_list(struct(col("action"), col("on_resource"))))
                        .as("renamed_actions")));
    Dataset<Row> withPrefix =
        events
            .join(prefixes, events.col("eventSource").equalTo(prefixes.col("event_source")), "left")
            .withColumn(
                "iam_prefix",
                coalesce(
                    col("prefix"),
                    when(
                        col("eventSource").rlike("^[a-z0-9-]+\\.amazonaws\\.com$"),
                        regexp_replace(col("eventSource"), "\\.amazonaws\\.com$", ""))))
            .drop("event_source", "prefix");
    Dataset<Row> mapped =
        withPrefix.join(
            renamed,
            withPrefix
                .col("eventSource")
                .equalTo(renamed.col("event_source"))
                .and(withPrefix.col("eventName").equalTo(renamed.col("event_name"))),
            "left");
    Column byDefault =
        when(
            col("iam_prefix").isNotNull().and(col("eventName").isNotNull()),
            array(
                struct(
                    concat(col("iam_prefix"), lit(":"), col("eventName")).as("action"),
                    lit(CloudTrailActions.TARGET).as("on_resource"))));
    return mapped
        .withColumn("mapped_actions", coalesce(col("renamed_actions"), byDefault))
        .drop("event_source", "event_name", "renamed_actions", "iam_prefix");
  }

  /**
   * The source bucket of a CopyObject / UploadPartCopy, from {@code x-amz-copy-source}
   * ("bucket/key", "/bucket/key" or with "?versionId="), read from the redacted raw event because
   * the typed bronze columns keep only bucketName and key.
   */
  private static Column copySourceBucket() {
    Column source = get_json_object(col("_raw"), "$.requestParameters.x-amz-copy-source");
    Column bucket = regexp_extract(source, "^/?([^/?]+)/", 1);
    return when(bucket.notEqual(""), bucket);
  }

  /**
   * {@code silver.unmapped_events}: CloudTrail events for which no IAM action can be derived,
   * counted per eventSource x eventName x account x day with a sample, so they are reported rather
   * than silently missing from {@code activity_daily}.
   */
  public static Dataset<Row> unmapped(Dataset<Row> events) {
    Dataset<Row> grouped =
        withActions(events)
            .filter(col("mapped_actions").isNull().and(col("day").isNotNull()))
            .groupBy(
                col("eventSource").as("event_source"),
                col("eventName").as("event_name"),
                col("account_id"),
                col("day"))
            .agg(
                count(lit(1)).cast("long").as("event_count"),
                min("_event_time").as("first_time"),
                max("_event_time").as("last_time"),
                min("eventID").as("sample_event_id"));
    return Contracts.conform(grouped, Tables.UNMAPPED_EVENTS);
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
                sort_array(collect_set("session_name")).as("session_names"))
            .withColumn("platform", lit(Platform.AWS.value()));
    return Contracts.conform(grouped, Tables.ACTIVITY_DAILY);
  }

  /**
   * {@code silver.principal_daily}: per day, who acted, with which long-term access key, and which
   * roles they assumed — what {@link Identities} and {@link IdentityEdges} need from CloudTrail.
   * Min / max facts over days compose exactly (a min of per-day mins is the min), so the graph
   * computed from this table equals the graph computed from the events. The counts are of
   * de-duplicated events, like {@link #daily}'s, so both tables count one CloudTrail event once.
   */
  public static Dataset<Row> principalDaily(Dataset<Row> events) {
    Column key = col("userIdentity.accessKeyId");
    Column assumedRole =
        when(
            col("eventSource")
                .equalTo("sts.amazonaws.com")
                .and(col("eventName").startsWith("AssumeRole"))
                .and(col("succeeded")),
            col("requestParameters.roleArn"));
    String[] keys = {"principal_id", "identity_type", "access_key_id", "assumed_role_arn", "day"};
    // Per client first (source IP x user agent class), then per row: sums, mins and maxes of the
    // per-client values are the row's, so the row's facts are as if grouped in one step.
    Dataset<Row> byClient =
        events
            .filter(col("day").isNotNull())
            .withColumn("identity_type", col("userIdentity.type"))
            .withColumn("access_key_id", when(key.startsWith("AKIA"), key))
            .withColumn("assumed_role_arn", assumedRole)
            .withColumn("source_ip", col("sourceIPAddress"))
            .withColumn("user_agent_class", userAgentClass())
            .groupBy(
                col("principal_id"),
                col("identity_type"),
                col("access_key_id"),
                col("assumed_role_arn"),
                col("day"),
                col("source_ip"),
                col("user_agent_class"))
            .agg(
                count(lit(1)).cast("long").as("event_count"),
                sum(when(col("succeeded"), 1L).otherwise(0L)).as("success_count"),
                min("_event_time").as("first_time"),
                max("_event_time").as("last_time"),
                max(when(col("succeeded"), col("_event_time"))).as("last_success_time"),
                min("eventID").as("sample_event_id"),
                min(substring(col("userAgent"), 1, Tables.USER_AGENT_CHARS)).as("user_agent"));
    Column interactiveFirst =
        when(
                col("user_agent_class")
                    .isin(UserAgentClass.CONSOLE.value(), UserAgentClass.BROWSER.value()),
                0)
            .otherwise(1);
    Dataset<Row> grouped =
        byClient
            .groupBy(Arrays.stream(keys).map(functions::col).toArray(Column[]::new))
            .agg(
                sum("event_count").cast("long").as("event_count"),
                sum("success_count").cast("long").as("success_count"),
                min("first_time").as("first_time"),
                max("last_time").as("last_time"),
                max("last_success_time").as("last_success_time"),
                min("sample_event_id").as("sample_event_id"),
                sort_array(
                        collect_list(
                            struct(
                                interactiveFirst.as("rank"),
                                col("event_count").multiply(-1).as("fewer"),
                                col("source_ip"),
                                col("user_agent_class"),
                                col("user_agent"),
                                col("event_count"),
                                col("first_time"),
                                col("sample_event_id"))))
                    .as("all_clients"),
                count(lit(1)).cast("long").as("client_count"))
            .withColumn(
                "clients",
                expr(
                    "transform(slice(all_clients, 1, "
                        + Tables.MAX_CLIENTS
                        + "), c -> named_struct('source_ip', c.source_ip, 'user_agent_class',"
                        + " c.user_agent_class, 'user_agent', c.user_agent, 'event_count',"
                        + " c.event_count, 'first_time', c.first_time, 'sample_event_id',"
                        + " c.sample_event_id))"));
    return Contracts.conform(grouped, Tables.PRINCIPAL_DAILY);
  }

  /**
   * The {@link UserAgentClass} of an event: CONSOLE when the session was created from the console
   * ({@code sessionCredentialFromConsole}, in the raw event only), for a console sign-in, or when
   * the console itself is the user agent; else by the user agent's product token.
   */
  static Column userAgentClass() {
    Column ua = lower(coalesce(col("userAgent"), lit("")));
    Column fromConsole =
        coalesce(
                lower(
                    get_json_object(
                        col("_raw"), "$.userIdentity.sessionContext.sessionCredentialFromConsole")),
                lit(""))
            .equalTo("true")
            .or(coalesce(col("eventType"), lit("")).equalTo("AwsConsoleSignIn"))
            .or(ua.rlike("^(signin\\.amazonaws\\.com|([a-z0-9-]+\\.)*console\\.amazonaws\\.com)$"));
    return when(fromConsole, UserAgentClass.CONSOLE.value())
        .when(ua.startsWith("mozilla/"), UserAgentClass.BROWSER.value())
        .when(ua.startsWith("aws-cli/"), UserAgentClass.CLI.value())
        .when(ua.rlike("^(boto3|botocore|aws-sdk-|aws-sdk/)"), UserAgentClass.SDK.value())
        .when(
            ua.equalTo("aws internal").or(ua.rlike("^[a-z0-9.-]+\\.amazonaws\\.com$")),
            UserAgentClass.AWS_SERVICE.value())
        .otherwise(UserAgentClass.OTHER.value());
  }

  /**
   * Bronze rows whose event falls on one of {@code days} (UTC): what an incremental run recomputes.
   * Written as one time range per day so Delta can skip every file whose {@code _event_time}
   * min/max lies outside them (bronze files are written per ingest run, so they cluster by time).
   */
  public static Column onDays(Collection<LocalDate> days) {
    Column any = lit(false);
    for (LocalDate day : new TreeSet<>(days)) {
      any =
          any.or(
              col("_event_time")
                  .geq(lit(day.toString()).cast("timestamp"))
                  .and(col("_event_time").lt(lit(day.plusDays(1).toString()).cast("timestamp"))));
    }
    return any;
  }

  /**
   * One incremental step of a day-grained aggregate ({@code activity_daily}, {@code
   * principal_daily}, {@code observation_coverage}, {@code unmapped_events}): the rows of {@code
   * existing} on other days, plus {@code recomputed} for {@code days}. {@code recomputed} must be
   * computed from <em>every</em> bronze row of those days (old and new), so late events join their
   * day and applying the same step twice gives the same table — nothing is ever added to a stored
   * count. The jobs perform the same step on Delta as one {@code replaceWhere} commit.
   */
  public static Dataset<Row> replaceDays(
      Dataset<Row> existing, Dataset<Row> recomputed, Collection<LocalDate> days) {
    Column inDays = dayIn(days);
    return existing.filter(functions.not(inDays)).unionByName(recomputed.filter(inDays));
  }

  /** {@code day IN (...)} as a column (false for no days). */
  public static Column dayIn(Collection<LocalDate> days) {
    if (days.isEmpty()) {
      return lit(false);
    }
    return col("day").isin(days.stream().sorted().map(Date::valueOf).toArray(Object[]::new));
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
            .withColumn("source", lit(CLOUDTRAIL_LOG))
            .withColumn("platform", lit(Platform.AWS.value()));
    return Contracts.conform(grouped, Tables.OBSERVATION_COVERAGE);
  }
}
