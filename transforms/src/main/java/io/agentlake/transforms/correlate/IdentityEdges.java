package io.agentlake.transforms.correlate;

import static io.agentlake.transforms.correlate.Entitlements.accountOf;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.regexp_extract;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import io.agentlake.schemas.Tables;
import io.agentlake.schemas.vocabulary.EdgeType;
import io.agentlake.schemas.vocabulary.IdPrefix;
import io.agentlake.transforms.Contracts;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * {@code silver.identity_edges} (SPEC 6.1): the typed edges between identities and agents (USES,
 * OWNED_BY, BACKUP_OWNED_BY, MANAGED_BY, KEY_OF, MEMBER_OF, CAN_ASSUME, ASSUMED), {@code
 * agent:<agent_id>} standing for an agent.
 */
public final class IdentityEdges {

  private IdentityEdges() {}

  /**
   * {@code silver.identity_edges}; the observed edges (KEY_OF of AWS access keys, ASSUMED) come
   * from {@code principalDaily}, {@code silver.principal_daily} over all of history.
   */
  public static Dataset<Row> edges(
      Inventory inv,
      Dataset<Row> agents,
      Dataset<Row> identities,
      Dataset<Row> principalDaily,
      Dataset<Row> entitlements,
      Dataset<Row> trustGrants) {
    Column agent = IdPrefix.AGENT.of(col("agent_id"));
    Dataset<Row> uses =
        edge(
            agents.select(col("agent_id"), explode(col("credential_ids")).as("dst")),
            agent,
            EdgeType.USES,
            col("dst"),
            "agents",
            lit("credential of the agent (platform record or manifest)"),
            false);
    Dataset<Row> owned =
        edge(
            agents.filter(col("owner_identity_id").isNotNull()),
            agent,
            EdgeType.OWNED_BY,
            col("owner_identity_id"),
            "agent-manifest",
            concat(lit("owner "), col("owner_ref")),
            false);
    Dataset<Row> backupOwned =
        edge(
            agents.select(col("agent_id"), explode(col("backup_owner_identity_ids")).as("dst")),
            agent,
            EdgeType.BACKUP_OWNED_BY,
            col("dst"),
            "agent-manifest",
            lit("backup owner"),
            false);
    Dataset<Row> people = inv.oktaUsers();
    Dataset<Row> byLogin =
        people.select(
            lower(trim(col("profile.login"))).as("mgr_login"), col("id").as("mgr_by_login"));
    Dataset<Row> managed =
        edge(
            people
                .join(
                    byLogin, lower(trim(col("profile.manager"))).equalTo(col("mgr_login")), "left")
                .withColumn("manager_id", coalesce(col("profile.managerId"), col("mgr_by_login")))
                .filter(col("manager_id").isNotNull()),
            IdPrefix.OKTA_USER.of(col("id")),
            EdgeType.MANAGED_BY,
            IdPrefix.OKTA_USER.of(col("manager_id")),
            "okta-users",
            concat(
                lit("profile.manager "),
                coalesce(col("profile.manager"), col("profile.managerId"))),
            false);
    Dataset<Row> openaiKeys =
        edge(
            inv.openaiApiKeys().filter(col("owner.type").equalTo("service_account")),
            IdPrefix.OPENAI_API_KEY.of(col("id")),
            EdgeType.KEY_OF,
            IdPrefix.OPENAI_SERVICE_ACCOUNT.of(col("owner.service_account.id")),
            "openai-admin",
            lit("api key owner"),
            false);
    Dataset<Row> awsKeys =
        edge(
            principalDaily
                .filter(col("access_key_id").startsWith("AKIA"))
                .filter(col("identity_type").equalTo("IAMUser"))
                .groupBy(col("access_key_id").as("key_id"), col("principal_id"))
                .agg(min("first_time").as("first_seen"), max("last_time").as("last_seen")),
            IdPrefix.AWS_ACCESS_KEY.of(col("key_id")),
            EdgeType.KEY_OF,
            col("principal_id"),
            "aws-cloudtrail",
            lit("access key used by this user in CloudTrail"),
            true);
    Dataset<Row> members =
        edge(
            inv.iamUsers().select(col("Arn"), explode(col("GroupList")).as("group_name")),
            IdPrefix.AWS.of(col("Arn")),
            EdgeType.MEMBER_OF,
            concat(
                lit(IdPrefix.AWS.of("arn:aws:iam::")),
                accountOf(col("Arn")),
                lit(":group/"),
                col("group_name")),
            "aws-iam",
            lit("GroupList"),
            false);
    Dataset<Row> assumed =
        edge(
            // Rows with an assumed role hold only successful AssumeRole* calls naming it; the
            // least sample over all days is the least event id, whichever days were recomputed.
            principalDaily
                .filter(col("assumed_role_arn").isNotNull())
                .groupBy(col("principal_id"), col("assumed_role_arn").as("role_arn"))
                .agg(
                    min("first_time").as("first_seen"),
                    max("last_time").as("last_seen"),
                    min("sample_event_id").as("sample")),
            col("principal_id"),
            EdgeType.ASSUMED,
            IdPrefix.AWS.of(col("role_arn")),
            "aws-cloudtrail",
            concat(lit("AssumeRole event "), col("sample")),
            true);
    Dataset<Row> entraManagers =
        inv.entraUsers()
            .filter(col("manager.id").isNotNull())
            .select(col("id").as("user_id"), col("manager.id").as("manager_id"))
            .unionByName(
                inv.entraRelationships()
                    .filter(
                        col("relation")
                            .equalTo("manager")
                            .and(lower(col("parentCollection")).equalTo("users")))
                    .select(col("parentId").as("user_id"), col("id").as("manager_id")));
    Dataset<Row> entraManaged =
        edge(
            entraManagers,
            IdPrefix.ENTRA_USER.of(col("user_id")),
            EdgeType.MANAGED_BY,
            IdPrefix.ENTRA_USER.of(col("manager_id")),
            "entra-id",
            lit("manager"),
            false);
    Dataset<Row> all =
        uses.unionByName(owned)
            .unionByName(backupOwned)
            .unionByName(managed)
            .unionByName(entraManaged)
            .unionByName(openaiKeys)
            .unionByName(awsKeys)
            .unionByName(members)
            .unionByName(assumed)
            .unionByName(canAssume(trustGrants, entitlements));
    // One edge per (src, type, dst); where two facts give the same edge, keep a deterministic one.
    Dataset<Row> unique =
        all.groupBy("src_id", "edge_type", "dst_id")
            .agg(
                min("source").as("source"),
                min("evidence").as("evidence"),
                min("first_seen").as("first_seen"),
                max("last_seen").as("last_seen"));
    return Contracts.conform(unique, Tables.IDENTITY_EDGES);
  }

  /** Rows shaped as edges; observed edges carry their rows' first_seen / last_seen. */
  private static Dataset<Row> edge(
      Dataset<Row> rows,
      Column src,
      EdgeType type,
      Column dst,
      String source,
      Column evidence,
      boolean observed) {
    Column noTime = lit(null).cast("timestamp");
    return rows.select(
        src.as("src_id"),
        lit(type.value()).as("edge_type"),
        dst.as("dst_id"),
        lit(source).as("source"),
        evidence.as("evidence"),
        observed ? col("first_seen") : noTime.as("first_seen"),
        observed ? col("last_seen") : noTime.as("last_seen"));
  }

  /**
   * CAN_ASSUME edges from trust policies: an exact principal ARN; an account (root ARN or bare id),
   * which lets in every principal of that account whose own Allow grants cover sts:AssumeRole on
   * the role; {@code *}; and services (workload roles).
   */
  static Dataset<Row> canAssume(Dataset<Row> trustGrants, Dataset<Row> entitlements) {
    Column noTime = lit(null).cast("timestamp");
    Column account = regexp_extract(col("principal"), "^(?:arn:aws:iam::)?(\\d{12})(?::root)?$", 1);
    Dataset<Row> exact =
        trustGrants
            .filter(col("principal_kind").equalTo("AWS"))
            .filter(account.equalTo("").and(col("principal").notEqual("*")))
            .select(
                IdPrefix.AWS.of(col("principal")).as("src_id"),
                col("role_arn"),
                concat(lit("trust policy names "), col("principal")).as("evidence"));
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
        accounts
            .join(
                assumeGrants,
                accounts
                    .col("trusted_account")
                    .equalTo(assumeGrants.col("account_id"))
                    .and(
                        Globs.matches(
                            accounts.col("role_arn"), assumeGrants.col("resource_pattern"))))
            .select(
                col("principal_id").as("src_id"),
                col("role_arn"),
                concat(
                        lit("trust policy trusts account "),
                        col("trusted_account"),
                        lit("; policy "),
                        col("policy_name"),
                        lit(" allows sts:AssumeRole on "),
                        col("resource_pattern"))
                    .as("evidence"));
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
                    .as("evidence"));
    return exact
        .unionByName(viaAccount)
        .unionByName(others)
        .select(
            col("src_id"),
            lit(EdgeType.CAN_ASSUME.value()).as("edge_type"),
            IdPrefix.AWS.of(col("role_arn")).as("dst_id"),
            lit("aws-iam").as("source"),
            col("evidence"),
            noTime.as("first_seen"),
            noTime.as("last_seen"));
  }
}
