package io.agentlake.transforms.sources.cloudtrail;

import static io.agentlake.testing.DatasetAssert.assertSameRows;
import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentlake.schemas.Tables;
import io.agentlake.testing.Extracted;
import io.agentlake.testing.SharedSpark;
import io.agentlake.transforms.correlate.Agents;
import io.agentlake.transforms.correlate.Identities;
import io.agentlake.transforms.correlate.IdentityEdges;
import io.agentlake.transforms.sources.SilverInputs;
import io.agentlake.transforms.sources.iam.AwsIam;
import io.agentlake.transforms.sources.iam.AwsIamSilver;
import io.agentlake.transforms.sources.iam.IamPolicies;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * CloudTrail → {@code silver.principal_daily} → the identity graph's observed facts: a user's last
 * successful use, its long-term key, the KEY_OF and ASSUMED edges. The expected values are derived
 * by hand from the events below, which spread every fact over two days so that a per-day table
 * could only give them if min / max compose across days; failures, a failed AssumeRole with the
 * least event id, a re-delivered event and a session key are there to be left out or counted once.
 */
@ExtendWith(SharedSpark.class)
class PrincipalDailyTest {

  private static final String IAM =
      "/samples/aws-iam/cloudmapper/iam-get-account-authorization-details.json";
  private static final String USER = "arn:aws:iam::aws:user/USER";
  private static final String KEY = "AKIAUSERKEY000000001";
  private static final String ROLE = "arn:aws:iam::111122223333:role/target";
  private static final LocalDate DAY1 = LocalDate.parse("2026-10-01");
  private static final LocalDate DAY2 = LocalDate.parse("2026-10-02");

  /** One CloudTrail event of USER with its long-term key. */
  private static String byUser(String id, String time, String source, String name, String extra) {
    return ("{'eventVersion':'1.09','eventID':'%s','eventTime':'%s','eventSource':'%s',"
            + "'eventName':'%s','awsRegion':'us-east-1','recipientAccountId':'111122223333',"
            + "'userIdentity':{'type':'IAMUser','principalId':'AIDAUSER','arn':'%s',"
            + "'accountId':'111122223333','accessKeyId':'%s','userName':'USER'}%s}")
        .formatted(id, time, source, name, USER, KEY, extra)
        .replace('\'', '"');
  }

  private static String assumeRole(String id, String time, boolean denied) {
    return byUser(
        id,
        time,
        "sts.amazonaws.com",
        "AssumeRole",
        ",'requestParameters':{'roleArn':'"
            + ROLE
            + "','roleSessionName':'s'}"
            + (denied ? ",'errorCode':'AccessDenied'" : ""));
  }

  private static String denied(String id, String time, String name) {
    return byUser(id, time, "ec2.amazonaws.com", name, ",'errorCode':'AccessDenied'");
  }

  private static String ok(String id, String time, String name) {
    return byUser(id, time, "ec2.amazonaws.com", name, "");
  }

  /** An event of the assumed role's session, with its temporary key. */
  private static String bySession(String id, String time) {
    return ("{'eventVersion':'1.09','eventID':'%s','eventTime':'%s',"
            + "'eventSource':'ec2.amazonaws.com','eventName':'DescribeInstances',"
            + "'awsRegion':'us-east-1','recipientAccountId':'111122223333',"
            + "'userIdentity':{'type':'AssumedRole','principalId':'AROATARGET:s',"
            + "'arn':'arn:aws:sts::111122223333:assumed-role/target/s',"
            + "'accountId':'111122223333','accessKeyId':'ASIASESSION000000001',"
            + "'sessionContext':{'sessionIssuer':{'type':'Role','arn':'%s',"
            + "'accountId':'111122223333','userName':'target'}}}}")
        .formatted(id, time, ROLE)
        .replace('\'', '"');
  }

  private static Extracted exports(SparkSession spark) {
    return new Extracted(spark)
        .resource(AwsIam.NAME, IAM)
        .text(
            CloudTrail.NAME,
            "exports/aws-cloudtrail/day1.json",
            records(
                denied("e5", "2026-10-01T10:00:00Z", "ListBuckets"),
                assumeRole("e7", "2026-10-01T11:00:00Z", false),
                ok("e3", "2026-10-01T12:00:00Z", "DescribeInstances")))
        .text(
            CloudTrail.NAME,
            "exports/aws-cloudtrail/day2.json",
            records(
                ok("e3", "2026-10-01T12:00:00Z", "DescribeInstances"),
                assumeRole("e0", "2026-10-02T07:00:00Z", true),
                assumeRole("e1", "2026-10-02T08:00:00Z", false),
                ok("e4", "2026-10-02T09:00:00Z", "DescribeInstances"),
                bySession("s1", "2026-10-02T09:30:00Z"),
                denied("e9", "2026-10-02T10:00:00Z", "TerminateInstances")));
  }

  private static String records(String... events) {
    return "{\"Records\":[" + String.join(",", events) + "]}";
  }

  @Test
  void oneRowPerPrincipalKeyRoleAndDayCountingEachEventOnce(SparkSession spark) {
    Dataset<Row> daily =
        CloudTrailDaily.principalDaily(
            CloudTrailDaily.events(exports(spark).bronze("cloudtrail_event")));
    List<String> rows =
        daily.orderBy("day", "principal_id", "assumed_role_arn").collectAsList().stream()
            .map(
                r ->
                    r.getAs("day")
                        + " "
                        + r.getAs("principal_id")
                        + " "
                        + r.getAs("identity_type")
                        + " "
                        + r.getAs("access_key_id")
                        + " "
                        + r.getAs("assumed_role_arn")
                        + " "
                        + r.getAs("event_count")
                        + "/"
                        + r.getAs("success_count")
                        + " "
                        + instant(r.getAs("first_time"))
                        + ".."
                        + instant(r.getAs("last_time"))
                        + " ok@"
                        + instant(r.getAs("last_success_time"))
                        + " "
                        + r.getAs("sample_event_id"))
            .toList();
    assertThat(rows)
        .containsExactly(
            "2026-10-01 aws:"
                + USER
                + " IAMUser "
                + KEY
                + " null 2/1"
                + " 2026-10-01T10:00:00Z..2026-10-01T12:00:00Z ok@2026-10-01T12:00:00Z e3",
            "2026-10-01 aws:"
                + USER
                + " IAMUser "
                + KEY
                + " "
                + ROLE
                + " 1/1"
                + " 2026-10-01T11:00:00Z..2026-10-01T11:00:00Z ok@2026-10-01T11:00:00Z e7",
            "2026-10-02 aws:"
                + ROLE
                + " AssumedRole null null 1/1"
                + " 2026-10-02T09:30:00Z..2026-10-02T09:30:00Z ok@2026-10-02T09:30:00Z s1",
            "2026-10-02 aws:"
                + USER
                + " IAMUser "
                + KEY
                + " null 3/1"
                + " 2026-10-02T07:00:00Z..2026-10-02T10:00:00Z ok@2026-10-02T09:00:00Z e0",
            "2026-10-02 aws:"
                + USER
                + " IAMUser "
                + KEY
                + " "
                + ROLE
                + " 1/1"
                + " 2026-10-02T08:00:00Z..2026-10-02T08:00:00Z ok@2026-10-02T08:00:00Z e1");
  }

  private static String from(String id, String ip, String userAgent) {
    return byUser(
        id,
        "2026-10-03T12:00:00Z",
        "ec2.amazonaws.com",
        "DescribeInstances",
        ",'sourceIPAddress':'" + ip + "','userAgent':'" + userAgent + "'");
  }

  /**
   * Where a key's calls came from: one client per source IP x user agent class, console and browser
   * ones first, then the busiest; a console session is told by its session context.
   */
  @Test
  void eachRowListsItsClientsByUserAgentClassAndSourceIp(SparkSession spark) {
    String boto = "Boto3/1.35.36 md/Botocore#1.35.36 ua/2.0 os/linux#5.10.226";
    String console =
        bySession("c1", "2026-10-03T13:00:00Z")
            .replace(
                "\"userName\":\"target\"}}",
                "\"userName\":\"target\"},\"sessionCredentialFromConsole\":\"true\"}");
    assertThat(console).contains("sessionCredentialFromConsole");
    Extracted x =
        new Extracted(spark)
            .resource(AwsIam.NAME, IAM)
            .text(
                CloudTrail.NAME,
                "exports/aws-cloudtrail/day3.json",
                records(
                    from("u1", "10.0.0.1", boto),
                    from("u2", "10.0.0.1", boto),
                    from("u3", "203.0.113.9", "aws-cli/2.17.20 md/awscrt#0.20.11 ua/2.0"),
                    from("u4", "198.51.100.7", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7)"),
                    console));
    Map<String, Row> byPrincipal =
        CloudTrailDaily.principalDaily(CloudTrailDaily.events(x.bronze("cloudtrail_event")))
            .collectAsList()
            .stream()
            .collect(java.util.stream.Collectors.toMap(r -> r.getAs("principal_id"), r -> r));
    Row user = byPrincipal.get("aws:" + USER);
    assertThat(user.<Long>getAs("client_count")).isEqualTo(3L);
    assertThat(
            user.<Row>getList(user.fieldIndex("clients")).stream()
                .map(
                    c ->
                        c.getAs("user_agent_class")
                            + " "
                            + c.getAs("source_ip")
                            + " "
                            + c.getAs("event_count")
                            + " "
                            + c.getAs("sample_event_id"))
                .toList())
        .containsExactly("BROWSER 198.51.100.7 1 u4", "SDK 10.0.0.1 2 u1", "CLI 203.0.113.9 1 u3");
    assertThat(user.<Row>getList(user.fieldIndex("clients")).get(1).<String>getAs("user_agent"))
        .isEqualTo(boto);
    Row session = byPrincipal.get("aws:" + ROLE);
    assertThat(session.<Row>getList(session.fieldIndex("clients")))
        .extracting(c -> c.<String>getAs("user_agent_class"))
        .containsExactly("CONSOLE");
  }

  /** At most Tables.MAX_CLIENTS clients per row; client_count says how many there were. */
  @Test
  void theClientsOfARowAreCapped(SparkSession spark) {
    String[] events = new String[Tables.MAX_CLIENTS + 1];
    for (int i = 0; i < events.length; i++) {
      events[i] = from("m" + i, "10.0.1." + i, "aws-sdk-java/2.28.16");
    }
    Extracted x =
        new Extracted(spark)
            .resource(AwsIam.NAME, IAM)
            .text(CloudTrail.NAME, "exports/aws-cloudtrail/day3.json", records(events));
    Row user =
        CloudTrailDaily.principalDaily(CloudTrailDaily.events(x.bronze("cloudtrail_event")))
            .first();
    assertThat(user.<Long>getAs("client_count")).isEqualTo(Tables.MAX_CLIENTS + 1L);
    assertThat(user.getList(user.fieldIndex("clients"))).hasSize(Tables.MAX_CLIENTS);
  }

  @Test
  void theGraphTakesItsCloudTrailFactsAcrossDays(SparkSession spark) {
    Extracted x = exports(spark);
    Dataset<Row> bronze = x.bronze("cloudtrail_event");
    Dataset<Row> daily = CloudTrailDaily.principalDaily(CloudTrailDaily.events(bronze));
    // Built day by day, as incremental runs do, the table is the same.
    Dataset<Row> day1 =
        CloudTrailDaily.principalDaily(
            CloudTrailDaily.events(bronze.filter(CloudTrailDaily.onDays(List.of(DAY1)))));
    Dataset<Row> day2 =
        CloudTrailDaily.principalDaily(
            CloudTrailDaily.events(bronze.filter(CloudTrailDaily.onDays(List.of(DAY2)))));
    assertSameRows(CloudTrailDaily.replaceDays(day1, day2, List.of(DAY2)), daily);

    SilverInputs in = x.inputs(daily);
    Dataset<Row> identities = Identities.identities(in);
    Row key = identities.filter(col("identity_id").equalTo("aws:access_key:" + KEY)).first();
    assertThat(key.getJavaMap(key.fieldIndex("attributes"))).containsEntry("user_arn", USER);
    assertThat(instant(key.getAs("last_seen_at"))).isEqualTo("2026-10-02T09:00:00Z");
    Row user = identities.filter(col("identity_id").equalTo("aws:" + USER)).first();
    assertThat(instant(user.getAs("last_seen_at"))).isEqualTo("2026-10-02T09:00:00Z");

    Dataset<Row> entitlements = IamPolicies.entitlements(AwsIamSilver.attachments(in), DAY2);
    SilverInputs withGrants =
        x.inputs(Map.of(Tables.PRINCIPAL_DAILY, daily, Tables.ENTITLEMENTS, entitlements));
    Dataset<Row> edges = IdentityEdges.edges(withGrants, Agents.agents(withGrants, identities));
    List<String> observed =
        edges
            .filter(col("source").equalTo("aws-cloudtrail"))
            .orderBy("edge_type")
            .collectAsList()
            .stream()
            .map(
                r ->
                    r.getAs("src_id")
                        + " "
                        + r.getAs("edge_type")
                        + " "
                        + r.getAs("dst_id")
                        + " "
                        + instant(r.getAs("first_seen"))
                        + ".."
                        + instant(r.getAs("last_seen"))
                        + " "
                        + r.getAs("evidence"))
            .toList();
    assertThat(observed)
        .containsExactly(
            "aws:"
                + USER
                + " ASSUMED aws:"
                + ROLE
                + " 2026-10-01T11:00:00Z..2026-10-02T08:00:00Z AssumeRole event e1",
            "aws:access_key:"
                + KEY
                + " KEY_OF aws:"
                + USER
                + " 2026-10-01T10:00:00Z..2026-10-02T10:00:00Z"
                + " access key used by this user in CloudTrail");
  }

  private static String instant(Timestamp t) {
    return t == null ? "null" : t.toInstant().toString();
  }
}
