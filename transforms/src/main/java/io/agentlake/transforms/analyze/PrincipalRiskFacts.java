package io.agentlake.transforms.analyze;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_distinct;
import static org.apache.spark.sql.functions.array_join;
import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.bool_and;
import static org.apache.spark.sql.functions.bool_or;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.flatten;
import static org.apache.spark.sql.functions.forall;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.sequence;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.split;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.substring_index;
import static org.apache.spark.sql.functions.transform;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import io.agentlake.schemas.Tables;
import io.agentlake.schemas.vocabulary.EdgeType;
import io.agentlake.schemas.vocabulary.FactReach;
import io.agentlake.schemas.vocabulary.RiskFactCategory;
import io.agentlake.transforms.Contracts;
import io.agentlake.transforms.Utc;
import io.agentlake.transforms.correlate.EntitlementHistory;
import io.agentlake.transforms.correlate.Globs;
import io.agentlake.transforms.sources.iam.IamPolicies;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;

/**
 * {@code gold.principal_risk_facts}: for every IAM user and role, the risk facts of SPEC 6.2 that
 * its policies allow together, and those it gets through roles it can assume; for every Entra ID
 * service principal, the high-privilege Graph permissions and directory roles it holds ({@code
 * EntraRiskFacts}, reach {@code direct}). A fact is matched only against grants of its own
 * platform.
 *
 * <p>A fact ({@link RiskFactCatalog}) holds when each of its actions is allowed, possibly by
 * different policies, by at least one Allow statement that survives:
 *
 * <ul>
 *   <li>Deny: an unconditional Deny of the action, in any of the principal's policies or in its
 *       permission boundary, removes an Allow when the Deny's resource covers the Allow's (a Deny
 *       on {@code *} covers everything; otherwise the Allow's resource pattern must match the
 *       Deny's as a glob; a {@code NotResource} Deny covers nothing). A conditional Deny does not
 *       remove it: it makes the fact {@code conditional}.
 *   <li>Boundary: a principal with a permission boundary keeps an Allow only if a boundary Allow of
 *       the action covers its resource.
 *   <li>Conditions: an Allow with a Condition counts (upper bound) but makes the fact {@code
 *       conditional}; {@code conditional = false} means the fact also holds when every conditional
 *       Allow is ignored and every conditional Deny applies (lower bound). No condition key is
 *       judged harmless: {@code evidence} names the keys (with their operators, e.g. {@code
 *       aws:SourceIp (IpAddress)}) of the statements that made the fact conditional.
 *   <li>Permissions management counts only grants on Resource {@code *}; full admin only an
 *       unconditional Allow of every action ({@code *}) on {@code *}.
 * </ul>
 *
 * <p>Actions are matched against {@code action_pattern} with IAM glob semantics (case-insensitive,
 * {@code *}, {@code ?}), so this is right whether entitlements hold patterns as written or concrete
 * catalog-expanded actions. Reached facts ({@code reach = via}) follow CAN_ASSUME edges from the
 * principal, transitively, keeping per (principal, holder) the fewest hops and then the smallest
 * path, so reruns give the same row; ASSUMED edges (observed, not granted) are not followed here. A
 * via fact's {@code evidence} states its hops and the {@code maxHops} limit (max-reach-hops) it was
 * found within, so a reader knows a longer chain would not have been seen. A via fact is {@code
 * conditional} when its holder's is, or when a hop of its path is a {@code conditional} edge (a
 * trust policy or the principal's own Allow under a Condition); the evidence names those hops and
 * their keys.
 *
 * <p>Dangerous: this is an upper bound on what is granted, never a proof of what is possible: SCPs,
 * resource policies and session policies are not seen, and a Deny removes an Allow only when its
 * resource pattern covers the Allow's as text ({@code arn:aws:s3:::*} does not cover {@code *}), so
 * a Deny that covers every resource of one service in its own words leaves the fact standing. It
 * can also under-report: a role trusting a service gives no via facts to anybody (only the
 * code-execution methods of {@link #targeted} reach such roles), a boundary whose document is
 * missing from the export is no boundary, and "full admin" is only recognised while entitlements
 * keep the {@code *} pattern (a catalog expansion that replaces it by every concrete action must
 * keep a marker for it).
 */
public final class PrincipalRiskFacts {

  /** The principals whose facts this table holds: IAM users and roles. */
  static final String IAM_PRINCIPAL = "^aws:arn:aws[a-z-]*:iam::[0-9]{12}:(user|role)/.+";

  private static final List<String> GRANT =
      List.of(
          "principal_id",
          "action",
          "policy_name",
          "policy_type",
          "grant_path",
          "statement_index",
          "action_pattern",
          "resource_pattern",
          "conditional",
          "condition_keys");

  /**
   * Actions whose resource is a managed policy, changed for every principal it is attached to (the
   * AWS service authorization data gives both only the {@code policy} resource type).
   */
  static final List<String> POLICY_TARGET_ACTIONS =
      List.of("iam:createpolicyversion", "iam:setdefaultpolicyversion");

  /**
   * Actions that give a user new credentials: on the caller itself they add nothing it did not
   * have.
   */
  static final List<String> SELF_HARMLESS_ACTIONS =
      List.of("iam:createaccesskey", "iam:createloginprofile", "iam:updateloginprofile");

  private PrincipalRiskFacts() {}

  public static Dataset<Row> compute(
      Dataset<Row> entitlements,
      Dataset<Row> edges,
      RiskFactCatalog catalog,
      LocalDate asOf,
      int maxHops) {
    if (maxHops < 1) {
      throw new IllegalArgumentException(
          "principal risk facts need maxHops >= 1 (got "
              + maxHops
              + ") to follow role assumption. Pass a positive hop limit.");
    }
    // Each step is read several times by the next. Checkpointed, not cached: a cached step keeps
    // its whole plan, and every task of the steps after it carried the nested plans of all the
    // steps before (a 12-row test spent 78 s deserialising tasks, with the heap full).
    Dataset<Row> reach = assumable(edges, asOf, maxHops).localCheckpoint();
    Dataset<Row> direct =
        ComputeEscalation.targeted(
                resourceScoped(direct(entitlements, catalog).localCheckpoint(), entitlements, reach)
                    .localCheckpoint(),
                edges,
                catalog,
                asOf)
            .localCheckpoint();
    Dataset<Row> held =
        direct.select(
            col("principal_id").as("holder_id"),
            col("category"),
            col("fact"),
            col("actions"),
            col("conditional"),
            col("unconstrained"),
            col("policies"),
            col("grants"),
            col("evidence").as("holder_evidence"));
    Column arn = regexp_replace(col("principal_id"), "^aws:", "");
    Dataset<Row> via =
        reach
            .join(held, "holder_id")
            .select(
                col("principal_id"),
                arn.as("principal_arn"),
                split(arn, ":").getItem(4).as("account_id"),
                col("category"),
                col("fact"),
                lit(FactReach.VIA.value()).as("reach"),
                col("holder_id"),
                col("hops"),
                col("path"),
                col("actions"),
                col("conditional").or(col("conditional_hops").isNotNull()).as("conditional"),
                col("unconstrained"),
                col("policies"),
                col("grants"),
                concat(
                        lit("reached by "),
                        col("hops"),
                        lit(" role assumption(s) ("),
                        array_join(col("path"), " > "),
                        lit("), within max-reach-hops "),
                        lit(maxHops),
                        when(
                                col("conditional_hops").isNotNull(),
                                concat(
                                    lit("; assumable only under a condition (upper bound): "),
                                    array_join(col("conditional_hops"), "; ")))
                            .otherwise(lit("")),
                        lit("; the holder's own grants: "),
                        col("holder_evidence"))
                    .as("evidence"));
    Dataset<Row> all = direct.unionByName(via).withColumn(Tables.AS_OF_DATE, lit(asOf));
    return Contracts.conform(all, Tables.PRINCIPAL_RISK_FACTS);
  }

  /**
   * Privilege-escalation methods whose actions are granted only on some resources, judged against
   * those resources (issue 14): a method counts only when the resources it needs overlap the
   * granted patterns and what it changes affects the principal or one it can become.
   *
   * <ul>
   *   <li>Policy-version actions ({@link #POLICY_TARGET_ACTIONS}): decided from the export. The
   *       granted patterns must match a managed policy attached to the principal (directly or
   *       through a group) or to a role it can assume; otherwise the method is no fact at all.
   *   <li>Credential actions on users ({@link #SELF_HARMLESS_ACTIONS}) granted only on the
   *       principal itself ({@code ${aws:username}} or its own ARN): new credentials for oneself
   *       give nothing new, so the method is no fact.
   *   <li>Any other action granted only on resources other than {@code *}: whether those resources
   *       make the method exploitable is not in the export, so the fact is {@code conditional} (an
   *       upper bound), with the action and its patterns in {@code evidence}.
   * </ul>
   */
  static Dataset<Row> resourceScoped(
      Dataset<Row> direct, Dataset<Row> entitlements, Dataset<Row> reach) {
    Column escalation =
        col("category")
            .equalTo(RiskFactCategory.PRIVILEGE_ESCALATION.value())
            .and(col("principal_id").rlike(IAM_PRINCIPAL));
    Dataset<Row> methods = direct.filter(escalation);
    Dataset<Row> perAction =
        methods
            .select(
                col("principal_id"),
                col("principal_arn"),
                col("fact"),
                explode(col("grants")).as("g"))
            .groupBy("principal_id", "principal_arn", "fact", "g.action")
            .agg(
                bool_or(col("g.resource_pattern").equalTo("*")).as("star"),
                array_sort(collect_set(col("g.resource_pattern"))).as("patterns"))
            .filter(not(col("star")));
    Column policyAction = col("action").isin(POLICY_TARGET_ACTIONS.toArray());
    Column selfAction = col("action").isin(SELF_HARMLESS_ACTIONS.toArray());

    // Managed policies held by the principal itself or by a role it can assume.
    Dataset<Row> heldPolicies =
        EntitlementHistory.current(entitlements)
            .filter(col("policy_arn").isNotNull())
            .filter(lower(col("policy_type")).equalTo("managed"))
            .select(col("principal_id").as("beneficiary_id"), col("policy_arn"))
            .distinct();
    Dataset<Row> beneficiaries =
        methods
            .select(col("principal_id"), col("principal_id").as("beneficiary_id"))
            .distinct()
            .unionByName(reach.select(col("principal_id"), col("holder_id").as("beneficiary_id")));
    Dataset<Row> policyGrants =
        perAction
            .filter(policyAction)
            .select(
                col("principal_id"), col("fact"), col("action"), explode(col("patterns")).as("p"));
    Dataset<Row> affecting =
        policyGrants
            .join(beneficiaries, "principal_id")
            .join(heldPolicies, "beneficiary_id")
            .filter(Globs.matches(col("policy_arn"), col("p")))
            .groupBy("principal_id", "fact", "action")
            .agg(
                array_sort(
                        collect_set(
                            concat(col("policy_arn"), lit(" held by "), col("beneficiary_id"))))
                    .as("affects"));

    Column self =
        forall(
            col("patterns"),
            p -> p.endsWith("/${aws:username}").or(lower(p).equalTo(lower(col("principal_arn")))));
    Dataset<Row> judged =
        perAction
            .join(affecting, new String[] {"principal_id", "fact", "action"}, "left")
            .withColumn(
                "harmless", policyAction.and(col("affects").isNull()).or(selfAction.and(self)))
            .withColumn("undecided", not(policyAction).and(not(selfAction.and(self))))
            .withColumn(
                "reason",
                when(
                        policyAction.and(col("affects").isNotNull()),
                        concat(col("action"), lit(" changes "), array_join(col("affects"), ", ")))
                    .when(
                        col("undecided"),
                        concat(
                            col("action"),
                            lit(" only on "),
                            array_join(col("patterns"), ", "),
                            lit(
                                ": whether those resources make the method exploitable is not"
                                    + " in the export (upper bound)"))))
            .groupBy("principal_id", "fact")
            .agg(
                bool_or(col("harmless")).as("harmless"),
                bool_or(col("undecided")).as("undecided"),
                array_sort(collect_list(col("reason"))).as("reasons"));
    Dataset<Row> scoped =
        methods
            .join(judged, new String[] {"principal_id", "fact"}, "left")
            .filter(not(coalesce(col("harmless"), lit(false))))
            .withColumn(
                "conditional", col("conditional").or(coalesce(col("undecided"), lit(false))))
            .withColumn(
                "evidence",
                when(
                        size(coalesce(col("reasons"), array().cast("array<string>"))).gt(0),
                        concat(col("evidence"), lit("; "), array_join(col("reasons"), "; ")))
                    .otherwise(col("evidence")))
            .select(
                java.util.Arrays.stream(direct.columns()).map(c -> col(c)).toArray(Column[]::new));
    return direct.filter(not(escalation)).unionByName(scoped);
  }

  /** NotAction grants whose expanded concrete action is one a fact needs. */
  private static Dataset<Row> notActionMatches(
      Dataset<Row> notActionRows, Dataset<Row> needed, Column[] grantColumns) {
    Column[] columns = java.util.Arrays.copyOf(grantColumns, grantColumns.length + 1);
    columns[grantColumns.length] = col("_needed").as("action");
    return notActionRows
        .join(
            broadcast(needed.select(col("action").as("_needed")).distinct()),
            lower(col("action")).equalTo(col("_needed")))
        .select(columns)
        .distinct();
  }

  /** The facts each principal's own policies allow: reach {@code direct}, holder = itself. */
  static Dataset<Row> direct(Dataset<Row> entitlements, RiskFactCatalog catalog) {
    Dataset<Row> facts = broadcast(factRows(entitlements, catalog));
    Dataset<Row> needed =
        facts
            .select(col("action"), col("action_service"), col("platform").as("fact_platform"))
            .distinct();
    // Current grants only. Action patterns are matched as globs, one row per statement pattern
    // (entitlements also hold one row per concrete action a pattern expands to, which the glob
    // does not need); NotAction statements ("NOT a,b") have no pattern to glob, so their expanded
    // concrete actions are joined instead.
    Dataset<Row> current = EntitlementHistory.current(entitlements);
    Column notAction = col("action_pattern").startsWith("NOT ");
    Column[] grantColumns = {
      col("principal_id"),
      col("platform"),
      lower(trim(col("effect"))).as("effect"),
      col("action_pattern"),
      trim(col("resource_pattern")).as("resource_pattern"),
      col("conditional"),
      IamPolicies.conditionKeys(col("condition")).as("condition_keys"),
      col("policy_name"),
      lower(col("policy_type")).as("policy_type"),
      col("grant_path"),
      col("statement_index")
    };
    Dataset<Row> grants =
        current
            .withColumn("action_pattern", lower(trim(col("action_pattern"))))
            .select(grantColumns)
            .distinct();
    Dataset<Row> patterned = grants.filter(not(notAction));
    Column pattern = patterned.col("action_pattern");
    Column patternService = substring_index(pattern, ":", 1);
    // The service test is a cheap filter before the regex; Spark evaluates AND left to right. A
    // fact holds only on its own platform: an AWS "*" grants no Entra ID permission.
    Dataset<Row> globbed =
        broadcast(needed)
            .join(
                patterned,
                patterned
                    .col("platform")
                    .equalTo(needed.col("fact_platform"))
                    .and(
                        patternService
                            .equalTo(needed.col("action_service"))
                            .or(patternService.rlike("[*?]"))
                            .or(not(pattern.contains(":"))))
                    .and(Globs.matches(needed.col("action"), pattern)))
            .drop("action_service", "fact_platform");
    Dataset<Row> matched =
        globbed
            .unionByName(notActionMatches(current.filter(notAction), needed, grantColumns))
            .cache();

    Column boundary = col("policy_type").equalTo("boundary");
    Dataset<Row> allows = matched.filter(col("effect").equalTo("allow").and(not(boundary)));
    Dataset<Row> boundaryAllows = matched.filter(col("effect").equalTo("allow").and(boundary));
    Dataset<Row> denies = matched.filter(col("effect").equalTo("deny"));
    Dataset<Row> bounded = grants.filter(boundary).select("principal_id").distinct();

    Dataset<Row> upper =
        survivors(allows, denies.filter(not(col("conditional"))), boundaryAllows, bounded);
    Dataset<Row> lower =
        survivors(
            allows.filter(not(col("conditional"))),
            denies,
            boundaryAllows.filter(not(col("conditional"))),
            bounded);
    Dataset<Row> surviving =
        upper
            .join(lower.withColumn("certain", lit(true)), GRANT.toArray(new String[0]), "left")
            .withColumn("certain", coalesce(col("certain"), lit(false)));

    Column star = col("resource_pattern").equalTo("*");
    Dataset<Row> perAction =
        surviving
            .join(facts, "action")
            .filter(not(col("resource_star_only")).or(star))
            .filter(not(col("unconditional_only")).or(not(col("conditional"))))
            .groupBy("principal_id", "category", "fact", "action", "required")
            .agg(
                bool_or(col("certain")).as("action_certain"),
                bool_or(star).as("action_unconstrained"),
                flatten(
                        collect_list(
                            when(col("conditional"), col("condition_keys"))
                                .otherwise(array().cast("array<string>"))))
                    .as("allow_keys"),
                collect_list(
                        struct(
                            col("action"),
                            col("policy_name"),
                            col("policy_type"),
                            col("grant_path"),
                            col("action_pattern"),
                            col("resource_pattern"),
                            col("conditional")))
                    .as("grants"));
    // Where an action is only conditionally allowed, or a conditional Deny may remove it, the
    // condition keys of those statements are what the fact is conditional on.
    Dataset<Row> denyKeys =
        denies
            .filter(col("conditional"))
            .groupBy("principal_id", "action")
            .agg(flatten(collect_list(col("condition_keys"))).as("deny_keys"));
    Column emptyKeys = array().cast("array<string>");
    Dataset<Row> perFact =
        perAction
            .join(denyKeys, new String[] {"principal_id", "action"}, "left")
            .withColumn(
                "action_keys",
                when(col("action_certain"), emptyKeys)
                    .otherwise(concat(col("allow_keys"), coalesce(col("deny_keys"), emptyKeys))))
            .groupBy("principal_id", "category", "fact", "required")
            .agg(
                count(col("action")).as("allowed"),
                array_sort(collect_list(col("action"))).as("actions"),
                bool_and(col("action_certain")).as("certain"),
                bool_and(col("action_unconstrained")).as("unconstrained"),
                array_sort(array_distinct(flatten(collect_list(col("action_keys")))))
                    .as("condition_keys"),
                array_sort(flatten(collect_list(col("grants")))).as("grants"))
            .filter(col("allowed").equalTo(col("required")));

    Dataset<Row> principals =
        entitlements
            .groupBy("principal_id")
            .agg(min("principal_arn").as("principal_arn"), min("account_id").as("account_id"));
    return perFact
        .join(principals, "principal_id")
        .select(
            col("principal_id"),
            col("principal_arn"),
            col("account_id"),
            col("category"),
            col("fact"),
            lit(FactReach.DIRECT.value()).as("reach"),
            col("principal_id").as("holder_id"),
            lit(0).as("hops"),
            array(col("principal_id")).as("path"),
            col("actions"),
            not(col("certain")).as("conditional"),
            col("unconstrained"),
            array_sort(array_distinct(transform(col("grants"), g -> g.getField("policy_name"))))
                .as("policies"),
            col("grants"),
            directEvidence(col("certain"), col("condition_keys")).as("evidence"));
  }

  /**
   * Why a direct fact holds, and what it is conditional on: the condition keys (with their
   * operators) of the statements it cannot do without, or that may deny it.
   */
  private static Column directEvidence(Column certain, Column conditionKeys) {
    return when(certain, lit("allowed by the principal's own grants without condition"))
        .when(
            size(conditionKeys).gt(0),
            concat(
                lit("allowed only under a condition (upper bound): "),
                array_join(conditionKeys, ", ")))
        .otherwise(lit("allowed only under a condition (upper bound): keys not recorded"));
  }

  /**
   * Allow rows that no Deny removes and, for a principal with a boundary, that a boundary Allow
   * keeps.
   */
  private static Dataset<Row> survivors(
      Dataset<Row> allows, Dataset<Row> denies, Dataset<Row> boundaryAllows, Dataset<Row> bounded) {
    Dataset<Row> a =
        allows.select(GRANT.stream().map(Column::new).toArray(Column[]::new)).alias("a");
    Dataset<Row> d = denies.alias("d");
    Column denyResource = col("d.resource_pattern");
    Dataset<Row> notDenied =
        a.join(
            d,
            col("a.principal_id")
                .equalTo(col("d.principal_id"))
                .and(col("a.action").equalTo(col("d.action")))
                .and(
                    denyResource
                        .equalTo("*")
                        .or(
                            not(denyResource.startsWith("NOT "))
                                .and(Globs.matches(col("a.resource_pattern"), denyResource)))),
            "left_anti");
    Dataset<Row> unbounded = notDenied.join(bounded, "principal_id", "left_anti");
    Dataset<Row> n = notDenied.alias("n");
    Dataset<Row> b = boundaryAllows.alias("b");
    Column boundaryResource = col("b.resource_pattern");
    Dataset<Row> withinBoundary =
        n.join(
            b,
            col("n.principal_id")
                .equalTo(col("b.principal_id"))
                .and(col("n.action").equalTo(col("b.action")))
                .and(
                    boundaryResource
                        .equalTo("*")
                        .or(
                            not(boundaryResource.startsWith("NOT "))
                                .and(Globs.matches(col("n.resource_pattern"), boundaryResource)))),
            "left_semi");
    return unbounded.unionByName(withinBoundary).distinct();
  }

  /** The catalog as rows: one per (fact, required action). */
  private static Dataset<Row> factRows(Dataset<Row> anyInput, RiskFactCatalog catalog) {
    StructType schema =
        StructType.fromDDL(
            "category STRING, fact STRING, action STRING, action_service STRING, required INT,"
                + " resource_star_only BOOLEAN, unconditional_only BOOLEAN, platform STRING");
    List<Row> rows = new ArrayList<>();
    for (RiskFactCatalog.Fact f : catalog.facts()) {
      for (String action : f.actions()) {
        rows.add(
            RowFactory.create(
                f.category().value(),
                f.name(),
                action,
                action.contains(":") ? action.substring(0, action.indexOf(':')) : action,
                f.actions().size(),
                f.resourceStarOnly(),
                f.unconditionalOnly(),
                f.platform().value()));
      }
    }
    return anyInput.sparkSession().createDataFrame(rows, schema);
  }

  /**
   * Every (IAM principal, role it can assume) over CAN_ASSUME edges known on the run date, with the
   * fewest hops and then the smallest path ({@code path} starts at the principal), and {@code
   * conditional_hops}: the path's edges granted only under a condition, with their evidence (null
   * when there is none).
   */
  static Dataset<Row> assumable(Dataset<Row> edges, LocalDate asOf, int maxHops) {
    Dataset<Row> steps =
        edges
            .filter(col("edge_type").equalTo(EdgeType.CAN_ASSUME.value()))
            .filter(col("first_seen").isNull().or(Utc.atOrBefore(col("first_seen"), asOf)))
            .filter(col("src_id").notEqual(col("dst_id")))
            .groupBy("src_id", "dst_id")
            .agg(
                min(struct(
                        coalesce(col("conditional"), lit(false)).as("conditional"),
                        col("evidence")))
                    .as("least"))
            .select(
                col("src_id"),
                col("dst_id"),
                col("least.conditional").as("conditional"),
                col("least.evidence").as("evidence"))
            .localCheckpoint();
    Dataset<Row> firstHop =
        steps
            .filter(col("src_id").rlike(IAM_PRINCIPAL))
            .select(
                col("src_id").as("start"),
                col("dst_id").as("node"),
                array(col("src_id"), col("dst_id")).as("path"),
                lit(EdgeType.CAN_ASSUME.value()).as("via"));
    Dataset<Row> reached =
        BoundedPaths.shortest(
                firstHop, steps.withColumn("edge_type", lit(EdgeType.CAN_ASSUME.value())), maxHops)
            .select(
                col("start").as("principal_id"),
                col("node").as("holder_id"),
                col("hops"),
                col("path"))
            .localCheckpoint();
    // The hops of each path that a trust policy (or the principal's own Allow) grants only under a
    // condition: the reached facts are then an upper bound.
    Dataset<Row> conditionalSteps =
        steps
            .filter(col("conditional"))
            .select(
                col("src_id").as("hop_src"),
                col("dst_id").as("hop_dst"),
                col("evidence").as("hop_evidence"));
    Dataset<Row> conditionalHops =
        reached
            .select(
                col("principal_id"),
                col("holder_id"),
                explode(
                        transform(
                            sequence(lit(0), size(col("path")).minus(2)),
                            i ->
                                struct(
                                    element_at(col("path"), i.plus(1)).as("a"),
                                    element_at(col("path"), i.plus(2)).as("b"))))
                    .as("hop"))
            .join(
                broadcast(conditionalSteps),
                col("hop.a").equalTo(col("hop_src")).and(col("hop.b").equalTo(col("hop_dst"))))
            .groupBy("principal_id", "holder_id")
            .agg(
                array_sort(
                        collect_set(
                            concat(
                                col("hop_src"),
                                lit(" > "),
                                col("hop_dst"),
                                lit(" ("),
                                col("hop_evidence"),
                                lit(")"))))
                    .as("conditional_hops"));
    return reached.join(conditionalHops, new String[] {"principal_id", "holder_id"}, "left");
  }
}
