package io.agentlake.transforms.sources.iam;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentlake.testing.AwsIamExport;
import io.agentlake.testing.Extracted;
import io.agentlake.testing.SharedSpark;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * SPEC 6.2, trust policies: naming a principal lets it assume the role; naming the account root
 * lets in only the principals of that account whose own policies also allow sts:AssumeRole on the
 * role.
 */
@ExtendWith(SharedSpark.class)
class TrustEdgesTest {

  private static final String ACCOUNT = "111111111111";

  private static String trust(String principal) {
    return "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\""
        + principal
        + "\"},\"Action\":\"sts:AssumeRole\"}]}";
  }

  private static String user(String name, String inlinePolicy) {
    return "{\"UserName\":\""
        + name
        + "\",\"UserId\":\"AIDA"
        + name.toUpperCase()
        + "\",\"Arn\":\"arn:aws:iam::"
        + ACCOUNT
        + ":user/"
        + name
        + "\",\"CreateDate\":\"2026-01-01T00:00:00Z\",\"GroupList\":[],\"AttachedManagedPolicies\":[],"
        + "\"UserPolicyList\":["
        + (inlinePolicy == null
            ? ""
            : "{\"PolicyName\":\"assume\",\"PolicyDocument\":" + inlinePolicy + "}")
        + "]}";
  }

  private static String role(String name, String trustPolicy) {
    return "{\"RoleName\":\""
        + name
        + "\",\"RoleId\":\"AROA"
        + name.toUpperCase()
        + "\",\"Arn\":\"arn:aws:iam::"
        + ACCOUNT
        + ":role/"
        + name
        + "\",\"CreateDate\":\"2026-01-01T00:00:00Z\",\"AssumeRolePolicyDocument\":"
        + trustPolicy
        + ",\"RolePolicyList\":[],\"AttachedManagedPolicies\":[]}";
  }

  @Test
  void accountRootTrustNeedsTheIdentitySideAllowAnExactArnDoesNot(SparkSession spark) {
    String allowTarget =
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"STS:AssumeRole\","
            + "\"Resource\":\"arn:aws:iam::"
            + ACCOUNT
            + ":role/Target\"}]}";
    String allowOther =
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\","
            + "\"Resource\":\"arn:aws:iam::"
            + ACCOUNT
            + ":role/Other*\"}]}";
    String export =
        "{\"UserDetailList\":["
            + user("alice", null)
            + ","
            + user("bob", allowTarget)
            + ","
            + user("carol", allowOther)
            + "],\"RoleDetailList\":["
            + role("Target", trust("arn:aws:iam::" + ACCOUNT + ":root"))
            + ","
            + role("ByName", trust("arn:aws:iam::" + ACCOUNT + ":user/alice"))
            + ","
            + role("ByBareAccount", trust(ACCOUNT))
            + "],\"GroupDetailList\":[],\"Policies\":[]}";

    assertThat(edges(spark, export))
        .containsExactlyInAnyOrder(
            // the root of the account: only bob's own policy allows sts:AssumeRole on Target
            "user/bob -> role/Target",
            // an exact ARN needs nothing on the identity side
            "user/alice -> role/ByName");
  }

  @Test
  void anEdgeGrantedUnderAConditionIsConditionalAndItsEvidenceNamesTheKeys(SparkSession spark) {
    String externalId =
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::"
            + ACCOUNT
            + ":user/alice\"},\"Action\":\"sts:AssumeRole\","
            + "\"Condition\":{\"StringEquals\":{\"sts:ExternalId\":\"x-1\"}}}]}";
    String fromOffice =
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\","
            + "\"Resource\":\"*\",\"Condition\":{\"IpAddress\":{\"aws:SourceIp\":\"203.0.113.0/24\"}}}]}";
    String export =
        "{\"UserDetailList\":["
            + user("alice", null)
            + ","
            + user("bob", fromOffice)
            + ","
            + user("carol", policy("Allow", "*"))
            + "],\"RoleDetailList\":["
            + role("Vendor", externalId)
            + ","
            + role("Team", trust("arn:aws:iam::" + ACCOUNT + ":root"))
            + "],\"GroupDetailList\":[],\"Policies\":[]}";
    Extracted x =
        new Extracted(spark).text(AwsIam.NAME, "aws-iam/" + ACCOUNT + "/auth.json", export);
    Dataset<Row> entitlements = AwsIamExport.entitlements(x, LocalDate.of(2026, 11, 1));
    List<String> edges =
        AwsIamExport.canAssume(x, entitlements)
            .select("src_id", "dst_id", "conditional", "evidence")
            .collectAsList()
            .stream()
            .map(
                r ->
                    (r.getString(0) + " -> " + r.getString(1))
                            .replace("aws:arn:aws:iam::" + ACCOUNT + ":", "")
                        + (r.getBoolean(2) ? " conditional: " + r.getString(3) : " definite"))
            .map(s -> s.replaceAll(": trust policy .*upper bound\\): ", ": "))
            .toList();
    assertThat(edges)
        .containsExactlyInAnyOrder(
            "user/alice -> role/Vendor conditional: sts:ExternalId (StringEquals)",
            "user/bob -> role/Team conditional: aws:SourceIp (IpAddress)",
            "user/carol -> role/Team definite");
  }

  private static String policy(String effect, String resource) {
    return "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\""
        + effect
        + "\",\"Action\":\"sts:AssumeRole\",\"Resource\":\""
        + resource
        + "\"}]}";
  }

  private static List<String> edges(SparkSession spark, String export) {
    Extracted x =
        new Extracted(spark).text(AwsIam.NAME, "aws-iam/" + ACCOUNT + "/auth.json", export);
    Dataset<Row> entitlements = AwsIamExport.entitlements(x, LocalDate.of(2026, 11, 1));
    return AwsIamExport.canAssume(x, entitlements)
        .select("src_id", "dst_id")
        .collectAsList()
        .stream()
        .map(
            r ->
                r.getString(0).replace("aws:arn:aws:iam::" + ACCOUNT + ":", "")
                    + " -> "
                    + r.getString(1).replace("aws:arn:aws:iam::" + ACCOUNT + ":", ""))
        .toList();
  }

  @Test
  void aRoleTrustingAnybodyIsAssumableByItsAccountAndByOthersWhosePoliciesAllowItUnlessDenied(
      SparkSession spark) {
    String roleArn = "arn:aws:iam::" + ACCOUNT + ":role/Open";
    String elsewhere = "999988887777";
    String export =
        "{\"UserDetailList\":["
            + user("dave", policy("Allow", roleArn))
            + ","
            + user("frank", null)
            + ","
            + user("grace", policy("Allow", roleArn))
                .replace(ACCOUNT + ":user/", elsewhere + ":user/")
            + ","
            + user("heidi", null).replace(ACCOUNT + ":user/", elsewhere + ":user/")
            + "],\"RoleDetailList\":["
            + role("Open", trust("*"))
            + "],\"GroupDetailList\":[],\"Policies\":[]}";
    // erin's policy allows every role, but a Deny in the same account's user policy list wins
    String erin =
        user("erin", null)
            .replace(
                "\"UserPolicyList\":[]",
                "\"UserPolicyList\":[{\"PolicyName\":\"all\",\"PolicyDocument\":"
                    + policy("Allow", "*")
                    + "},{\"PolicyName\":\"no-open\",\"PolicyDocument\":"
                    + policy("Deny", "arn:aws:iam::" + ACCOUNT + ":role/Op*")
                    + "}]");
    export = export.replace("\"UserDetailList\":[", "\"UserDetailList\":[" + erin + ",");

    assertThat(edges(spark, export))
        .containsExactlyInAnyOrder(
            // in the role's own account the trust policy alone lets every principal in: dave
            // with his Allow, frank without one (erin's Deny wins)
            "user/dave -> role/Open",
            "user/frank -> role/Open",
            // from another account the caller's own policies must allow it: grace's do, heidi's
            // do not
            "aws:arn:aws:iam::" + elsewhere + ":user/grace -> role/Open",
            // "anybody" stays an edge of its own, for reach reports
            "aws:* -> role/Open");
  }
}
