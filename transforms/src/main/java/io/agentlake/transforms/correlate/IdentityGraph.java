package io.agentlake.transforms.correlate;

import static io.agentlake.transforms.correlate.Entitlements.accountOf;
import static io.agentlake.transforms.correlate.Entitlements.parseIso;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_distinct;
import static org.apache.spark.sql.functions.array_union;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.map;
import static org.apache.spark.sql.functions.map_from_entries;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.posexplode;
import static org.apache.spark.sql.functions.regexp_extract;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.sort_array;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.timestamp_seconds;
import static org.apache.spark.sql.functions.transform;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import io.agentlake.schemas.Tables;
import io.agentlake.schemas.vocabulary.EdgeType;
import io.agentlake.schemas.vocabulary.IdPrefix;
import io.agentlake.schemas.vocabulary.OwnerMatch;
import io.agentlake.transforms.Contracts;
import io.agentlake.transforms.Times;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The identity graph (SPEC 6.1): every identity across sources under one namespaced id, every agent
 * merged from its platform record and the manifest, and the typed edges between them.
 *
 * <p>Id conventions: {@code aws:<arn>}, {@code aws:access_key:<id>}, {@code okta:user:<id>}, {@code
 * openai:service_account:<id>}, {@code openai:api_key:<id>}, {@code openai:user:<id>}, {@code
 * agent:<agent_id>}; agent ids are {@code bedrock:<agentId>}, {@code openai:<service account id>}
 * or {@code <platform>:<manifest agent_id>}.
 *
 * <p>Dangerous: owner matching is by normalised email/login or IdP id; an owner that matches two
 * people is reported as AMBIGUOUS and left unresolved, never guessed.
 */
public final class IdentityGraph {

  private IdentityGraph() {}

  /**
   * {@code silver.identities}. {@code principalDaily} is {@code silver.principal_daily} ({@link
   * Activity#principalDaily}) over all of history.
   */
  public static Dataset<Row> identities(Inventory inv, Dataset<Row> principalDaily) {
    Dataset<Row> lastUse =
        principalDaily
            .filter(col("last_success_time").isNotNull())
            .groupBy("principal_id")
            .agg(max("last_success_time").as("ct_last_seen"));
    Dataset<Row> report =
        inv.credentialReport()
            .select(
                col("arn").as("r_arn"),
                greatest(
                        parseIso(col("password_last_used")),
                        parseIso(col("access_key_1_last_used_date")),
                        parseIso(col("access_key_2_last_used_date")))
                    .as("report_last_used"));
    Dataset<Row> users =
        inv.iamUsers()
            .join(report, col("Arn").equalTo(col("r_arn")), "left")
            .select(
                IdPrefix.AWS.of(col("Arn")).as("identity_id"),
                lit("user").as("kind"),
                lit("aws-iam").as("source"),
                col("UserId").as("native_id"),
                col("UserName").as("display_name"),
                lit("ACTIVE").as("status"),
                accountOf(col("Arn")).as("account_id"),
                parseIso(col("CreateDate")).as("created_at"),
                lit(null).cast("timestamp").as("status_changed_at"),
                col("report_last_used").as("last_seen_at"),
                tags(col("Tags")).as("attributes"));
    Dataset<Row> roles =
        inv.iamRoles()
            .select(
                IdPrefix.AWS.of(col("Arn")).as("identity_id"),
                lit("role").as("kind"),
                lit("aws-iam").as("source"),
                col("RoleId").as("native_id"),
                col("RoleName").as("display_name"),
                lit("ACTIVE").as("status"),
                accountOf(col("Arn")).as("account_id"),
                parseIso(col("CreateDate")).as("created_at"),
                lit(null).cast("timestamp").as("status_changed_at"),
                parseIso(col("RoleLastUsed.LastUsedDate")).as("last_seen_at"),
                tags(col("Tags")).as("attributes"));
    Dataset<Row> groups =
        inv.iamGroups()
            .select(
                IdPrefix.AWS.of(col("Arn")).as("identity_id"),
                lit("group").as("kind"),
                lit("aws-iam").as("source"),
                col("GroupId").as("native_id"),
                col("GroupName").as("display_name"),
                lit("ACTIVE").as("status"),
                accountOf(col("Arn")).as("account_id"),
                parseIso(col("CreateDate")).as("created_at"),
                lit(null).cast("timestamp").as("status_changed_at"),
                lit(null).cast("timestamp").as("last_seen_at"),
                emptyAttributes().as("attributes"));
    // A long-term key belongs to one user; min picks that user deterministically should CloudTrail
    // ever show the key under two principals.
    Dataset<Row> accessKeys =
        principalDaily
            .filter(col("access_key_id").startsWith("AKIA"))
            .groupBy(col("access_key_id").as("key_id"))
            .agg(
                min(regexp_replace(col("principal_id"), "^aws:", "")).as("user_arn"),
                max("last_success_time").as("key_last_seen"))
            .select(
                IdPrefix.AWS_ACCESS_KEY.of(col("key_id")).as("identity_id"),
                lit("access_key").as("kind"),
                lit("aws-cloudtrail").as("source"),
                col("key_id").as("native_id"),
                col("key_id").as("display_name"),
                lit("ACTIVE").as("status"),
                accountOf(col("user_arn")).as("account_id"),
                lit(null).cast("timestamp").as("created_at"),
                lit(null).cast("timestamp").as("status_changed_at"),
                col("key_last_seen").as("last_seen_at"),
                map(lit("user_arn"), col("user_arn")).as("attributes"));
    Dataset<Row> people =
        inv.oktaUsers()
            .select(
                IdPrefix.OKTA_USER.of(col("id")).as("identity_id"),
                lit("human").as("kind"),
                lit("okta-users").as("source"),
                col("id").as("native_id"),
                lower(trim(coalesce(col("profile.email"), col("profile.login"))))
                    .as("display_name"),
                col("status").as("status"),
                lit(null).cast("string").as("account_id"),
                parseIso(col("created")).as("created_at"),
                parseIso(col("statusChanged")).as("status_changed_at"),
                parseIso(col("lastLogin")).as("last_seen_at"),
                personAttributes().as("attributes"));
    Dataset<Row> projects = projectStatus(inv);
    Dataset<Row> serviceAccounts =
        inv.openaiServiceAccounts()
            .withColumn("project_id", col("_context").getItem("project_id"))
            .join(projects, "project_id", "left")
            .select(
                IdPrefix.OPENAI_SERVICE_ACCOUNT.of(col("id")).as("identity_id"),
                lit("service_account").as("kind"),
                lit("openai-admin").as("source"),
                col("id").as("native_id"),
                col("name").as("display_name"),
                lit("ACTIVE").as("status"),
                lit(null).cast("string").as("account_id"),
                timestamp_seconds(col("created_at")).as("created_at"),
                lit(null).cast("timestamp").as("status_changed_at"),
                lit(null).cast("timestamp").as("last_seen_at"),
                map(
                        lit("project_id"),
                        col("project_id"),
                        lit("project_status"),
                        coalesce(col("project_status"), lit("unknown")))
                    .as("attributes"));
    Dataset<Row> apiKeys =
        inv.openaiApiKeys()
            .select(
                IdPrefix.OPENAI_API_KEY.of(col("id")).as("identity_id"),
                lit("api_key").as("kind"),
                lit("openai-admin").as("source"),
                col("id").as("native_id"),
                coalesce(col("name"), col("redacted_value")).as("display_name"),
                lit("ACTIVE").as("status"),
                lit(null).cast("string").as("account_id"),
                timestamp_seconds(col("created_at")).as("created_at"),
                lit(null).cast("timestamp").as("status_changed_at"),
                timestamp_seconds(col("last_used_at")).as("last_seen_at"),
                map(
                        lit("redacted_value"),
                        col("redacted_value"),
                        lit("owner_type"),
                        col("owner.type"),
                        lit("project_id"),
                        col("_context").getItem("project_id"))
                    .as("attributes"));
    Dataset<Row> openaiUsers =
        inv.openaiUsers()
            .select(
                IdPrefix.OPENAI_USER.of(col("id")).as("identity_id"),
                lit("human").as("kind"),
                lit("openai-admin").as("source"),
                col("id").as("native_id"),
                lower(trim(col("email"))).as("display_name"),
                lit("ACTIVE").as("status"),
                lit(null).cast("string").as("account_id"),
                timestamp_seconds(col("added_at")).as("created_at"),
                lit(null).cast("timestamp").as("status_changed_at"),
                lit(null).cast("timestamp").as("last_seen_at"),
                map(lit("role"), col("role")).as("attributes"));

    Dataset<Row> all =
        users
            .unionByName(roles)
            .unionByName(groups)
            .unionByName(accessKeys)
            .unionByName(people)
            .unionByName(serviceAccounts)
            .unionByName(apiKeys)
            .unionByName(openaiUsers);
    Dataset<Row> withCloudTrail =
        all.join(lastUse, all.col("identity_id").equalTo(lastUse.col("principal_id")), "left")
            .withColumn("last_seen_at", greatest(col("last_seen_at"), col("ct_last_seen")));
    return Contracts.conform(withCloudTrail, Tables.IDENTITIES).dropDuplicates("identity_id");
  }

  /**
   * {@code silver.agents}: Bedrock agents, OpenAI service accounts and manifest agents, merged on
   * (platform, native id) so a manifest row adds owner and purpose to the platform's record.
   */
  public static Dataset<Row> agents(Inventory inv, Dataset<Row> identities) {
    Dataset<Row> bedrock =
        inv.bedrockAgents()
            .groupBy("agentId")
            .agg(
                first("agentName", true).as("p_name"),
                first("description", true).as("p_purpose"),
                first("agentStatus", true).as("p_status"),
                first("createdAt", true).as("p_created"),
                first("agentResourceRoleArn", true).as("role_arn"))
            .select(
                lit("bedrock").as("platform"),
                col("agentId").as("native_id"),
                col("p_name"),
                col("p_purpose"),
                col("p_status"),
                lit(null).cast("timestamp").as("p_deleted_at"),
                parseIso(col("p_created")).as("p_created_at"),
                when(col("role_arn").isNotNull(), array(IdPrefix.AWS.of(col("role_arn"))))
                    .otherwise(expr("cast(array() as array<string>)"))
                    .as("p_credentials"),
                lit(true).as("on_platform"));
    Dataset<Row> projects = projectStatus(inv);
    Dataset<Row> keysBySa =
        inv.openaiApiKeys()
            .filter(col("owner.type").equalTo("service_account"))
            .groupBy(col("owner.service_account.id").as("sa_id"))
            .agg(sort_array(collect_set(IdPrefix.OPENAI_API_KEY.of(col("id")))).as("sa_keys"));
    Dataset<Row> openai =
        inv.openaiServiceAccounts()
            .withColumn("project_id", col("_context").getItem("project_id"))
            .join(projects, "project_id", "left")
            .join(keysBySa, col("id").equalTo(col("sa_id")), "left")
            .select(
                lit("openai").as("platform"),
                col("id").as("native_id"),
                col("name").as("p_name"),
                lit(null).cast("string").as("p_purpose"),
                col("project_status").as("p_status"),
                col("project_archived_at").as("p_deleted_at"),
                timestamp_seconds(col("created_at")).as("p_created_at"),
                coalesce(col("sa_keys"), expr("cast(array() as array<string>)"))
                    .as("p_credentials"),
                lit(true).as("on_platform"));
    Dataset<Row> platform = bedrock.unionByName(openai);

    Dataset<Row> manifest =
        inv.manifest()
            .select(
                lower(trim(col("platform"))).as("platform"),
                trim(col("agent_id")).as("native_id"),
                col("name").as("m_name"),
                col("purpose").as("m_purpose"),
                when(trim(col("owner")).equalTo(""), lit(null))
                    .otherwise(trim(col("owner")))
                    .as("owner_ref"),
                col("backup_owners").as("backup_owner_refs"),
                col("project").as("project"),
                Times.parseDate(col("end_date")).as("end_date"),
                transform(
                        coalesce(col("credentials"), expr("cast(array() as array<string>)")),
                        IdentityGraph::credentialId)
                    .as("m_credentials"),
                lit(true).as("in_manifest"));

    Dataset<Row> merged =
        platform
            .join(manifest, new String[] {"platform", "native_id"}, "full_outer")
            .withColumn("agent_id", concat(col("platform"), lit(":"), col("native_id")))
            .withColumn("name", coalesce(col("m_name"), col("p_name")))
            .withColumn("purpose", coalesce(nonBlank(col("m_purpose")), nonBlank(col("p_purpose"))))
            .withColumn(
                "platform_status",
                when(
                        col("on_platform").isNull().and(col("platform").isin("bedrock", "openai")),
                        lit("DELETED"))
                    .otherwise(col("p_status")))
            .withColumn("platform_deleted_at", col("p_deleted_at"))
            .withColumn("created_at", col("p_created_at"))
            .withColumn(
                "credential_ids",
                sort_array(
                    array_distinct(
                        array_union(
                            coalesce(col("p_credentials"), expr("cast(array() as array<string>)")),
                            coalesce(
                                col("m_credentials"), expr("cast(array() as array<string>)"))))))
            .withColumn(
                "sources",
                expr(
                    "filter(array(case when on_platform then platform end,"
                        + " case when in_manifest then 'agent-manifest' end), x -> x is not null)"));

    Dataset<Row> owners = ownerIndex(identities);
    Dataset<Row> withOwner =
        merged
            .join(owners, lower(col("owner_ref")).equalTo(owners.col("match_key")), "left")
            .withColumn(
                "owner_match",
                when(col("owner_ref").isNull(), lit(OwnerMatch.NONE.value()))
                    .when(col("candidates").isNull(), lit(OwnerMatch.UNKNOWN.value()))
                    .when(size(col("candidates")).gt(1), lit(OwnerMatch.AMBIGUOUS.value()))
                    .otherwise(lit(OwnerMatch.MATCHED.value())))
            .withColumn(
                "owner_identity_id",
                when(
                    col("owner_match").equalTo(OwnerMatch.MATCHED.value()),
                    element_at(col("candidates"), 1)));

    Dataset<Row> backups =
        withOwner
            .select(
                col("agent_id"),
                posexplode(col("backup_owner_refs")).as(new String[] {"pos", "ref"}))
            .join(owners, lower(trim(col("ref"))).equalTo(owners.col("match_key")))
            .filter(size(col("candidates")).equalTo(1))
            .groupBy("agent_id")
            .agg(
                expr("transform(sort_array(collect_list(struct(pos, candidates[0] as id))), x -> x.id)")
                    .as("backup_owner_identity_ids"));
    Dataset<Row> result = withOwner.join(backups, "agent_id", "left");
    return Contracts.conform(result, Tables.AGENTS);
  }

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
    Dataset<Row> all =
        uses.unionByName(owned)
            .unionByName(backupOwned)
            .unionByName(managed)
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

  /** Maps a manifest credential to the identity id it names. */
  static Column credentialId(Column c) {
    Column v = trim(c);
    return when(v.startsWith("arn:aws:"), IdPrefix.AWS.of(v))
        .when(v.rlike("^(AKIA|ASIA)[A-Z0-9]{12,}$"), IdPrefix.AWS_ACCESS_KEY.of(v))
        .when(v.startsWith("key_"), IdPrefix.OPENAI_API_KEY.of(v))
        .when(
            v.startsWith("svc_acct_").or(v.startsWith("user-svc")),
            IdPrefix.OPENAI_SERVICE_ACCOUNT.of(v))
        .when(v.rlike("^00u[A-Za-z0-9]+$"), IdPrefix.OKTA_USER.of(v))
        .when(v.rlike("^0oa[A-Za-z0-9]+$"), IdPrefix.OKTA_APP.of(v))
        .when(v.contains("@"), concat(lit("gcp:service_account:"), lower(v)))
        .otherwise(IdPrefix.UNKNOWN.of(v));
  }

  /** People by every key an owner may be written as: email, login, IdP id. */
  private static Dataset<Row> ownerIndex(Dataset<Row> identities) {
    Dataset<Row> humans =
        identities.filter(col("kind").equalTo("human").and(col("source").equalTo("okta-users")));
    Dataset<Row> keys =
        humans
            .select(
                col("identity_id"), lower(trim(col("attributes").getItem("email"))).as("match_key"))
            .unionByName(
                humans.select(
                    col("identity_id"),
                    lower(trim(col("attributes").getItem("login"))).as("match_key")))
            .unionByName(humans.select(col("identity_id"), lower(col("native_id")).as("match_key")))
            .filter(col("match_key").isNotNull())
            .distinct();
    return keys.groupBy("match_key").agg(sort_array(collect_set("identity_id")).as("candidates"));
  }

  private static Dataset<Row> projectStatus(Inventory inv) {
    return inv.openaiProjects()
        .select(
            col("id").as("project_id"),
            lower(
                    coalesce(
                        col("status"),
                        when(col("archived_at").isNotNull(), lit("archived"))
                            .otherwise(lit("active"))))
                .as("project_status"),
            timestamp_seconds(col("archived_at")).as("project_archived_at"));
  }

  private static Column tags(Column tags) {
    return coalesce(
        map_from_entries(transform(tags, t -> struct(t.getField("Key"), t.getField("Value")))),
        emptyAttributes());
  }

  private static Column emptyAttributes() {
    return expr("cast(map() as map<string,string>)");
  }

  private static Column personAttributes() {
    return map(
        lit("login"),
        lower(trim(col("profile.login"))),
        lit("email"),
        lower(trim(col("profile.email"))),
        lit("manager"),
        col("profile.manager"),
        lit("managerId"),
        col("profile.managerId"),
        lit("department"),
        col("profile.department"));
  }

  private static Column nonBlank(Column c) {
    return when(trim(c).equalTo(""), lit(null)).otherwise(c);
  }
}
