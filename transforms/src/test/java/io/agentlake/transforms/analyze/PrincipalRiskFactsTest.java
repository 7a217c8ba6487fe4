package io.agentlake.transforms.analyze;

import static io.agentlake.testing.Fixtures.j;
import static io.agentlake.testing.Fixtures.rows;
import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentlake.schemas.Tables;
import io.agentlake.schemas.vocabulary.Platform;
import io.agentlake.schemas.vocabulary.RiskFactCategory;
import io.agentlake.testing.DatasetAssert;
import io.agentlake.testing.Frames;
import io.agentlake.testing.SharedSpark;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SharedSpark.class)
class PrincipalRiskFactsTest {

  static final LocalDate AS_OF = LocalDate.of(2025, 6, 30);
  static final String P = "aws:arn:aws:iam::111122223333:role/release";
  static final String A = "aws:arn:aws:iam::111122223333:user/alice";
  static final String B = "aws:arn:aws:iam::111122223333:role/b";
  static final String ADMIN = "aws:arn:aws:iam::111122223333:role/admin";
  static final String LAMBDA_METHOD = "PassExistingRoleToNewLambdaThenInvoke";
  static final RiskFactCatalog CATALOG = RiskFactCatalog.defaults();

  /** One entitlement row: principal, effect, action pattern, resource, policy, type, condition. */
  static String e(
      String principal,
      String effect,
      String action,
      String resource,
      String policy,
      String type,
      boolean conditional) {
    return j(
        ("{'principal_id':'%s','platform':'aws','usage_log':'aws-cloudtrail','principal_arn':'%s','account_id':'111122223333','effect':'%s',"
                + "'action_pattern':'%s','service':'x','resource_pattern':'%s',"
                + "'unconstrained':false,'conditional':%s,'policy_name':'%s','policy_type':'%s',"
                + "'grant_path':'direct','statement_index':0}")
            .formatted(
                principal,
                principal.substring(4),
                effect,
                action,
                resource,
                conditional,
                policy,
                type));
  }

  static String allow(String principal, String action, String resource, String policy) {
    return e(principal, "Allow", action, resource, policy, "inline", false);
  }

  static String deny(String principal, String action, String resource, String policy) {
    return e(principal, "Deny", action, resource, policy, "inline", false);
  }

  static String edge(String src, String dst) {
    return j(
        "{'src_id':'" + src + "','edge_type':'CAN_ASSUME','dst_id':'" + dst + "','source':'t'}");
  }

  static Dataset<Row> facts(SparkSession spark, List<String> edges, String... entitlements) {
    return Frames.materialized(
        PrincipalRiskFacts.compute(
            rows(spark, Tables.ENTITLEMENTS, entitlements),
            edges.isEmpty()
                ? spark.createDataFrame(List.of(), Tables.IDENTITY_EDGES.schema())
                : rows(spark, Tables.IDENTITY_EDGES, edges.toArray(new String[0])),
            CATALOG,
            AS_OF,
            5));
  }

  static Dataset<Row> facts(SparkSession spark, String... entitlements) {
    return facts(spark, List.of(), entitlements);
  }

  /** The principal's row for a fact with the fewest hops (its direct row, if it has one). */
  static Optional<Row> find(Dataset<Row> out, String principal, String category, String fact) {
    return out
        .filter(
            col("principal_id")
                .equalTo(principal)
                .and(col("category").equalTo(category))
                .and(col("fact").equalTo(fact)))
        .orderBy("hops", "holder_id")
        .collectAsList()
        .stream()
        .findFirst();
  }

  static List<String> grantsOf(Row fact) {
    List<String> out = new ArrayList<>();
    for (Row g : fact.<Row>getList(fact.fieldIndex("grants"))) {
      out.add(
          g.getAs("action")
              + " <- "
              + g.getAs("policy_name")
              + " ("
              + g.getAs("grant_path")
              + ", "
              + g.getAs("action_pattern")
              + " on "
              + g.getAs("resource_pattern")
              + ")");
    }
    return out;
  }

  static String[] splitLambdaMethod(String extra) {
    List<String> rows =
        new ArrayList<>(
            List.of(
                allow(P, "iam:passrole", "arn:aws:iam::111122223333:role/lambda-*", "PassRoles"),
                allow(P, "lambda:createfunction", "*", "Lambda"),
                allow(P, "lambda:invokefunction", "*", "Lambda")));
    if (extra != null) {
      rows.add(extra);
    }
    return rows.toArray(new String[0]);
  }

  @Test
  void anEscalationMethodSplitAcrossTwoPoliciesIsFoundWithEachGrant(SparkSession spark) {
    Dataset<Row> out = facts(spark, splitLambdaMethod(null));

    assertThat(out.schema().simpleString())
        .isEqualTo(Tables.PRINCIPAL_RISK_FACTS.schema().simpleString());
    Row m =
        find(out, P, RiskFactCategory.PRIVILEGE_ESCALATION.value(), LAMBDA_METHOD).orElseThrow();
    assertThat((String) m.getAs("reach")).isEqualTo("direct");
    assertThat((String) m.getAs("holder_id")).isEqualTo(P);
    assertThat(m.<String>getList(m.fieldIndex("policies"))).containsExactly("Lambda", "PassRoles");
    assertThat(m.<String>getList(m.fieldIndex("actions")))
        .containsExactly("iam:passrole", "lambda:createfunction", "lambda:invokefunction");
    assertThat(grantsOf(m))
        .containsExactly(
            "iam:passrole <- PassRoles (direct, iam:passrole on arn:aws:iam::111122223333:role/lambda-*)",
            "lambda:createfunction <- Lambda (direct, lambda:createfunction on *)",
            "lambda:invokefunction <- Lambda (direct, lambda:invokefunction on *)");
    assertThat((boolean) m.getAs("conditional"))
        .as("which roles match lambda-* is not in the entitlements: an upper bound")
        .isTrue();
    assertThat((String) m.getAs("evidence"))
        .contains("iam:passrole only on arn:aws:iam::111122223333:role/lambda-*");
    assertThat((boolean) m.getAs("unconstrained"))
        .as("PassRole is limited to lambda-* roles")
        .isFalse();
    assertThat(m.getDate(m.fieldIndex("as_of_date")).toLocalDate()).isEqualTo(AS_OF);
    // Neither policy alone is the method, and nothing here is admin.
    assertThat(find(out, P, RiskFactCategory.FULL_ADMIN.value(), "*")).isEmpty();
    assertThat(find(out, P, RiskFactCategory.PERMISSIONS_MANAGEMENT.value(), "iam:passrole"))
        .as("PassRole on lambda-* is resource-constrained")
        .isEmpty();
  }

  @Test
  void aDenyInAnotherPolicyOnOneActionRemovesTheMethod(SparkSession spark) {
    Dataset<Row> denied =
        facts(spark, splitLambdaMethod(deny(P, "lambda:invoke*", "*", "NoInvoke")));
    assertThat(find(denied, P, RiskFactCategory.PRIVILEGE_ESCALATION.value(), LAMBDA_METHOD))
        .isEmpty();

    Dataset<Row> otherResource =
        facts(
            spark,
            splitLambdaMethod(
                deny(P, "lambda:invokefunction", "arn:aws:lambda:*:*:function:prod-*", "NoProd")));
    assertThat(find(otherResource, P, RiskFactCategory.PRIVILEGE_ESCALATION.value(), LAMBDA_METHOD))
        .as("a Deny on some functions leaves the Allow on * standing")
        .isPresent();

    Dataset<Row> conditional =
        facts(
            spark,
            splitLambdaMethod(
                e(P, "Deny", "lambda:invokefunction", "*", "MfaOnly", "inline", true)));
    Row c =
        find(conditional, P, RiskFactCategory.PRIVILEGE_ESCALATION.value(), LAMBDA_METHOD)
            .orElseThrow();
    assertThat((boolean) c.getAs("conditional"))
        .as("a conditional Deny may apply: upper bound only")
        .isTrue();
  }

  @Test
  void aBoundaryWithoutOneActionRemovesTheMethod(SparkSession spark) {
    String boundaryPass = e(P, "Allow", "iam:passrole", "*", "Boundary", "boundary", false);
    String boundaryCreate = e(P, "Allow", "lambda:create*", "*", "Boundary", "boundary", false);
    String[] partial = splitLambdaMethod(boundaryPass);
    List<String> rows = new ArrayList<>(List.of(partial));
    rows.add(boundaryCreate);
    Dataset<Row> cut = facts(spark, rows.toArray(new String[0]));
    assertThat(find(cut, P, RiskFactCategory.PRIVILEGE_ESCALATION.value(), LAMBDA_METHOD))
        .isEmpty();

    rows.add(e(P, "Allow", "lambda:invokefunction", "*", "Boundary", "boundary", false));
    Dataset<Row> kept = facts(spark, rows.toArray(new String[0]));
    Row m =
        find(kept, P, RiskFactCategory.PRIVILEGE_ESCALATION.value(), LAMBDA_METHOD).orElseThrow();
    assertThat(m.<String>getList(m.fieldIndex("policies")))
        .as("the boundary limits, it does not grant")
        .containsExactly("Lambda", "PassRoles");
  }

  @Test
  void aServiceWildcardSatisfiesEveryMethodItCovers(SparkSession spark) {
    Dataset<Row> out = facts(spark, allow(A, "IAM:*", "*", "IamFull"));

    Row keys =
        find(out, A, RiskFactCategory.PRIVILEGE_ESCALATION.value(), "CreateAccessKey")
            .orElseThrow();
    assertThat(grantsOf(keys))
        .containsExactly("iam:createaccesskey <- IamFull (direct, iam:* on *)");
    assertThat(find(out, A, RiskFactCategory.PRIVILEGE_ESCALATION.value(), "AttachUserPolicy"))
        .isPresent();
    assertThat(find(out, A, RiskFactCategory.CREDENTIAL_EXPOSURE.value(), "iam:createaccesskey"))
        .isPresent();
    assertThat(find(out, A, RiskFactCategory.PRIVILEGE_ESCALATION.value(), LAMBDA_METHOD))
        .as("iam:* does not cover lambda actions")
        .isEmpty();
    assertThat(find(out, A, RiskFactCategory.FULL_ADMIN.value(), "*")).isEmpty();
  }

  @Test
  void fullAdminIsStarOnStarWithoutCondition(SparkSession spark) {
    Dataset<Row> out =
        facts(
            spark,
            allow(ADMIN, "*", "*", "AdministratorAccess"),
            e(A, "Allow", "*", "*", "AdminWithMfa", "inline", true),
            allow(B, "*", "arn:aws:s3:::bucket/*", "BucketEverything"));

    Row admin = find(out, ADMIN, RiskFactCategory.FULL_ADMIN.value(), "*").orElseThrow();
    assertThat(admin.<String>getList(admin.fieldIndex("policies")))
        .containsExactly("AdministratorAccess");
    assertThat((boolean) admin.getAs("unconstrained")).isTrue();
    assertThat(out.filter(col("category").equalTo(RiskFactCategory.FULL_ADMIN.value())).count())
        .as("a conditional * or a * on one bucket is not full admin")
        .isEqualTo(1);
    // An admin holds every other fact too, each pointing at the same grant.
    assertThat(find(out, ADMIN, RiskFactCategory.PRIVILEGE_ESCALATION.value(), LAMBDA_METHOD))
        .isPresent();
    Row conditionalEscalation =
        find(out, A, RiskFactCategory.PRIVILEGE_ESCALATION.value(), "CreateAccessKey")
            .orElseThrow();
    assertThat((boolean) conditionalEscalation.getAs("conditional")).isTrue();
    Row bucket =
        find(out, B, RiskFactCategory.DATA_EXFILTRATION.value(), "s3:getobject").orElseThrow();
    assertThat((boolean) bucket.getAs("unconstrained")).isFalse();
  }

  @Test
  void permissionsManagementCountsOnlyWithoutResourceConstraint(SparkSession spark) {
    Dataset<Row> out =
        facts(
            spark,
            allow(A, "iam:putrolepolicy", "*", "Anywhere"),
            allow(B, "iam:putrolepolicy", "arn:aws:iam::111122223333:role/app-*", "AppRoles"));

    Row unconstrained =
        find(out, A, RiskFactCategory.PERMISSIONS_MANAGEMENT.value(), "iam:putrolepolicy")
            .orElseThrow();
    assertThat((boolean) unconstrained.getAs("unconstrained")).isTrue();
    assertThat(find(out, B, RiskFactCategory.PERMISSIONS_MANAGEMENT.value(), "iam:putrolepolicy"))
        .isEmpty();
    assertThat(find(out, B, RiskFactCategory.PRIVILEGE_ESCALATION.value(), "PutRolePolicy"))
        .as("the escalation method needs the action, on any resource")
        .isPresent();
  }

  @Test
  void aFactReachedThroughARoleChainCarriesItsPath(SparkSession spark) {
    Dataset<Row> out =
        facts(
            spark,
            List.of(edge(A, B), edge(B, ADMIN), edge(ADMIN, A), edge("aws:service:ecs", B)),
            allow(ADMIN, "*", "*", "AdministratorAccess"),
            allow(A, "sts:assumerole", B.substring(4), "AssumeB"));

    Row viaChain = find(out, A, RiskFactCategory.FULL_ADMIN.value(), "*").orElseThrow();
    assertThat((String) viaChain.getAs("reach")).isEqualTo("via");
    assertThat((String) viaChain.getAs("holder_id")).isEqualTo(ADMIN);
    assertThat((int) viaChain.getAs("hops")).isEqualTo(2);
    assertThat(viaChain.<String>getList(viaChain.fieldIndex("path"))).containsExactly(A, B, ADMIN);
    assertThat(viaChain.<String>getList(viaChain.fieldIndex("policies")))
        .containsExactly("AdministratorAccess");
    assertThat((String) viaChain.getAs("principal_arn")).isEqualTo(A.substring(4));
    assertThat((String) viaChain.getAs("account_id")).isEqualTo("111122223333");

    Row b = find(out, B, RiskFactCategory.FULL_ADMIN.value(), "*").orElseThrow();
    assertThat((int) b.getAs("hops")).isEqualTo(1);
    assertThat(find(out, "aws:service:ecs", RiskFactCategory.FULL_ADMIN.value(), "*"))
        .as("only IAM users and roles are principals here")
        .isEmpty();
    List<Row> adminVia =
        out.filter(col("principal_id").equalTo(ADMIN).and(col("reach").equalTo("via")))
            .select("holder_id", "fact")
            .collectAsList();
    assertThat(adminVia)
        .as("admin -> alice reaches alice's own grant; the cycle back to the admin adds nothing")
        .extracting(r -> r.getString(0) + " " + r.getString(1))
        .containsExactly(A + " sts:assumerole");
    assertThat(find(out, A, RiskFactCategory.CREDENTIAL_EXPOSURE.value(), "sts:assumerole"))
        .isPresent();
  }

  @Test
  void sameInputsGiveTheSameRows(SparkSession spark) {
    DatasetAssert.assertSameRows(
        facts(spark, List.of(edge(A, ADMIN)), allow(ADMIN, "*", "*", "AdministratorAccess")),
        facts(spark, List.of(edge(A, ADMIN)), allow(ADMIN, "*", "*", "AdministratorAccess")));
  }

  @Test
  void theDataExfiltrationListIsTheOneInTheEscalationFile() throws IOException {
    JsonNode file;
    try (InputStream in =
        RiskFactCatalog.class.getResourceAsStream(RiskFactCatalog.METHODS_RESOURCE)) {
      file = new ObjectMapper().readTree(in);
    }
    List<String> shipped = new ArrayList<>();
    file.get("data_exfiltration_actions").forEach(a -> shipped.add(a.asText()));
    assertThat(
            CATALOG.facts().stream()
                .filter(f -> f.platform() == Platform.AWS)
                .filter(f -> f.category() == RiskFactCategory.DATA_EXFILTRATION)
                .map(RiskFactCatalog.Fact::name)
                .toList())
        .containsExactlyElementsOf(shipped);
    JsonNode compute;
    try (InputStream in =
        RiskFactCatalog.class.getResourceAsStream(RiskFactCatalog.COMPUTE_METHODS_RESOURCE)) {
      compute = new ObjectMapper().readTree(in);
    }
    assertThat(
            CATALOG.facts().stream()
                .filter(f -> f.platform() == Platform.AWS)
                .filter(f -> f.category() == RiskFactCategory.PRIVILEGE_ESCALATION)
                .count())
        .isEqualTo(file.get("methods").size() + compute.get("methods").size());
    assertThat(
            CATALOG.facts().stream()
                .filter(f -> f.name().equals("ExecuteCloudFormationChangeSet"))
                .map(RiskFactCatalog.Fact::target))
        .as("a target may name a method of the cloudsplaining file")
        .containsExactly(RiskFactCatalog.TARGET_CLOUDFORMATION_STACK);
  }

  @Test
  void aComputeMethodsFileWithAnUnknownTargetFailsLoudly() {
    RiskFactCatalog base =
        RiskFactCatalog.load(
            stream("{\"methods\": {\"X\": [\"iam:passrole\"]}}"),
            stream(
                "data-exfiltration: [s3:getobject]\ncredential-exposure: [iam:createaccesskey]\n"
                    + "permissions-management: [iam:putrolepolicy]"));
    assertThatThrownBy(
            () ->
                base.withComputeMethods(
                    stream(
                        "{\"methods\": {\"Y\": [\"ssm:sendcommand\"]}, \"targets\": {\"Y\": \"moon\"}}")))
        .hasMessageContaining("not a known target");
    assertThatThrownBy(
            () ->
                base.withComputeMethods(
                    stream(
                        "{\"methods\": {\"Y\": [\"ssm:sendcommand\"]}, \"targets\": {\"Z\": \"ec2-role\"}}")))
        .hasMessageContaining("no escalation method");
  }

  @Test
  void aBrokenListFailsLoudly() {
    assertThatThrownBy(
            () ->
                RiskFactCatalog.load(
                    stream("{\"methods\": {\"X\": [\"not an action\"]}}"),
                    stream("data-exfiltration: [s3:getobject]")))
        .hasMessageContaining("not service:action");
    assertThatThrownBy(
            () ->
                RiskFactCatalog.load(
                    stream("{\"methods\": {\"X\": [\"iam:passrole\"]}}"),
                    stream("data-exfiltration: [s3:getobject]")))
        .hasMessageContaining("credential-exposure");
  }

  private static InputStream stream(String text) {
    return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
  }
}
