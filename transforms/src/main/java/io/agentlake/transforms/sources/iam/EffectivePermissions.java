package io.agentlake.transforms.sources.iam;

import static org.apache.spark.sql.functions.array_join;
import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.explode_outer;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.regexp_like;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.substring_index;
import static org.apache.spark.sql.functions.transform;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import io.agentlake.schemas.Tables;
import io.agentlake.schemas.vocabulary.IdPrefix;
import io.agentlake.schemas.vocabulary.Platform;
import io.agentlake.transforms.Contracts;
import io.agentlake.transforms.Times;
import io.agentlake.transforms.correlate.Globs;
import io.agentlake.transforms.sources.cloudtrail.CloudTrailDaily;
import java.time.LocalDate;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Effective AWS permissions (SPEC 6.2): policy statements expanded against the {@link
 * ActionCatalog} to concrete actions, then Denies, permission boundaries and conditions applied
 * across all of a principal's policies.
 *
 * <p>The rules, in order:
 *
 * <ol>
 *   <li>{@code Action} patterns ({@code *}, {@code ?}, any case) become one row per matching
 *       catalog action ({@code action}, lower case). A pattern that matches nothing (an unknown
 *       service, or an action newer than the catalog) stays as one row whose {@code action} is the
 *       pattern itself, {@code in_catalog = false}; Denies and boundaries reach such rows by glob.
 *   <li>{@code NotAction} = every catalog action not matched by any of its patterns; when the
 *       resource is not {@code *}, only the actions with a resource type whose ARN template fits
 *       the resource pattern ({@code action_pattern} is {@code NOT p1,p2}). {@code Action}
 *       statements with a narrow resource are not narrowed the same way: their rows are an upper
 *       bound.
 *   <li>An unconditional Deny (in any policy of the principal, boundaries included) whose resource
 *       is {@code *} or exactly the Allow's resource removes the Allow row. A Deny that is
 *       conditional, or names another resource that may overlap, leaves the row with {@code
 *       partially_denied} and the denying policies in {@code denied_by}.
 *   <li>With a permission boundary, an identity Allow stays only if the boundary allows the same
 *       action; it is {@code boundary_limited} when the boundary allows it only conditionally or on
 *       a narrower resource, or when the boundary's document is not in the export (then nothing is
 *       removed, since the boundary cannot be read).
 *   <li>{@code definite} = not conditional, not partially denied, not boundary-limited: the lower
 *       bound. The upper bound is every current Allow row that is not a boundary row.
 * </ol>
 *
 * <p>Deny rows and boundary rows are kept too (expanded the same way) so every removal can be
 * explained from the table. Dangerous: conditions are never evaluated and resources are compared as
 * patterns, not as sets, so neither bound is exact; SCPs and resource policies are not seen.
 */
final class EffectivePermissions {

  private EffectivePermissions() {}

  static Dataset<Row> compute(Dataset<Row> attachments, ActionCatalog catalog, LocalDate runDate) {
    SparkSession spark = attachments.sparkSession();
    Dataset<Row> actions = broadcast(catalog.actionFrame(spark));
    // Checkpoints cut the lineage: the statements and their expansion are each read by several
    // joins below, and without a cut the analyzer re-resolves the whole IAM plan once per use.
    Dataset<Row> statements = statementResources(attachments).localCheckpoint();

    Dataset<Row> byPattern =
        statements
            .filter(not(col("not_action")))
            .withColumn("action_pattern", explode(col("patterns")));
    Dataset<Row> viaAction =
        byPattern.join(
            expandPatterns(byPattern.select("action_pattern").distinct(), actions),
            "action_pattern");

    Dataset<Row> notAction =
        statements
            .filter(col("not_action"))
            .withColumn(
                "action_pattern", concat(lit("NOT "), array_join(array_sort(col("patterns")), ",")))
            .withColumn(
                "any_resource",
                col("resource_pattern")
                    .equalTo("*")
                    .or(col("resource_pattern").startsWith("NOT ")));
    Dataset<Row> candidates =
        notAction
            .filter(col("any_resource"))
            .crossJoin(actions.select("action", "service", "access_level"))
            .unionByName(
                notAction
                    .filter(not(col("any_resource")))
                    .join(
                        applicableActions(
                            notAction
                                .filter(not(col("any_resource")))
                                .select("resource_pattern")
                                .distinct(),
                            actions,
                            broadcast(catalog.resourceTypeFrame(spark))),
                        "resource_pattern"));
    // The actions each distinct NotAction list excludes, matched once per pattern (not per
    // candidate row), then removed by an equi-join on (list, action).
    Dataset<Row> lists = notAction.select("patterns").distinct();
    Dataset<Row> listPatterns = lists.withColumn("action_pattern", explode(col("patterns")));
    Dataset<Row> excluded =
        listPatterns
            .join(
                expandPatterns(listPatterns.select("action_pattern").distinct(), actions)
                    .filter(col("in_catalog")),
                "action_pattern")
            .select("patterns", "action")
            .distinct();
    Dataset<Row> viaNotAction =
        candidates
            .join(excluded, new String[] {"patterns", "action"}, "left_anti")
            .withColumn("in_catalog", lit(true))
            .drop("any_resource");

    Dataset<Row> expanded =
        viaAction.unionByName(viaNotAction).drop("patterns", "not_action").localCheckpoint();

    Column isBoundary = col("policy_type").equalTo("boundary");
    Dataset<Row> identityAllows =
        expanded.filter(col("effect").equalTo("Allow").and(not(isBoundary)));
    Dataset<Row> denies = expanded.filter(col("effect").equalTo("Deny"));
    Dataset<Row> boundaryAllows = expanded.filter(col("effect").equalTo("Allow").and(isBoundary));
    Dataset<Row> keys =
        identityAllows
            .select("principal_arn", "action", "in_catalog", "resource_pattern")
            .distinct();

    Dataset<Row> denyVerdicts =
        matchSameAction(keys, denies)
            .withColumn(
                "full",
                not(col("m_conditional"))
                    .and(
                        col("m_resource")
                            .equalTo("*")
                            .or(col("m_resource").equalTo(col("resource_pattern")))))
            .filter(col("full").or(overlaps(col("resource_pattern"), col("m_resource"))))
            .groupBy("principal_arn", "action", "resource_pattern")
            .agg(
                max("full").as("fully_denied"),
                array_sort(collect_set(when(not(col("full")), col("m_policy")))).as("denied_by"));

    Dataset<Row> boundaryVerdicts =
        matchSameAction(keys, boundaryAllows)
            .groupBy("principal_arn", "action", "resource_pattern")
            .agg(
                max(not(col("m_conditional")).and(col("m_resource").equalTo("*")))
                    .as("boundary_full"),
                min("m_policy").as("boundary_match"));
    Dataset<Row> boundaries =
        attachments
            .filter(col("policy_type").equalTo("boundary"))
            .groupBy("principal_arn")
            .agg(
                min("policy_name").as("boundary_policy"),
                max(col("document").isNotNull()).as("boundary_readable"));

    Dataset<Row> effectiveAllows =
        identityAllows
            .join(
                denyVerdicts, new String[] {"principal_arn", "action", "resource_pattern"}, "left")
            .filter(coalesce(col("fully_denied"), lit(false)).equalTo(false))
            .join(
                boundaryVerdicts,
                new String[] {"principal_arn", "action", "resource_pattern"},
                "left")
            .join(broadcast(boundaries), new String[] {"principal_arn"}, "left")
            .filter(
                col("boundary_policy")
                    .isNull()
                    .or(not(col("boundary_readable")))
                    .or(col("boundary_match").isNotNull()))
            .withColumn("partially_denied", coalesce(size(col("denied_by")).gt(0), lit(false)))
            .withColumn(
                "denied_by", when(col("partially_denied"), col("denied_by")).otherwise(lit(null)))
            .withColumn(
                "boundary_limited",
                col("boundary_policy")
                    .isNotNull()
                    .and(not(col("boundary_readable")).or(not(col("boundary_full")))));

    Dataset<Row> others =
        expanded
            .filter(col("effect").equalTo("Deny").or(isBoundary))
            .withColumn("partially_denied", lit(false))
            .withColumn("denied_by", lit(null).cast("array<string>"))
            .withColumn("boundary_policy", lit(null).cast("string"))
            .withColumn("boundary_limited", lit(false));

    String[] columns = {
      "principal_arn",
      "principal_created",
      "policy_name",
      "policy_arn",
      "policy_type",
      "grant_path",
      "version_created",
      "statement_index",
      "effect",
      "conditional",
      "condition",
      "action_pattern",
      "resource_pattern",
      "action",
      "service",
      "access_level",
      "in_catalog",
      "partially_denied",
      "denied_by",
      "boundary_policy",
      "boundary_limited"
    };
    Dataset<Row> rows =
        effectiveAllows
            .selectExpr(columns)
            .unionByName(others.selectExpr(columns))
            .withColumn("principal_id", IdPrefix.AWS.of(col("principal_arn")))
            .withColumn("platform", lit(Platform.AWS.value()))
            .withColumn("usage_log", lit(CloudTrailDaily.CLOUDTRAIL_LOG))
            .withColumn("account_id", IamPolicies.accountOf(col("principal_arn")))
            .withColumn(
                "unconstrained",
                col("resource_pattern").equalTo("*").or(col("action_pattern").equalTo("*")))
            .withColumn(
                "definite",
                not(col("conditional"))
                    .and(not(col("partially_denied")))
                    .and(not(col("boundary_limited"))))
            .withColumn(
                "granted_since",
                greatest(
                    Times.parseIso(col("principal_created")),
                    Times.parseIso(col("version_created"))))
            .withColumn("valid_from", lit(runDate))
            .withColumn("valid_to", lit(null).cast("date"));
    return Contracts.conform(rows, Tables.ENTITLEMENTS).distinct();
  }

  /**
   * One row per (attachment, statement, resource) with the statement's normalised effect, whether
   * it is conditional, and its Action or NotAction patterns in lower case. NotResource entries
   * become {@code NOT <pattern>}; a statement without Resource counts as {@code *}.
   */
  private static Dataset<Row> statementResources(Dataset<Row> attachments) {
    return IamPolicies.statements(attachments)
        .select(
            col("principal_arn"),
            col("principal_created"),
            col("policy_name"),
            col("policy_arn"),
            col("policy_type"),
            col("grant_path"),
            col("version_created"),
            col("statement_index"),
            when(lower(trim(col("s.Effect"))).equalTo("deny"), lit("Deny"))
                .otherwise(lit("Allow"))
                .as("effect"),
            col("s.Condition").isNotNull().as("conditional"),
            col("s.Condition").as("condition"),
            col("s.Action").isNull().and(col("s.NotAction").isNotNull()).as("not_action"),
            transform(
                    Json.asArray(coalesce(col("s.Action"), col("s.NotAction"))),
                    a -> lower(trim(a)))
                .as("patterns"),
            explode_outer(
                    coalesce(
                        Json.asArray(col("s.Resource")),
                        transform(Json.asArray(col("s.NotResource")), r -> concat(lit("NOT "), r))))
                .as("resource_raw"))
        .filter(col("patterns").isNotNull())
        .withColumn("resource_pattern", coalesce(trim(col("resource_raw")), lit("*")))
        .drop("resource_raw");
  }

  /**
   * Action patterns to catalog actions. A pattern whose service part is literal joins on the
   * service first, so only a pattern with a wildcard service scans the whole catalog. A pattern
   * with no match is kept as itself ({@code in_catalog = false}).
   */
  static Dataset<Row> expandPatterns(Dataset<Row> patterns, Dataset<Row> actions) {
    Dataset<Row> p =
        patterns
            .withColumn(
                "p_service",
                when(
                    col("action_pattern").contains(":"),
                    substring_index(col("action_pattern"), ":", 1)))
            .withColumn("p_regex", Globs.toRegex(col("action_pattern")));
    Column literalService = col("p_service").isNotNull().and(not(col("p_service").rlike("[*?]")));
    Column matches = regexp_like(actions.col("action"), col("p_regex"));
    Dataset<Row> literal = p.filter(literalService);
    Dataset<Row> wild = p.filter(not(literalService));
    Dataset<Row> matched =
        literal
            .join(actions, literal.col("p_service").equalTo(actions.col("service")).and(matches))
            .unionByName(wild.join(actions, matches))
            .select(
                col("action_pattern"),
                col("action"),
                col("service"),
                col("access_level"),
                lit(true).as("in_catalog"));
    Dataset<Row> unknown =
        patterns
            .join(matched.select("action_pattern").distinct(), "action_pattern", "left_anti")
            .select(
                col("action_pattern"),
                col("action_pattern").as("action"),
                coalesce(
                        when(
                            col("action_pattern").contains(":"),
                            substring_index(col("action_pattern"), ":", 1)),
                        lit("*"))
                    .as("service"),
                lit(null).cast("string").as("access_level"),
                lit(false).as("in_catalog"));
    return matched.unionByName(unknown);
  }

  /**
   * Catalog actions that can apply to a (non-{@code *}) resource pattern: those with a resource
   * type whose ARN template fits the pattern read literally, or whose sample ARN the pattern's glob
   * matches (so {@code arn:aws:s3:::*} reaches objects as well as buckets).
   */
  static Dataset<Row> applicableActions(
      Dataset<Row> resourcePatterns, Dataset<Row> actions, Dataset<Row> resourceTypes) {
    Dataset<Row> types =
        resourcePatterns
            .crossJoin(resourceTypes)
            .filter(
                regexp_like(col("resource_pattern"), col("arn_regex"))
                    .or(regexp_like(col("arn_sample"), Globs.toRegex(col("resource_pattern")))))
            .select(col("resource_pattern"), col("service").as("t_service"), col("resource_type"));
    Dataset<Row> actionTypes =
        actions.select(
            col("action"),
            col("service"),
            col("access_level"),
            explode(col("resource_types")).as("a_type"));
    return types
        .join(
            actionTypes,
            types
                .col("t_service")
                .equalTo(actionTypes.col("service"))
                .and(types.col("resource_type").equalTo(actionTypes.col("a_type"))))
        .select("resource_pattern", "action", "service", "access_level")
        .distinct();
  }

  /**
   * For each Allow key, the rows of {@code others} (Denies or boundary Allows) of the same
   * principal for the same action: equal catalog action, or, for an action outside the catalog, a
   * pattern of {@code others} that matches it as a glob. Columns {@code m_resource}, {@code
   * m_conditional}, {@code m_policy}.
   */
  private static Dataset<Row> matchSameAction(Dataset<Row> keys, Dataset<Row> others) {
    Dataset<Row> o =
        others.select(
            col("principal_arn").as("m_principal"),
            col("action").as("m_action"),
            col("action_pattern").as("m_pattern"),
            col("resource_pattern").as("m_resource"),
            col("conditional").as("m_conditional"),
            col("policy_name").as("m_policy"));
    Dataset<Row> inCatalog = keys.filter(col("in_catalog"));
    Dataset<Row> outside = keys.filter(not(col("in_catalog")));
    Dataset<Row> patterns =
        o.filter(not(col("m_pattern").startsWith("NOT "))).drop("m_action").distinct();
    Dataset<Row> byAction =
        inCatalog
            .join(
                o,
                inCatalog
                    .col("principal_arn")
                    .equalTo(o.col("m_principal"))
                    .and(inCatalog.col("action").equalTo(o.col("m_action"))))
            .select(
                "principal_arn",
                "action",
                "resource_pattern",
                "m_resource",
                "m_conditional",
                "m_policy");
    Dataset<Row> byGlob =
        outside
            .join(
                patterns,
                outside
                    .col("principal_arn")
                    .equalTo(patterns.col("m_principal"))
                    .and(Globs.matches(outside.col("action"), patterns.col("m_pattern"))))
            .select(
                "principal_arn",
                "action",
                "resource_pattern",
                "m_resource",
                "m_conditional",
                "m_policy");
    return byAction.unionByName(byGlob);
  }

  /** Whether two resource patterns may name a common resource (a cautious over-approximation). */
  private static Column overlaps(Column a, Column b) {
    return a.equalTo("*")
        .or(b.equalTo("*"))
        .or(a.startsWith("NOT "))
        .or(b.startsWith("NOT "))
        .or(Globs.matches(a, b))
        .or(Globs.matches(b, a));
  }
}
