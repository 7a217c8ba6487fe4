package io.agentlake.transforms.sources.iam;

import static io.agentlake.testing.Fixtures.j;
import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentlake.testing.Extracted;
import io.agentlake.testing.Frames;
import io.agentlake.testing.SharedSpark;
import io.agentlake.transforms.correlate.EntitlementHistory;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Effective permissions (SPEC 6.2) on a hand-built authorization-details export: one principal per
 * rule, so each test reads the rows of its own principal.
 */
@ExtendWith(SharedSpark.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IamPoliciesTest {

  static final String ACCOUNT = "111122223333";
  static final LocalDate DAY1 = LocalDate.parse("2026-11-01");
  static final LocalDate DAY2 = LocalDate.parse("2026-11-02");

  private Dataset<Row> ent;

  static String role(String name, String inline, String managed, String boundary) {
    return j(
        "{'Arn': 'arn:aws:iam::"
            + ACCOUNT
            + ":role/"
            + name
            + "', 'RoleName': '"
            + name
            + "', 'RoleId': 'AROA"
            + name.toUpperCase(java.util.Locale.ROOT).replace("-", "")
            + "', 'Path': '/', 'CreateDate': '2026-01-01T00:00:00Z',"
            + " 'AssumeRolePolicyDocument': {'Version': '2012-10-17', 'Statement': []},"
            + " 'RolePolicyList': ["
            + inline
            + "], 'AttachedManagedPolicies': ["
            + managed
            + "]"
            + (boundary == null
                ? ""
                : ", 'PermissionsBoundary': {'PermissionsBoundaryType': 'Policy',"
                    + " 'PermissionsBoundaryArn': '"
                    + boundary
                    + "'}")
            + ", 'Tags': []}");
  }

  static String inline(String name, String... statements) {
    return "{'PolicyName': '"
        + name
        + "', 'PolicyDocument': {'Version': '2012-10-17', 'Statement': ["
        + String.join(",", statements)
        + "]}}";
  }

  static String attached(String name) {
    return "{'PolicyName': '" + name + "', 'PolicyArn': '" + policyArn(name) + "'}";
  }

  static String policyArn(String name) {
    return "arn:aws:iam::" + ACCOUNT + ":policy/" + name;
  }

  /** A managed policy; versions are (isDefault, statements) pairs as JSON. */
  static String managedPolicy(String name, String... versions) {
    return j(
        "{'PolicyName': '"
            + name
            + "', 'Arn': '"
            + policyArn(name)
            + "', 'Path': '/', 'DefaultVersionId': 'v1', 'CreateDate': '2026-01-01T00:00:00Z',"
            + " 'PolicyVersionList': ["
            + String.join(",", versions)
            + "]}");
  }

  static String version(String id, boolean isDefault, String... statements) {
    return "{'VersionId': '"
        + id
        + "', 'IsDefaultVersion': "
        + isDefault
        + ", 'CreateDate': '2026-01-01T00:00:00Z', 'Document': {'Version': '2012-10-17',"
        + " 'Statement': ["
        + String.join(",", statements)
        + "]}}";
  }

  static String allow(String actions, String resources) {
    return "{'Effect': 'Allow', 'Action': " + actions + ", 'Resource': " + resources + "}";
  }

  static String deny(String actions, String resources) {
    return "{'Effect': 'Deny', 'Action': " + actions + ", 'Resource': " + resources + "}";
  }

  static final String CONDITION =
      ", 'Condition': {'Bool': {'aws:MultiFactorAuthPresent': 'true'}}}";

  static String conditional(String statement) {
    return statement.substring(0, statement.length() - 1) + CONDITION;
  }

  static String export(
      List<String> users, List<String> groups, List<String> roles, List<String> policies) {
    return "{\"UserDetailList\": ["
        + String.join(",", users)
        + "], \"GroupDetailList\": ["
        + String.join(",", groups)
        + "], \"RoleDetailList\": ["
        + String.join(",", roles)
        + "], \"Policies\": ["
        + String.join(",", policies)
        + "]}";
  }

  static final List<String> POLICIES =
      List.of(
          managedPolicy("NoDelete", version("v1", true, deny("'s3:DeleteObject'", "'*'"))),
          managedPolicy(
              "Versioned",
              version("v1", true, allow("'s3:GetObject'", "'*'")),
              version("v2", false, allow("'*'", "'*'"))),
          managedPolicy("S3Boundary", version("v1", true, allow("'s3:*'", "'*'"))));

  static final List<String> ROLES =
      List.of(
          role(
              "deny-elsewhere",
              inline("allow-s3", allow("'s3:*'", "'*'"))
                  + ","
                  + inline("maybe-no-put", conditional(deny("'s3:PutObject'", "'*'")))
                  + ","
                  + inline(
                      "no-tagging-here", deny("'s3:PutObjectTagging'", "'arn:aws:s3:::other/*'")),
              attached("NoDelete"),
              null),
          role(
              "not-action",
              inline(
                  "everything-but-iam",
                  "{'Effect': 'Allow', 'NotAction': ['iam:*', 'sts:*'],"
                      + " 'Resource': 'arn:aws:s3:::data-bucket/*'}",
                  "{'Effect': 'Allow', 'NotAction': 's3:*', 'Resource': '*'}"),
              "",
              null),
          role(
              "wildcards",
              inline(
                  "odd-patterns",
                  allow("['S3:Get?bject', 'EC2:describeINSTANCES', 'Foo:Bar*']", "'*'")),
              "",
              null),
          role(
              "conditional",
              inline(
                  "mfa",
                  conditional(allow("'s3:GetObject'", "'*'")),
                  allow("'s3:ListBucket'", "'arn:aws:s3:::data-bucket'")),
              "",
              null),
          role(
              "bounded",
              inline("wants-iam", allow("['s3:GetObject', 'iam:CreateUser']", "'*'")),
              "",
              policyArn("S3Boundary")),
          role("versioned", "", attached("Versioned"), null));

  static final String USER =
      j(
          "{'Arn': 'arn:aws:iam::"
              + ACCOUNT
              + ":user/alice', 'UserName': 'alice', 'UserId': 'AIDAALICE', 'Path': '/',"
              + " 'CreateDate': '2026-01-01T00:00:00Z', 'GroupList': ['devs'],"
              + " 'UserPolicyList': [], 'AttachedManagedPolicies': [], 'Tags': []}");

  static final String GROUP =
      j(
          "{'Arn': 'arn:aws:iam::"
              + ACCOUNT
              + ":group/devs', 'GroupName': 'devs', 'GroupId': 'AGPADEVS', 'Path': '/',"
              + " 'CreateDate': '2026-01-01T00:00:00Z', 'GroupPolicyList': ["
              + inline("devs-ec2", allow("'ec2:StartInstances'", "'*'"))
              + "], 'AttachedManagedPolicies': []}");

  static Dataset<Row> entitlementsOf(SparkSession spark, String exportJson, LocalDate day) {
    Extracted x = new Extracted(spark).text(AwsIam.NAME, "iam/" + day + ".json", exportJson);
    return IamPolicies.entitlements(
        IamPolicies.attachments(
            x.bronze("iam_user"),
            x.bronze("iam_group"),
            x.bronze("iam_role"),
            x.bronze("iam_policy")),
        day);
  }

  @BeforeAll
  void expand(SparkSession spark) {
    ent =
        Frames.materialized(
            entitlementsOf(spark, export(List.of(USER), List.of(GROUP), ROLES, POLICIES), DAY1));
  }

  private Dataset<Row> allowsOf(String name) {
    String arn =
        name.equals("alice")
            ? "arn:aws:iam::" + ACCOUNT + ":user/alice"
            : "arn:aws:iam::" + ACCOUNT + ":role/" + name;
    return ent.filter(col("principal_arn").equalTo(arn))
        .filter(col("effect").equalTo("Allow"))
        .filter(col("policy_type").notEqual("boundary"));
  }

  private static Set<String> actions(Dataset<Row> rows) {
    return new TreeSet<>(
        rows.select("action").as(org.apache.spark.sql.Encoders.STRING()).collectAsList());
  }

  @Test
  void aDenyInAnotherPolicyRemovesTheActionAndAConditionalDenyOnlyFlagsIt() {
    Dataset<Row> rows = allowsOf("deny-elsewhere");
    Set<String> granted = actions(rows);
    assertThat(granted).contains("s3:getobject", "s3:putobject").doesNotContain("s3:deleteobject");
    assertThat(granted).hasSizeGreaterThan(100);
    Row put = rows.filter(col("action").equalTo("s3:putobject")).first();
    assertThat(put.<Boolean>getAs("partially_denied")).isTrue();
    assertThat(put.<Boolean>getAs("definite")).isFalse();
    assertThat(put.getList(put.fieldIndex("denied_by"))).containsExactly("maybe-no-put");
    assertThat(put.<String>getAs("action_pattern")).isEqualTo("s3:*");
    assertThat(put.<String>getAs("policy_name")).isEqualTo("allow-s3");
    // A Deny on another bucket's objects: the Allow on * stays, flagged and named.
    Row tagging = rows.filter(col("action").equalTo("s3:putobjecttagging")).first();
    assertThat(tagging.getList(tagging.fieldIndex("denied_by"))).containsExactly("no-tagging-here");
    Row get = rows.filter(col("action").equalTo("s3:getobject")).first();
    assertThat(get.<Boolean>getAs("definite")).isTrue();
    assertThat(get.<Boolean>getAs("partially_denied")).isFalse();
    // The Deny rows themselves stay, so the removal can be explained.
    assertThat(
            ent.filter(col("effect").equalTo("Deny"))
                .filter(col("policy_name").equalTo("NoDelete"))
                .select("action")
                .as(org.apache.spark.sql.Encoders.STRING())
                .collectAsList())
        .containsExactly("s3:deleteobject");
  }

  @Test
  void notActionWithAConstrainedResourceAllowsOnlyTheActionsThatApplyToIt() {
    Dataset<Row> onBucket =
        allowsOf("not-action")
            .filter(col("resource_pattern").equalTo("arn:aws:s3:::data-bucket/*"));
    Set<String> objectActions = actions(onBucket);
    assertThat(objectActions)
        .contains("s3:getobject", "s3:putobject", "s3:deleteobject")
        .doesNotContain("s3:listbucket", "s3:listallmybuckets", "ec2:runinstances", "iam:passrole");
    assertThat(objectActions)
        .allMatch(a -> a.startsWith("s3:") || a.startsWith("s3-object-lambda:"));
    assertThat(onBucket.select("action_pattern").distinct().first().getString(0))
        .isEqualTo("NOT iam:*,sts:*");

    Set<String> onAnything =
        actions(allowsOf("not-action").filter(col("resource_pattern").equalTo("*")));
    assertThat(onAnything)
        .contains("ec2:runinstances", "iam:passrole", "sts:assumerole")
        .doesNotContain("s3:getobject", "s3:listbucket");
    assertThat(onAnything.size()).isGreaterThan(20_000);
  }

  @Test
  void questionMarksAndMixedCaseMatchAndUnknownPatternsAreKeptFlagged() {
    Dataset<Row> rows = allowsOf("wildcards");
    assertThat(actions(rows))
        .containsExactlyInAnyOrder("s3:getobject", "ec2:describeinstances", "foo:bar*");
    Row get = rows.filter(col("action").equalTo("s3:getobject")).first();
    assertThat(get.<String>getAs("action_pattern")).isEqualTo("s3:get?bject");
    assertThat(get.<String>getAs("access_level")).isEqualTo("Read");
    Row unknown = rows.filter(col("action").equalTo("foo:bar*")).first();
    assertThat(unknown.<Boolean>getAs("in_catalog")).isFalse();
    assertThat(unknown.<String>getAs("service")).isEqualTo("foo");
    assertThat(IamPolicies.unknownActionPatterns(ent).collectAsList())
        .extracting(r -> r.getString(0))
        .containsExactly("foo:bar*");
  }

  @Test
  void aConditionalAllowCountsForTheUpperBoundOnly() {
    Dataset<Row> rows = allowsOf("conditional");
    assertThat(actions(rows)).containsExactlyInAnyOrder("s3:getobject", "s3:listbucket");
    assertThat(actions(rows.filter(col("definite")))).containsExactly("s3:listbucket");
    assertThat(
            rows.filter(col("action").equalTo("s3:getobject"))
                .first()
                .<Boolean>getAs("conditional"))
        .isTrue();
  }

  @Test
  void aPermissionBoundaryRemovesWhatItDoesNotAllow() {
    Dataset<Row> rows = allowsOf("bounded");
    assertThat(actions(rows)).containsExactly("s3:getobject");
    Row get = rows.first();
    assertThat(get.<String>getAs("boundary_policy")).isEqualTo("S3Boundary");
    assertThat(get.<Boolean>getAs("boundary_limited")).isFalse();
  }

  @Test
  void aManagedPolicysNonDefaultVersionGrantsNothing() {
    Dataset<Row> rows = allowsOf("versioned");
    assertThat(actions(rows)).containsExactly("s3:getobject");
    assertThat(rows.first().<String>getAs("policy_type")).isEqualTo("managed");
  }

  @Test
  void aGroupPolicyReachesItsMembers() {
    Row row = allowsOf("alice").first();
    assertThat(row.<String>getAs("action")).isEqualTo("ec2:startinstances");
    assertThat(row.<String>getAs("grant_path")).isEqualTo("group:devs");
    assertThat(row.<String>getAs("policy_name")).isEqualTo("devs-ec2");
    assertThat(row.<String>getAs("principal_id"))
        .isEqualTo("aws:arn:aws:iam::" + ACCOUNT + ":user/alice");
  }

  @Test
  void historyClosesRemovedGrantsAndKeepsUnchangedOnes(SparkSession spark) {
    String before =
        role(
            "wildcards",
            inline("odd-patterns", allow("['S3:Get?bject', 'ec2:DescribeInstances']", "'*'")),
            "",
            null);
    String wildcardsOnly =
        role("wildcards", inline("odd-patterns", allow("['S3:Get?bject']", "'*'")), "", null);
    Dataset<Row> first =
        entitlementsOf(spark, export(List.of(), List.of(), List.of(before), List.of()), DAY1);
    Dataset<Row> day1 = EntitlementHistory.next(first.limit(0), first, DAY1);
    Dataset<Row> second =
        entitlementsOf(
            spark, export(List.of(), List.of(), List.of(wildcardsOnly), List.of()), DAY2);
    Dataset<Row> day2 = Frames.materialized(EntitlementHistory.next(day1, second, DAY2));

    Row kept = day2.filter(col("action").equalTo("s3:getobject")).first();
    assertThat(kept.<java.sql.Date>getAs("valid_from").toLocalDate()).isEqualTo(DAY1);
    assertThat((Object) kept.getAs("valid_to")).isNull();
    Row removed = day2.filter(col("action").equalTo("ec2:describeinstances")).first();
    assertThat(removed.<java.sql.Date>getAs("valid_from").toLocalDate()).isEqualTo(DAY1);
    assertThat(removed.<java.sql.Date>getAs("valid_to").toLocalDate()).isEqualTo(DAY2);
    assertThat(day2.count()).isEqualTo(2);
    assertThat(EntitlementHistory.current(day2).count()).isEqualTo(1);

    // Re-running day 2 on its own output changes nothing.
    Dataset<Row> again = EntitlementHistory.next(day2, second, DAY2);
    assertThat(again.exceptAll(day2).count()).isZero();
    assertThat(day2.exceptAll(again).count()).isZero();
  }
}
