package io.agentlake.jobs;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentlake.jobs.config.AgentlakeConfig;
import io.agentlake.jobs.generate.GeneratorOptions;
import io.agentlake.jobs.generate.OrgGenerator;
import io.agentlake.jobs.lake.Lake;
import io.agentlake.schemas.TableContract;
import io.agentlake.schemas.Tables;
import io.agentlake.schemas.vocabulary.DriftChange;
import io.agentlake.schemas.vocabulary.FactReach;
import io.agentlake.schemas.vocabulary.IdPrefix;
import io.agentlake.schemas.vocabulary.ReviewAction;
import io.agentlake.schemas.vocabulary.ReviewStatus;
import io.agentlake.schemas.vocabulary.RiskFactCategory;
import io.agentlake.schemas.vocabulary.Vocabulary;
import io.agentlake.testing.SharedSpark;
import io.agentlake.transforms.LakeTables;
import io.agentlake.transforms.sources.Sources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Generate an organisation at the generator's default scale (seed, agents, days; fewer events per
 * day), run nightly for its last two days, and hold the gold tables to the generator's ground truth
 * with precision and recall 1 ({@link GroundTruthCheck}): exactly the planted orphans with their
 * reasons and successors, exactly the planted unused grants UNUSED and used grants USED, exactly
 * the planted escalation path, admins and admin reach. Then re-run the last date and require
 * identical tables. {@link GroundTruthAtTenTimesScaleTest} repeats the check at 10x.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NightlyEndToEndTest {

  private static final int WINDOW_DAYS = 28;

  private SparkSession spark;
  private Lake lake;
  private String exports;
  private JsonNode truth;
  private LocalDate end;
  private AgentlakeConfig config;
  private RunReport lastReport;

  @BeforeAll
  void generateAndRun() throws Exception {
    spark = SharedSpark.session();
    Path dir = Files.createTempDirectory("agentlake-e2e");
    exports = dir.resolve("exports").toUri().toString();
    GeneratorOptions options =
        new GeneratorOptions(
            exports,
            GeneratorOptions.DEFAULT_SEED,
            GeneratorOptions.DEFAULT_AGENTS,
            GeneratorOptions.DEFAULT_DAYS,
            300,
            GeneratorOptions.DEFAULT_START_DATE);
    OrgGenerator.generate(options, new Configuration());
    truth = new ObjectMapper().readTree(dir.resolve("exports/ground_truth.json").toFile());
    end = options.endDate();
    lake = new Lake(spark, dir.resolve("lake").toUri().toString());
    config = AgentlakeConfig.defaults().withWindowDays(WINDOW_DAYS);
    NightlyJob.run(lake, exports, end.minusDays(1), config, Sources.ALL, s -> {});
    lastReport = NightlyJob.run(lake, exports, end, config, Sources.ALL, s -> {});
  }

  private Dataset<Row> gold(TableContract table) {
    return lake.read(table).filter(col(Tables.AS_OF_DATE).equalTo(lit(end)));
  }

  @Test
  void everyPlantedFindingIsReportedAndNothingElse() {
    GroundTruthCheck.assertExact(new GroundTruthCheck(lake, truth, end).all());
  }

  @Test
  void aWildcardGrantUsedForTwoActionsIsUsedAndNamesExactlyThose() {
    assertThat(truth.get("partially_used_grants")).isNotEmpty();
    for (JsonNode g : truth.get("partially_used_grants")) {
      Row row =
          gold(Tables.UNUSED_PRIVILEGES)
              .filter(col("level").equalTo("GRANT"))
              .filter(col("principal_arn").equalTo(g.get("principal_arn").asText()))
              .filter(col("action_pattern").equalTo(lower(g.get("action_pattern").asText())))
              .first();
      assertThat(row.<String>getAs("verdict")).isEqualTo("USED");
      TreeSet<String> expected = new TreeSet<>();
      g.get("used_actions").forEach(a -> expected.add(lower(a.asText())));
      assertThat(new TreeSet<>(row.<String>getList(row.fieldIndex("used_actions"))))
          .isEqualTo(expected);
    }
  }

  @Test
  void anAgentThatCanAssumeAnAdminRoleScoresTheAdminFactor() {
    assertThat(truth.get("admin_reach")).isNotEmpty();
    for (JsonNode a : truth.get("admin_reach")) {
      Row score =
          gold(Tables.RISK_SCORES)
              .filter(col("agent_id").equalTo(a.get("agent_id").asText()))
              .first();
      List<Row> factors = score.getList(score.fieldIndex("factors"));
      Row admin =
          factors.stream()
              .filter(f -> "admin_reach".equals(f.getAs("factor")))
              .findFirst()
              .orElseThrow();
      assertThat(admin.<Double>getAs("contribution")).isPositive();
      assertThat(admin.<String>getAs("evidence")).contains(a.get("admin_role_arn").asText());
    }
  }

  @Test
  void thePlantedEscalationPathIsFoundWithBothPolicies() {
    Dataset<Row> facts = gold(Tables.PRINCIPAL_RISK_FACTS);
    assertThat(truth.get("escalation_paths")).isNotEmpty();
    for (JsonNode e : truth.get("escalation_paths")) {
      List<Row> rows =
          facts
              .filter(col("principal_arn").equalTo(e.get("principal_arn").asText()))
              .filter(col("category").equalTo(RiskFactCategory.PRIVILEGE_ESCALATION.value()))
              .filter(col("fact").equalTo(e.get("method").asText()))
              .filter(col("reach").equalTo(FactReach.DIRECT.value()))
              .collectAsList();
      assertThat(rows).as("escalation " + e).hasSize(1);
      Row row = rows.get(0);
      assertThat(row.<String>getList(row.fieldIndex("actions")))
          .containsExactlyElementsOf(texts(e.get("actions")));
      assertThat(row.<String>getList(row.fieldIndex("policies")))
          .containsExactlyElementsOf(texts(e.get("policies")));
    }
    // Nobody else in AWS has an escalation method of their own, except the admins (who have them
    // all); the boundary of the key-rotating user removes its iam:CreateAccessKey. In Entra, only
    // the role-rotation agent has escalation facts: its Graph app role and its directory role.
    TreeSet<String> allowed = new TreeSet<>(texts(truth.get("admin_principals")));
    truth.get("escalation_paths").forEach(e -> allowed.add(e.get("principal_arn").asText()));
    Dataset<Row> ownEscalation =
        facts.filter(
            col("category")
                .equalTo(RiskFactCategory.PRIVILEGE_ESCALATION.value())
                .and(col("reach").equalTo(FactReach.DIRECT.value())));
    assertThat(arns(ownEscalation.filter(col("principal_id").startsWith(IdPrefix.AWS.value()))))
        .isSubsetOf(allowed);
    assertThat(
            ownEscalation
                .filter(col("principal_id").startsWith(IdPrefix.ENTRA_SERVICE_PRINCIPAL.value()))
                .select("fact")
                .as(Encoders.STRING())
                .collectAsList())
        .containsExactlyInAnyOrder(
            "microsoft graph RoleManagement.ReadWrite.Directory",
            "entra directory role Privileged Role Administrator");
    for (JsonNode b : truth.get("permission_boundaries")) {
      for (JsonNode denied : b.get("denied_actions")) {
        assertThat(
                facts
                    .filter(col("principal_arn").equalTo(b.get("principal_arn").asText()))
                    .filter(col("reach").equalTo(FactReach.DIRECT.value()))
                    .filter(
                        org.apache.spark.sql.functions.array_contains(
                            col("actions"), lower(denied.asText())))
                    .count())
            .as("boundary of " + b.get("principal_arn").asText() + " removes " + denied)
            .isZero();
      }
    }
  }

  @Test
  void fullAdminIsExactlyTheAdminRolesAndThePlantedReachToThem() {
    Dataset<Row> admin =
        gold(Tables.PRINCIPAL_RISK_FACTS)
            .filter(col("category").equalTo(RiskFactCategory.FULL_ADMIN.value()));
    assertThat(arns(admin.filter(col("reach").equalTo(FactReach.DIRECT.value()))))
        .containsExactlyElementsOf(new TreeSet<>(texts(truth.get("admin_principals"))));

    TreeSet<String> viaExpected = new TreeSet<>();
    assertThat(truth.get("admin_reach")).isNotEmpty();
    for (JsonNode a : truth.get("admin_reach")) {
      String via = a.get("via_principal_arn").asText();
      String role = a.get("admin_role_arn").asText();
      viaExpected.add(via);
      Row row =
          admin
              .filter(col("principal_arn").equalTo(via))
              .filter(col("holder_id").equalTo("aws:" + role))
              .first();
      assertThat(row.<String>getAs("reach")).isEqualTo(FactReach.VIA.value());
      assertThat(row.<String>getList(row.fieldIndex("path")))
          .containsExactly("aws:" + via, "aws:" + role);
      assertThat(row.<String>getList(row.fieldIndex("policies")))
          .containsExactly("AdministratorAccess");
    }
    assertThat(arns(admin.filter(col("reach").equalTo(FactReach.VIA.value()))))
        .as("nobody else reaches an admin")
        .containsExactlyElementsOf(viaExpected);
  }

  @Test
  void everyAgentIsScoredWithEveryFactor() {
    long agents = truth.get("agents").size();
    assertThat(gold(Tables.RISK_SCORES).count()).isEqualTo(agents);
    assertThat(gold(Tables.RISK_SCORES).filter("size(factors) < 8").count()).isZero();
  }

  @Test
  void recordsReconcilePerFileAndWithBronze() {
    Dataset<Row> ledger = lake.read(Tables.INGESTED_FILES);
    assertThat(ledger.filter("records_read != records_accepted + records_quarantined").count())
        .isZero();
    long accepted =
        ledger.agg(org.apache.spark.sql.functions.sum("records_accepted")).first().getLong(0);
    long bronzeRows = 0;
    for (TableContract t : LakeTables.ofLayer(TableContract.Layer.BRONZE)) {
      bronzeRows += lake.read(t).count();
    }
    assertThat(bronzeRows).isEqualTo(accepted);
    long quarantinedRecords =
        ledger.agg(org.apache.spark.sql.functions.sum("records_quarantined")).first().getLong(0);
    assertThat(lake.read(Tables.QUARANTINE).filter("record_position >= 0").count())
        .isEqualTo(quarantinedRecords);
    assertThat(ledger.filter("file_error = 'SKIPPED'").count())
        .as("digest files skipped")
        .isPositive();
  }

  @Test
  void generatedReviewDecisionsAreIngestedAndNameAgentsTheLakeKnows() {
    Dataset<Row> decisions = lake.read(LakeTables.byName("bronze.review_decisions").orElseThrow());
    assertThat(decisions.select("decision").as(Encoders.STRING()).collectAsList())
        .containsExactlyInAnyOrder("APPROVE", "ACCEPT_RISK", "ACCEPT_RISK");
    assertThat(decisions.join(lake.read(Tables.AGENTS), "agent_id", "left_anti").count())
        .as("decisions on agents silver does not know")
        .isZero();
  }

  @Test
  void theReviewQueueHasAnItemForEveryPlantedOrphanAndUnusedGrant() {
    Dataset<Row> queue = gold(Tables.REVIEW_QUEUE).cache();
    for (JsonNode o : truth.get("orphans")) {
      String agent = o.get("agent_id").asText();
      List<String> reasons = texts(o.get("reasons"));
      List<String> actions =
          queue
              .filter(col("agent_id").equalTo(agent))
              .select("action")
              .as(Encoders.STRING())
              .collectAsList();
      if (reasons.stream()
          .anyMatch(List.of("NO_OWNER", "OWNER_DEPROVISIONED", "OWNER_UNKNOWN")::contains)) {
        assertThat(actions).as("orphan " + agent).contains(ReviewAction.REASSIGN_OWNER.value());
      }
      if (reasons.stream()
          .anyMatch(List.of("IDLE", "PROJECT_ENDED", "DANGLING_CREDENTIAL")::contains)) {
        assertThat(actions).as("orphan " + agent).contains(ReviewAction.DECOMMISSION_AGENT.value());
      }
    }
    Dataset<Row> revokes = queue.filter(col("action").equalTo(ReviewAction.REVOKE_GRANT.value()));
    for (JsonNode g : truth.get("unused_grants")) {
      long items =
          revokes
              .filter(col("principal_id").equalTo("aws:" + g.get("principal_arn").asText()))
              .filter(
                  col("target").contains(" " + lower(g.get("action_pattern").asText()) + " on "))
              .filter(col("target").contains(" by " + g.get("policy_name").asText() + " "))
              .count();
      assertThat(items).as("REVOKE_GRANT for " + key(g)).isPositive();
    }
    assertThat(queue.select("item_id").distinct().count()).isEqualTo(queue.count());
    // The same findings on the two run dates carry the same ids, so decisions carry over.
    Dataset<Row> before =
        lake.read(Tables.REVIEW_QUEUE)
            .filter(col(Tables.AS_OF_DATE).equalTo(lit(end.minusDays(1))))
            .select("agent_id", "action", "target", "item_id");
    Dataset<Row> now = queue.select("agent_id", "action", "target", "item_id");
    assertThat(
            now.join(before, new String[] {"agent_id", "action", "target"})
                .filter(now.col("item_id").notEqual(before.col("item_id")))
                .count())
        .isZero();
  }

  @Test
  void anAcceptedRiskInForceSuppressesTheAgentsItemsAndAnExpiredOneDoesNot() {
    Dataset<Row> decisions = lake.read(LakeTables.byName("bronze.review_decisions").orElseThrow());
    Dataset<Row> queue = gold(Tables.REVIEW_QUEUE);
    String inForce = agentDecided(decisions, "ACCEPT_RISK", "expires_on >= '" + end + "'");
    String expired = agentDecided(decisions, "ACCEPT_RISK", "expires_on < '" + end + "'");
    String approved = agentDecided(decisions, "APPROVE", "true");

    List<String> suppressed = statuses(queue, inForce);
    assertThat(suppressed).as("items of " + inForce).isNotEmpty();
    assertThat(suppressed).containsOnly(ReviewStatus.SUPPRESSED.value());
    List<String> reopened = statuses(queue, expired);
    assertThat(reopened).as("items of " + expired).isNotEmpty();
    assertThat(reopened).containsOnly(ReviewStatus.OPEN.value());
    assertThat(
            queue
                .filter(col("agent_id").equalTo(expired))
                .filter(col("status_reason").contains("expired"))
                .count())
        .isEqualTo(reopened.size());
    // The approved agent may have no finding at all; whatever it has is recorded as approved.
    assertThat(statuses(queue, approved)).allMatch(ReviewStatus.APPROVED.value()::equals);
    assertThat(queue.filter(col("status").equalTo(ReviewStatus.SUPPRESSED.value())).count())
        .isEqualTo(suppressed.size());
  }

  @Test
  void theFirstRunIsTheDriftBaselineAndTheSecondComparesWithIt() {
    Dataset<Row> drift = lake.read(Tables.PRIVILEGE_DRIFT);
    List<Row> first =
        drift.filter(col(Tables.AS_OF_DATE).equalTo(lit(end.minusDays(1)))).collectAsList();
    assertThat(first).hasSize(1);
    assertThat(first.get(0).<String>getAs("change_type")).isEqualTo(DriftChange.BASELINE.value());
    Dataset<Row> second = gold(Tables.PRIVILEGE_DRIFT);
    assertThat(second.filter(col("change_type").equalTo(DriftChange.BASELINE.value())).count())
        .isZero();
    assertThat(second.filter(col("previous_date").equalTo(lit(end.minusDays(1)))).count())
        .isEqualTo(second.count());
    // Both runs read the same IAM and agent exports, so grants and reach cannot have moved; what
    // moves from one day to the next is activity (first uses) and the scores built on it.
    assertThat(
            second
                .filter(
                    col("change_type")
                        .isin(
                            DriftChange.GRANT_ADDED.value(),
                            DriftChange.GRANT_REMOVED.value(),
                            DriftChange.REACH_ADDED.value(),
                            DriftChange.REACH_REMOVED.value()))
                .count())
        .isZero();
    List<Row> moved =
        second
            .filter(col("change_type").equalTo(DriftChange.SCORE_CHANGED.value()))
            .collectAsList();
    assertThat(moved).as("the generated data moves one score by at least 10 points").isNotEmpty();
    Dataset<Row> scores = lake.read(Tables.RISK_SCORES);
    for (Row change : moved) {
      String agent = change.getList(change.fieldIndex("agent_ids")).get(0).toString();
      double before = score(scores, agent, end.minusDays(1));
      double after = score(scores, agent, end);
      assertThat(Math.abs(after - before)).isGreaterThanOrEqualTo(config.driftScoreThreshold());
      assertThat(Double.parseDouble(change.getAs("before"))).isEqualTo(before);
      assertThat(Double.parseDouble(change.getAs("after"))).isEqualTo(after);
    }
  }

  @Test
  void rerunningADateLeavesTheSameRowsInEveryTable() {
    Map<String, List<Row>> before = snapshot();
    NightlyJob.run(lake, exports, end, config, Sources.ALL, s -> {});
    Map<String, List<Row>> after = snapshot();
    assertThat(after.keySet()).isEqualTo(before.keySet());
    for (String table : before.keySet()) {
      assertThat(after.get(table)).as(table).containsExactlyInAnyOrderElementsOf(before.get(table));
    }
  }

  @Test
  void goldTablesStayOnReaderProtocolOne() {
    for (TableContract t : LakeTables.ofLayer(TableContract.Layer.GOLD)) {
      assertThat(lake.minReaderVersion(t)).as(t.name()).isEqualTo(1);
    }
  }

  @Test
  void secretsPlantedInTheLogsDoNotLandInTheLake() {
    Dataset<Row> raw =
        lake.read(LakeTables.byName("bronze.okta_system_log").orElseThrow()).select("_raw");
    assertThat(raw.count()).isPositive();
    assertThat(raw.filter(col("_raw").contains("[REDACTED")).count()).isPositive();
    assertThat(raw.filter(col("_raw").rlike("eyJ[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.")).count())
        .isZero();
    assertThat(raw.filter(col("_raw").rlike("sk-[A-Za-z0-9_-]{20,}")).count()).isZero();
  }

  @Test
  void theRunReportCountsEverySource() {
    JsonNode sources = new ObjectMapper().valueToTree(lastReport.root()).get("sources");
    assertThat(lastReport.root().get("status").asText()).isEqualTo("SUCCEEDED");
    assertThat(lastReport.root().get("stages"))
        .extracting(s -> s.get("stage").asText())
        .containsExactly("ingest", "gate", "correlate", "analyze", "publish");
    // The last run found nothing new: the first run ingested every file.
    assertThat(sources.size()).isZero();
  }

  /**
   * Every lake table except ledger.runs, which logs each run by design, and ledger.leases, which
   * names the run that last held each lease.
   */
  private Map<String, List<Row>> snapshot() {
    Map<String, List<Row>> tables = new HashMap<>();
    for (TableContract t : LakeTables.all()) {
      if (t == Tables.RUNS || t == Tables.LEASES || !lake.exists(t)) {
        continue;
      }
      tables.put(t.name(), lake.read(t).collectAsList());
    }
    return tables;
  }

  private static String key(JsonNode g) {
    return g.get("principal_arn").asText()
        + "|"
        + lower(g.get("action_pattern").asText())
        + "|"
        + g.get("policy_name").asText();
  }

  private static String agentDecided(Dataset<Row> decisions, String decision, String where) {
    List<String> agents =
        decisions
            .filter(col("decision").equalTo(decision))
            .filter(where)
            .select("agent_id")
            .as(Encoders.STRING())
            .collectAsList();
    assertThat(agents).as(decision + " where " + where).hasSize(1);
    return agents.get(0);
  }

  private static double score(Dataset<Row> scores, String agent, LocalDate date) {
    return scores
        .filter(col("agent_id").equalTo(agent).and(col(Tables.AS_OF_DATE).equalTo(lit(date))))
        .first()
        .<Double>getAs("score");
  }

  /**
   * Every least-privilege policy of the generated organisation, as the documents within IAM's size
   * limit a user attaches, parsed back through our own policy evaluator, allows each action of its
   * principal not judged UNUSED and no UNUSED one; every planted unused grant's principal has one,
   * with a REPLACE_POLICY item for each agent reaching it.
   */
  @Test
  void everyLeastPrivilegePolicyAllowsExactlyTheActionsNotJudgedUnused() {
    Dataset<Row> policies = gold(Tables.LEAST_PRIVILEGE_POLICIES).cache();
    TreeSet<String> withPolicy = arns(policies);
    for (JsonNode g : truth.get("unused_grants")) {
      assertThat(withPolicy).contains(g.get("principal_arn").asText());
    }
    Dataset<Row> evaluated =
        io.agentlake.transforms.sources.iam.IamPolicies.ofInlinePolicies(
                // the documents a user attaches: the whole split to IAM's managed-policy size
                policies
                    .filter(col("policy_document").isNotNull())
                    .selectExpr("principal_arn", "posexplode(policy_documents) AS (n, document)")
                    .selectExpr(
                        "principal_arn",
                        "concat('least-privilege-', n) AS policy_name",
                        "document"),
                end)
            .filter(col("effect").equalTo("Allow"));
    Map<String, TreeSet<String>> allowed = new TreeMap<>();
    for (Row r : evaluated.select("principal_arn", "action").collectAsList()) {
      allowed.computeIfAbsent(r.getString(0), k -> new TreeSet<>()).add(r.getString(1));
    }
    Map<String, TreeSet<String>> kept = new TreeMap<>();
    Map<String, TreeSet<String>> unusedActions = new TreeMap<>();
    for (Row r :
        gold(Tables.UNUSED_PRIVILEGES)
            .filter(col("level").equalTo("ACTION"))
            .join(policies.select("principal_id"), "principal_id")
            .select("principal_arn", "action_pattern", "verdict")
            .collectAsList()) {
      (r.getString(2).equals("UNUSED") ? unusedActions : kept)
          .computeIfAbsent(r.getString(0), k -> new TreeSet<>())
          .add(r.getString(1));
    }
    assertThat(allowed.keySet()).isNotEmpty();
    assertThat(
            policies
                .selectExpr("explode(policy_documents) AS d")
                .filter("length(d) > " + 6144)
                .count())
        .as("documents over the managed-policy limit")
        .isZero();
    for (String arn : withPolicy) {
      TreeSet<String> got = allowed.getOrDefault(arn, new TreeSet<>());
      assertThat(got)
          .as("allowed by the policy for " + arn)
          .isEqualTo(kept.getOrDefault(arn, new TreeSet<>()));
      assertThat(got)
          .as("no unused action for " + arn)
          .doesNotContainAnyElementsOf(unusedActions.get(arn));
    }
    long replaceItems =
        lake.read(Tables.REVIEW_QUEUE)
            .filter(col(Tables.AS_OF_DATE).equalTo(lit(end)))
            .filter(col("action").equalTo(ReviewAction.REPLACE_POLICY.value()))
            .count();
    long expectedItems = policies.selectExpr("explode(agent_ids)").count();
    assertThat(replaceItems).isEqualTo(expectedItems).isPositive();
  }

  /**
   * Every column a vocabulary names holds only that vocabulary's values, on every date in the lake:
   * a transform writing a value the dashboards and evidence packs do not know fails here. Ids must
   * start with a declared platform prefix.
   */
  @Test
  void everyVocabularyColumnHoldsOnlyDeclaredValues() {
    int checked = 0;
    for (Vocabulary.Entry entry : Vocabulary.all()) {
      for (String column : entry.columns()) {
        String[] parts = column.split("\\.", 3);
        List<String> values =
            distinctValues(
                lake.read(LakeTables.byName(parts[0] + "." + parts[1]).orElseThrow()), parts[2]);
        for (String v : values) {
          if (entry.name().equals(IdPrefix.class.getSimpleName())) {
            assertThat(entry.values().stream().anyMatch(v::startsWith))
                .as(column + " value " + v + " starts with one of " + entry.values())
                .isTrue();
          } else {
            assertThat(entry.values()).as(column).contains(v);
          }
        }
        checked += values.size();
      }
    }
    // The demo organisation exercises most of the vocabulary; an empty lake would check nothing.
    assertThat(checked).isGreaterThan(60);
  }

  /** Distinct non-null values at {@code field[].field…} ({@code []} explodes an array). */
  private static List<String> distinctValues(Dataset<Row> table, String path) {
    Dataset<Row> df = table;
    String current = null;
    for (String step : path.split("\\.")) {
      boolean array = step.endsWith("[]");
      String field = array ? step.substring(0, step.length() - 2) : step;
      Column c = col(current == null ? field : current + "." + field);
      df = df.select(array ? explode(c).as("v") : c.as("v"));
      current = "v";
    }
    return df.filter(col("v").isNotNull()).distinct().as(Encoders.STRING()).collectAsList();
  }

  private static List<String> statuses(Dataset<Row> queue, String agent) {
    return queue
        .filter(col("agent_id").equalTo(agent))
        .select("status")
        .as(Encoders.STRING())
        .collectAsList();
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(v -> out.add(v.asText()));
    return out;
  }

  /** The facts' principals: AWS ones by ARN, others (Entra) by principal_id. */
  private static TreeSet<String> arns(Dataset<Row> facts) {
    TreeSet<String> out = new TreeSet<>();
    facts
        .select(org.apache.spark.sql.functions.coalesce(col("principal_arn"), col("principal_id")))
        .distinct()
        .collectAsList()
        .forEach(r -> out.add(r.getString(0)));
    return out;
  }

  private static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }
}
