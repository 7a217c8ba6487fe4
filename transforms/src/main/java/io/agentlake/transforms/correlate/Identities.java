package io.agentlake.transforms.correlate;

import static io.agentlake.transforms.correlate.Entitlements.accountOf;
import static io.agentlake.transforms.correlate.Entitlements.parseIso;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.map;
import static org.apache.spark.sql.functions.map_from_entries;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.regexp_extract;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.timestamp_seconds;
import static org.apache.spark.sql.functions.transform;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import io.agentlake.schemas.Tables;
import io.agentlake.schemas.vocabulary.IdPrefix;
import io.agentlake.transforms.Contracts;
import io.agentlake.transforms.Evidence;
import io.agentlake.transforms.ingest.SourcePackage;
import io.agentlake.transforms.sources.Sources;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * {@code silver.identities} (SPEC 6.1): every identity across sources under one namespaced id:
 * {@code aws:<arn>}, {@code aws:access_key:<id>}, {@code okta:user:<id>}, {@code entra:user:<id>},
 * {@code openai:service_account:<id>}, {@code openai:api_key:<id>}, {@code openai:user:<id>}.
 */
public final class Identities {

  private Identities() {}

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

    Dataset<Row> entraPeople = entraUsers(inv);
    Dataset<Row> entraPrincipals = entraServicePrincipals(inv);
    Dataset<Row> entraSecrets = entraCredentialIdentities(inv);

    Dataset<Row> all =
        users
            .unionByName(roles)
            .unionByName(groups)
            .unionByName(accessKeys)
            .unionByName(people)
            .unionByName(serviceAccounts)
            .unionByName(apiKeys)
            .unionByName(openaiUsers)
            .unionByName(entraPeople)
            .unionByName(entraPrincipals)
            .unionByName(entraSecrets);
    Dataset<Row> withCloudTrail =
        all.join(lastUse, all.col("identity_id").equalTo(lastUse.col("principal_id")), "left")
            .withColumn("last_seen_at", greatest(col("last_seen_at"), col("ct_last_seen")))
            .withColumn("platform", platformOf(col("source")));
    return Contracts.conform(withCloudTrail, Tables.IDENTITIES).dropDuplicates("identity_id");
  }

  /** The platform of an identity's source, as its source package declares it. */
  static Column platformOf(Column source) {
    Column platform = lit(null).cast("string");
    for (SourcePackage p : Sources.packages()) {
      if (p.platform().isPresent()) {
        platform =
            when(source.equalTo(p.name()), lit(p.platform().get().value())).otherwise(platform);
      }
    }
    return platform;
  }

  /**
   * Directory audit events that disable a user account: "Disable account", or "Update user" setting
   * AccountEnabled to false. The latest one's time is when a disabled Entra user was disabled.
   */
  public static Column accountDisabledAudit() {
    return lower(col("result"))
        .equalTo("success")
        .and(
            col("activityDisplayName")
                .equalTo("Disable account")
                .or(
                    col("activityDisplayName")
                        .equalTo("Update user")
                        .and(
                            expr(
                                "exists(targetResources, t -> exists(t.modifiedProperties, m ->"
                                    + " lower(m.displayName) = 'accountenabled'"
                                    + " and lower(m.newValue) like '%false%'))"))));
  }

  /**
   * Entra ID users as people: DELETED when deleted (since {@code deletedDateTime}), DISABLED when
   * the account is disabled (since the latest audit event that disabled it, when there is one),
   * ACTIVE when enabled, and no status when the export did not select {@code accountEnabled}.
   * Guests ({@code #EXT#} in their UPN) are matched by the address they were invited with too.
   */
  private static Dataset<Row> entraUsers(Inventory inv) {
    Dataset<Row> disabledAt =
        inv.entraDirectoryAudits()
            .filter(accountDisabledAudit())
            .select(
                explode(col("targetResources.id")).as("user_id"),
                parseIso(col("activityDateTime")).as("at"))
            .groupBy("user_id")
            .agg(max("at").as("disabled_at"));
    Column upn = lower(trim(col("userPrincipalName")));
    Column invitedAs =
        when(
            upn.contains("#ext#"),
            regexp_replace(regexp_extract(upn, "^(.*)#ext#", 1), "_([^_]*)$", "@$1"));
    Column status = entraStatus();
    return inv.entraUsers()
        .join(disabledAt, col("id").equalTo(col("user_id")), "left")
        .select(
            IdPrefix.ENTRA_USER.of(col("id")).as("identity_id"),
            lit("human").as("kind"),
            lit("entra-id").as("source"),
            col("id").as("native_id"),
            lower(trim(coalesce(col("mail"), col("userPrincipalName")))).as("display_name"),
            status.as("status"),
            lit(null).cast("string").as("account_id"),
            parseIso(col("createdDateTime")).as("created_at"),
            when(status.equalTo("DELETED"), parseIso(col("deletedDateTime")))
                .when(status.equalTo("DISABLED"), col("disabled_at"))
                .as("status_changed_at"),
            greatest(
                    parseIso(col("signInActivity.lastSignInDateTime")),
                    parseIso(col("signInActivity.lastNonInteractiveSignInDateTime")),
                    parseIso(col("signInActivity.lastSuccessfulSignInDateTime")))
                .as("last_seen_at"),
            map(
                    lit("login"),
                    upn,
                    lit("email"),
                    lower(trim(col("mail"))),
                    lit("invited_as"),
                    invitedAs,
                    lit("user_type"),
                    col("userType"),
                    lit("managerId"),
                    col("manager.id"))
                .as("attributes"));
  }

  /** Whether a service principal is an Entra agent identity. */
  public static Column isAgentIdentity() {
    return col("servicePrincipalType")
        .equalTo("ServiceIdentity")
        .or(col("agentIdentityBlueprintId").isNotNull())
        .or(lower(col("odataType")).endsWith(".agentidentity"));
  }

  /** DELETED when deleted, DISABLED when the account is disabled, ACTIVE when enabled. */
  static Column entraStatus() {
    return when(col("deletedDateTime").isNotNull(), lit("DELETED"))
        .when(col("accountEnabled").equalTo(false), lit("DISABLED"))
        .when(col("accountEnabled").equalTo(true), lit("ACTIVE"));
  }

  /**
   * Each service principal's latest successful sign-in, from Entra sign-in logs of any kind
   * (service principal, managed identity, agent): {@code sp_id, last_sign_in}.
   */
  public static Dataset<Row> lastSignIns(Dataset<Row> signIns) {
    return signIns
        .filter(col("servicePrincipalId").isNotNull().and(col("servicePrincipalId").notEqual("")))
        .filter(coalesce(col("status.errorCode"), lit(0L)).equalTo(0L))
        .groupBy(col("servicePrincipalId").as("sp_id"))
        .agg(max(parseIso(col("createdDateTime"))).as("last_sign_in"));
  }

  /**
   * Entra service principals: agent identities (kind {@code agent_identity}), managed identities
   * and applications' service principals, last seen at their latest successful sign-in.
   */
  private static Dataset<Row> entraServicePrincipals(Inventory inv) {
    Column kind =
        when(isAgentIdentity(), lit("agent_identity"))
            .when(col("servicePrincipalType").equalTo("ManagedIdentity"), lit("managed_identity"))
            .otherwise(lit("service_principal"));
    return inv.entraServicePrincipals()
        .join(inv.entraLastSignIns(), col("id").equalTo(col("sp_id")), "left")
        .select(
            IdPrefix.ENTRA_SERVICE_PRINCIPAL.of(col("id")).as("identity_id"),
            kind.as("kind"),
            lit("entra-id").as("source"),
            col("id").as("native_id"),
            col("displayName").as("display_name"),
            entraStatus().as("status"),
            lit(null).cast("string").as("account_id"),
            parseIso(col("createdDateTime")).as("created_at"),
            parseIso(col("deletedDateTime")).as("status_changed_at"),
            col("last_sign_in").as("last_seen_at"),
            map(
                    lit("app_id"),
                    col("appId"),
                    lit("service_principal_type"),
                    col("servicePrincipalType"),
                    lit("blueprint_id"),
                    col("agentIdentityBlueprintId"))
                .as("attributes"));
  }

  /**
   * Client secrets and certificates, of applications ({@code owner_app_id}) and of service
   * principals ({@code owner_sp_id}): {@code key_id, kind, owner_app_id, owner_sp_id, start, end,
   * hint}. Only their metadata is ever in the lake.
   */
  static Dataset<Row> entraCredentials(Inventory inv) {
    Dataset<Row> apps = inv.entraApplications();
    Dataset<Row> sps = inv.entraServicePrincipals();
    return credentialRows(apps, "passwordCredentials", "client_secret", col("appId"), lit(null))
        .unionByName(credentialRows(apps, "keyCredentials", "certificate", col("appId"), lit(null)))
        .unionByName(
            credentialRows(sps, "passwordCredentials", "client_secret", lit(null), col("id")))
        .unionByName(credentialRows(sps, "keyCredentials", "certificate", lit(null), col("id")))
        .filter(col("key_id").isNotNull())
        .dropDuplicates("key_id");
  }

  private static Dataset<Row> credentialRows(
      Dataset<Row> owners, String field, String kind, Column appId, Column spId) {
    return owners
        .select(
            appId.cast("string").as("owner_app_id"),
            spId.cast("string").as("owner_sp_id"),
            explode(col(field)).as("c"))
        .select(
            col("c.keyId").as("key_id"),
            lit(kind).as("kind"),
            col("owner_app_id"),
            col("owner_sp_id"),
            parseIso(col("c.startDateTime")).as("start"),
            parseIso(col("c.endDateTime")).as("end"),
            (field.equals("passwordCredentials") ? col("c.hint") : lit(null).cast("string"))
                .as("hint"));
  }

  /** Credentials as identities ({@code entra:credential:<keyId>}), their expiry an attribute. */
  private static Dataset<Row> entraCredentialIdentities(Inventory inv) {
    return entraCredentials(inv)
        .select(
            IdPrefix.ENTRA_CREDENTIAL.of(col("key_id")).as("identity_id"),
            col("kind"),
            lit("entra-id").as("source"),
            col("key_id").as("native_id"),
            coalesce(col("hint"), col("key_id")).as("display_name"),
            lit("ACTIVE").as("status"),
            lit(null).cast("string").as("account_id"),
            col("start").as("created_at"),
            lit(null).cast("timestamp").as("status_changed_at"),
            lit(null).cast("timestamp").as("last_seen_at"),
            map(
                    lit("expires_at"),
                    Evidence.utcText(col("end")),
                    lit("app_id"),
                    col("owner_app_id"),
                    lit("service_principal_id"),
                    col("owner_sp_id"))
                .as("attributes"));
  }

  /**
   * The people owners are matched against: humans of the identity providers, in order of
   * preference. When the same person is in both and both agree, the owner is the Okta user (the
   * workforce IdP that usually provisions Entra), so adding Entra changes no Okta owner.
   */
  static final java.util.List<String> IDENTITY_PROVIDERS =
      java.util.List.of("okta-users", "entra-id");

  /** Statuses that mean a person is gone from their identity provider. */
  public static final java.util.List<String> GONE_STATUSES =
      java.util.List.of("DEPROVISIONED", "SUSPENDED", "DISABLED", "DELETED");

  static Dataset<Row> projectStatus(Inventory inv) {
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
}
