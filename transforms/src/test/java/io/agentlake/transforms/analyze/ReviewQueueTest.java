package io.agentlake.transforms.analyze;

import static io.agentlake.testing.Fixtures.j;
import static io.agentlake.testing.Fixtures.rows;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentlake.schemas.Tables;
import io.agentlake.schemas.vocabulary.ReviewStatus;
import io.agentlake.testing.SharedSpark;
import io.agentlake.transforms.LakeTables;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SharedSpark.class)
class ReviewQueueTest {

  static final LocalDate AS_OF = LocalDate.of(2025, 6, 30);
  static final String APP = "aws:arn:aws:iam::111122223333:role/app";
  static final String KEY = "aws:access_key:AKIA1";
  static final String LEAST_POLICY =
      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Keeps31\",\"Effect\":\"Allow\","
          + "\"Action\":[\"s3:putobject\"],\"Resource\":[\"*\"]}]}";
  static final String GRANT_TARGET = APP + " s3:getobject on * by app-policy direct";

  static String unused(LocalDate d, String action, String verdict) {
    return j(
        ("{'as_of_date':'%s','principal_id':'%s','platform':'aws','principal_arn':'%s','agent_ids':['bedrock:A'],"
                + "'level':'GRANT','service':'s3','action_pattern':'%s','resource_pattern':'*',"
                + "'policy_name':'app-policy','grant_path':'direct','verdict':'%s','days_unused':40,"
                + "'denied_attempts':0,'observation_days':90,'window_days':90,'evidence':'{}'}")
            .formatted(d, APP, APP.substring(4), action, verdict));
  }

  Dataset<Row> queue(SparkSession spark, LocalDate d, String... decisions) {
    return queue(spark, d, 2, decisions);
  }

  /** The queue with m:B's orphan factor scored under a model whose saturation is {@code n}. */
  Dataset<Row> queue(SparkSession spark, LocalDate d, int orphanSaturation, String... decisions) {
    Dataset<Row> unused =
        rows(
            spark,
            Tables.UNUSED_PRIVILEGES,
            unused(d, "s3:getobject", "UNUSED"),
            unused(d, "s3:putobject", "USED"));
    Dataset<Row> orphans =
        rows(
            spark,
            Tables.ORPHANED_AGENTS,
            j(
                ("{'as_of_date':'%s','agent_id':'m:B','platform':'manifest',"
                        + "'reasons':['IDLE','OWNER_DEPROVISIONED'],'owner_ref':'gone@x.com',"
                        + "'owner_status':'DEPROVISIONED','suggested_successor':'boss@x.com',"
                        + "'successor_reason':'MANAGER','evidence':[{'reason':'IDLE','detail':'d1'},"
                        + "{'reason':'OWNER_DEPROVISIONED','detail':'d2'}]}")
                    .formatted(d)));
    Dataset<Row> scores =
        rows(
                spark,
                Tables.RISK_SCORES,
                j(
                    ("{'as_of_date':'%s','agent_id':'bedrock:A','platform':'bedrock','score':17.5,"
                            + "'tier':'LOW','model_version':'v1','factors':[]}")
                        .formatted(d)),
                j(
                    ("{'as_of_date':'%s','agent_id':'m:B','platform':'manifest','score':%s,"
                            + "'tier':'HIGH','model_version':'v1','factors':[]}")
                        .formatted(d, 30 * Math.min(1.0, 2.0 / orphanSaturation))))
            .drop("factors")
            .join(factors(spark, orphanSaturation), "agent_id");
    Dataset<Row> bronze =
        rows(spark, LakeTables.byName("bronze.review_decisions").orElseThrow(), decisions);
    Dataset<Row> leastPrivilege =
        rows(
            spark,
            Tables.LEAST_PRIVILEGE_POLICIES,
            j(
                ("{'as_of_date':'%s','principal_id':'%s','platform':'aws','principal_arn':'%s','agent_ids':['bedrock:A'],"
                        + "'policy_document':'%s','statements':1,'used_actions':['s3:putobject'],"
                        + "'actions_before':2,'actions_after':1,'grants_removed':1,'grants_narrowed':1,"
                        + "'changes':[{'change':'DELETE_INLINE_POLICY','policy_name':'app-policy',"
                        + "'grant_path':'direct','unused_grants':1}],'evidence':'{}'}")
                    .formatted(d, APP, APP.substring(4), LEAST_POLICY.replace("\"", "\\\""))));
    return ReviewQueue.compute(unused, leastPrivilege, orphans, scores, bronze, d);
  }

  /** Factor rows as in gold.risk_scores, built with SQL so the evidence JSON needs no escaping. */
  Dataset<Row> factors(SparkSession spark, int orphanSaturation) {
    String f =
        "named_struct('factor', '%s', 'raw_value', %sD, 'weight', %sD, 'contribution', %sD,"
            + " 'owasp', 'x', 'evidence', '%s')";
    String a =
        "array("
            + f.formatted(
                "unused_fraction", 0.5, 15, 7.5, "{\"unused_grants\":1,\"used_grants\":1}")
            + ", "
            + f.formatted(
                "long_lived_credentials",
                1,
                10,
                10,
                "{\"long_lived_keys\":[{\"credential_id\":\""
                    + KEY
                    + "\",\"kind\":\"access_key\",\"status\":\"ACTIVE\",\"age_days\":546}],"
                    + "\"older_than_days\":90}")
            + ", "
            + f.formatted("orphan_reasons", 0, 30, 0, "{\"reasons\":[],\"saturation\":2}")
            + ")";
    String b =
        "array("
            + f.formatted("unused_fraction", 0, 15, 0, "{\"unused_grants\":0,\"used_grants\":0}")
            + ", "
            + f.formatted(
                "long_lived_credentials",
                0,
                10,
                0,
                "{\"long_lived_keys\":[],\"older_than_days\":90}")
            + ", "
            + f.formatted(
                "orphan_reasons",
                Math.min(1.0, 2.0 / orphanSaturation),
                30,
                30 * Math.min(1.0, 2.0 / orphanSaturation),
                "{\"reasons\":[\"IDLE\",\"OWNER_DEPROVISIONED\"],\"saturation\":"
                    + orphanSaturation
                    + "}")
            + ")";
    return spark.sql(
        "SELECT 'bedrock:A' AS agent_id, " + a + " AS factors UNION ALL SELECT 'm:B', " + b);
  }

  static String decision(
      String itemId, String agentId, String decision, String expires, String at) {
    return j(
        ("{'_source_file':'decisions.csv','_record_position':1,'item_id':%s,'agent_id':%s,"
                + "'decision':'%s','expires_on':%s,'reviewer':'rev@x.com','justification':'why %s',"
                + "'decided_at':'%s','_event_time':'%s'}")
            .formatted(
                itemId == null ? "null" : "'" + itemId + "'",
                agentId == null ? "null" : "'" + agentId + "'",
                decision,
                expires == null ? "null" : "'" + expires + "'",
                decision,
                at,
                at));
  }

  static Map<String, Row> byAction(Dataset<Row> q) {
    Map<String, Row> out = new TreeMap<>();
    for (Row r : q.collectAsList()) {
      out.put(r.getAs("agent_id") + " " + r.getAs("action"), r);
    }
    return out;
  }

  static String idOf(Dataset<Row> q, String agent, String action) {
    return q.filter(col("agent_id").equalTo(agent).and(col("action").equalTo(action)))
        .first()
        .getAs("item_id");
  }

  @Test
  void oneItemPerAgentAndActionWithTheExpectedEffectOnTheScore(SparkSession spark) {
    Dataset<Row> q = queue(spark, AS_OF);
    assertThat(q.columns()).containsExactly(Tables.REVIEW_QUEUE.schema().fieldNames());
    Map<String, Row> items = byAction(q);
    assertThat(items.keySet())
        .containsExactly(
            "bedrock:A REPLACE_POLICY",
            "bedrock:A REVOKE_GRANT",
            "bedrock:A ROTATE_KEY",
            "m:B DECOMMISSION_AGENT",
            "m:B REASSIGN_OWNER");
    assertThat(q.filter(col("status").notEqual(ReviewStatus.OPEN.value())).count()).isZero();

    Row revoke = items.get("bedrock:A REVOKE_GRANT");
    assertThat(revoke.<String>getAs("target")).isEqualTo(GRANT_TARGET);
    assertThat(revoke.<String>getAs("principal_id")).isEqualTo(APP);
    Row effect = revoke.getAs("expected_effect");
    assertThat(effect.<String>getAs("factor")).isEqualTo("unused_fraction");
    assertThat(effect.<Double>getAs("contribution_before")).isEqualTo(7.5);
    assertThat(effect.<Double>getAs("contribution_after")).isEqualTo(0.0);
    assertThat(effect.<Double>getAs("score_after")).isEqualTo(10.0);

    Row replace = items.get("bedrock:A REPLACE_POLICY");
    assertThat(replace.<String>getAs("target")).isEqualTo(APP);
    assertThat(replace.<String>getAs("evidence"))
        .contains("DELETE_INLINE_POLICY")
        .contains("\"grants_removed\":1")
        .contains("s3:putobject");
    Row replaceEffect = replace.getAs("expected_effect");
    assertThat(replaceEffect.<String>getAs("factor")).isEqualTo("unused_fraction");
    assertThat(replaceEffect.<Double>getAs("contribution_after")).isEqualTo(0.0);
    assertThat(replaceEffect.<Double>getAs("score_after")).isEqualTo(10.0);
    // the policy also narrows a used grant: said, though the fraction does not count it
    assertThat(replaceEffect.<String>getAs("note"))
        .contains("1 UNUSED grant(s) fewer")
        .contains("it also narrows 1 used grant(s), which stay USED");
    assertThat(effect.<String>getAs("note")).doesNotContain("narrows");

    Row rotate = items.get("bedrock:A ROTATE_KEY");
    assertThat(rotate.<String>getAs("target")).isEqualTo(KEY);
    assertThat(rotate.<String>getAs("evidence"))
        .contains("\"age_days\":546")
        .contains("\"older_than_days\":90");
    Row rotateEffect = rotate.getAs("expected_effect");
    assertThat(rotateEffect.<String>getAs("factor")).isEqualTo("long_lived_credentials");
    assertThat(rotateEffect.<Double>getAs("score_after")).isEqualTo(7.5);

    Row owner = items.get("m:B REASSIGN_OWNER");
    assertThat(owner.<String>getAs("evidence"))
        .contains("\"reasons\":[\"OWNER_DEPROVISIONED\"]")
        .contains("boss@x.com")
        .doesNotContain("d1");
    Row ownerEffect = owner.getAs("expected_effect");
    assertThat(ownerEffect.<String>getAs("factor")).isEqualTo("orphan_reasons");
    assertThat(ownerEffect.<Double>getAs("contribution_after")).isEqualTo(15.0);
    assertThat(ownerEffect.<Double>getAs("score_after")).isEqualTo(15.0);

    Row decommission = items.get("m:B DECOMMISSION_AGENT");
    assertThat(decommission.<String>getAs("evidence")).contains("\"reasons\":[\"IDLE\"]");
    assertThat(decommission.<Row>getAs("expected_effect").<Double>getAs("score_after"))
        .isEqualTo(0.0);
  }

  /**
   * The orphan factor's "after" value uses the saturation its score was computed with (in its
   * evidence), not a constant: under saturation 4, two reasons are 0.5 (15 points) and one left
   * after reassigning the owner is 0.25 (7.5 points), the agent's whole score.
   */
  @Test
  void theExpectedEffectUsesTheThresholdTheScoreWasComputedWith(SparkSession spark) {
    Row owner = byAction(queue(spark, AS_OF, 4)).get("m:B REASSIGN_OWNER");
    Row effect = owner.getAs("expected_effect");
    assertThat(effect.<Double>getAs("contribution_before")).isEqualTo(15.0);
    assertThat(effect.<Double>getAs("contribution_after")).isEqualTo(7.5);
    assertThat(effect.<Double>getAs("score_before")).isEqualTo(15.0);
    assertThat(effect.<Double>getAs("score_after")).isEqualTo(7.5);
  }

  @Test
  void itemIdsAreTheSameOnAnotherDateAndDifferPerTarget(SparkSession spark) {
    Dataset<Row> today = queue(spark, AS_OF).select("agent_id", "action", "target", "item_id");
    Dataset<Row> tomorrow =
        queue(spark, AS_OF.plusDays(1)).select("agent_id", "action", "target", "item_id");
    assertThat(tomorrow.collectAsList()).containsExactlyInAnyOrderElementsOf(today.collectAsList());
    assertThat(today.select("item_id").distinct().count()).isEqualTo(5);
    Row any =
        today
            .select(ReviewQueue.itemId(lit("bedrock:A"), lit("REVOKE_GRANT"), lit(GRANT_TARGET)))
            .first();
    assertThat(idOf(today, "bedrock:A", "REVOKE_GRANT")).isEqualTo(any.getString(0)).hasSize(32);
  }

  @Test
  void anAcceptedRiskSuppressesUpToAndIncludingItsExpiryThenTheItemIsOpenAgain(SparkSession spark) {
    String id = idOf(queue(spark, AS_OF), "bedrock:A", "REVOKE_GRANT");
    String accept = decision(id, null, "ACCEPT_RISK", "2025-06-30", "2025-06-01T09:00:00Z");
    Row before = item(queue(spark, AS_OF.minusDays(1), accept), id);
    Row on = item(queue(spark, AS_OF, accept), id);
    Row after = item(queue(spark, AS_OF.plusDays(1), accept), id);
    assertThat(before.<String>getAs("status")).isEqualTo(ReviewStatus.SUPPRESSED.value());
    assertThat(on.<String>getAs("status")).isEqualTo(ReviewStatus.SUPPRESSED.value());
    assertThat(on.<String>getAs("decided_by")).isEqualTo("rev@x.com");
    assertThat(on.<String>getAs("justification")).isEqualTo("why ACCEPT_RISK");
    assertThat(on.<java.sql.Date>getAs("expires_on").toLocalDate()).isEqualTo(AS_OF);
    assertThat(on.<String>getAs("status_reason")).contains("until 2025-06-30");
    assertThat(after.<String>getAs("status")).isEqualTo(ReviewStatus.OPEN.value());
    assertThat(after.<String>getAs("decision")).isEqualTo("ACCEPT_RISK");
    assertThat(after.<String>getAs("status_reason")).contains("expired on 2025-06-30");
    // The other items of the agent are untouched by an item decision.
    assertThat(
            queue(spark, AS_OF, accept)
                .filter(col("item_id").notEqual(id).and(col("status").notEqual("OPEN")))
                .count())
        .isZero();
  }

  @Test
  void theLatestDecisionWinsAndEveryDecisionIsKept(SparkSession spark) {
    String id = idOf(queue(spark, AS_OF), "bedrock:A", "REVOKE_GRANT");
    Row row =
        item(
            queue(
                spark,
                AS_OF,
                decision(id, null, "REVOKE", null, "2025-06-20T09:00:00Z"),
                decision(id, null, "APPROVE", null, "2025-06-10T09:00:00Z")),
            id);
    assertThat(row.<String>getAs("status")).isEqualTo(ReviewStatus.REVOKE_REQUESTED.value());
    List<Row> kept = row.getList(row.fieldIndex("decisions"));
    assertThat(kept)
        .extracting(r -> r.<String>getAs("decision"))
        .containsExactly("APPROVE", "REVOKE");

    Row approved =
        item(
            queue(
                spark,
                AS_OF,
                decision(id, null, "REVOKE", null, "2025-06-20T09:00:00Z"),
                decision(id, null, "APPROVE", null, "2025-06-25T09:00:00Z")),
            id);
    assertThat(approved.<String>getAs("status")).isEqualTo(ReviewStatus.APPROVED.value());
  }

  @Test
  void decisionsDecidedAfterTheRunDateAreIgnoredForThatDate(SparkSession spark) {
    String id = idOf(queue(spark, AS_OF), "bedrock:A", "REVOKE_GRANT");
    String early = decision(id, null, "APPROVE", null, "2025-06-30T23:59:59Z");
    String late = decision(id, null, "REVOKE", null, "2025-07-01T00:00:00Z");
    Row today = item(queue(spark, AS_OF, early, late), id);
    assertThat(today.<String>getAs("status")).isEqualTo(ReviewStatus.APPROVED.value());
    assertThat(today.getList(today.fieldIndex("decisions"))).hasSize(1);
    Row tomorrow = item(queue(spark, AS_OF.plusDays(1), early, late), id);
    assertThat(tomorrow.<String>getAs("status")).isEqualTo(ReviewStatus.REVOKE_REQUESTED.value());
  }

  @Test
  void anAgentDecisionAppliesToEveryItemOfThatAgentUntilAnItemDecisionIsNewer(SparkSession spark) {
    String ownerItem = idOf(queue(spark, AS_OF), "m:B", "REASSIGN_OWNER");
    String agentWide = decision(null, "m:B", "ACCEPT_RISK", "2025-07-31", "2025-06-01T09:00:00Z");
    Dataset<Row> q = queue(spark, AS_OF, agentWide);
    Map<String, Row> items = byAction(q);
    assertThat(items.get("m:B REASSIGN_OWNER").<String>getAs("status"))
        .isEqualTo(ReviewStatus.SUPPRESSED.value());
    assertThat(items.get("m:B DECOMMISSION_AGENT").<String>getAs("status"))
        .isEqualTo(ReviewStatus.SUPPRESSED.value());
    assertThat(items.get("m:B DECOMMISSION_AGENT").<String>getAs("decision_scope"))
        .isEqualTo("AGENT");
    assertThat(items.get("bedrock:A REVOKE_GRANT").<String>getAs("status"))
        .isEqualTo(ReviewStatus.OPEN.value());

    Dataset<Row> overridden =
        queue(
            spark,
            AS_OF,
            agentWide,
            decision(ownerItem, "m:B", "REVOKE", null, "2025-06-15T09:00:00Z"));
    Map<String, Row> after = byAction(overridden);
    assertThat(after.get("m:B REASSIGN_OWNER").<String>getAs("status"))
        .isEqualTo(ReviewStatus.REVOKE_REQUESTED.value());
    assertThat(
            after
                .get("m:B REASSIGN_OWNER")
                .getList(after.get("m:B REASSIGN_OWNER").fieldIndex("decisions")))
        .hasSize(2);
    assertThat(after.get("m:B DECOMMISSION_AGENT").<String>getAs("status"))
        .isEqualTo(ReviewStatus.SUPPRESSED.value());
  }

  static Row item(Dataset<Row> q, String id) {
    return q.filter(col("item_id").equalTo(id)).first();
  }
}
