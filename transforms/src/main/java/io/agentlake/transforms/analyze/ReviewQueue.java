package io.agentlake.transforms.analyze;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_intersect;
import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.get_json_object;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max_by;
import static org.apache.spark.sql.functions.nullif;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import io.agentlake.schemas.Tables;
import io.agentlake.schemas.vocabulary.OrphanReason;
import io.agentlake.schemas.vocabulary.PrivilegeLevel;
import io.agentlake.schemas.vocabulary.ReviewAction;
import io.agentlake.schemas.vocabulary.ReviewDecision;
import io.agentlake.schemas.vocabulary.ReviewScope;
import io.agentlake.schemas.vocabulary.ReviewStatus;
import io.agentlake.schemas.vocabulary.RiskFactor;
import io.agentlake.schemas.vocabulary.Verdict;
import io.agentlake.transforms.Contracts;
import io.agentlake.transforms.Evidence;
import io.agentlake.transforms.Utc;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;

/**
 * {@code gold.review_queue}: one item per agent x recommended action x target, built from the gold
 * findings of the run date, with the reviewers' decisions applied.
 *
 * <ul>
 *   <li>{@code REVOKE_GRANT}: every UNUSED grant row of gold.unused_privileges, once per agent that
 *       reaches its principal; target = principal, action and resource pattern, policy, path.
 *   <li>{@code REASSIGN_OWNER}: an orphan with OWNER_DEPROVISIONED, OWNER_STATUS_CONFLICT,
 *       OWNER_UNKNOWN or NO_OWNER; evidence names the suggested successor.
 *   <li>{@code DECOMMISSION_AGENT}: an orphan with IDLE, PROJECT_ENDED or DANGLING_CREDENTIAL.
 *   <li>{@code ROTATE_KEY}: every long-lived key in the agent's {@code long_lived_credentials}
 *       factor of gold.risk_scores; target = the key's identity id.
 *   <li>{@code REPLACE_POLICY}: every row of gold.least_privilege_policies, once per agent that
 *       reaches its principal; target = principal; evidence = the policy document and the changes
 *       (policies to detach, inline policies to delete, groups to leave).
 * </ul>
 *
 * <p>{@code item_id} = first 32 hex digits of SHA-256 of {@code agent_id|action|target}: the same
 * finding on another date has the same id. {@code expected_effect} is computed from the factor rows
 * of gold.risk_scores (their weights, and the counts and thresholds in their evidence) with the
 * factors' own formulas in {@link RiskFactors} (unused fraction with one UNUSED grant fewer, or
 * without all of the principal's for a replaced policy; orphan reasons without the ones the action
 * resolves; the long-lived factor only when the key is the agent's last long-lived one;
 * decommissioning leaves no score). It is a lower bound: a revoked grant can also remove a
 * privilege factor, which is not predicted.
 *
 * <p>Decisions ({@code bronze.review_decisions}) decided by the end of the run date apply: one with
 * an {@code item_id} to that item only; one with only an {@code agent_id} to every item of that
 * agent on that date (including items that appear later, as long as it is the latest decision). The
 * latest {@code decided_at} wins; at the same instant an item decision beats an agent decision,
 * then REVOKE beats APPROVE beats ACCEPT_RISK. ACCEPT_RISK suppresses the item up to and including
 * {@code expires_on}; after that the item is OPEN again and {@code status_reason} names the expired
 * acceptance. Every applicable decision stays listed in {@code decisions}.
 *
 * <p>Dangerous: an agent-level acceptance hides every item of the agent, including new ones found
 * after the decision; a decision on an item id that no longer appears (the finding went away) is
 * listed nowhere here, only in bronze.
 */
public final class ReviewQueue {

  static final List<OrphanReason> OWNER_REASONS =
      List.of(
          OrphanReason.NO_OWNER,
          OrphanReason.OWNER_DEPROVISIONED,
          OrphanReason.OWNER_STATUS_CONFLICT,
          OrphanReason.OWNER_UNKNOWN);
  static final List<OrphanReason> DECOMMISSION_REASONS =
      List.of(OrphanReason.DANGLING_CREDENTIAL, OrphanReason.IDLE, OrphanReason.PROJECT_ENDED);

  private static final DataType EFFECT =
      Tables.REVIEW_QUEUE.schema().apply("expected_effect").dataType();

  private ReviewQueue() {}

  /** The stable id of a review item, as reviewers may compute it themselves. */
  public static Column itemId(Column agentId, Column action, Column target) {
    return substring(sha2(concat_ws("|", agentId, action, target), 256), 1, 32);
  }

  public static Dataset<Row> compute(
      Dataset<Row> unusedPrivileges,
      Dataset<Row> leastPrivilege,
      Dataset<Row> orphanedAgents,
      Dataset<Row> riskScores,
      Dataset<Row> decisions,
      LocalDate asOf) {
    Dataset<Row> scores = scoreFacts(riskScores, asOf);
    Dataset<Row> items =
        revokeGrants(unusedPrivileges, asOf)
            .unionByName(replacePolicies(leastPrivilege, asOf))
            .unionByName(
                orphanItems(orphanedAgents, asOf, ReviewAction.REASSIGN_OWNER, OWNER_REASONS))
            .unionByName(
                orphanItems(
                    orphanedAgents, asOf, ReviewAction.DECOMMISSION_AGENT, DECOMMISSION_REASONS))
            .unionByName(rotateKeys(scores))
            .withColumn("item_id", itemId(col("agent_id"), col("action"), col("target")));
    Dataset<Row> withEffect =
        items
            .join(scores, "agent_id", "left")
            .withColumn("expected_effect", expectedEffect())
            .select(
                "item_id",
                "agent_id",
                "action",
                "target",
                "principal_id",
                "evidence",
                "expected_effect");
    return applyDecisions(withEffect, decisions, asOf);
  }

  // ---- items --------------------------------------------------------------------------------

  private static Dataset<Row> revokeGrants(Dataset<Row> unused, LocalDate asOf) {
    return unused
        .filter(
            col(Tables.AS_OF_DATE)
                .equalTo(lit(asOf))
                .and(col("level").equalTo(PrivilegeLevel.GRANT.value()))
                .and(col("verdict").equalTo(Verdict.UNUSED.value())))
        .select(col("*"), explode(col("agent_ids")).as("agent_id"))
        .select(
            col("agent_id"),
            lit(ReviewAction.REVOKE_GRANT.value()).as("action"),
            UnusedPrivileges.grantSubject().as("target"),
            col("principal_id"),
            Evidence.json(
                    struct(
                        col("principal_arn"),
                        col("policy_name"),
                        col("grant_path"),
                        col("action_pattern"),
                        col("resource_pattern"),
                        col("verdict"),
                        col("last_used_time"),
                        col("days_unused"),
                        col("denied_attempts"),
                        col("observation_days"),
                        col("window_days")))
                .as("evidence"),
            lit(null).cast("int").as("resolved_reasons"),
            lit(1L).as("grants_removed"));
  }

  private static Dataset<Row> replacePolicies(Dataset<Row> leastPrivilege, LocalDate asOf) {
    return leastPrivilege
        .filter(col(Tables.AS_OF_DATE).equalTo(lit(asOf)))
        .select(col("*"), explode(col("agent_ids")).as("agent_id"))
        .select(
            col("agent_id"),
            lit(ReviewAction.REPLACE_POLICY.value()).as("action"),
            col("principal_id").as("target"),
            col("principal_id"),
            Evidence.json(
                    struct(
                        col("principal_arn"),
                        col("grants_removed"),
                        coalesce(col("grants_narrowed"), lit(0L)).as("grants_narrowed"),
                        col("actions_before"),
                        col("actions_after"),
                        col("used_actions"),
                        col("statements"),
                        col("changes"),
                        col("policy_document")))
                .as("evidence"),
            lit(null).cast("int").as("resolved_reasons"),
            col("grants_removed"));
  }

  private static Dataset<Row> orphanItems(
      Dataset<Row> orphans, LocalDate asOf, ReviewAction action, List<OrphanReason> reasons) {
    Column matching =
        array_sort(
            array_intersect(
                col("reasons"),
                array(reasons.stream().map(r -> lit(r.value())).toArray(Column[]::new))));
    return orphans
        .filter(col(Tables.AS_OF_DATE).equalTo(lit(asOf)))
        .withColumn("matching", matching)
        .filter(size(col("matching")).gt(0))
        .select(
            col("agent_id"),
            lit(action.value()).as("action"),
            col("agent_id").as("target"),
            lit(null).cast("string").as("principal_id"),
            Evidence.json(
                    struct(
                        col("matching").as("reasons"),
                        col("reasons").as("all_reasons"),
                        col("owner_ref"),
                        col("owner_status"),
                        col("owner_status_since"),
                        col("last_activity_time"),
                        col("credential_ids"),
                        col("suggested_successor"),
                        col("successor_reason"),
                        expr("filter(evidence, e -> array_contains("
                                + sqlArray(reasons)
                                + ", e.reason))")
                            .as("facts")))
                .as("evidence"),
            size(col("matching")).as("resolved_reasons"),
            lit(null).cast("bigint").as("grants_removed"));
  }

  private static Dataset<Row> rotateKeys(Dataset<Row> scores) {
    return scores
        .filter(col("long_lived.raw_value").gt(0))
        .select(
            col("agent_id"),
            RiskFactors.olderThanDays(col("long_lived.evidence"))
                .as(RiskFactors.evidenceName(RiskFactors.OLDER_THAN_DAYS)),
            explode(RiskFactors.longLivedKeys(col("long_lived.evidence"))).as("key"))
        .select(
            col("agent_id"),
            lit(ReviewAction.ROTATE_KEY.value()).as("action"),
            col("key.credential_id").as("target"),
            col("key.credential_id").as("principal_id"),
            Evidence.json(
                    struct(
                        col("key.credential_id").as("credential_id"),
                        col("key.kind").as("kind"),
                        col("key.status").as("status"),
                        col("key.created_at").as("created_at"),
                        col("key.age_days").as("age_days"),
                        col("older_than_days")))
                .as("evidence"),
            lit(null).cast("int").as("resolved_reasons"),
            lit(null).cast("bigint").as("grants_removed"));
  }

  // ---- expected effect ----------------------------------------------------------------------

  /** Per agent: score, sum of contributions, and the factor rows the items' effects read. */
  private static Dataset<Row> scoreFacts(Dataset<Row> riskScores, LocalDate asOf) {
    return riskScores
        .filter(col(Tables.AS_OF_DATE).equalTo(lit(asOf)))
        .select(
            col("agent_id"),
            col("score"),
            expr("aggregate(factors, 0D, (acc, f) -> acc + f.contribution)").as("total"),
            factor(RiskFactor.UNUSED_FRACTION).as("unused_fraction"),
            factor(RiskFactor.ORPHAN_REASONS).as("orphan_reasons"),
            factor(RiskFactor.LONG_LIVED_CREDENTIALS).as("long_lived"));
  }

  private static Column factor(RiskFactor factor) {
    return expr("element_at(filter(factors, f -> f.factor = '" + factor.value() + "'), 1)");
  }

  /**
   * The item's effect on its factor and the score: the factor's raw value after the remediation, as
   * {@link RiskFactors} defines it, times the factor's weight in the score row.
   */
  private static Column expectedEffect() {
    Column unusedEvidence = col("unused_fraction.evidence");
    Column orphanEvidence = col("orphan_reasons.evidence");
    Column longLivedEvidence = col("long_lived.evidence");
    Column revokes =
        col("action").isin(ReviewAction.REVOKE_GRANT.value(), ReviewAction.REPLACE_POLICY.value());
    Column unusedAfter = RiskFactors.unusedGrantsAfter(unusedEvidence, col("grants_removed"));
    Column usedBefore = RiskFactors.usedGrants(unusedEvidence);
    Column longLivedKeys = size(RiskFactors.longLivedKeys(longLivedEvidence));
    Column narrowed = get_json_object(col("evidence"), "$.grants_narrowed").cast("long");

    Column factorName =
        when(revokes, lit(RiskFactor.UNUSED_FRACTION.value()))
            .when(
                col("action").equalTo(ReviewAction.REASSIGN_OWNER.value()),
                lit(RiskFactor.ORPHAN_REASONS.value()))
            .when(
                col("action").equalTo(ReviewAction.ROTATE_KEY.value()),
                lit(RiskFactor.LONG_LIVED_CREDENTIALS.value()))
            .otherwise(lit("*"));
    Column before =
        when(revokes, col("unused_fraction.contribution"))
            .when(
                col("action").equalTo(ReviewAction.REASSIGN_OWNER.value()),
                col("orphan_reasons.contribution"))
            .when(
                col("action").equalTo(ReviewAction.ROTATE_KEY.value()),
                col("long_lived.contribution"))
            .otherwise(col("total"));
    Column after =
        when(
                revokes,
                col("unused_fraction.weight")
                    .multiply(
                        RiskFactors.unusedFractionAfter(unusedEvidence, col("grants_removed"))))
            .when(
                col("action").equalTo(ReviewAction.REASSIGN_OWNER.value()),
                col("orphan_reasons.weight")
                    .multiply(
                        RiskFactors.orphanReasonsAfter(orphanEvidence, col("resolved_reasons"))))
            .when(
                col("action").equalTo(ReviewAction.ROTATE_KEY.value()),
                col("long_lived.weight")
                    .multiply(RiskFactors.longLivedAfterOneRotated(longLivedEvidence)))
            .otherwise(lit(0.0));
    Column note =
        when(
                revokes,
                concat(
                    lit("unused fraction with "),
                    coalesce(col("grants_removed"), lit(0L)).cast("string"),
                    lit(" UNUSED grant(s) fewer ("),
                    unusedAfter.cast("int").cast("string"),
                    lit(" unused, "),
                    usedBefore.cast("int").cast("string"),
                    lit(" used)"),
                    // a narrowed grant (used, some actions left out) stays USED: the fraction
                    // does not count it, and the reviewer should know the policy does more
                    when(
                            col("action")
                                .equalTo(ReviewAction.REPLACE_POLICY.value())
                                .and(narrowed.gt(0)),
                            concat(
                                lit("; it also narrows "),
                                narrowed.cast("string"),
                                lit(" used grant(s), which stay USED")))
                        .otherwise(lit("")),
                    lit("; a privilege factor may drop too")))
            .when(
                col("action").equalTo(ReviewAction.REASSIGN_OWNER.value()),
                lit("orphan reasons without the owner reasons"))
            .when(
                col("action").equalTo(ReviewAction.ROTATE_KEY.value()),
                when(longLivedKeys.leq(1), lit("the agent's only long-lived key"))
                    .otherwise(
                        concat(
                            lit("drops only once all "),
                            longLivedKeys.cast("string"),
                            lit(" long-lived keys are rotated"))))
            .otherwise(lit("a decommissioned agent has no score"));
    Column roundedBefore = round(before, 2);
    Column roundedAfter = round(after, 2);
    Column scoreAfter =
        round(least(lit(100.0), greatest(lit(0.0), col("total").minus(before).plus(after))), 1);
    return when(col("score").isNull(), lit(null).cast(EFFECT))
        .otherwise(
            struct(
                    factorName.as("factor"),
                    roundedBefore.as("contribution_before"),
                    roundedAfter.as("contribution_after"),
                    col("score").as("score_before"),
                    when(col("action").equalTo(ReviewAction.DECOMMISSION_AGENT.value()), lit(0.0))
                        .otherwise(scoreAfter)
                        .as("score_after"),
                    note.as("note"))
                .cast(EFFECT));
  }

  // ---- decisions ----------------------------------------------------------------------------

  private static Dataset<Row> applyDecisions(
      Dataset<Row> items, Dataset<Row> decisions, LocalDate asOf) {
    Dataset<Row> known =
        decisions
            .filter(col("_event_time").isNotNull().and(Utc.atOrBefore(col("_event_time"), asOf)))
            .select(
                nullif(trim(col("item_id")), lit("")).as("d_item_id"),
                nullif(trim(col("agent_id")), lit("")).as("d_agent_id"),
                trim(col("decision")).as("decision"),
                trim(col("reviewer")).as("reviewer"),
                col("justification"),
                col("_event_time").as("decided_at"),
                to_date(trim(col("expires_on"))).as("expires_on"),
                col("_source_file").as("source_file"));
    Dataset<Row> keys = items.select("item_id", "agent_id");
    Dataset<Row> byItem =
        known
            .filter(col("d_item_id").isNotNull())
            .join(keys, col("d_item_id").equalTo(col("item_id")))
            .withColumn("scope", lit(ReviewScope.ITEM.value()))
            .withColumn("scope_rank", lit(1));
    Dataset<Row> byAgent =
        known
            .filter(col("d_item_id").isNull().and(col("d_agent_id").isNotNull()))
            .join(keys, col("d_agent_id").equalTo(col("agent_id")))
            .withColumn("scope", lit(ReviewScope.AGENT.value()))
            .withColumn("scope_rank", lit(0));
    Column decisionStruct =
        struct(
            col("scope"),
            col("decision"),
            col("reviewer"),
            col("justification"),
            col("decided_at"),
            col("expires_on"),
            col("source_file"));
    Dataset<Row> applied =
        byItem
            .unionByName(byAgent)
            .groupBy("item_id")
            .agg(
                array_sort(
                        collect_list(
                            struct(
                                col("decided_at"),
                                col("scope"),
                                col("decision"),
                                col("reviewer"),
                                col("justification"),
                                col("expires_on"),
                                col("source_file"))))
                    .as("decisions"),
                max_by(
                        decisionStruct,
                        struct(
                            col("decided_at"),
                            col("scope_rank"),
                            col("decision"),
                            col("reviewer"),
                            col("source_file")))
                    .as("latest"));
    Column kind = col("latest.decision");
    Column inForce = col("latest.expires_on").geq(lit(asOf));
    Column status =
        when(kind.isNull(), lit(ReviewStatus.OPEN.value()))
            .when(
                kind.equalTo(ReviewDecision.ACCEPT_RISK.value()).and(inForce),
                lit(ReviewStatus.SUPPRESSED.value()))
            .when(kind.equalTo(ReviewDecision.ACCEPT_RISK.value()), lit(ReviewStatus.OPEN.value()))
            .when(kind.equalTo(ReviewDecision.APPROVE.value()), lit(ReviewStatus.APPROVED.value()))
            .when(
                kind.equalTo(ReviewDecision.REVOKE.value()),
                lit(ReviewStatus.REVOKE_REQUESTED.value()))
            .otherwise(lit(ReviewStatus.OPEN.value()));
    Column by = coalesce(col("latest.reviewer"), lit("unknown reviewer"));
    Column why = coalesce(col("latest.justification"), lit(""));
    Column reason =
        when(kind.isNull(), lit(null).cast("string"))
            .when(
                kind.equalTo(ReviewDecision.ACCEPT_RISK.value()).and(inForce),
                concat(
                    lit("risk accepted by "),
                    by,
                    lit(" until "),
                    col("latest.expires_on").cast("string"),
                    lit(" inclusive: "),
                    why))
            .when(
                kind.equalTo(ReviewDecision.ACCEPT_RISK.value()),
                concat(
                    lit("risk acceptance by "),
                    by,
                    lit(" expired on "),
                    coalesce(col("latest.expires_on").cast("string"), lit("(no date)")),
                    lit("; back for review: "),
                    why))
            .otherwise(concat(lit(""), kind, lit(" by "), by, lit(": "), why));
    Dataset<Row> out =
        items
            .join(applied, "item_id", "left")
            .select(
                lit(asOf).as(Tables.AS_OF_DATE),
                col("*"),
                status.as("status"),
                reason.as("status_reason"),
                kind.as("decision"),
                col("latest.scope").as("decision_scope"),
                col("latest.reviewer").as("decided_by"),
                col("latest.decided_at").as("decided_at"),
                col("latest.justification").as("justification"),
                col("latest.expires_on").as("expires_on"))
            .withColumn(
                "decisions",
                coalesce(
                    col("decisions"),
                    array().cast(Tables.REVIEW_QUEUE.schema().apply("decisions").dataType())));
    return Contracts.conform(out, Tables.REVIEW_QUEUE);
  }

  private static String sqlArray(List<OrphanReason> values) {
    return "array("
        + String.join(", ", values.stream().map(v -> "'" + v.value() + "'").toList())
        + ")";
  }
}
