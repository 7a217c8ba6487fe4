package io.agentlake.transforms.analyze;

import static org.apache.spark.sql.functions.aggregate;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_join;
import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.ceil;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.exists;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.filter;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sequence;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.slice;
import static org.apache.spark.sql.functions.split;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.substring_index;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.transform;
import static org.apache.spark.sql.functions.when;

import io.agentlake.schemas.Tables;
import io.agentlake.schemas.vocabulary.Platform;
import io.agentlake.schemas.vocabulary.PolicyChange;
import io.agentlake.schemas.vocabulary.PrivilegeLevel;
import io.agentlake.schemas.vocabulary.Verdict;
import io.agentlake.transforms.Contracts;
import io.agentlake.transforms.Evidence;
import io.agentlake.transforms.correlate.EntitlementHistory;
import io.agentlake.transforms.correlate.Globs;
import io.agentlake.transforms.sources.iam.ActionCatalog;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.StructType;

/**
 * {@code gold.least_privilege_policies}: for each principal holding at least one UNUSED action
 * (ACTION level of gold.unused_privileges), the IAM policy that would replace all of its identity
 * policies and allow exactly the actions not judged UNUSED.
 *
 * <ul>
 *   <li>Kept: every action whose verdict is USED, TOO_NEW, NOT_OBSERVABLE or INSUFFICIENT_HISTORY
 *       (what cannot be judged is never taken away).
 *   <li>Scope: a USED action held only through unconditional, positive resource patterns is scoped
 *       to the resources its successful calls named in the window that those patterns cover (S3
 *       buckets and {@code bucket/*}); otherwise, and for unjudged actions, it keeps the resource
 *       patterns and the Condition of the statements granting it — never wider than today.
 *   <li>Deny statements of the principal's policies are repeated, so replacing them removes no
 *       protection.
 *   <li>One statement per service × resource set × condition; a service whose every catalog action
 *       is kept becomes {@code service:*}.
 * </ul>
 *
 * <p>Permission boundaries are not identity policies and stay as they are. Group policies are
 * shared with the other members, so the change for them is REMOVE_FROM_GROUP, not a detach.
 */
public final class LeastPrivilege {

  /** IAM's size limit for a managed policy document, reported in the evidence when exceeded. */
  static final int MANAGED_POLICY_MAX_CHARS = 6144;

  /** IAM's default quota of managed policies attached to one role or user. */
  static final int MANAGED_POLICIES_PER_PRINCIPAL = 10;

  /**
   * At most this many actions in one Allow statement, so a statement stays far below the size limit
   * (the longest IAM action names are under 80 characters) and documents can be packed.
   */
  static final int ACTIONS_PER_STATEMENT = 50;

  private static final String DOCUMENT_HEAD = "{\"Version\":\"2012-10-17\",\"Statement\":[";
  private static final String DOCUMENT_TAIL = "]}";

  private LeastPrivilege() {}

  /**
   * @param unused gold.unused_privileges rows (any dates; {@code asOf}'s are used)
   * @param entitlements silver.entitlements (current rows are used)
   * @param activity silver.activity_daily up to {@code asOf}
   */
  public static Dataset<Row> compute(
      Dataset<Row> unused,
      Dataset<Row> entitlements,
      Dataset<Row> activity,
      LocalDate asOf,
      int windowDays) {
    LocalDate windowStart = asOf.minusDays(windowDays - 1L);
    // IAM policy documents: AWS principals only (other platforms' grants are not IAM statements).
    Dataset<Row> actions =
        unused.filter(
            col(Tables.AS_OF_DATE)
                .equalTo(lit(asOf))
                .and(col("platform").equalTo(Platform.AWS.value()))
                .and(col("level").equalTo(PrivilegeLevel.ACTION.value())));
    Dataset<Row> principals =
        actions
            .filter(col("verdict").equalTo(Verdict.UNUSED.value()))
            .groupBy("principal_id")
            .agg(
                first(col("principal_arn"), true).as("principal_arn"),
                first(col("agent_ids"), true).as("agent_ids"))
            .cache();
    Dataset<Row> judged =
        actions
            .join(principals.select("principal_id"), new String[] {"principal_id"}, "left_semi")
            .select(
                col("principal_id"),
                col("action_pattern").as("action"),
                col("verdict"),
                col("used_actions"));
    Dataset<Row> current =
        EntitlementHistory.current(entitlements)
            .filter(lower(col("policy_type")).notEqual("boundary"))
            .join(principals.select("principal_id"), new String[] {"principal_id"}, "left_semi")
            .select(
                col("principal_id"),
                lower(col("effect")).as("effect"),
                lower(col("action")).as("action"),
                lower(col("action_pattern")).as("action_pattern"),
                col("resource_pattern"),
                col("condition"),
                col("policy_name"),
                col("policy_arn"),
                lower(col("policy_type")).as("policy_type"),
                col("grant_path"),
                col("statement_index"));
    Dataset<Row> grants = current.filter(col("effect").equalTo("allow"));

    Dataset<Row> allowEntries = allowEntries(judged, grants, activity, windowStart, asOf);
    Dataset<Row> allowStatements = compact(allowEntries, catalogSizes(unused));
    Dataset<Row> denyStatements = denyStatements(current.filter(col("effect").equalTo("deny")));
    Dataset<Row> statements = allowStatements.unionByName(denyStatements);
    Dataset<Row> documents =
        statements
            .withColumn(
                "n",
                row_number()
                    .over(
                        Window.partitionBy("principal_id")
                            .orderBy(col("effect"), col("service"), col("body"))))
            .withColumn(
                "statement",
                concat(
                    lit("{\"Sid\":\""),
                    col("sid_prefix"),
                    col("n").cast("string"),
                    lit("\","),
                    col("body"),
                    lit("}")))
            .groupBy("principal_id")
            .agg(
                array_sort(collect_list(struct(col("n"), col("statement")))).as("ordered"),
                sum(when(col("effect").equalTo("Allow"), 1).otherwise(0)).as("allow_statements"))
            .select(
                col("principal_id"),
                when(
                        col("allow_statements").gt(0),
                        concat(
                            lit("{\"Version\":\"2012-10-17\",\"Statement\":["),
                            array_join(
                                transform(col("ordered"), o -> o.getField("statement")), ","),
                            lit("]}")))
                    .as("policy_document"),
                when(col("allow_statements").gt(0), size(col("ordered")))
                    .otherwise(0)
                    .as("statements"),
                when(
                        col("allow_statements").gt(0),
                        packDocuments(
                            transform(col("ordered"), o -> o.getField("statement")),
                            MANAGED_POLICY_MAX_CHARS))
                    .as("policy_documents"));

    Dataset<Row> counts =
        judged
            .groupBy("principal_id")
            .agg(
                count(lit(1)).as("actions_before"),
                count(when(col("verdict").notEqual(Verdict.UNUSED.value()), true))
                    .as("actions_after"),
                array_sort(
                        collect_set(
                            when(col("verdict").equalTo(Verdict.USED.value()), col("action"))))
                    .as("used_actions"));
    Dataset<Row> unusedGrants =
        unused
            .filter(
                col(Tables.AS_OF_DATE)
                    .equalTo(lit(asOf))
                    .and(col("level").equalTo(PrivilegeLevel.GRANT.value()))
                    .and(col("verdict").equalTo(Verdict.UNUSED.value())))
            .select(
                col("principal_id").as("u_principal_id"),
                col("policy_name").as("u_policy_name"),
                col("grant_path").as("u_grant_path"));
    Dataset<Row> changes = changes(grants, unusedGrants);
    Dataset<Row> narrowed = narrowedGrants(unused, grants, judged, asOf);

    Dataset<Row> out =
        principals
            .join(documents, new String[] {"principal_id"}, "left")
            .join(counts, "principal_id")
            .join(changes, new String[] {"principal_id"}, "left")
            .join(narrowed, new String[] {"principal_id"}, "left")
            .withColumn("grants_narrowed", coalesce(col("grants_narrowed"), lit(0L)))
            .withColumn("statements", coalesce(col("statements"), lit(0)))
            .withColumn("changes", coalesce(col("changes"), array().cast(changesType())))
            .withColumn(
                "grants_removed",
                aggregate(
                    col("changes"),
                    lit(0L),
                    (acc, c) -> acc.plus(coalesce(c.getField("unused_grants"), lit(0L)))));
    Column evidence =
        Evidence.json(
            struct(
                lit(windowStart).as("window_start"),
                lit(asOf).as("window_end"),
                col("actions_before"),
                col("actions_after"),
                col("grants_removed"),
                col("grants_narrowed"),
                col("narrowed_grants"),
                coalesce(length(col("policy_document")), lit(0)).as("document_chars"),
                size(coalesce(col("policy_documents"), array())).as("documents"),
                when(
                        size(col("policy_documents")).gt(1),
                        concat(
                            lit(
                                "longer than the "
                                    + MANAGED_POLICY_MAX_CHARS
                                    + "-character limit"
                                    + " of a managed policy: split into "),
                            size(col("policy_documents")).cast("string"),
                            lit(" policies (policy_documents) to attach together"),
                            when(
                                    size(col("policy_documents"))
                                        .gt(MANAGED_POLICIES_PER_PRINCIPAL),
                                    lit(
                                        ", more than the "
                                            + MANAGED_POLICIES_PER_PRINCIPAL
                                            + " managed policies IAM attaches to a principal by default"
                                            + " (raise the quota, or accept wider grants)"))
                                .otherwise(lit(""))))
                    .as("size_note"),
                when(
                        col("policy_document").isNull(),
                        lit("no action of this principal is used or unjudged: remove every grant"))
                    .otherwise(
                        lit(
                            "allows the actions not judged UNUSED: used ones on the resources"
                                + " their calls named, the others as granted; repeats every Deny"))
                    .as("basis")));
    return Contracts.conform(
        out.select(
            lit(asOf).as(Tables.AS_OF_DATE),
            col("principal_id"),
            col("principal_arn"),
            coalesce(col("agent_ids"), array().cast("array<string>")).as("agent_ids"),
            col("policy_document"),
            col("statements"),
            col("used_actions"),
            col("actions_before"),
            col("actions_after"),
            col("grants_removed"),
            col("changes"),
            evidence.as("evidence"),
            col("grants_narrowed"),
            col("policy_documents")),
        Tables.LEAST_PRIVILEGE_POLICIES);
  }

  /**
   * Per principal, the grants the new policy narrows rather than removes: a statement (policy,
   * path, action pattern, resource pattern) not judged UNUSED as a whole, some of whose actions are
   * judged UNUSED at the ACTION level and so left out of the replacement ({@code s3:*} used for
   * GetObject alone). {@code grants_removed} counts only the wholly unused ones.
   */
  private static Dataset<Row> narrowedGrants(
      Dataset<Row> unused, Dataset<Row> grants, Dataset<Row> judged, LocalDate asOf) {
    Dataset<Row> keptGrants =
        unused
            .filter(
                col(Tables.AS_OF_DATE)
                    .equalTo(lit(asOf))
                    .and(col("level").equalTo(PrivilegeLevel.GRANT.value()))
                    .and(col("verdict").notEqual(Verdict.UNUSED.value())))
            .select(
                col("principal_id"),
                col("policy_name"),
                col("grant_path"),
                col("action_pattern"),
                col("resource_pattern"));
    Dataset<Row> unusedActions =
        judged
            .filter(col("verdict").equalTo(Verdict.UNUSED.value()))
            .select("principal_id", "action");
    return grants
        .select(
            "principal_id",
            "policy_name",
            "grant_path",
            "action_pattern",
            "resource_pattern",
            "action")
        .join(
            keptGrants,
            new String[] {
              "principal_id", "policy_name", "grant_path", "action_pattern", "resource_pattern"
            })
        .join(unusedActions, new String[] {"principal_id", "action"})
        .groupBy("principal_id", "policy_name", "grant_path", "action_pattern", "resource_pattern")
        .agg(countDistinct("action").as("actions_left_out"))
        .groupBy("principal_id")
        .agg(
            count(lit(1)).as("grants_narrowed"),
            array_sort(
                    collect_list(
                        struct(
                            col("policy_name"),
                            col("grant_path"),
                            col("action_pattern"),
                            col("resource_pattern"),
                            col("actions_left_out"))))
                .as("narrowed_grants"));
  }

  /**
   * One row per (principal, kept action, resource set, condition): the scope the new policy gives
   * the action. {@code kind} is Resource or NotResource.
   */
  private static Dataset<Row> allowEntries(
      Dataset<Row> judged,
      Dataset<Row> grants,
      Dataset<Row> activity,
      LocalDate windowStart,
      LocalDate asOf) {
    Dataset<Row> kept = judged.filter(col("verdict").notEqual(Verdict.UNUSED.value()));
    Dataset<Row> keptGrants = grants.join(kept, new String[] {"principal_id", "action"});
    // Observed resources of each used action, kept only where a granted pattern covers them (a
    // call allowed by a resource policy alone must not widen the identity policy).
    Dataset<Row> observed =
        activity
            .filter(col("day").between(lit(windowStart), lit(asOf)))
            .filter(col("success_count").gt(0))
            .select(
                col("principal_id").as("o_principal_id"),
                lower(col("action")).as("o_action"),
                col("resource").as("o_resource"))
            .distinct();
    Dataset<Row> scoped =
        keptGrants
            .groupBy("principal_id", "action", "verdict")
            .agg(
                max(col("condition").isNotNull()).as("any_condition"),
                max(col("resource_pattern").startsWith("NOT ")).as("any_not"),
                collect_set("resource_pattern").as("patterns"));
    Dataset<Row> narrowable =
        scoped.filter(
            col("verdict")
                .equalTo(Verdict.USED.value())
                .and(col("any_condition").equalTo(false))
                .and(col("any_not").equalTo(false)));
    Dataset<Row> observedCovered =
        narrowable
            .join(
                observed,
                col("principal_id")
                    .equalTo(col("o_principal_id"))
                    .and(col("action").equalTo(col("o_action"))))
            .groupBy("principal_id", "action")
            .agg(
                collect_set(col("o_resource")).as("resources"),
                first(col("patterns")).as("patterns"))
            .filter(
                // every call named its resource, and each named resource is within a grant
                exists(col("resources"), r -> r.equalTo("*")).equalTo(false))
            .withColumn(
                "covered",
                filter(col("resources"), r -> exists(col("patterns"), p -> Globs.matches(r, p))))
            // narrow only when every named resource is covered; otherwise keep the grant's scope
            .filter(size(col("covered")).equalTo(size(col("resources"))))
            .select(
                col("principal_id"),
                col("action"),
                lit("Resource").as("kind"),
                array_sort(col("covered")).as("resources"),
                lit(null).cast("string").as("condition"));
    Dataset<Row> asGranted =
        keptGrants
            .join(
                observedCovered.select("principal_id", "action"),
                new String[] {"principal_id", "action"},
                "left_anti")
            .withColumn(
                "kind",
                when(col("resource_pattern").startsWith("NOT "), lit("NotResource"))
                    .otherwise(lit("Resource")))
            .withColumn(
                "resource",
                when(
                        col("kind").equalTo("NotResource"),
                        substring(col("resource_pattern"), 5, Integer.MAX_VALUE))
                    .otherwise(col("resource_pattern")))
            // Positive patterns of the same condition can share a statement (Allow is a union);
            // a NotResource list means "all but these" only within its own statement.
            .withColumn(
                "statement_key",
                when(
                    col("kind").equalTo("NotResource"),
                    concat(
                        col("policy_name"),
                        lit("|"),
                        col("grant_path"),
                        lit("|"),
                        col("statement_index").cast("string"))))
            .groupBy(
                col("principal_id"),
                col("action"),
                col("kind"),
                col("condition"),
                col("statement_key"))
            .agg(array_sort(collect_set("resource")).as("resources"))
            .drop("statement_key");
    return observedCovered.unionByName(asGranted).distinct();
  }

  /**
   * Entries grouped into statements: one per principal × service × kind × resources × condition,
   * with the action list (or {@code service:*} when every catalog action of the service is kept
   * with that scope).
   */
  private static Dataset<Row> compact(Dataset<Row> entries, Dataset<Row> catalogSizes) {
    Dataset<Row> grouped =
        entries
            .withColumn("service", substring_index(col("action"), ":", 1))
            .groupBy("principal_id", "service", "kind", "resources", "condition")
            .agg(array_sort(collect_set("action")).as("actions"))
            .join(broadcast(catalogSizes), new String[] {"service"}, "left");
    Column actionList =
        when(
                col("catalog_actions")
                    .isNotNull()
                    .and(size(col("actions")).geq(col("catalog_actions"))),
                array(concat(col("service"), lit(":*"))))
            .otherwise(col("actions"));
    Column chunks =
        transform(
            sequence(
                lit(0), ceil(size(actionList).divide(ACTIONS_PER_STATEMENT)).cast("int").minus(1)),
            i ->
                slice(
                    actionList,
                    i.multiply(ACTIONS_PER_STATEMENT).plus(1),
                    lit(ACTIONS_PER_STATEMENT)));
    return grouped
        .withColumn("chunk", explode(chunks))
        .select(
            col("principal_id"),
            lit("Allow").as("effect"),
            col("service"),
            concat(lit("Keep"), regexp_replace(col("service"), "[^A-Za-z0-9]", ""))
                .as("sid_prefix"),
            statementBody(
                    lit("Allow"),
                    lit("Action"),
                    col("chunk"),
                    col("kind"),
                    col("resources"),
                    col("condition"))
                .as("body"));
  }

  /**
   * The statements, in order, packed greedily into as few policy documents as keep each within
   * {@code maxChars} (IAM counts a document's characters without whitespace; these have none). A
   * single statement longer than that alone would be a document of its own, over the limit: the
   * per-statement action cap keeps that from happening for Allow statements.
   */
  static Column packDocuments(Column statements, int maxChars) {
    int budget = maxChars - DOCUMENT_HEAD.length() - DOCUMENT_TAIL.length();
    Column start = struct(array(array().cast("array<string>")).as("docs"), lit(0).as("len"));
    return aggregate(
        statements,
        start,
        (acc, x) -> {
          Column docs = acc.getField("docs");
          Column last = element_at(docs, -1);
          Column len = acc.getField("len");
          Column open = size(last).gt(0);
          return when(
                  open.and(len.plus(length(x)).plus(1).gt(budget)),
                  struct(concat(docs, array(array(x))).as("docs"), length(x).as("len")))
              .otherwise(
                  struct(
                      concat(
                              slice(docs, lit(1), size(docs).minus(1)),
                              array(concat(last, array(x))))
                          .as("docs"),
                      len.plus(length(x)).plus(when(open, 1).otherwise(0)).as("len")));
        },
        acc ->
            transform(
                acc.getField("docs"),
                d -> concat(lit(DOCUMENT_HEAD), array_join(d, ","), lit(DOCUMENT_TAIL))));
  }

  /** Every Deny statement of the principal's identity policies, as written. */
  private static Dataset<Row> denyStatements(Dataset<Row> denies) {
    return denies
        .groupBy("principal_id", "policy_name", "grant_path", "statement_index", "condition")
        .agg(
            array_sort(collect_set("action_pattern")).as("patterns"),
            array_sort(collect_set("resource_pattern")).as("resource_patterns"))
        .withColumn("not_action", exists(col("patterns"), p -> p.startsWith("NOT ")))
        .withColumn(
            "actions",
            when(
                    col("not_action"),
                    split(substring(col("patterns").getItem(0), 5, Integer.MAX_VALUE), ","))
                .otherwise(col("patterns")))
        .withColumn(
            "kind",
            when(exists(col("resource_patterns"), r -> r.startsWith("NOT ")), lit("NotResource"))
                .otherwise(lit("Resource")))
        .withColumn(
            "resources",
            transform(
                col("resource_patterns"),
                r -> when(r.startsWith("NOT "), substring(r, 5, Integer.MAX_VALUE)).otherwise(r)))
        .select(
            col("principal_id"),
            lit("Deny").as("effect"),
            lit("").as("service"),
            lit("KeepDeny").as("sid_prefix"),
            statementBody(
                    lit("Deny"),
                    when(col("not_action"), lit("NotAction")).otherwise(lit("Action")),
                    col("actions"),
                    col("kind"),
                    col("resources"),
                    col("condition"))
                .as("body"))
        .distinct();
  }

  /** The JSON members of one statement after its Sid; Condition is the original JSON text. */
  private static Column statementBody(
      Column effect,
      Column actionKey,
      Column actions,
      Column kind,
      Column resources,
      Column condition) {
    return concat(
        lit("\"Effect\":\""),
        effect,
        lit("\",\""),
        actionKey,
        lit("\":"),
        to_json(actions),
        lit(",\""),
        kind,
        lit("\":"),
        to_json(resources),
        coalesce(concat(lit(",\"Condition\":"), condition), lit("")));
  }

  /** Per current policy of the principal: how to take it away, and the UNUSED grants it held. */
  private static Dataset<Row> changes(Dataset<Row> grants, Dataset<Row> unusedGrants) {
    Dataset<Row> policies =
        grants
            .select("principal_id", "policy_name", "policy_arn", "policy_type", "grant_path")
            .distinct();
    Dataset<Row> perPolicy =
        policies
            .join(
                unusedGrants,
                col("principal_id")
                    .equalTo(col("u_principal_id"))
                    .and(col("policy_name").equalTo(col("u_policy_name")))
                    .and(col("grant_path").equalTo(col("u_grant_path"))),
                "left")
            .groupBy("principal_id", "policy_name", "policy_arn", "policy_type", "grant_path")
            .agg(count(col("u_principal_id")).as("unused_grants"));
    Column change =
        when(col("grant_path").startsWith("group:"), lit(PolicyChange.REMOVE_FROM_GROUP.value()))
            .when(
                col("policy_type").equalTo("inline"),
                lit(PolicyChange.DELETE_INLINE_POLICY.value()))
            .otherwise(lit(PolicyChange.DETACH_POLICY.value()));
    return perPolicy
        .select(
            col("principal_id"),
            struct(
                    change.as("change"),
                    col("policy_name"),
                    col("policy_arn"),
                    col("grant_path"),
                    col("unused_grants"))
                .as("c"))
        .groupBy("principal_id")
        .agg(array_sort(collect_list(col("c"))).as("changes"));
  }

  private static String changesType() {
    return "array<struct<change:string,policy_name:string,policy_arn:string,grant_path:string,"
        + "unused_grants:bigint>>";
  }

  /** Catalog actions per service (lower case), to write {@code service:*} when all are kept. */
  private static Dataset<Row> catalogSizes(Dataset<Row> anyFrame) {
    Map<String, Long> sizes = new TreeMap<>();
    for (ActionCatalog.Action a : ActionCatalog.bundled().actions()) {
      sizes.merge(a.service().toLowerCase(java.util.Locale.ROOT), 1L, Long::sum);
    }
    List<Row> rows =
        sizes.entrySet().stream().map(e -> RowFactory.create(e.getKey(), e.getValue())).toList();
    return anyFrame
        .sparkSession()
        .createDataFrame(rows, StructType.fromDDL("service STRING, catalog_actions BIGINT"));
  }
}
