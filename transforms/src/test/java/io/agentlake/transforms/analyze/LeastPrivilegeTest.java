package io.agentlake.transforms.analyze;

import static io.agentlake.testing.Fixtures.j;
import static io.agentlake.testing.Fixtures.rows;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentlake.schemas.Tables;
import io.agentlake.schemas.vocabulary.PolicyChange;
import io.agentlake.testing.Frames;
import io.agentlake.testing.SharedSpark;
import io.agentlake.transforms.sources.iam.ActionCatalog;
import io.agentlake.transforms.sources.iam.IamPolicies;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A principal with used, unused, conditional, never-logged and denied grants across an inline
 * policy, a managed policy and a group policy. The recommended policy is parsed back through our
 * own policy evaluator ({@link IamPolicies#ofInlinePolicies}): it must allow every used and every
 * unjudged action, no UNUSED one, keep the Deny and the condition, and scope used S3 actions to the
 * buckets the logs name.
 */
@ExtendWith(SharedSpark.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LeastPrivilegeTest {

  static final LocalDate AS_OF = LocalDate.of(2025, 6, 30);
  static final int WINDOW = 10;
  static final String ARN = "arn:aws:iam::111122223333:role/etl";
  static final String P = "aws:" + ARN;
  static final String REGION_ONLY =
      "{\\\"StringEquals\\\":{\\\"aws:RequestedRegion\\\":\\\"eu-west-1\\\"}}";

  private Row recommendation;
  private Map<String, String> verdicts;

  static String grant(
      String effect,
      String pattern,
      String action,
      String resource,
      String condition,
      String policy,
      String type,
      String path,
      int statement) {
    return j(
        ("{'principal_id':'%s','platform':'aws','usage_log':'aws-cloudtrail','principal_arn':'%s','effect':'%s','action_pattern':'%s',"
                + "'action':'%s','in_catalog':true,'service':'%s','resource_pattern':'%s',"
                + "'unconstrained':%s,'conditional':%s,'condition':%s,'policy_name':'%s',"
                + "'policy_type':'%s','grant_path':'%s','statement_index':%d,"
                + "'granted_since':'2025-01-01T00:00:00Z','valid_from':'2025-01-01'}")
            .formatted(
                P,
                ARN,
                effect,
                pattern,
                action,
                action.substring(0, action.indexOf(':')),
                resource,
                resource.equals("*"),
                condition != null,
                condition == null ? "null" : "'" + condition + "'",
                policy,
                type,
                path,
                statement));
  }

  static String act(String action, String resource, long ok) {
    return j(
        ("{'principal_id':'%s','platform':'aws','account_id':'111122223333','action':'%s','resource':'%s',"
                + "'day':'2025-06-29','event_category':'Data','success_count':%d,'denied_count':0,"
                + "'first_time':'2025-06-29T08:00:00Z','last_time':'2025-06-29T09:00:00Z',"
                + "'sample_event_id':'ev-%s'}")
            .formatted(P, action, resource, ok, action));
  }

  @BeforeAll
  void recommend(SparkSession spark) {
    Dataset<Row> entitlements =
        rows(
            spark,
            Tables.ENTITLEMENTS,
            grant("Allow", "s3:get*", "s3:getobject", "*", null, "etl-s3", "inline", "direct", 0),
            grant(
                "Allow", "s3:get*", "s3:getobjectacl", "*", null, "etl-s3", "inline", "direct", 0),
            grant(
                "Allow",
                "s3:putobject",
                "s3:putobject",
                "arn:aws:s3:::out/*",
                null,
                "etl-s3",
                "inline",
                "direct",
                1),
            grant(
                "Deny",
                "s3:deleteobject",
                "s3:deleteobject",
                "*",
                null,
                "etl-s3",
                "inline",
                "direct",
                2),
            grant(
                "Allow",
                "logs:getlogevents",
                "logs:getlogevents",
                "*",
                REGION_ONLY,
                "ReadLogs",
                "managed",
                "direct",
                0),
            grant(
                "Allow",
                "dynamodb:putitem",
                "dynamodb:putitem",
                "*",
                null,
                "ReadLogs",
                "managed",
                "direct",
                1),
            grant(
                "Allow",
                "iam:passrole",
                "iam:passrole",
                "arn:aws:iam::111122223333:role/worker",
                null,
                "pass",
                "inline",
                "direct",
                0),
            grant(
                "Allow",
                "sqs:receivemessage",
                "sqs:receivemessage",
                "*",
                null,
                "team-read",
                "inline",
                "group:analysts",
                0));
    Dataset<Row> activity =
        rows(
            spark,
            Tables.ACTIVITY_DAILY,
            act("s3:getobject", "arn:aws:s3:::in/*", 5),
            act("s3:putobject", "arn:aws:s3:::out/*", 3),
            act("logs:getlogevents", "*", 2));
    Dataset<Row> unused = judge(spark, entitlements, activity);
    verdicts = new TreeMap<>();
    for (Row r : unused.filter(col("level").equalTo("ACTION")).collectAsList()) {
      verdicts.put(r.getAs("action_pattern"), r.getAs("verdict"));
    }
    List<Row> out =
        LeastPrivilege.compute(unused, entitlements, activity, AS_OF, WINDOW).collectAsList();
    assertThat(out).hasSize(1);
    recommendation = out.get(0);
  }

  @Test
  void theScenarioHasEveryKindOfVerdict() {
    assertThat(verdicts)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "s3:getobject", "USED",
                "s3:getobjectacl", "UNUSED",
                "s3:putobject", "USED",
                "logs:getlogevents", "USED",
                "dynamodb:putitem", "UNUSED",
                "iam:passrole", "NOT_OBSERVABLE",
                "sqs:receivemessage", "UNUSED"));
  }

  @Test
  void theRecommendedPolicyParsedBackAllowsExactlyTheActionsNotJudgedUnused(SparkSession spark) {
    Dataset<Row> evaluated = evaluate(spark);
    TreeSet<String> allowed = new TreeSet<>();
    for (Row r : evaluated.filter(col("effect").equalTo("Allow")).collectAsList()) {
      allowed.add(r.getAs("action"));
    }
    TreeSet<String> kept = new TreeSet<>();
    verdicts.forEach(
        (a, v) -> {
          if (!v.equals("UNUSED")) {
            kept.add(a);
          }
        });
    assertThat(allowed).isEqualTo(kept);
    assertThat(allowed).doesNotContain("s3:getobjectacl", "dynamodb:putitem", "sqs:receivemessage");
    assertThat(recommendation.<Long>getAs("actions_before")).isEqualTo(7L);
    assertThat(recommendation.<Long>getAs("actions_after")).isEqualTo(4L);
    assertThat(recommendation.getList(recommendation.fieldIndex("used_actions")))
        .containsExactly("logs:getlogevents", "s3:getobject", "s3:putobject");
  }

  @Test
  void usedS3ActionsAreScopedToTheBucketsTheLogsNameAndTheRestKeepTheirGrantedScope(
      SparkSession spark) {
    Map<String, String> resourceByAction = new TreeMap<>();
    Map<String, Boolean> conditional = new TreeMap<>();
    for (Row r : evaluate(spark).filter(col("effect").equalTo("Allow")).collectAsList()) {
      resourceByAction.merge(r.getAs("action"), r.getAs("resource_pattern"), (a, b) -> a + "," + b);
      conditional.put(r.getAs("action"), r.getAs("conditional"));
    }
    assertThat(resourceByAction)
        .containsEntry("s3:getobject", "arn:aws:s3:::in/*")
        .containsEntry("s3:putobject", "arn:aws:s3:::out/*")
        .containsEntry("logs:getlogevents", "*")
        .containsEntry("iam:passrole", "arn:aws:iam::111122223333:role/worker");
    // the condition of the only grant of a used action travels with it: never wider than today
    assertThat(conditional).containsEntry("logs:getlogevents", true);
    assertThat(recommendation.<String>getAs("policy_document")).contains("eu-west-1");
  }

  @Test
  void theDenyIsRepeatedSoNoProtectionIsLost(SparkSession spark) {
    List<Row> denies = evaluate(spark).filter(col("effect").equalTo("Deny")).collectAsList();
    assertThat(denies)
        .extracting(r -> r.<String>getAs("action"))
        .containsExactly("s3:deleteobject");
  }

  @Test
  void changesSayHowEachCurrentPolicyGoesAndHowManyUnusedGrantsItHeld() {
    Map<String, String> changes = new TreeMap<>();
    long removed = 0;
    for (Row c : recommendation.<Row>getList(recommendation.fieldIndex("changes"))) {
      changes.put(c.<String>getAs("policy_name"), c.<String>getAs("change"));
      removed += c.<Long>getAs("unused_grants");
    }
    assertThat(changes)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "etl-s3", PolicyChange.DELETE_INLINE_POLICY.value(),
                "ReadLogs", PolicyChange.DETACH_POLICY.value(),
                "pass", PolicyChange.DELETE_INLINE_POLICY.value(),
                "team-read", PolicyChange.REMOVE_FROM_GROUP.value()));
    // dynamodb:putitem (ReadLogs) and sqs:receivemessage (the group's); s3:get* was used
    assertThat(removed).isEqualTo(2L);
    assertThat(recommendation.<Long>getAs("grants_removed")).isEqualTo(2L);
    // s3:get* was used, for GetObject only: the new policy narrows it (GetObjectAcl left out)
    assertThat(recommendation.<Long>getAs("grants_narrowed")).isEqualTo(1L);
    assertThat((String) recommendation.getAs("evidence"))
        .contains(
            "\"narrowed_grants\":[{\"policy_name\":\"etl-s3\",\"grant_path\":\"direct\","
                + "\"action_pattern\":\"s3:get*\",\"resource_pattern\":\"*\","
                + "\"actions_left_out\":1}]");
    assertThat(recommendation.<Integer>getAs("statements")).isEqualTo(5);
  }

  /**
   * A principal whose kept actions do not fit one managed policy gets them packed into several
   * documents, each within IAM's 6,144-character limit, that together allow exactly what the whole
   * document does.
   */
  @Test
  void aDocumentOverTheManagedPolicyLimitIsSplitIntoPoliciesThatTogetherAllowTheSame(
      SparkSession spark) {
    List<String> ec2 =
        ActionCatalog.bundled().actions().stream()
            .filter(a -> a.service().equals("ec2"))
            .map(a -> a.name().toLowerCase(Locale.ROOT))
            .limit(400)
            .toList();
    List<String> json = new ArrayList<>();
    for (String a : ec2) {
      // granted within the grace days: kept as granted
      json.add(
          grant("Allow", a, a, "*", null, "wide", "inline", "direct", 0)
              .replace("2025-01-01T00:00:00Z", "2025-06-28T00:00:00Z"));
    }
    json.add(
        grant(
            "Allow",
            "dynamodb:putitem",
            "dynamodb:putitem",
            "*",
            null,
            "wide",
            "inline",
            "direct",
            1));
    Dataset<Row> entitlements = rows(spark, Tables.ENTITLEMENTS, json.toArray(new String[0]));
    Dataset<Row> activity = rows(spark, Tables.ACTIVITY_DAILY);
    Dataset<Row> unused = judge(spark, entitlements, activity);

    Row r = LeastPrivilege.compute(unused, entitlements, activity, AS_OF, WINDOW).first();
    String whole = r.getAs("policy_document");
    List<String> documents = r.getList(r.fieldIndex("policy_documents"));
    assertThat(whole.length()).isGreaterThan(LeastPrivilege.MANAGED_POLICY_MAX_CHARS);
    assertThat(documents).hasSizeGreaterThan(1);
    assertThat(documents)
        .allSatisfy(
            d ->
                assertThat(d.length())
                    .isLessThanOrEqualTo(LeastPrivilege.MANAGED_POLICY_MAX_CHARS));
    assertThat(allowedBy(spark, documents))
        .isEqualTo(allowedBy(spark, List.of(whole)))
        .isEqualTo(new TreeSet<>(ec2));
    assertThat((String) r.getAs("evidence"))
        .contains("split into " + documents.size() + " policies");
  }

  /** gold.unused_privileges over these inputs, in a fully observed window with data events. */
  private static Dataset<Row> judge(
      SparkSession spark, Dataset<Row> entitlements, Dataset<Row> activity) {
    List<String> coverage = new ArrayList<>();
    for (int i = 0; i < WINDOW; i++) {
      coverage.add(
          j(
              "{'platform':'aws','account_id':'111122223333','source':'aws-cloudtrail','day':'%s','management_events':9,'data_events':9}"
                  .formatted(AS_OF.minusDays(i))));
    }
    return Frames.materialized(
        UnusedPrivileges.compute(
            entitlements,
            activity,
            rows(spark, Tables.OBSERVATION_COVERAGE, coverage.toArray(new String[0])),
            rows(spark, Tables.IDENTITIES),
            rows(spark, Tables.AGENT_REACH),
            AS_OF,
            WINDOW,
            14));
  }

  /** The actions the documents allow, parsed back as IAM policies. */
  private static TreeSet<String> allowedBy(SparkSession spark, List<String> documents) {
    List<Row> docs = new ArrayList<>();
    for (int i = 0; i < documents.size(); i++) {
      docs.add(RowFactory.create(ARN, "agentlake-least-privilege-" + i, documents.get(i)));
    }
    Dataset<Row> frame =
        spark.createDataFrame(
            docs, StructType.fromDDL("principal_arn STRING, policy_name STRING, document STRING"));
    TreeSet<String> allowed = new TreeSet<>();
    for (Row a :
        IamPolicies.ofInlinePolicies(frame, AS_OF)
            .filter(col("effect").equalTo("Allow"))
            .collectAsList()) {
      allowed.add(a.getAs("action"));
    }
    return allowed;
  }

  private Dataset<Row> evaluate(SparkSession spark) {
    Dataset<Row> doc =
        spark
            .createDataFrame(List.of(recommendation), recommendation.schema())
            .select(
                col("principal_arn"),
                lit("agentlake-least-privilege").as("policy_name"),
                col("policy_document").as("document"));
    return IamPolicies.ofInlinePolicies(doc, AS_OF);
  }
}
