package io.agentlake.transforms.correlate;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentlake.schemas.vocabulary.FactReach;
import io.agentlake.schemas.vocabulary.RiskFactCategory;
import io.agentlake.testing.AwsIamExport;
import io.agentlake.testing.Extracted;
import io.agentlake.testing.Frames;
import io.agentlake.testing.SharedSpark;
import io.agentlake.transforms.analyze.PrincipalRiskFacts;
import io.agentlake.transforms.analyze.RiskFactCatalog;
import io.agentlake.transforms.sources.cloudtrail.CloudTrail;
import io.agentlake.transforms.sources.cloudtrail.CloudTrailDaily;
import io.agentlake.transforms.sources.iam.AwsIam;
import io.agentlake.transforms.sources.iam.IamPolicies;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Correlation on the real third-party samples (cloudmapper IAM, stratus-red-team CloudTrail). */
@ExtendWith(SharedSpark.class)
class CorrelateOnSamplesTest {

  private static final String IAM =
      "/samples/aws-iam/cloudmapper/iam-get-account-authorization-details.json";
  private static final java.time.LocalDate DAY = java.time.LocalDate.parse("2026-11-01");

  @Test
  void groupPoliciesReachTheirMembersAndManagedPoliciesUseTheDefaultVersion(SparkSession spark) {
    Extracted x = new Extracted(spark).resource(AwsIam.NAME, IAM);
    Dataset<Row> attachments =
        IamPolicies.attachments(
            x.bronze("iam_user"),
            x.bronze("iam_group"),
            x.bronze("iam_role"),
            x.bronze("iam_policy"));
    Dataset<Row> ent = IamPolicies.entitlements(attachments, DAY);

    List<Row> viaGroup =
        ent.filter(col("principal_arn").equalTo("arn:aws:iam::aws:user/USER"))
            .select("grant_path", "policy_name", "policy_type")
            .distinct()
            .collectAsList();
    assertThat(viaGroup)
        .extracting(r -> r.getString(0) + "|" + r.getString(1) + "|" + r.getString(2))
        .containsExactly("group:GROUP_WITH_BAD_INLINE_POLICY|AmazonEC2RoleforSSM|managed");

    // bad_role's inline policy "dostuff" is kept statement by statement, lower-cased.
    assertThat(
            ent.filter(col("principal_arn").equalTo("arn:aws:iam::123456789012:role/bad_role"))
                .filter(col("policy_name").equalTo("dostuff"))
                .count())
        .isPositive();
    assertThat(
            ent.filter(
                    col("action_pattern")
                        .notEqual(org.apache.spark.sql.functions.lower(col("action_pattern"))))
                .count())
        .isZero();
  }

  /**
   * Expectations derived by hand from the cloudmapper export: level1 holds one inline policy of
   * four statements (six actions, three resource scopes); exfiller's {@code s3:*} is every S3
   * action of the catalog (180 in the pinned version) and nothing else.
   */
  @Test
  void handDerivedGrantsOfLevel1AndExfiller(SparkSession spark) {
    Extracted x = new Extracted(spark).resource(AwsIam.NAME, IAM);
    Dataset<Row> ent = AwsIamExport.entitlements(x, DAY);
    List<String> level1 =
        ent
            .filter(
                col("principal_arn").equalTo("arn:aws:iam::123456789012:role/service-role/level1"))
            .orderBy("action")
            .collectAsList()
            .stream()
            .map(
                r ->
                    r.<String>getAs("effect")
                        + " "
                        + r.<String>getAs("action")
                        + " on "
                        + r.<String>getAs("resource_pattern")
                        + " unconstrained="
                        + r.<Boolean>getAs("unconstrained")
                        + " definite="
                        + r.<Boolean>getAs("definite")
                        + " via "
                        + r.<String>getAs("policy_name")
                        + "/"
                        + r.<String>getAs("grant_path")
                        + "#"
                        + r.<Integer>getAs("statement_index"))
            .toList();
    assertThat(level1)
        .containsExactly(
            "Allow ecr:batchgetimage on arn:aws:ecr:*:123456789012:repository/level2"
                + " unconstrained=false definite=true via level1/direct#2",
            "Allow ecr:getauthorizationtoken on * unconstrained=true definite=true via"
                + " level1/direct#3",
            "Allow ecr:getdownloadurlforlayer on arn:aws:ecr:*:123456789012:repository/level2"
                + " unconstrained=false definite=true via level1/direct#2",
            "Allow ecr:listimages on arn:aws:ecr:*:123456789012:repository/level2"
                + " unconstrained=false definite=true via level1/direct#2",
            "Allow s3:getobject on arn:aws:s3:::level1.flaws2.cloud/* unconstrained=false"
                + " definite=true via level1/direct#0",
            "Allow s3:listbucket on arn:aws:s3:::level1.flaws2.cloud unconstrained=false"
                + " definite=true via level1/direct#1");

    Dataset<Row> exfiller =
        ent.filter(col("principal_arn").equalTo("arn:aws:iam::123456789012:role/exfiller"));
    assertThat(exfiller.count()).isEqualTo(180);
    assertThat(exfiller.filter(col("service").notEqual("s3")).count()).isZero();
    assertThat(exfiller.filter(col("action_pattern").notEqual("s3:*")).count()).isZero();
    assertThat(exfiller.filter(col("action").equalTo("s3:getobject")).count()).isEqualTo(1);
    assertThat(IamPolicies.unknownActionPatterns(ent).count()).isZero();
  }

  @Test
  void trustPoliciesBecomeCanAssumeEdgesForAnyoneAndForServices(SparkSession spark) {
    Extracted x = new Extracted(spark).resource(AwsIam.NAME, IAM);
    Dataset<Row> ent = AwsIamExport.entitlements(x, DAY);
    List<String> edges =
        AwsIamExport.canAssume(x, ent)
            .select("src_id", "dst_id")
            .orderBy("dst_id")
            .collectAsList()
            .stream()
            .map(r -> r.getString(0) + " -> " + r.getString(1))
            .toList();
    assertThat(edges)
        .contains(
            "aws:* -> aws:arn:aws:iam::123456789012:role/bad_role",
            "aws:service:ec2.amazonaws.com -> aws:arn:aws:iam::123456789012:role/exfiller",
            "aws:service:lambda.amazonaws.com -> aws:arn:aws:iam::123456789012:role/service-role/level1");
  }

  /**
   * Derived by hand from the cloudmapper export: bad_role's inline {@code dostuff} allows "*" on
   * "*" and is the only admin, and the only principal with an escalation method (no other policy
   * grants iam, lambda, glue, ec2:RunInstances ...); exfiller's {@code s3:*} on "*" and
   * AmazonEC2RoleforSSM's s3:GetObject / ssm:GetParameters on "*" are unconstrained exfiltration,
   * level1's s3:GetObject is limited to its bucket; level1's ecr:GetAuthorizationToken on "*"
   * exposes credentials. USER gets AmazonEC2RoleforSSM through its group. bad_role trusts "*",
   * which within its account needs nothing on the caller's side, so the other three roles reach
   * everything it holds; the others trust services only.
   */
  @Test
  void riskFactsOfTheRealIamExportMatchAHandReading(SparkSession spark) {
    Extracted x = new Extracted(spark).resource(AwsIam.NAME, IAM);
    // silver tables, as the analyze job reads them
    Dataset<Row> ent = AwsIamExport.entitlements(x, LocalDate.of(2026, 11, 1));
    Dataset<Row> edges = AwsIamExport.canAssume(x, ent);
    Dataset<Row> facts =
        Frames.materialized(
            PrincipalRiskFacts.compute(
                ent, edges, RiskFactCatalog.defaults(), java.time.LocalDate.of(2026, 10, 3), 5));
    String role = "aws:arn:aws:iam::123456789012:role/";

    Dataset<Row> direct = facts.filter(col("reach").equalTo(FactReach.DIRECT.value()));
    assertThat(principalsWith(direct, RiskFactCategory.FULL_ADMIN.value()))
        .containsExactly(role + "bad_role");
    assertThat(principalsWith(direct, RiskFactCategory.PRIVILEGE_ESCALATION.value()))
        .containsExactly(role + "bad_role");
    // bad_role trusts "*": every other role of its account may assume it, and so becomes admin
    // (the users' ARNs name account "aws", and none of their policies allows sts:AssumeRole)
    Dataset<Row> via = facts.filter(col("reach").equalTo(FactReach.VIA.value()));
    assertThat(principalsWith(via, RiskFactCategory.FULL_ADMIN.value()))
        .containsExactlyInAnyOrder(
            role + "exfiller", role + "service-role/level1", role + "level3");
    assertThat(via.select("holder_id").distinct().collectAsList())
        .extracting(r -> r.getString(0))
        .containsExactly(role + "bad_role");
    facts = direct;

    assertThat(
            describe(
                facts.filter(
                    col("category")
                        .isin(
                            RiskFactCategory.DATA_EXFILTRATION.value(),
                            RiskFactCategory.CREDENTIAL_EXPOSURE.value())
                        .and(col("principal_id").notEqual(role + "bad_role")))))
        .containsExactlyInAnyOrder(
            "aws:arn:aws:iam::aws:user/USER DATA_EXFILTRATION s3:getobject * [AmazonEC2RoleforSSM]",
            "aws:arn:aws:iam::aws:user/USER DATA_EXFILTRATION ssm:getparameters *"
                + " [AmazonEC2RoleforSSM]",
            "aws:arn:aws:iam::aws:user/USER_WITH_BAD_INLINE_POLICY DATA_EXFILTRATION s3:getobject *"
                + " [AmazonEC2RoleforSSM]",
            "aws:arn:aws:iam::aws:user/USER_WITH_BAD_INLINE_POLICY DATA_EXFILTRATION"
                + " ssm:getparameters * [AmazonEC2RoleforSSM]",
            role + "exfiller DATA_EXFILTRATION s3:getobject * [tmp]",
            role + "service-role/level1 DATA_EXFILTRATION s3:getobject constrained [level1]",
            role + "service-role/level1 CREDENTIAL_EXPOSURE ecr:getauthorizationtoken * [level1]");
    Row viaGroup =
        facts
            .filter(
                col("principal_id")
                    .equalTo("aws:arn:aws:iam::aws:user/USER")
                    .and(col("fact").equalTo("s3:getobject")))
            .first();
    assertThat(viaGroup.<Row>getList(viaGroup.fieldIndex("grants")))
        .extracting(g -> (String) g.getAs("grant_path"))
        .containsOnly("group:GROUP_WITH_BAD_INLINE_POLICY");
  }

  private static List<String> principalsWith(Dataset<Row> facts, String category) {
    return facts
        .filter(col("category").equalTo(category))
        .select("principal_id")
        .distinct()
        .collectAsList()
        .stream()
        .map(r -> r.getString(0))
        .toList();
  }

  private static List<String> describe(Dataset<Row> facts) {
    return facts.collectAsList().stream()
        .map(
            r ->
                r.getAs("principal_id")
                    + " "
                    + r.getAs("category")
                    + " "
                    + r.getAs("fact")
                    + " "
                    + (r.<Boolean>getAs("unconstrained") ? "*" : "constrained")
                    + " "
                    + r.getList(r.fieldIndex("policies")))
        .toList();
  }

  @Test
  void cloudTrailPrincipalsResolveToTheRoleBehindAnAssumedRoleSession(SparkSession spark) {
    Extracted x =
        new Extracted(spark)
            .resource(
                CloudTrail.NAME,
                "/samples/aws-cloudtrail/stratus-red-team/aws.credential-access.secretsmanager-retrieve-secrets.json")
            .resource(
                CloudTrail.NAME,
                "/samples/aws-cloudtrail/stratus-red-team/aws.credential-access.ec2-get-password-data.json");
    Dataset<Row> events = CloudTrailDaily.events(x.bronze("cloudtrail_event"));
    List<Row> sessions =
        events
            .filter(col("userIdentity.type").equalTo("AssumedRole"))
            .select("principal_id", "userIdentity.sessionContext.sessionIssuer.arn", "session_name")
            .collectAsList();
    assertThat(sessions).isNotEmpty();
    for (Row r : sessions) {
      assertThat(r.getString(0)).isEqualTo("aws:" + r.getString(1));
      assertThat(r.getString(0)).contains(":role/");
    }
    Dataset<Row> daily = CloudTrailDaily.daily(events);
    assertThat(daily.filter(col("action").equalTo("secretsmanager:getsecretvalue")).count())
        .isPositive();
    long events_ = events.count();
    long summed =
        daily
            .agg(org.apache.spark.sql.functions.sum(col("success_count").plus(col("denied_count"))))
            .first()
            .getLong(0);
    assertThat(summed).isLessThanOrEqualTo(events_ * 2);
  }

  @Test
  void s3EventsMapToTheirIamActionsAndCopyObjectNeedsTwo(SparkSession spark) {
    String event =
        "{\"eventVersion\":\"1.09\",\"eventID\":\"%s\",\"eventTime\":\"2026-10-02T10:00:00Z\","
            + "\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"%s\",\"awsRegion\":\"us-east-1\","
            + "\"recipientAccountId\":\"111122223333\",\"eventCategory\":\"Data\","
            + "\"userIdentity\":{\"type\":\"AssumedRole\",\"arn\":\"arn:aws:sts::111122223333:assumed-role/r/s\","
            + "\"accountId\":\"111122223333\",\"sessionContext\":{\"sessionIssuer\":{\"type\":\"Role\","
            + "\"arn\":\"arn:aws:iam::111122223333:role/r\"}}},"
            + "\"requestParameters\":{\"bucketName\":\"b\",\"key\":\"k\"}}";
    String ndjson =
        String.join(
            "\n",
            String.format(event, "e1", "HeadObject"),
            String.format(event, "e2", "CopyObject"),
            String.format(event, "e3", "ListObjectsV2"),
            String.format(event, "e3", "ListObjectsV2"));
    Extracted x = new Extracted(spark).text(CloudTrail.NAME, "ct.ndjson", ndjson);
    List<String> actions =
        CloudTrailDaily.daily(CloudTrailDaily.events(x.bronze("cloudtrail_event")))
            .orderBy("action")
            .collectAsList()
            .stream()
            .map(
                r ->
                    r.<String>getAs("action")
                        + "@"
                        + r.getAs("resource")
                        + "x"
                        + r.getAs("success_count"))
            .toList();
    // This CopyObject names no x-amz-copy-source, so its read half is on an unknown resource
    // ("*"), not on the target bucket (ActivityTest covers a copy with its source).
    assertThat(actions)
        .containsExactlyInAnyOrder(
            "s3:getobject@*x1",
            "s3:getobject@arn:aws:s3:::b/*x1",
            "s3:listbucket@arn:aws:s3:::bx1",
            "s3:putobject@arn:aws:s3:::b/*x1");
  }
}
