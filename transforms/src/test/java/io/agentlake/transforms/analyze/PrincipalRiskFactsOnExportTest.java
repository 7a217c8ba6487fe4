package io.agentlake.transforms.analyze;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentlake.schemas.vocabulary.RiskFactCategory;
import io.agentlake.testing.AwsIamExport;
import io.agentlake.testing.Extracted;
import io.agentlake.testing.Frames;
import io.agentlake.testing.SharedSpark;
import io.agentlake.transforms.sources.iam.AwsIam;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Principal risk facts from a whole IAM export (GetAccountAuthorizationDetails shape): the
 * entitlements and CAN_ASSUME edges are built by the IAM source exactly as the nightly run builds
 * them, so a fact missed or invented anywhere along that chain shows here.
 */
@ExtendWith(SharedSpark.class)
class PrincipalRiskFactsOnExportTest {

  static final String ACCOUNT = "111111111111";
  static final LocalDate DAY = LocalDate.of(2026, 11, 1);
  static final String ADMIN = RiskFactCategory.FULL_ADMIN.value();

  static String arn(String kindAndName) {
    return "arn:aws:iam::" + ACCOUNT + ":" + kindAndName;
  }

  static String id(String kindAndName) {
    return "aws:" + arn(kindAndName);
  }

  static String doc(String effect, String action, String resource) {
    return "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\""
        + effect
        + "\",\"Action\":\""
        + action
        + "\",\"Resource\":\""
        + resource
        + "\"}]}";
  }

  static String allow(String action, String resource) {
    return doc("Allow", action, resource);
  }

  static String conditioned(String action, String resource, String condition) {
    return "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\""
        + action
        + "\",\"Resource\":\""
        + resource
        + "\",\"Condition\":"
        + condition
        + "}]}";
  }

  static String trustService(String service) {
    return "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\""
        + service
        + "\"},\"Action\":\"sts:AssumeRole\"}]}";
  }

  static String trust(String principal) {
    return "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\""
        + principal
        + "\"},\"Action\":\"sts:AssumeRole\"}]}";
  }

  static String inline(String... documents) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < documents.length; i++) {
      out.append(i == 0 ? "" : ",")
          .append("{\"PolicyName\":\"p")
          .append(i)
          .append("\",\"PolicyDocument\":")
          .append(documents[i])
          .append("}");
    }
    return out.toString();
  }

  static String user(String name, String... documents) {
    return "{\"UserName\":\""
        + name
        + "\",\"UserId\":\"AIDA"
        + name.toUpperCase(java.util.Locale.ROOT)
        + "\",\"Arn\":\""
        + arn("user/" + name)
        + "\",\"CreateDate\":\"2026-01-01T00:00:00Z\",\"GroupList\":[],"
        + "\"AttachedManagedPolicies\":[],\"UserPolicyList\":["
        + inline(documents)
        + "]}";
  }

  static String role(String name, String trustPolicy, String... documents) {
    return "{\"RoleName\":\""
        + name
        + "\",\"RoleId\":\"AROA"
        + name.toUpperCase(java.util.Locale.ROOT)
        + "\",\"Arn\":\""
        + arn("role/" + name)
        + "\",\"CreateDate\":\"2026-01-01T00:00:00Z\",\"AssumeRolePolicyDocument\":"
        + trustPolicy
        + ",\"RolePolicyList\":["
        + inline(documents)
        + "],\"AttachedManagedPolicies\":[],\"InstanceProfileList\":[]}";
  }

  static String export(List<String> users, List<String> roles) {
    return export(users, roles, List.of());
  }

  static String export(List<String> users, List<String> roles, List<String> policies) {
    return "{\"UserDetailList\":["
        + String.join(",", users)
        + "],\"RoleDetailList\":["
        + String.join(",", roles)
        + "],\"GroupDetailList\":[],\"Policies\":["
        + String.join(",", policies)
        + "]}";
  }

  /** A customer-managed policy with one (default) version. */
  static String managed(String name, String document) {
    return "{\"PolicyName\":\""
        + name
        + "\",\"Arn\":\""
        + arn("policy/" + name)
        + "\",\"DefaultVersionId\":\"v1\",\"PolicyVersionList\":[{\"Document\":"
        + document
        + ",\"VersionId\":\"v1\",\"IsDefaultVersion\":true,"
        + "\"CreateDate\":\"2026-01-01T00:00:00Z\"}]}";
  }

  /** A principal (user or role JSON) with the named customer-managed policies attached. */
  static String attached(String principal, String... policyNames) {
    StringBuilder list = new StringBuilder();
    for (String name : policyNames) {
      list.append(list.length() == 0 ? "" : ",")
          .append("{\"PolicyName\":\"")
          .append(name)
          .append("\",\"PolicyArn\":\"")
          .append(arn("policy/" + name))
          .append("\"}");
    }
    return principal.replace(
        "\"AttachedManagedPolicies\":[]", "\"AttachedManagedPolicies\":[" + list + "]");
  }

  static Dataset<Row> facts(SparkSession spark, String export, int maxHops) {
    Extracted x =
        new Extracted(spark).text(AwsIam.NAME, "aws-iam/" + ACCOUNT + "/auth.json", export);
    Dataset<Row> entitlements = AwsIamExport.entitlements(x, DAY);
    Dataset<Row> edges = AwsIamExport.canAssume(x, entitlements);
    return Frames.materialized(
        PrincipalRiskFacts.compute(entitlements, edges, RiskFactCatalog.defaults(), DAY, maxHops));
  }

  static List<Row> rows(Dataset<Row> facts, String principal, String category, String fact) {
    return facts
        .filter(
            col("principal_id")
                .equalTo(principal)
                .and(col("category").equalTo(category))
                .and(col("fact").equalTo(fact)))
        .orderBy("hops", "holder_id")
        .collectAsList();
  }

  @Test
  void aUserReachesAdminThroughTwoRolesAndOnlyWithinTheHopLimit(SparkSession spark) {
    String export =
        export(
            List.of(
                user("alice", allow("sts:AssumeRole", arn("role/A"))),
                user("bob", allow("sts:AssumeRole", arn("role/Other")))),
            List.of(
                role("A", trust(arn("root")), allow("sts:AssumeRole", arn("role/B"))),
                role("B", trust(arn("role/A")), allow("*", "*"))));

    Dataset<Row> out = facts(spark, export, 5);
    List<Row> alice = rows(out, id("user/alice"), ADMIN, "*");
    assertThat(alice).hasSize(1);
    Row viaB = alice.get(0);
    assertThat((String) viaB.getAs("reach")).isEqualTo("via");
    assertThat((String) viaB.getAs("holder_id")).isEqualTo(id("role/B"));
    assertThat(viaB.<String>getList(viaB.fieldIndex("path")))
        .containsExactly(id("user/alice"), id("role/A"), id("role/B"));
    assertThat((boolean) viaB.getAs("conditional")).isFalse();
    assertThat((String) viaB.getAs("evidence"))
        .startsWith("reached by 2 role assumption(s) (")
        .contains("within max-reach-hops 5;");
    assertThat(rows(out, id("user/bob"), ADMIN, "*"))
        .as(
            "bob's policy allows sts:AssumeRole on another role only: A's account trust lets in"
                + " nobody whose own policies do not allow it")
        .isEmpty();

    assertThat(rows(facts(spark, export, 1), id("user/alice"), ADMIN, "*"))
        .as("two hops are beyond a limit of one")
        .isEmpty();
  }

  static String trustUnder(String principal, String condition) {
    return "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\""
        + principal
        + "\"},\"Action\":\"sts:AssumeRole\",\"Condition\":"
        + condition
        + "}]}";
  }

  @Test
  void aTrustPolicyConditionMakesWhatIsReachedThroughItConditionalAndNamesTheKey(
      SparkSession spark) {
    String mfa = "{\"Bool\":{\"aws:MultiFactorAuthPresent\":\"true\"}}";
    String export =
        export(
            List.of(
                user("erin", allow("sts:AssumeRole", arn("role/A"))),
                user("frank", allow("sts:AssumeRole", arn("role/Plain")))),
            List.of(
                role(
                    "A", trustUnder(arn("user/erin"), mfa), allow("sts:AssumeRole", arn("role/B"))),
                role("B", trust(arn("role/A")), allow("*", "*")),
                role("Plain", trust(arn("user/frank")), allow("*", "*"))));

    Dataset<Row> out = facts(spark, export, 5);
    Row erin = rows(out, id("user/erin"), ADMIN, "*").get(0);
    assertThat((String) erin.getAs("holder_id")).isEqualTo(id("role/B"));
    assertThat((boolean) erin.getAs("conditional"))
        .as("the first hop needs MFA: an upper bound")
        .isTrue();
    assertThat((String) erin.getAs("evidence"))
        .contains("assumable only under a condition (upper bound): ")
        .contains(id("user/erin") + " > " + id("role/A"))
        .contains("aws:MultiFactorAuthPresent (Bool)");
    Row frank = rows(out, id("user/frank"), ADMIN, "*").get(0);
    assertThat((boolean) frank.getAs("conditional"))
        .as("a trust policy without a Condition")
        .isFalse();
    assertThat((String) frank.getAs("evidence")).doesNotContain("only under a condition");
  }

  @Test
  void aRoleTrustingAnybodyGivesItsFactsToThoseAllowedToAssumeIt(SparkSession spark) {
    String export =
        export(
            List.of(
                user("carol", allow("sts:AssumeRole", "*")),
                user("dave", allow("s3:GetObject", "*")),
                user("ivan", allow("sts:AssumeRole", arn("role/Other")))
                    .replace(ACCOUNT + ":user/", "999988887777:user/")),
            List.of(role("Open", trust("*"), allow("*", "*"))));

    Dataset<Row> out = facts(spark, export, 5);
    assertThat(rows(out, id("user/carol"), ADMIN, "*"))
        .extracting(r -> r.<String>getAs("holder_id"))
        .containsExactly(id("role/Open"));
    assertThat(rows(out, id("user/dave"), ADMIN, "*"))
        .as("in the role's account, trusting * needs nothing on the caller's side")
        .extracting(r -> r.<String>getAs("holder_id"))
        .containsExactly(id("role/Open"));
    assertThat(rows(out, "aws:arn:aws:iam::999988887777:user/ivan", ADMIN, "*"))
        .as("from another account it needs sts:AssumeRole in the caller's own policies")
        .isEmpty();
  }

  @Test
  void aGrantUnderARestrictingConditionStaysConditionalAndTheEvidenceNamesTheKey(
      SparkSession spark) {
    String escalation = RiskFactCategory.PRIVILEGE_ESCALATION.value();
    String export =
        export(
            List.of(
                user(
                    "mfa",
                    conditioned(
                        "iam:PutUserPolicy",
                        "*",
                        "{\"Bool\":{\"aws:MultiFactorAuthPresent\":\"true\"}}")),
                user(
                    "office",
                    conditioned(
                        "iam:PutUserPolicy",
                        "*",
                        "{\"IpAddress\":{\"aws:SourceIp\":[\"10.0.0.0/8\",\"192.0.2.0/24\"]}}")),
                user(
                    "tagged",
                    conditioned(
                        "iam:AttachUserPolicy",
                        "*",
                        "{\"ArnEquals\":{\"iam:PolicyARN\":\"arn:aws:iam::aws:policy/ReadOnlyAccess\"},"
                            + "\"StringEquals\":{\"aws:ResourceTag/team\":\"data\","
                            + "\"aws:PrincipalTag/team\":\"data\"}}")),
                user("plain", allow("iam:PutUserPolicy", "*"))),
            List.of());

    Dataset<Row> out = facts(spark, export, 5);
    Row mfa = rows(out, id("user/mfa"), escalation, "PutUserPolicy").get(0);
    assertThat((boolean) mfa.getAs("conditional")).isTrue();
    assertThat((String) mfa.getAs("evidence")).contains("aws:MultiFactorAuthPresent (Bool)");
    Row office = rows(out, id("user/office"), escalation, "PutUserPolicy").get(0);
    assertThat((boolean) office.getAs("conditional")).isTrue();
    assertThat((String) office.getAs("evidence")).contains("aws:SourceIp (IpAddress)");
    Row tagged = rows(out, id("user/tagged"), escalation, "AttachUserPolicy").get(0);
    assertThat((boolean) tagged.getAs("conditional")).isTrue();
    assertThat((String) tagged.getAs("evidence"))
        .contains(
            "aws:PrincipalTag/team (StringEquals)",
            "aws:ResourceTag/team (StringEquals)",
            "iam:PolicyARN (ArnEquals)");
    Row plain = rows(out, id("user/plain"), escalation, "PutUserPolicy").get(0);
    assertThat((boolean) plain.getAs("conditional")).isFalse();
    assertThat((String) plain.getAs("evidence")).doesNotContain("condition (upper bound)");
  }

  @Test
  void aPolicyVersionMethodCountsOnlyOnAPolicyThatAffectsThePrincipal(SparkSession spark) {
    String escalation = RiskFactCategory.PRIVILEGE_ESCALATION.value();
    String readOnly = allow("s3:ListAllMyBuckets", "*");
    String export =
        export(
            List.of(
                attached(
                    user("dev", allow("iam:CreatePolicyVersion", arn("policy/dev-tools"))),
                    "dev-tools"),
                user("ops", allow("iam:CreatePolicyVersion", arn("policy/orphan"))),
                user("eve", allow("iam:CreatePolicyVersion", arn("policy/zed-*"))),
                attached(user("zed"), "zed-tools"),
                user(
                    "climber",
                    allow("iam:CreatePolicyVersion", arn("policy/ci-*")),
                    allow("sts:AssumeRole", arn("role/ci")))),
            List.of(attached(role("ci", trust(arn("root"))), "ci-deploy")),
            List.of(
                managed("dev-tools", readOnly),
                managed("orphan", readOnly),
                managed("zed-tools", readOnly),
                managed("ci-deploy", readOnly)));

    Dataset<Row> out = facts(spark, export, 5);
    Row dev = rows(out, id("user/dev"), escalation, "CreateNewPolicyVersion").get(0);
    assertThat((boolean) dev.getAs("conditional"))
        .as("the policy it may rewrite is attached to dev itself: decided from the export")
        .isFalse();
    assertThat((String) dev.getAs("evidence"))
        .contains(
            "iam:createpolicyversion changes "
                + arn("policy/dev-tools")
                + " held by "
                + id("user/dev"));
    assertThat(rows(out, id("user/ops"), escalation, "CreateNewPolicyVersion"))
        .as("a policy attached to nothing changes nobody's permissions")
        .isEmpty();
    assertThat(rows(out, id("user/eve"), escalation, "CreateNewPolicyVersion"))
        .as("zed's policy affects zed, whom eve cannot become")
        .isEmpty();
    Row climber = rows(out, id("user/climber"), escalation, "CreateNewPolicyVersion").get(0);
    assertThat((String) climber.getAs("evidence"))
        .as("the policy of a role it can assume is one it benefits from")
        .contains(arn("policy/ci-deploy") + " held by " + id("role/ci"));
  }

  @Test
  void otherResourceScopedMethodsAreConditionalAndNewKeysForOneselfAreNoMethod(SparkSession spark) {
    String escalation = RiskFactCategory.PRIVILEGE_ESCALATION.value();
    String export =
        export(
            List.of(
                user(
                    "self",
                    allow(
                        "iam:CreateAccessKey",
                        "arn:aws:iam::" + ACCOUNT + ":user/${aws:username}")),
                user("keys", allow("iam:CreateAccessKey", arn("user/*"))),
                user("anykey", allow("iam:CreateAccessKey", "*"))),
            List.of());

    Dataset<Row> out = facts(spark, export, 5);
    assertThat(rows(out, id("user/self"), escalation, "CreateAccessKey"))
        .as("a new key for oneself adds no privilege")
        .isEmpty();
    Row keys = rows(out, id("user/keys"), escalation, "CreateAccessKey").get(0);
    assertThat((boolean) keys.getAs("conditional")).isTrue();
    assertThat((String) keys.getAs("evidence"))
        .contains("iam:createaccesskey only on " + arn("user/*"));
    Row anyKey = rows(out, id("user/anykey"), escalation, "CreateAccessKey").get(0);
    assertThat((boolean) anyKey.getAs("conditional")).isFalse();
  }

  /** The role in an instance profile of the given name, as InstanceProfileList exports it. */
  static String inProfile(String role, String name) {
    return role.replace(
        "\"InstanceProfileList\":[]",
        "\"InstanceProfileList\":[{\"InstanceProfileName\":\""
            + name
            + "\",\"InstanceProfileId\":\"AIPA"
            + name.toUpperCase(java.util.Locale.ROOT)
            + "\",\"Arn\":\""
            + arn("instance-profile/" + name)
            + "\",\"Path\":\"/\",\"Roles\":[]}]");
  }

  @Test
  void ssmOnInstancesCountsOnlyWhenAnInstanceCanRunAsAMorePrivilegedRole(SparkSession spark) {
    String escalation = RiskFactCategory.PRIVILEGE_ESCALATION.value();
    String method = "SSMSendCommandToInstanceRole";
    String operator = user("operator", allow("ssm:SendCommand", "*"));
    String ec2Admin = role("web", trustService("ec2.amazonaws.com"), allow("*", "*"));

    Dataset<Row> rich =
        facts(spark, export(List.of(operator), List.of(inProfile(ec2Admin, "web"))), 5);
    Row viaInstance = rows(rich, id("user/operator"), escalation, method).get(0);
    assertThat((boolean) viaInstance.getAs("conditional"))
        .as("which instances run is not exported: an upper bound")
        .isTrue();
    assertThat((String) viaInstance.getAs("evidence"))
        .contains("may run as " + id("role/web") + " (in " + id("instance-profile/web") + ")")
        .contains("not in the IAM export");

    Dataset<Row> noProfile = facts(spark, export(List.of(operator), List.of(ec2Admin)), 5);
    assertThat(rows(noProfile, id("user/operator"), escalation, method))
        .as("no instance profile holds the admin role: no instance can run as it")
        .isEmpty();

    String ec2Operator =
        role("app", trustService("ec2.amazonaws.com"), allow("ssm:SendCommand", "*"));
    String lambdaAdmin = role("batch", trustService("lambda.amazonaws.com"), allow("*", "*"));
    Dataset<Row> poor =
        facts(
            spark,
            export(
                List.of(operator),
                List.of(inProfile(ec2Operator, "app"), inProfile(lambdaAdmin, "batch"))),
            5);
    assertThat(rows(poor, id("user/operator"), escalation, method))
        .as("the EC2 role holds nothing the operator lacks; EC2 may not assume the admin role")
        .isEmpty();
  }

  @Test
  void cloudFormationStackMethodsAreNeverDefinite(SparkSession spark) {
    String escalation = RiskFactCategory.PRIVILEGE_ESCALATION.value();
    Dataset<Row> out =
        facts(
            spark,
            export(
                List.of(
                    user("stacker", allow("cloudformation:UpdateStack", "*")),
                    user("reader", allow("cloudformation:DescribeStacks", "*"))),
                List.of()),
            5);
    Row update =
        rows(out, id("user/stacker"), escalation, "UpdateCloudFormationStackWithItsServiceRole")
            .get(0);
    assertThat((boolean) update.getAs("conditional")).isTrue();
    assertThat((String) update.getAs("evidence")).contains("stacks are not in the IAM export");
    assertThat(out.filter(col("principal_id").equalTo(id("user/reader"))).count())
        .as("describing stacks runs nothing")
        .isZero();
  }
}
