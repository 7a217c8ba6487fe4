package io.agentlake.transforms.sources.iam;

import static io.agentlake.transforms.Times.parseIso;
import static io.agentlake.transforms.sources.iam.IamPolicies.accountOf;
import static org.apache.spark.sql.functions.array_distinct;
import static org.apache.spark.sql.functions.array_join;
import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.map_from_entries;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.regexp_extract;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.transform;
import static org.apache.spark.sql.functions.when;

import io.agentlake.schemas.Tables;
import io.agentlake.schemas.vocabulary.EdgeType;
import io.agentlake.schemas.vocabulary.IdPrefix;
import io.agentlake.transforms.correlate.EntitlementHistory;
import io.agentlake.transforms.correlate.Globs;
import io.agentlake.transforms.correlate.IdentityEdges;
import io.agentlake.transforms.sources.IdentityRow;
import io.agentlake.transforms.sources.PlatformSilver;
import io.agentlake.transforms.sources.SilverInputs;
import io.agentlake.transforms.sources.SourceSilver;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * AWS IAM's share of the identity graph: its users (last used as the credential report says), roles
 * (as {@code RoleLastUsed} says) and groups are identities; group membership and trust policies are
 * edges. Its grants are evaluated by {@link IamPolicies} (NotAction, boundaries, Deny) and offered
 * to the core as {@link AwsPermissions}.
 */
public final class AwsIamSilver implements SourceSilver {

  private static final PlatformSilver PERMISSIONS = new AwsPermissions();

  @Override
  public Optional<PlatformSilver> permissions() {
    return Optional.of(PERMISSIONS);
  }

  @Override
  public Optional<Dataset<Row>> identities(SilverInputs in) {
    Dataset<Row> report =
        in.latest(AwsIam.CREDENTIAL_REPORT_ROW.recordType(), "arn")
            .select(
                col("arn").as("r_arn"),
                greatest(
                        parseIso(col("password_last_used")),
                        parseIso(col("access_key_1_last_used_date")),
                        parseIso(col("access_key_2_last_used_date")))
                    .as("report_last_used"));
    Dataset<Row> users =
        users(in)
            .join(report, col("Arn").equalTo(col("r_arn")), "left")
            .select(
                iam("user", col("UserId"), col("UserName"))
                    .lastSeenAt(col("report_last_used"))
                    .attributes(tags(col("Tags")))
                    .columns());
    Dataset<Row> roles =
        roles(in)
            .select(
                iam("role", col("RoleId"), col("RoleName"))
                    .lastSeenAt(parseIso(col("RoleLastUsed.LastUsedDate")))
                    .attributes(tags(col("Tags")))
                    .columns());
    Dataset<Row> groups =
        groups(in).select(iam("group", col("GroupId"), col("GroupName")).columns());
    return Optional.of(users.unionByName(roles).unionByName(groups));
  }

  /**
   * MEMBER_OF from users' {@code GroupList}; CAN_ASSUME from roles' trust policies and from
   * instance profiles to their roles.
   */
  @Override
  public Optional<Dataset<Row>> edges(SilverInputs in) {
    Dataset<Row> members =
        IdentityEdges.edge(
            users(in).select(col("Arn"), explode(col("GroupList")).as("group_name")),
            IdPrefix.AWS.of(col("Arn")),
            EdgeType.MEMBER_OF,
            concat(
                lit(IdPrefix.AWS.of("arn:aws:iam::")),
                accountOf(col("Arn")),
                lit(":group/"),
                col("group_name")),
            AwsIam.NAME,
            lit("GroupList"),
            false);
    return Optional.of(
        members
            .unionByName(instanceProfiles(roles(in)))
            .unionByName(
                canAssume(
                    IamPolicies.trustGrants(roles(in)),
                    in.silver(Tables.ENTITLEMENTS),
                    principalArns(users(in), roles(in)))));
  }

  /**
   * CAN_ASSUME edges from each instance profile to the role it holds ({@code InstanceProfileList}):
   * an EC2 instance launched with the profile acts as the role.
   */
  public static Dataset<Row> instanceProfiles(Dataset<Row> roles) {
    return IdentityEdges.edge(
        roles
            .select(col("Arn"), explode(col("InstanceProfileList")).as("profile"))
            .filter(col("profile.Arn").isNotNull()),
        IdPrefix.AWS.of(col("profile.Arn")),
        EdgeType.CAN_ASSUME,
        IdPrefix.AWS.of(col("Arn")),
        AwsIam.NAME,
        lit("InstanceProfileList: EC2 instances launched with this profile act as the role"),
        false);
  }

  /** The {@code Arn} of every IAM user and role, the principals a trust of {@code *} lets in. */
  public static Dataset<Row> principalArns(Dataset<Row> users, Dataset<Row> roles) {
    return users.select(col("Arn")).unionByName(roles.select(col("Arn"))).distinct();
  }

  /**
   * CAN_ASSUME edges from trust policies: an exact principal ARN; an account (root ARN or bare id),
   * which lets in every principal of that account whose own Allow grants cover sts:AssumeRole on
   * the role; {@code *}, which lets in every other principal of the role's own account (within one
   * account either the trust policy or an identity policy suffices, and {@code *} names every
   * principal) and every principal of another account whose own Allow grants cover it, and keeps
   * the edge from {@code aws:*}, "anybody"; and services (workload roles). An unconditional Deny of
   * sts:AssumeRole in the principal's own policies whose resource covers the role removes its edge,
   * whichever way the trust policy lets it in (an explicit Deny wins). An edge is {@code
   * conditional} when the trust statement, or the principal's own Allow it needs, has a Condition
   * (e.g. {@code sts:ExternalId}, {@code aws:MultiFactorAuthPresent}): no condition key is judged
   * harmless, and the evidence names the keys with their operators.
   */
  public static Dataset<Row> canAssume(
      Dataset<Row> trustGrants, Dataset<Row> entitlements, Dataset<Row> principals) {
    Column noTime = lit(null).cast("timestamp");
    Column account = regexp_extract(col("principal"), "^(?:arn:aws:iam::)?(\\d{12})(?::root)?$", 1);
    Dataset<Row> exact =
        trustGrants
            .filter(col("principal_kind").equalTo("AWS"))
            .filter(account.equalTo("").and(col("principal").notEqual("*")))
            .select(
                IdPrefix.AWS.of(col("principal")).as("src_id"),
                col("role_arn"),
                concat(lit("trust policy names "), col("principal")).as("evidence"),
                IamPolicies.conditionKeys(col("condition")).as("keys"));
    Dataset<Row> accounts =
        trustGrants
            .filter(col("principal_kind").equalTo("AWS"))
            .withColumn("trusted_account", account)
            .filter(col("trusted_account").notEqual(""));
    Dataset<Row> assumeGrants =
        EntitlementHistory.current(entitlements)
            .filter(col("effect").equalTo("Allow"))
            .filter(col("policy_type").notEqual("boundary"))
            .filter(col("action").equalTo("sts:assumerole"));
    Dataset<Row> viaAccount =
        allowedByCaller(
            accounts,
            assumeGrants,
            accounts.col("trusted_account").equalTo(assumeGrants.col("account_id")),
            concat(lit("trust policy trusts account "), col("trusted_account")));
    // Principal "*": every other principal of the role's account, and anybody of another account
    // whose own policies allow sts:AssumeRole on the role.
    Dataset<Row> anyone =
        trustGrants.filter(col("principal_kind").equalTo("AWS").and(col("principal").equalTo("*")));
    Dataset<Row> inRoleAccount =
        anyone
            .join(
                principals,
                accountOf(principals.col("Arn"))
                    .equalTo(accountOf(anyone.col("role_arn")))
                    .and(principals.col("Arn").notEqual(anyone.col("role_arn"))))
            .select(
                IdPrefix.AWS.of(principals.col("Arn")).as("src_id"),
                col("role_arn"),
                lit("trust policy trusts * (any principal), which in the role's own account"
                        + " needs no Allow of sts:AssumeRole on the caller's side")
                    .as("evidence"),
                IamPolicies.conditionKeys(col("condition")).as("keys"));
    Column otherAccount =
        assumeGrants.col("account_id").notEqual(accountOf(anyone.col("role_arn")));
    Dataset<Row> viaAnyone =
        allowedByCaller(
            anyone,
            assumeGrants,
            otherAccount,
            lit("trust policy trusts * (any principal), and the caller is of another account"));
    Dataset<Row> assumeDenies =
        EntitlementHistory.current(entitlements)
            .filter(col("effect").equalTo("Deny"))
            .filter(not(col("conditional")))
            .filter(col("action").equalTo("sts:assumerole"))
            .select(
                col("principal_id").as("deny_principal"), col("resource_pattern").as("deny_on"));
    Dataset<Row> trusted =
        exact
            .unionByName(viaAccount)
            .unionByName(inRoleAccount)
            .unionByName(viaAnyone)
            .alias("edge");
    Dataset<Row> notDenied =
        trusted.join(
            assumeDenies,
            col("edge.src_id")
                .equalTo(col("deny_principal"))
                .and(
                    col("deny_on")
                        .equalTo("*")
                        .or(
                            not(col("deny_on").startsWith("NOT "))
                                .and(Globs.matches(col("edge.role_arn"), col("deny_on"))))),
            "left_anti");
    Dataset<Row> others =
        trustGrants
            .filter(col("principal_kind").notEqual("AWS").or(col("principal").equalTo("*")))
            .select(
                when(col("principal").equalTo("*"), lit(IdPrefix.AWS.of("*")))
                    .otherwise(
                        concat(
                            lit(IdPrefix.AWS.value()),
                            lower(col("principal_kind")),
                            lit(":"),
                            col("principal")))
                    .as("src_id"),
                col("role_arn"),
                concat(lit("trust policy "), col("principal_kind"), lit(" "), col("principal"))
                    .as("evidence"),
                IamPolicies.conditionKeys(col("condition")).as("keys"));
    Column keys = array_sort(array_distinct(col("keys")));
    return notDenied
        .select(col("src_id"), col("role_arn"), col("evidence"), col("keys"))
        .unionByName(others)
        .select(
            col("src_id"),
            lit(EdgeType.CAN_ASSUME.value()).as("edge_type"),
            IdPrefix.AWS.of(col("role_arn")).as("dst_id"),
            lit(AwsIam.NAME).as("source"),
            when(
                    size(keys).gt(0),
                    concat(
                        col("evidence"),
                        lit("; only under a condition (upper bound): "),
                        array_join(keys, ", ")))
                .otherwise(col("evidence"))
                .as("evidence"),
            noTime.as("first_seen"),
            noTime.as("last_seen"),
            size(keys).gt(0).as("conditional"));
  }

  /**
   * Edges for trust statements that leave the decision to the caller's own policies: each trust row
   * joined with the caller's Allows of sts:AssumeRole whose resource covers the role, where {@code
   * scope} holds; the evidence starts with {@code trustText} and names the Allow, and {@code keys}
   * gathers the condition keys of both statements.
   */
  private static Dataset<Row> allowedByCaller(
      Dataset<Row> trusts, Dataset<Row> assumeGrants, Column scope, Column trustText) {
    return trusts
        .join(
            assumeGrants,
            scope.and(Globs.matches(trusts.col("role_arn"), assumeGrants.col("resource_pattern"))))
        .select(
            col("principal_id").as("src_id"),
            col("role_arn"),
            concat(
                    trustText,
                    lit("; policy "),
                    col("policy_name"),
                    lit(" allows sts:AssumeRole on "),
                    col("resource_pattern"))
                .as("evidence"),
            concat(
                    IamPolicies.conditionKeys(trusts.col("condition")),
                    IamPolicies.conditionKeys(assumeGrants.col("condition")))
                .as("keys"));
  }

  /** The latest IAM users, groups, roles and customer-managed policies, as the grants read them. */
  public static Dataset<Row> attachments(SilverInputs in) {
    return IamPolicies.attachments(
        users(in), groups(in), roles(in), in.latest(AwsIam.POLICY.recordType(), "Arn"));
  }

  /** An IAM entity by its {@code Arn}, in its account, created at its {@code CreateDate}. */
  private static IdentityRow iam(String kind, Column id, Column name) {
    return IdentityRow.of(IdPrefix.AWS.of(col("Arn")), kind, AwsIam.NAME)
        .nativeId(id)
        .displayName(name)
        .account(accountOf(col("Arn")))
        .createdAt(parseIso(col("CreateDate")));
  }

  private static Dataset<Row> users(SilverInputs in) {
    return in.latest(AwsIam.USER.recordType(), "Arn");
  }

  private static Dataset<Row> groups(SilverInputs in) {
    return in.latest(AwsIam.GROUP.recordType(), "Arn");
  }

  private static Dataset<Row> roles(SilverInputs in) {
    return in.latest(AwsIam.ROLE.recordType(), "Arn");
  }

  private static Column tags(Column tags) {
    return coalesce(
        map_from_entries(transform(tags, t -> struct(t.getField("Key"), t.getField("Value")))),
        expr("cast(map() as map<string,string>)"));
  }
}
