package io.agentlake.transforms.analyze;

import static io.agentlake.testing.Fixtures.j;
import static io.agentlake.testing.Fixtures.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentlake.schemas.Tables;
import io.agentlake.testing.SharedSpark;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SharedSpark.class)
class UnusedPrivilegesTest {

  static final LocalDate AS_OF = LocalDate.of(2025, 6, 30);
  static final int WINDOW = 10;
  static final int GRACE = 14;
  static final String R1 = "aws:arn:aws:iam::111122223333:role/app";
  static final String R2 = "aws:arn:aws:iam::444455556666:role/new-account";

  static String grant(
      String principal, String action, String policyType, String effect, String since) {
    return grant(principal, action, action.toLowerCase(), "*", policyType, effect, since);
  }

  /** One entitlement row: a statement's action pattern expanded to one concrete action. */
  static String grant(
      String principal,
      String pattern,
      String action,
      String resource,
      String policyType,
      String effect,
      String since) {
    String arn = principal.substring(4);
    String service = action.equals("*") ? "*" : action.substring(0, action.indexOf(':'));
    return j(
        ("{'principal_id':'%s','platform':'aws','usage_log':'aws-cloudtrail','principal_arn':'%s','effect':'%s','action_pattern':'%s','action':'%s',"
                    + "'in_catalog':true,'service':'%s','resource_pattern':'%s','unconstrained':%s,")
                .formatted(
                    principal,
                    arn,
                    effect,
                    pattern,
                    action,
                    service,
                    resource,
                    resource.equals("*"))
            + "'conditional':false,'policy_name':'p1',"
            + "'policy_type':'%s','grant_path':'direct','statement_index':0,'granted_since':'%sT00:00:00Z'}"
                .formatted(policyType, since));
  }

  static String act(String principal, String action, String day, long ok, long denied) {
    return j(
        ("{'principal_id':'%s','platform':'aws','action':'%s','resource':'*','day':'%s','event_category':'Management',"
                + "'success_count':%d,'denied_count':%d,'first_time':'%sT08:00:00Z',"
                + "'last_time':'%sT09:00:00Z','sample_event_id':'ev-%s-%s'}")
            .formatted(principal, action, day, ok, denied, day, day, action, day));
  }

  /** A successful data event of another principal in R1's account. */
  static String dataEvent(String action, String day) {
    return j(
        ("{'principal_id':'aws:arn:aws:iam::111122223333:role/other','platform':'aws','account_id':'111122223333',"
                + "'action':'%s','resource':'*','day':'%s','event_category':'Data',"
                + "'success_count':1,'denied_count':0,'first_time':'%sT08:00:00Z',"
                + "'last_time':'%sT09:00:00Z','sample_event_id':'data-%s-%s'}")
            .formatted(action, day, day, day, action, day));
  }

  static Dataset<Row> coverage(SparkSession spark, String account, int days, long dataEvents) {
    List<String> json = new ArrayList<>();
    for (int i = 0; i < days; i++) {
      json.add(
          j(
              "{'platform':'aws','account_id':'%s','source':'aws-cloudtrail','day':'%s','management_events':50,'data_events':%d}"
                  .formatted(account, AS_OF.minusDays(i), dataEvents)));
    }
    return rows(spark, Tables.OBSERVATION_COVERAGE, json.toArray(new String[0]));
  }

  static Dataset<Row> entitlements(SparkSession spark) {
    return rows(
        spark,
        Tables.ENTITLEMENTS,
        grant(R1, "s3:getobject", "managed", "Allow", "2025-01-01"),
        grant(R1, "iam:passrole", "inline", "Allow", "2025-01-01"),
        grant(
            R1,
            "ec2:Describe?nstances",
            "ec2:describeinstances",
            "*",
            "managed",
            "Allow",
            "2025-01-01"),
        grant(R1, "dynamodb:getitem", "inline", "Allow", "2025-01-01"),
        grant(R1, "sqs:*", "sqs:sendmessage", "*", "inline", "Allow", "2025-06-25"),
        grant(R1, "sqs:*", "sqs:receivemessage", "*", "inline", "Allow", "2025-06-25"),
        grant(R1, "lambda:invokefunction", "inline", "Allow", "2025-01-01"),
        grant(R1, "*", "boundary", "Allow", "2025-01-01"),
        grant(R1, "kms:decrypt", "inline", "Deny", "2025-01-01"),
        grant(R2, "sts:assumerole", "inline", "Allow", "2025-01-01"));
  }

  static Dataset<Row> activity(SparkSession spark) {
    return rows(
        spark,
        Tables.ACTIVITY_DAILY,
        act(R1, "ec2:describeinstances", "2025-06-28", 4, 0),
        act(R1, "dynamodb:getitem", "2025-06-29", 0, 3),
        act(R1, "lambda:invokefunction", "2025-05-01", 2, 0),
        act(R1, "kms:decrypt", "2025-07-02", 9, 0));
  }

  static Dataset<Row> reach(SparkSession spark) {
    return rows(
        spark,
        Tables.AGENT_REACH,
        j(
            "{'as_of_date':'2025-06-30','agent_id':'bedrock:X1','principal_id':'"
                + R1
                + "','hops':1,"
                + "'path':['agent:bedrock:X1','"
                + R1
                + "'],'via':'USES'}"));
  }

  static Map<String, Row> byLevelAndPattern(Dataset<Row> out) {
    return out.collectAsList().stream()
        .collect(
            Collectors.toMap(
                r ->
                    r.getAs("principal_id")
                        + "|"
                        + r.getAs("level")
                        + "|"
                        + r.getAs("action_pattern"),
                r -> r));
  }

  Dataset<Row> run(SparkSession spark, Dataset<Row> coverage) {
    return judge(spark, entitlements(spark), activity(spark), coverage);
  }

  /** The table over these inputs, with R1's reach, no identities and the test's window. */
  static Dataset<Row> judge(
      SparkSession spark, Dataset<Row> entitlements, Dataset<Row> activity, Dataset<Row> coverage) {
    return UnusedPrivileges.compute(
        entitlements,
        activity,
        coverage,
        rows(spark, Tables.IDENTITIES),
        reach(spark),
        AS_OF,
        WINDOW,
        GRACE);
  }

  @Test
  void judgesEveryGrantServiceAndIdentity(SparkSession spark) {
    Dataset<Row> out =
        run(
            spark,
            coverage(spark, "111122223333", WINDOW, 0)
                .union(coverage(spark, "444455556666", 5, 0)));

    assertThat(out.schema().simpleString())
        .isEqualTo(Tables.UNUSED_PRIVILEGES.schema().simpleString());
    Map<String, Row> rows = byLevelAndPattern(out);
    assertThat(verdicts(rows, R1, "GRANT"))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "s3:getobject", "NOT_OBSERVABLE",
                "iam:passrole", "NOT_OBSERVABLE",
                "ec2:describe?nstances", "USED",
                "dynamodb:getitem", "UNUSED",
                "sqs:*", "TOO_NEW",
                "lambda:invokefunction", "NOT_OBSERVABLE"));
    assertThat(verdicts(rows, R1, "SERVICE"))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "s3:*", "NOT_OBSERVABLE",
                "iam:*", "UNUSED",
                "ec2:*", "USED",
                "dynamodb:*", "UNUSED",
                "sqs:*", "TOO_NEW",
                // its one Lambda grant, InvokeFunction, shows only in data events, and the
                // account had none: the service's use cannot be seen either
                "lambda:*", "NOT_OBSERVABLE"));
    assertThat(verdicts(rows, R1, "IDENTITY")).containsExactlyEntriesOf(Map.of("*", "USED"));
    assertThat(verdicts(rows, R2, "GRANT"))
        .containsExactlyEntriesOf(Map.of("sts:assumerole", "INSUFFICIENT_HISTORY"));
    assertThat(verdicts(rows, R2, "IDENTITY"))
        .containsExactlyEntriesOf(Map.of("*", "INSUFFICIENT_HISTORY"));

    Row used = rows.get(R1 + "|GRANT|ec2:describe?nstances");
    assertThat(used.getList(used.fieldIndex("used_actions")))
        .containsExactly("ec2:describeinstances");
    assertThat(used.getList(used.fieldIndex("agent_ids"))).containsExactly("bedrock:X1");
    assertThat((Integer) used.getAs("days_unused")).isEqualTo(2);
    assertThat((String) used.getAs("last_used_event_id"))
        .isEqualTo("ev-ec2:describeinstances-2025-06-28");
    assertThat((int) used.getAs("observation_days")).isEqualTo(WINDOW);
  }

  @Test
  void deniedAttemptsAreCountedButAreNotUse(SparkSession spark) {
    Row denied =
        byLevelAndPattern(run(spark, coverage(spark, "111122223333", WINDOW, 0)))
            .get(R1 + "|GRANT|dynamodb:getitem");

    assertThat((String) denied.getAs("verdict")).isEqualTo("UNUSED");
    assertThat((long) denied.getAs("denied_attempts")).isEqualTo(3L);
    assertThat((Object) denied.getAs("last_used_time")).isNull();
    assertThat((Object) denied.getAs("days_unused")).isNull();
    assertThat(denied.getList(denied.fieldIndex("used_actions"))).isEmpty();
    assertThat((String) denied.getAs("evidence"))
        .contains("\"denied_attempts\":3")
        .contains("never counted as use")
        .contains("\"window_start\":\"2025-06-21\"");
  }

  @Test
  void lastUseBeforeTheWindowIsReportedAndLaterActivityIsIgnored(SparkSession spark) {
    Map<String, Row> rows =
        byLevelAndPattern(run(spark, coverage(spark, "111122223333", WINDOW, 0)));

    Row lambda = rows.get(R1 + "|GRANT|lambda:invokefunction");
    assertThat((Integer) lambda.getAs("days_unused")).isEqualTo(60);
    assertThat(rows)
        .doesNotContainKey(R1 + "|GRANT|kms:decrypt")
        .doesNotContainKey(R1 + "|GRANT|*");
  }

  @Test
  void graceStopsAtItsLastDayAndDataEventsMakeS3Observable(SparkSession spark) {
    Map<String, Row> rows =
        byLevelAndPattern(
            UnusedPrivileges.compute(
                entitlements(spark),
                activity(spark)
                    .union(
                        rows(
                            spark, Tables.ACTIVITY_DAILY, dataEvent("s3:getobject", "2025-06-27"))),
                coverage(spark, "111122223333", WINDOW, 7),
                rows(spark, Tables.IDENTITIES),
                reach(spark),
                AS_OF,
                WINDOW,
                5));

    assertThat((String) rows.get(R1 + "|GRANT|sqs:*").getAs("verdict")).isEqualTo("UNUSED");
    assertThat((String) rows.get(R1 + "|GRANT|s3:getobject").getAs("verdict")).isEqualTo("UNUSED");
    assertThat((String) rows.get(R1 + "|GRANT|iam:passrole").getAs("verdict"))
        .isEqualTo("NOT_OBSERVABLE");
  }

  @Test
  void judgesEachGrantedActionAndEachBucketScopedGrantOnItsResources(SparkSession spark) {
    String r3 = "aws:arn:aws:iam::111122223333:role/reader";
    Dataset<Row> entitlements =
        rows(
            spark,
            Tables.ENTITLEMENTS,
            grant(
                r3,
                "s3:Get*",
                "s3:getobject",
                "arn:aws:s3:::reports/*",
                "inline",
                "Allow",
                "2025-01-01"),
            grant(
                r3,
                "s3:Get*",
                "s3:getobjectacl",
                "arn:aws:s3:::reports/*",
                "inline",
                "Allow",
                "2025-01-01"),
            grant(
                r3,
                "s3:GetObject",
                "s3:getobject",
                "arn:aws:s3:::archive/*",
                "inline",
                "Allow",
                "2025-01-01"),
            grant(
                r3,
                "s3:ListBucket",
                "s3:listbucket",
                "arn:aws:s3:::reports",
                "inline",
                "Allow",
                "2025-01-01"));
    Dataset<Row> activity =
        rows(
            spark,
            Tables.ACTIVITY_DAILY,
            j(
                "{'principal_id':'%s','account_id':'111122223333','action':'s3:getobject','resource':'arn:aws:s3:::reports/*','day':'2025-06-29','event_category':'Data','success_count':5,'denied_count':0,'first_time':'2025-06-29T08:00:00Z','last_time':'2025-06-29T09:00:00Z','sample_event_id':'ev-get'}"
                    .formatted(r3)),
            j(
                "{'principal_id':'%s','account_id':'111122223333','action':'s3:listbucket','resource':'arn:aws:s3:::other','day':'2025-06-29','event_category':'Data','success_count':1,'denied_count':0,'first_time':'2025-06-29T08:00:00Z','last_time':'2025-06-29T09:00:00Z','sample_event_id':'ev-list'}"
                    .formatted(r3)));
    Map<String, Row> rows =
        byLevelAndPattern(
            judge(spark, entitlements, activity, coverage(spark, "111122223333", WINDOW, 7)));

    assertThat(verdicts(rows, r3, "ACTION"))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "s3:getobject", "USED",
                "s3:getobjectacl", "UNUSED",
                "s3:listbucket", "USED"));
    Row getObject = rows.get(r3 + "|ACTION|s3:getobject");
    assertThat((String) getObject.getAs("resource_pattern"))
        .isEqualTo("arn:aws:s3:::archive/*, arn:aws:s3:::reports/*");
    assertThat((String) getObject.getAs("last_used_event_id")).isEqualTo("ev-get");

    assertThat(verdicts(rows, r3, "GRANT"))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("s3:get*", "USED", "s3:getobject", "USED", "s3:listbucket", "USED"));
    // On the resource, only the reports/* grant was used; the archive grant and the bucket listing
    // (used on another bucket only) were not.
    assertThat(verdicts(rows, r3, "RESOURCE"))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("s3:get*", "USED", "s3:getobject", "UNUSED", "s3:listbucket", "UNUSED"));
    Row onReports = rows.get(r3 + "|RESOURCE|s3:get*");
    assertThat((String) onReports.getAs("evidence"))
        .contains("\"used_resources\":[\"arn:aws:s3:::reports/*\"]");
    assertThat((String) rows.get(r3 + "|RESOURCE|s3:getobject").getAs("resource_pattern"))
        .isEqualTo("arn:aws:s3:::archive/*");
  }

  @Test
  void eachActionOfAWildcardGrantIsJudgedAndATooNewGrantKeepsItsActionsUnjudged(
      SparkSession spark) {
    Map<String, Row> rows =
        byLevelAndPattern(run(spark, coverage(spark, "111122223333", WINDOW, 0)));

    assertThat(verdicts(rows, R1, "ACTION"))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "s3:getobject", "NOT_OBSERVABLE",
                "iam:passrole", "NOT_OBSERVABLE",
                "ec2:describeinstances", "USED",
                "dynamodb:getitem", "UNUSED",
                "sqs:sendmessage", "TOO_NEW",
                "sqs:receivemessage", "TOO_NEW",
                "lambda:invokefunction", "NOT_OBSERVABLE"));
    assertThat(rows).doesNotContainKey(R1 + "|ACTION|kms:decrypt");
    assertThat(verdicts(rows, R1, "RESOURCE")).isEmpty();
  }

  @Test
  void dataEventsOfOneServiceDoNotMakeAnotherServicesDataEventsObservable(SparkSession spark) {
    Dataset<Row> s3Only =
        activity(spark)
            .union(rows(spark, Tables.ACTIVITY_DAILY, dataEvent("s3:putobject", "2025-06-29")));
    Dataset<Row> withLambda =
        s3Only.union(
            rows(spark, Tables.ACTIVITY_DAILY, dataEvent("lambda:invokefunction", "2025-06-24")));

    assertThat(verdict(spark, s3Only, "s3:getobject")).isEqualTo("UNUSED");
    assertThat(verdict(spark, s3Only, "lambda:invokefunction")).isEqualTo("NOT_OBSERVABLE");
    assertThat(verdict(spark, withLambda, "lambda:invokefunction")).isEqualTo("UNUSED");
  }

  private static String verdict(SparkSession spark, Dataset<Row> activity, String pattern) {
    Row row =
        byLevelAndPattern(
                UnusedPrivileges.compute(
                    entitlements(spark),
                    activity,
                    coverage(spark, "111122223333", WINDOW, 5),
                    rows(spark, Tables.IDENTITIES),
                    reach(spark),
                    AS_OF,
                    WINDOW,
                    GRACE))
            .get(R1 + "|GRANT|" + pattern);
    return row.getAs("verdict");
  }

  @Test
  void rejectsAWindowOutsideOneToAYear(SparkSession spark) {
    assertThatThrownBy(
            () ->
                UnusedPrivileges.compute(
                    entitlements(spark),
                    activity(spark),
                    coverage(spark, "111122223333", 1, 0),
                    rows(spark, Tables.IDENTITIES),
                    reach(spark),
                    AS_OF,
                    0,
                    GRACE))
        .hasMessageContaining("1 to 365 days");
  }

  static Map<String, String> verdicts(Map<String, Row> rows, String principal, String level) {
    return rows.entrySet().stream()
        .filter(e -> e.getKey().startsWith(principal + "|" + level + "|"))
        .collect(
            Collectors.toMap(
                e -> e.getKey().substring((principal + "|" + level + "|").length()),
                e -> e.getValue().getAs("verdict")));
  }

  /**
   * Which S3 actions only data events can show comes from the catalog (actions on objects), not
   * from the word "object" in a name: in an account with no data events, an unused access-point
   * action whose name contains "Object" is UNUSED, while AbortMultipartUpload (an object action
   * without the word) and a glob covering object actions are NOT_OBSERVABLE.
   */
  @Test
  void dataEventOnlyActionsAreTheCatalogsObjectActions(SparkSession spark) {
    String r4 = "aws:arn:aws:iam::111122223333:role/r4";
    Dataset<Row> entitlements =
        rows(
            spark,
            Tables.ENTITLEMENTS,
            grant(r4, "s3:getaccesspointpolicyforobjectlambda", "inline", "Allow", "2025-01-01"),
            grant(r4, "s3:getbucketobjectlockconfiguration", "inline", "Allow", "2025-01-01"),
            grant(r4, "s3:abortmultipartupload", "inline", "Allow", "2025-01-01"),
            grant(r4, "s3:Get*", "s3:getobject", "*", "inline", "Allow", "2025-01-01"),
            grant(r4, "s3:listallmybuckets", "inline", "Allow", "2025-01-01"));
    Dataset<Row> activity =
        rows(spark, Tables.ACTIVITY_DAILY, act(r4, "s3:listallmybuckets", "2025-06-29", 1, 0));
    Map<String, Row> rows =
        byLevelAndPattern(
            judge(spark, entitlements, activity, coverage(spark, "111122223333", WINDOW, 0)));
    assertThat(verdicts(rows, r4, "GRANT"))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "s3:getaccesspointpolicyforobjectlambda", "UNUSED",
                "s3:getbucketobjectlockconfiguration", "UNUSED",
                "s3:abortmultipartupload", "NOT_OBSERVABLE",
                "s3:get*", "NOT_OBSERVABLE",
                "s3:listallmybuckets", "USED"));
    assertThat((String) rows.get(r4 + "|GRANT|s3:abortmultipartupload").getAs("evidence"))
        .contains("CloudTrail records these actions only as data events")
        .contains("no s3 data events");
  }

  /**
   * A wildcard grant reads as one row per service where nothing of the service was used: its ACTION
   * rows are folded into the SERVICE row, which counts them by verdict, while a service with some
   * use keeps its per-action rows (the narrowing a reviewer acts on). Every row counts the actions
   * it covers and those used.
   */
  @Test
  void actionsOfAServiceNothingOfWhichWasUsedFoldIntoItsServiceRow(SparkSession spark) {
    String r5 = "aws:arn:aws:iam::111122223333:role/admin";
    Dataset<Row> entitlements =
        rows(
            spark,
            Tables.ENTITLEMENTS,
            grant(r5, "*", "ec2:describeinstances", "*", "managed", "Allow", "2025-01-01"),
            grant(r5, "*", "ec2:runinstances", "*", "managed", "Allow", "2025-01-01"),
            grant(r5, "*", "ec2:terminateinstances", "*", "managed", "Allow", "2025-01-01"),
            grant(r5, "*", "iam:createuser", "*", "managed", "Allow", "2025-01-01"),
            grant(r5, "*", "iam:passrole", "*", "managed", "Allow", "2025-01-01"),
            grant(r5, "*", "dynamodb:getitem", "*", "managed", "Allow", "2025-01-01"));
    Dataset<Row> activity =
        rows(spark, Tables.ACTIVITY_DAILY, act(r5, "ec2:describeinstances", "2025-06-29", 3, 0));
    Map<String, Row> rows =
        byLevelAndPattern(
            judge(spark, entitlements, activity, coverage(spark, "111122223333", WINDOW, 0)));

    Map<String, Boolean> folded =
        rows.entrySet().stream()
            .filter(e -> e.getKey().startsWith(r5 + "|ACTION|"))
            .collect(
                Collectors.toMap(
                    e -> e.getKey().substring((r5 + "|ACTION|").length()),
                    e -> e.getValue().<Boolean>getAs("folded")));
    assertThat(folded)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "ec2:describeinstances", false,
                "ec2:runinstances", false,
                "ec2:terminateinstances", false,
                "iam:createuser", true,
                "iam:passrole", true,
                "dynamodb:getitem", true));
    assertThat(rows.values())
        .filteredOn(r -> !r.getAs("level").equals("ACTION"))
        .allSatisfy(r -> assertThat(r.<Boolean>getAs("folded")).isFalse());

    Row iam = rows.get(r5 + "|SERVICE|iam:*");
    assertThat((String) iam.getAs("verdict")).isEqualTo("UNUSED");
    assertThat((int) iam.getAs("actions_granted")).isEqualTo(2);
    assertThat((int) iam.getAs("actions_used")).isZero();
    assertThat((String) iam.getAs("evidence"))
        .contains("\"action_verdicts\":{\"NOT_OBSERVABLE\":1,\"UNUSED\":1}");
    assertThat((String) rows.get(r5 + "|ACTION|iam:createuser").getAs("evidence"))
        .contains("\"folded_into\":\"iam:*\"");
    Row ec2 = rows.get(r5 + "|SERVICE|ec2:*");
    assertThat((int) ec2.getAs("actions_granted")).isEqualTo(3);
    assertThat((int) ec2.getAs("actions_used")).isEqualTo(1);
    Row all = rows.get(r5 + "|GRANT|*");
    assertThat((int) all.getAs("actions_granted")).isEqualTo(6);
    assertThat((int) all.getAs("actions_used")).isEqualTo(1);
    Row identity = rows.get(r5 + "|IDENTITY|*");
    assertThat((int) identity.getAs("actions_granted")).isEqualTo(6);
    assertThat((int) identity.getAs("actions_used")).isEqualTo(1);
  }
}
