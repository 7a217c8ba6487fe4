package io.agentlake.transforms.sources.iam;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.exists;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.flatten;
import static org.apache.spark.sql.functions.from_json;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.map_entries;
import static org.apache.spark.sql.functions.map_keys;
import static org.apache.spark.sql.functions.posexplode;
import static org.apache.spark.sql.functions.split;
import static org.apache.spark.sql.functions.transform;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import io.agentlake.schemas.vocabulary.Platform;
import java.time.LocalDate;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructType;

/**
 * Which policy documents each AWS principal holds and how (SPEC 6.2): user inline + attached
 * managed + each group's inline + managed policies; role inline + attached managed; only the
 * default version of a managed policy; permission boundaries as {@code boundary} attachments.
 * {@link EffectivePermissions} turns them into {@code silver.entitlements}; trust policies become
 * {@link #trustGrants}.
 */
public final class IamPolicies {

  static final StructType POLICY_DOC = StructType.fromDDL("Version STRING, Statement STRING");
  static final StructType STATEMENT =
      StructType.fromDDL(
          "Sid STRING, Effect STRING, Action STRING, NotAction STRING, Resource STRING,"
              + " NotResource STRING, Principal STRING, Condition STRING");

  /** A Condition block: operator -> key -> value(s) (arrays kept as their JSON text). */
  private static final MapType CONDITION =
      DataTypes.createMapType(
          DataTypes.StringType,
          DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType));

  private IamPolicies() {}

  /** One row per (principal, policy document) it holds, with how it holds it. */
  public static Dataset<Row> attachments(
      Dataset<Row> users, Dataset<Row> groups, Dataset<Row> roles, Dataset<Row> policies) {
    Dataset<Row> defaults = defaultVersions(policies);

    Dataset<Row> userInline = inline(users, "UserPolicyList");
    Dataset<Row> roleInline = inline(roles, "RolePolicyList");
    Dataset<Row> directManaged =
        managed(users.select(col("Arn"), col("CreateDate"), col("AttachedManagedPolicies")))
            .unionByName(
                managed(
                    roles.select(col("Arn"), col("CreateDate"), col("AttachedManagedPolicies"))));
    Dataset<Row> boundaries =
        users
            .select(col("Arn"), col("CreateDate"), col("PermissionsBoundary"))
            .unionByName(roles.select(col("Arn"), col("CreateDate"), col("PermissionsBoundary")))
            .filter(col("PermissionsBoundary.PermissionsBoundaryArn").isNotNull())
            .select(
                col("Arn").as("principal_arn"),
                col("CreateDate").as("principal_created"),
                element_at(split(col("PermissionsBoundary.PermissionsBoundaryArn"), "/"), -1)
                    .as("policy_name"),
                col("PermissionsBoundary.PermissionsBoundaryArn").as("policy_arn"),
                lit("boundary").as("policy_type"),
                lit("direct").as("grant_path"));

    Dataset<Row> membership =
        users.select(
            col("Arn").as("principal_arn"),
            col("CreateDate").as("principal_created"),
            accountOf(col("Arn")).as("account_id"),
            explode(col("GroupList")).as("group_name"));
    Dataset<Row> groupPolicies =
        groups
            .select(
                col("GroupName").as("g_name"),
                accountOf(col("Arn")).as("g_account"),
                explode(col("GroupPolicyList")).as("p"))
            .select(
                col("g_name"),
                col("g_account"),
                col("p.PolicyName").as("policy_name"),
                lit(null).cast("string").as("policy_arn"),
                lit("inline").as("policy_type"),
                col("p.PolicyDocument").as("document"),
                lit(null).cast("string").as("version_created"))
            .unionByName(
                groups
                    .select(
                        col("GroupName").as("g_name"),
                        accountOf(col("Arn")).as("g_account"),
                        explode(col("AttachedManagedPolicies")).as("m"))
                    .join(defaults, col("m.PolicyArn").equalTo(defaults.col("d_arn")), "left")
                    .select(
                        col("g_name"),
                        col("g_account"),
                        col("m.PolicyName").as("policy_name"),
                        col("m.PolicyArn").as("policy_arn"),
                        lit("managed").as("policy_type"),
                        col("d_document").as("document"),
                        col("d_created").as("version_created")));
    Dataset<Row> viaGroups =
        membership
            .join(
                groupPolicies,
                membership
                    .col("group_name")
                    .equalTo(groupPolicies.col("g_name"))
                    .and(membership.col("account_id").equalTo(groupPolicies.col("g_account"))))
            .select(
                col("principal_arn"),
                col("principal_created"),
                col("policy_name"),
                col("policy_arn"),
                col("policy_type"),
                concat(lit("group:"), col("group_name")).as("grant_path"),
                col("document"),
                col("version_created"));

    return userInline
        .unionByName(roleInline)
        .unionByName(joinDefaults(directManaged, defaults))
        .unionByName(viaGroups)
        .unionByName(joinDefaults(boundaries, defaults));
  }

  /**
   * {@code silver.entitlements} as of one IAM snapshot: the effective grants (SPEC 6.2) with a
   * fresh history ({@code valid_from = runDate}, {@code valid_to} null). {@link EntitlementHistory}
   * merges it with the previous table.
   */
  public static Dataset<Row> entitlements(Dataset<Row> attachments, LocalDate runDate) {
    return EffectivePermissions.compute(attachments, ActionCatalog.bundled(), runDate);
  }

  /**
   * The effective permissions of policy documents held inline by the named principals, evaluated
   * exactly like the exported ones: the evaluator a recommended policy is checked with. {@code
   * documents}: principal_arn, policy_name, document (policy JSON text).
   */
  public static Dataset<Row> ofInlinePolicies(Dataset<Row> documents, LocalDate runDate) {
    Dataset<Row> attachments =
        documents.select(
            col("principal_arn"),
            lit(null).cast("string").as("principal_created"),
            col("policy_name"),
            lit(null).cast("string").as("policy_arn"),
            lit("inline").as("policy_type"),
            lit("direct").as("grant_path"),
            col("document"),
            lit(null).cast("string").as("version_created"));
    return entitlements(attachments, runDate);
  }

  /**
   * Distinct action patterns (of any statement) that match no action of the catalog: an unknown
   * service or an action newer than the pinned catalog. They are kept in the table under their own
   * text with {@code in_catalog = false}; this counts them for the run report.
   */
  public static Dataset<Row> unknownActionPatterns(Dataset<Row> entitlements) {
    return entitlements
        .filter(col("platform").equalTo(Platform.AWS.value()))
        .filter(col("in_catalog").equalTo(false))
        .select("action")
        .distinct();
  }

  /**
   * Trust-policy statements of each role that allow assuming it: one row per (role, trusted
   * principal kind, principal value, the statement's {@code condition} JSON or null).
   */
  public static Dataset<Row> trustGrants(Dataset<Row> roles) {
    Dataset<Row> stmts =
        roles
            .select(
                col("Arn").as("role_arn"),
                from_json(col("AssumeRolePolicyDocument"), POLICY_DOC, Map.of()).as("doc"))
            .select(col("role_arn"), explode(Json.asArray(col("doc.Statement"))).as("stmt"))
            .withColumn("s", from_json(col("stmt"), STATEMENT, Map.<String, String>of()))
            .filter(coalesce(col("s.Effect"), lit("Allow")).equalTo("Allow"))
            .filter(
                exists(
                    coalesce(Json.asArray(col("s.Action")), array().cast("array<string>")),
                    a ->
                        lower(a)
                            .like("sts:assumerole%")
                            .or(lower(a).equalTo("sts:*"))
                            .or(a.equalTo("*"))));
    StructType principal = StructType.fromDDL("AWS STRING, Service STRING, Federated STRING");
    Dataset<Row> parsed =
        stmts.withColumn(
            "p",
            when(trim(col("s.Principal")).equalTo("*"), lit(null))
                .otherwise(from_json(col("s.Principal"), principal, Map.<String, String>of())));
    Dataset<Row> anyone =
        parsed
            .filter(trim(col("s.Principal")).equalTo("*"))
            .select(
                col("role_arn"),
                lit("AWS").as("principal_kind"),
                lit("*").as("principal"),
                col("s.Condition").as("condition"));
    Dataset<Row> aws =
        parsed.select(
            col("role_arn"),
            lit("AWS").as("principal_kind"),
            explode(Json.asArray(col("p.AWS"))).as("principal"),
            col("s.Condition").as("condition"));
    Dataset<Row> service =
        parsed.select(
            col("role_arn"),
            lit("Service").as("principal_kind"),
            explode(Json.asArray(col("p.Service"))).as("principal"),
            col("s.Condition").as("condition"));
    Dataset<Row> federated =
        parsed.select(
            col("role_arn"),
            lit("Federated").as("principal_kind"),
            explode(Json.asArray(col("p.Federated"))).as("principal"),
            col("s.Condition").as("condition"));
    return anyone.unionByName(aws).unionByName(service).unionByName(federated).distinct();
  }

  /**
   * The condition keys of a statement's Condition block, each as {@code key (operator)}, e.g.
   * {@code aws:MultiFactorAuthPresent (Bool)}; empty without a Condition.
   */
  public static Column conditionKeys(Column condition) {
    Column block = from_json(condition, CONDITION, Map.<String, String>of());
    return coalesce(
        flatten(
            transform(
                map_entries(block),
                op ->
                    transform(
                        map_keys(op.getField("value")),
                        k -> concat(k, lit(" ("), op.getField("key"), lit(")"))))),
        array().cast("array<string>"));
  }

  public static Column accountOf(Column arn) {
    return split(arn, ":").getItem(4);
  }

  /** One row per statement of each attachment: {@code statement_index} and {@code s}. */
  static Dataset<Row> statements(Dataset<Row> attachments) {
    return attachments
        .withColumn("doc", from_json(col("document"), POLICY_DOC, Map.<String, String>of()))
        .select(
            col("*"),
            posexplode(Json.asArray(col("doc.Statement")))
                .as(new String[] {"statement_index", "stmt"}))
        .withColumn("s", from_json(col("stmt"), STATEMENT, Map.<String, String>of()));
  }

  private static Dataset<Row> defaultVersions(Dataset<Row> policies) {
    return broadcast(
        policies
            .select(col("Arn").as("d_arn"), explode(col("PolicyVersionList")).as("v"))
            .filter(col("v.IsDefaultVersion"))
            .select(
                col("d_arn"),
                col("v.Document").as("d_document"),
                col("v.CreateDate").as("d_created"))
            .dropDuplicates("d_arn"));
  }

  /** A principal's inline policies (users' UserPolicyList, roles' RolePolicyList). */
  private static Dataset<Row> inline(Dataset<Row> principals, String policyList) {
    return principals
        .select(
            col("Arn").as("principal_arn"),
            col("CreateDate").as("principal_created"),
            explode(col(policyList)).as("p"))
        .select(
            col("principal_arn"),
            col("principal_created"),
            col("p.PolicyName").as("policy_name"),
            lit(null).cast("string").as("policy_arn"),
            lit("inline").as("policy_type"),
            lit("direct").as("grant_path"),
            col("p.PolicyDocument").as("document"),
            lit(null).cast("string").as("version_created"));
  }

  private static Dataset<Row> managed(Dataset<Row> principals) {
    return principals
        .select(
            col("Arn").as("principal_arn"),
            col("CreateDate").as("principal_created"),
            explode(col("AttachedManagedPolicies")).as("m"))
        .select(
            col("principal_arn"),
            col("principal_created"),
            col("m.PolicyName").as("policy_name"),
            col("m.PolicyArn").as("policy_arn"),
            lit("managed").as("policy_type"),
            lit("direct").as("grant_path"));
  }

  private static Dataset<Row> joinDefaults(Dataset<Row> managed, Dataset<Row> defaults) {
    return managed
        .join(defaults, managed.col("policy_arn").equalTo(defaults.col("d_arn")), "left")
        .select(
            col("principal_arn"),
            col("principal_created"),
            col("policy_name"),
            col("policy_arn"),
            col("policy_type"),
            col("grant_path"),
            col("d_document").as("document"),
            col("d_created").as("version_created"));
  }
}
