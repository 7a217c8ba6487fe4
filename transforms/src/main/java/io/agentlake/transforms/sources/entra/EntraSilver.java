package io.agentlake.transforms.sources.entra;

import static io.agentlake.transforms.Times.parseIso;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_distinct;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.map;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.regexp_extract;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.sort_array;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import io.agentlake.schemas.vocabulary.EdgeType;
import io.agentlake.schemas.vocabulary.IdPrefix;
import io.agentlake.transforms.Evidence;
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
 * Entra ID's share of silver: its users are people of an identity provider, its service principals
 * and their credentials are identities, its agent identities (and the service principals a manifest
 * names) are agents whose sponsors and owners are their owners, and its grants are checked against
 * its sign-in logs ({@link EntraPermissions}).
 */
public final class EntraSilver implements SourceSilver {

  private static final PlatformSilver PERMISSIONS = new EntraPermissions();

  @Override
  public Optional<Dataset<Row>> identities(SilverInputs in) {
    return Optional.of(
        users(in).unionByName(servicePrincipals(in)).unionByName(credentialIdentities(in)));
  }

  @Override
  public boolean identityProvider() {
    return true;
  }

  @Override
  public Optional<AgentRecords> agents(SilverInputs in, Dataset<Row> namedInManifest) {
    Dataset<Row> sps = servicePrincipalsOf(in);
    return Optional.of(new AgentRecords("entra", agents(in, sps, namedInManifest), sps));
  }

  @Override
  public Optional<Dataset<Row>> edges(SilverInputs in) {
    Dataset<Row> managers =
        usersOf(in)
            .filter(col("manager.id").isNotNull())
            .select(col("id").as("user_id"), col("manager.id").as("manager_id"))
            .unionByName(
                relationshipsOf(in)
                    .filter(
                        col("relation")
                            .equalTo("manager")
                            .and(lower(col("parentCollection")).equalTo("users")))
                    .select(col("parentId").as("user_id"), col("id").as("manager_id")));
    return Optional.of(
        IdentityEdges.edge(
            managers,
            IdPrefix.ENTRA_USER.of(col("user_id")),
            EdgeType.MANAGED_BY,
            IdPrefix.ENTRA_USER.of(col("manager_id")),
            EntraId.NAME,
            lit("manager"),
            false));
  }

  @Override
  public Optional<PlatformSilver> permissions() {
    return Optional.of(PERMISSIONS);
  }

  private static Dataset<Row> usersOf(SilverInputs in) {
    return in.latest(EntraId.USER.recordType(), "id");
  }

  private static Dataset<Row> servicePrincipalsOf(SilverInputs in) {
    return in.latest(EntraId.SERVICE_PRINCIPAL.recordType(), "id");
  }

  private static Dataset<Row> relationshipsOf(SilverInputs in) {
    return in.latest(EntraId.RELATED_OBJECT.recordType(), "parentId", "relation", "id");
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
  private static Dataset<Row> users(SilverInputs in) {
    Dataset<Row> disabledAt =
        in.all(EntraId.DIRECTORY_AUDIT.recordType())
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
    Column status = status();
    return usersOf(in)
        .join(disabledAt, col("id").equalTo(col("user_id")), "left")
        .select(
            IdentityRow.of(IdPrefix.ENTRA_USER.of(col("id")), "human", EntraId.NAME)
                .nativeId(col("id"))
                .displayName(lower(trim(coalesce(col("mail"), col("userPrincipalName")))))
                .status(status)
                .createdAt(parseIso(col("createdDateTime")))
                .statusChangedAt(
                    when(status.equalTo("DELETED"), parseIso(col("deletedDateTime")))
                        .when(status.equalTo("DISABLED"), col("disabled_at")))
                .lastSeenAt(
                    greatest(
                        parseIso(col("signInActivity.lastSignInDateTime")),
                        parseIso(col("signInActivity.lastNonInteractiveSignInDateTime")),
                        parseIso(col("signInActivity.lastSuccessfulSignInDateTime"))))
                .attributes(
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
                        col("manager.id")))
                .columns());
  }

  /** Whether a service principal is an Entra agent identity. */
  public static Column isAgentIdentity() {
    return col("servicePrincipalType")
        .equalTo("ServiceIdentity")
        .or(col("agentIdentityBlueprintId").isNotNull())
        .or(lower(col("odataType")).endsWith(".agentidentity"));
  }

  /** DELETED when deleted, DISABLED when the account is disabled, ACTIVE when enabled. */
  static Column status() {
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
  private static Dataset<Row> servicePrincipals(SilverInputs in) {
    Column kind =
        when(isAgentIdentity(), lit("agent_identity"))
            .when(col("servicePrincipalType").equalTo("ManagedIdentity"), lit("managed_identity"))
            .otherwise(lit("service_principal"));
    return servicePrincipalsOf(in)
        .join(
            lastSignIns(in.all(EntraId.SIGN_IN.recordType())),
            col("id").equalTo(col("sp_id")),
            "left")
        .select(
            IdentityRow.of(IdPrefix.ENTRA_SERVICE_PRINCIPAL.of(col("id")), kind, EntraId.NAME)
                .nativeId(col("id"))
                .displayName(col("displayName"))
                .status(status())
                .createdAt(parseIso(col("createdDateTime")))
                .statusChangedAt(parseIso(col("deletedDateTime")))
                .lastSeenAt(col("last_sign_in"))
                .attributes(
                    map(
                        lit("app_id"),
                        col("appId"),
                        lit("service_principal_type"),
                        col("servicePrincipalType"),
                        lit("blueprint_id"),
                        col("agentIdentityBlueprintId")))
                .columns());
  }

  /**
   * Client secrets and certificates, of applications ({@code owner_app_id}) and of service
   * principals ({@code owner_sp_id}): {@code key_id, kind, owner_app_id, owner_sp_id, start, end,
   * hint}. Only their metadata is ever in the lake.
   */
  static Dataset<Row> credentials(SilverInputs in) {
    Dataset<Row> apps = in.latest(EntraId.APPLICATION.recordType(), "appId");
    Dataset<Row> sps = servicePrincipalsOf(in);
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
  private static Dataset<Row> credentialIdentities(SilverInputs in) {
    return credentials(in)
        .select(
            IdentityRow.of(IdPrefix.ENTRA_CREDENTIAL.of(col("key_id")), col("kind"), EntraId.NAME)
                .nativeId(col("key_id"))
                .displayName(coalesce(col("hint"), col("key_id")))
                .createdAt(col("start"))
                .attributes(
                    map(
                        lit("expires_at"),
                        Evidence.utcText(col("end")),
                        lit("app_id"),
                        col("owner_app_id"),
                        lit("service_principal_id"),
                        col("owner_sp_id")))
                .columns());
  }

  /**
   * Entra agents: every agent identity, and any other service principal (a Copilot Studio or
   * Foundry agent's, a managed identity an agent runs as) a manifest row names with platform {@code
   * entra} and the service principal's object id. Their credentials are the service principal
   * itself, its own secrets and certificates, and those of its application (an agent identity's
   * blueprint); their owners are its sponsors, then its owners, expanded in the export ({@code
   * $expand=sponsors}) or listed under {@code servicePrincipals/<id>/sponsors}.
   */
  private static Dataset<Row> agents(
      SilverInputs in, Dataset<Row> sps, Dataset<Row> namedInManifest) {
    Dataset<Row> named =
        namedInManifest
            .filter(col("platform").equalTo("entra"))
            .select(col("native_id").as("named_id"))
            .distinct();
    Dataset<Row> credentials = credentials(in);
    Dataset<Row> byApp =
        credentials
            .filter(col("owner_app_id").isNotNull())
            .groupBy(col("owner_app_id").as("cred_app"))
            .agg(collect_set(IdPrefix.ENTRA_CREDENTIAL.of(col("key_id"))).as("app_credentials"));
    Dataset<Row> bySp =
        credentials
            .filter(col("owner_sp_id").isNotNull())
            .groupBy(col("owner_sp_id").as("cred_sp"))
            .agg(collect_set(IdPrefix.ENTRA_CREDENTIAL.of(col("key_id"))).as("sp_credentials"));
    Dataset<Row> refs =
        sps.select(col("id").as("parent"), lit(0).as("rank"), explode(col("sponsors.id")).as("ref"))
            .unionByName(
                sps.select(
                    col("id").as("parent"), lit(1).as("rank"), explode(col("owners.id")).as("ref")))
            .unionByName(
                relationshipsOf(in)
                    .filter(col("relation").isin("sponsors", "owners"))
                    .select(
                        col("parentId").as("parent"),
                        when(col("relation").equalTo("sponsors"), lit(0))
                            .otherwise(lit(1))
                            .as("rank"),
                        col("id").as("ref")))
            .filter(col("ref").isNotNull())
            .groupBy(lower(col("parent")).as("ref_parent"))
            .agg(
                expr("array_distinct(transform(sort_array(collect_set(struct(rank, ref))), x -> x.ref))")
                    .as("p_owner_refs"));
    Column none = expr("cast(array() as array<string>)");
    return sps.join(named, col("id").equalTo(col("named_id")), "left")
        .filter(isAgentIdentity().or(col("named_id").isNotNull()))
        .join(bySp, col("id").equalTo(col("cred_sp")), "left")
        .join(
            byApp,
            coalesce(col("agentIdentityBlueprintId"), col("appId")).equalTo(col("cred_app")),
            "left")
        .join(refs, lower(col("id")).equalTo(col("ref_parent")), "left")
        .select(
            col("id").as("native_id"),
            col("displayName").as("p_name"),
            lit(null).cast("string").as("p_purpose"),
            status().as("p_status"),
            parseIso(col("deletedDateTime")).as("p_deleted_at"),
            parseIso(col("createdDateTime")).as("p_created_at"),
            sort_array(
                    array_distinct(
                        concat(
                            array(IdPrefix.ENTRA_SERVICE_PRINCIPAL.of(col("id"))),
                            coalesce(col("sp_credentials"), none),
                            coalesce(col("app_credentials"), none))))
                .as("p_credentials"),
            col("p_owner_refs"));
  }
}
