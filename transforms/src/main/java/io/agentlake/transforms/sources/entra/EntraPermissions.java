package io.agentlake.transforms.sources.entra;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_contains;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.filter;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.nullif;
import static org.apache.spark.sql.functions.split;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.try_element_at;
import static org.apache.spark.sql.functions.when;

import io.agentlake.schemas.Tables;
import io.agentlake.schemas.vocabulary.IdPrefix;
import io.agentlake.schemas.vocabulary.Platform;
import io.agentlake.transforms.Contracts;
import io.agentlake.transforms.Times;
import io.agentlake.transforms.Utc;
import io.agentlake.transforms.sources.PlatformSilver;
import io.agentlake.transforms.sources.SilverInputs;
import io.agentlake.transforms.sources.UsageObservability;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Entra ID in the platform-neutral model: what each service principal is granted ({@code
 * silver.entitlements}), which resources its sign-ins show it calling ({@code
 * silver.activity_daily}) and on which days the export holds those sign-ins ({@code
 * silver.observation_coverage}), all with {@code platform = entra}.
 *
 * <p>A permission is {@code <resource app id>:<permission>} in lower case, the resource named by
 * its application id (Microsoft Graph is {@code 00000003-0000-0000-c000-000000000000} in every
 * tenant), because that is what a sign-in names; the permission is the app role's or scope's own
 * value ({@code user.read.all}). Three kinds of grant, each a {@code policy_type}:
 *
 * <ul>
 *   <li>{@code app_role}: an app-role assignment to the service principal (an application
 *       permission, used with the app's own token: service-principal sign-ins show its use). The
 *       role's value comes from the resource's {@code appRoles} in the export, else from the
 *       bundled Microsoft Graph list ({@link EntraRiskFacts}), else the role id stays;
 *   <li>{@code delegated}: one scope of an OAuth2 permission grant to the app (used on behalf of a
 *       signed-in user: user sign-ins through the app show its use), {@code grant_path} {@code
 *       consent:AllPrincipals} or {@code consent:entra:user:<id>};
 *   <li>{@code directory_role}: a directory role assignment ({@code directory:<role template id>},
 *       exercised through whichever resource the app calls, so judged on any sign-in).
 * </ul>
 *
 * <p>Dangerous: a grant's resource is named by its app id only when the resource's service
 * principal is in the export; otherwise it stays {@code unresolved-sp-<object id>}, which no
 * sign-in can match, so it is never judged UNUSED (see {@link #OBSERVABILITY}). Sign-ins say which
 * resource an app called, never which permission it used: a grant on a called resource is
 * NOT_OBSERVABLE, and only a grant on a resource never called in a fully observed window is UNUSED.
 */
public final class EntraPermissions implements PlatformSilver {

  /** The log whose records show the use of application permissions and directory roles. */
  public static final String SERVICE_PRINCIPAL_SIGN_INS = "entra-id:service-principal-sign-ins";

  /** The log whose records show the use of delegated permissions. */
  public static final String USER_SIGN_INS = "entra-id:user-sign-ins";

  /** The service of directory roles: they act through any resource. */
  public static final String DIRECTORY = "directory";

  /** A resource whose service principal is not in the export. */
  public static final String UNRESOLVED = "unresolved-sp-";

  /** What Entra sign-ins can and cannot show (read by {@code UnusedPrivileges}). */
  public static final UsageObservability OBSERVABILITY =
      new UsageObservability(
          Platform.ENTRA,
          "Entra ID sign-in logs",
          false,
          List.of(DIRECTORY),
          UNRESOLVED,
          "Entra ID sign-in logs name the resource an application called, not the permission it"
              + " used: it called this grant's resource in the window, so the grant may be in use",
          "the resource's service principal is not in the Entra export, so no sign-in can be"
              + " matched to it",
          List.of(),
          List.of());

  static final String APP_ROLE = "app_role";
  static final String DELEGATED = "delegated";
  static final String DIRECTORY_ROLE = "directory_role";

  /** The default app role ({@code 00000000-…}): access to the app with no specific role. */
  static final String DEFAULT_ROLE_ID = "00000000-0000-0000-0000-000000000000";

  /** Registered in {@code Sources}. */
  public EntraPermissions() {}

  @Override
  public Platform platform() {
    return Platform.ENTRA;
  }

  @Override
  public UsageObservability observability() {
    return OBSERVABILITY;
  }

  @Override
  public Dataset<Row> entitlements(SilverInputs in, LocalDate runDate) {
    return entitlements(
        in.latest(EntraId.SERVICE_PRINCIPAL.recordType(), "id"),
        in.latest(EntraId.APP_ROLE_ASSIGNMENT.recordType(), "id"),
        in.latest(EntraId.OAUTH2_PERMISSION_GRANT.recordType(), "id"),
        in.latest(EntraId.DIRECTORY_ROLE_ASSIGNMENT.recordType(), "id"),
        runDate);
  }

  @Override
  public Optional<Dataset<Row>> activity(SilverInputs in) {
    return Optional.of(
        activity(
            in.all(EntraId.SIGN_IN.recordType()),
            in.latest(EntraId.SERVICE_PRINCIPAL.recordType(), "id")));
  }

  @Override
  public Optional<Dataset<Row>> coverage(SilverInputs in) {
    return Optional.of(coverage(in.all(EntraId.SIGN_IN.recordType())));
  }

  /**
   * Current Entra grants as {@code silver.entitlements} rows (validity {@code runDate} on), from
   * the latest snapshots of service principals, app-role assignments, OAuth2 permission grants and
   * directory role assignments. Assignments to users and groups are not grants of a service
   * principal and are left out; deleted ones too.
   */
  public static Dataset<Row> entitlements(
      Dataset<Row> servicePrincipals,
      Dataset<Row> appRoleAssignments,
      Dataset<Row> grants,
      Dataset<Row> directoryRoles,
      LocalDate runDate) {
    Dataset<Row> resources =
        servicePrincipals.select(
            col("id").as("r_sp_id"),
            lower(col("appId")).as("r_app_id"),
            col("displayName").as("r_name"),
            col("appRoles").as("r_roles"));
    Dataset<Row> graphRoles = broadcast(EntraRiskFacts.graphAppRoles(servicePrincipals));

    Dataset<Row> assignments =
        appRoleAssignments
            .filter(lower(col("principalType")).equalTo("serviceprincipal"))
            .filter(col("deletedDateTime").isNull())
            .join(broadcast(resources), col("resourceId").equalTo(col("r_sp_id")), "left")
            .join(graphRoles, lower(col("appRoleId")).equalTo(col("g_role_id")), "left");
    Column roleValue =
        try_element_at(
                filter(
                    col("r_roles"), r -> lower(r.getField("id")).equalTo(lower(col("appRoleId")))),
                lit(1))
            .getField("value");
    Column permission =
        when(col("appRoleId").equalTo(DEFAULT_ROLE_ID), lit("default"))
            .otherwise(
                coalesce(
                    nullif(roleValue, lit("")),
                    when(col("r_app_id").equalTo(EntraRiskFacts.GRAPH_APP_ID), col("g_value")),
                    col("appRoleId")));
    Column known =
        col("appRoleId")
            .equalTo(DEFAULT_ROLE_ID)
            .or(roleValue.isNotNull())
            .or(
                col("r_app_id")
                    .equalTo(EntraRiskFacts.GRAPH_APP_ID)
                    .and(col("g_value").isNotNull()));
    Dataset<Row> appRoles =
        assignments.select(
            col("principalId").as("sp_id"),
            service().as("service"),
            lower(permission).as("permission"),
            known.as("in_catalog"),
            concat(
                    coalesce(col("resourceDisplayName"), col("r_name"), col("resourceId")),
                    lit(" app role "),
                    permission)
                .as("policy_name"),
            col("id").as("policy_arn"),
            lit(APP_ROLE).as("policy_type"),
            lit("direct").as("grant_path"),
            lit(SERVICE_PRINCIPAL_SIGN_INS).as("usage_log"),
            Times.parseIso(col("createdDateTime")).as("granted_since"));

    Dataset<Row> scopes =
        grants
            .join(broadcast(resources), col("resourceId").equalTo(col("r_sp_id")), "left")
            .withColumn("scope_value", explode(split(trim(coalesce(col("scope"), lit(""))), " +")))
            .filter(col("scope_value").notEqual(""))
            .select(
                col("clientId").as("sp_id"),
                service().as("service"),
                lower(col("scope_value")).as("permission"),
                lit(true).as("in_catalog"),
                concat(
                        coalesce(col("r_name"), col("resourceId")),
                        lit(" delegated "),
                        col("scope_value"))
                    .as("policy_name"),
                col("id").as("policy_arn"),
                lit(DELEGATED).as("policy_type"),
                when(
                        lower(col("consentType")).equalTo("principal"),
                        concat(lit("consent:"), IdPrefix.ENTRA_USER.of(col("principalId"))))
                    .otherwise(concat(lit("consent:"), col("consentType")))
                    .as("grant_path"),
                lit(USER_SIGN_INS).as("usage_log"),
                lit(null).cast("timestamp").as("granted_since"));

    Column template = lower(coalesce(col("roleDefinition.templateId"), col("roleDefinitionId")));
    Dataset<Row> roles =
        directoryRoles
            .filter(
                lower(coalesce(col("principal.odataType"), lit("servicePrincipal")))
                    .endsWith("serviceprincipal"))
            .select(
                col("principalId").as("sp_id"),
                lit(DIRECTORY).as("service"),
                template.as("permission"),
                lit(true).as("in_catalog"),
                concat(
                        lit("directory role "),
                        coalesce(col("roleDefinition.displayName"), col("roleDefinitionId")))
                    .as("policy_name"),
                col("id").as("policy_arn"),
                lit(DIRECTORY_ROLE).as("policy_type"),
                concat(lit("scope:"), coalesce(col("directoryScopeId"), lit("/"))).as("grant_path"),
                lit(SERVICE_PRINCIPAL_SIGN_INS).as("usage_log"),
                lit(null).cast("timestamp").as("granted_since"),
                coalesce(col("directoryScopeId"), lit("/")).as("scope"));

    Dataset<Row> all =
        appRoles
            .withColumn("scope", lit("/"))
            .unionByName(scopes.withColumn("scope", lit("/")))
            .unionByName(roles)
            .filter(col("sp_id").isNotNull());
    Column action = concat(col("service"), lit(":"), col("permission"));
    Dataset<Row> rows =
        all.select(
            IdPrefix.ENTRA_SERVICE_PRINCIPAL.of(col("sp_id")).as("principal_id"),
            lit(Platform.ENTRA.value()).as("platform"),
            lit(null).cast("string").as("principal_arn"),
            lit(null).cast("string").as("account_id"),
            lit("Allow").as("effect"),
            action.as("action"),
            action.as("action_pattern"),
            col("in_catalog"),
            col("service"),
            lit(null).cast("string").as("access_level"),
            when(col("scope").equalTo("/"), lit("*"))
                .otherwise(col("scope"))
                .as("resource_pattern"),
            col("scope").equalTo("/").as("unconstrained"),
            lit(false).as("conditional"),
            lit(null).cast("string").as("condition"),
            lit(false).as("partially_denied"),
            lit(null).cast("array<string>").as("denied_by"),
            lit(null).cast("string").as("boundary_policy"),
            lit(false).as("boundary_limited"),
            lit(true).as("definite"),
            col("policy_name"),
            col("policy_arn"),
            col("policy_type"),
            col("grant_path"),
            lit(0).as("statement_index"),
            col("usage_log"),
            col("granted_since"),
            lit(runDate).as("valid_from"),
            lit(null).cast("date").as("valid_to"));
    return Contracts.conform(rows, Tables.ENTITLEMENTS).distinct();
  }

  /** The resource app id when the resource is in the export, else its object id, marked. */
  private static Column service() {
    return coalesce(col("r_app_id"), concat(lit(UNRESOLVED), lower(col("resourceId"))));
  }

  /**
   * Which resource each service principal called, per UTC day: one row per (principal, resource
   * app, kind of sign-in, day), action {@code <resource app id>:signin}. A service principal's own
   * sign-ins (client credentials, managed identity, agent identity) are {@code ServicePrincipal}; a
   * user's sign-in through the app is {@code Delegated} and is the app's principal's activity
   * (found by app id). Failed sign-ins are counted as denied, never as use.
   */
  public static Dataset<Row> activity(Dataset<Row> signIns, Dataset<Row> servicePrincipals) {
    Dataset<Row> apps =
        servicePrincipals.select(col("id").as("app_sp_id"), lower(col("appId")).as("app_app_id"));
    Column spOwn = servicePrincipalSignIn();
    Dataset<Row> rows =
        signIns
            .join(broadcast(apps), lower(col("appId")).equalTo(col("app_app_id")), "left")
            .withColumn(
                "sp",
                when(spOwn, nullif(col("servicePrincipalId"), lit(""))).otherwise(col("app_sp_id")))
            .withColumn("t", Times.parseIso(col("createdDateTime")))
            .filter(col("sp").isNotNull().and(col("t").isNotNull()))
            .withColumn("ok", coalesce(col("status.errorCode"), lit(0L)).equalTo(0L))
            .withColumn(
                "resource_app",
                coalesce(nullif(lower(col("resourceId")), lit("")), lit("unknown-resource")));
    Dataset<Row> grouped =
        rows.groupBy(
                IdPrefix.ENTRA_SERVICE_PRINCIPAL.of(col("sp")).as("principal_id"),
                col("resource_app"),
                Utc.day(col("t")).as("day"),
                when(spOwn, lit("ServicePrincipal"))
                    .otherwise(lit("Delegated"))
                    .as("event_category"))
            .agg(
                sum(when(col("ok"), 1L).otherwise(0L)).as("success_count"),
                sum(when(col("ok"), 0L).otherwise(1L)).as("denied_count"),
                min("t").as("first_time"),
                max("t").as("last_time"),
                min("id").as("sample_event_id"));
    return Contracts.conform(
        grouped
            .withColumn("platform", lit(Platform.ENTRA.value()))
            .withColumn("account_id", lit(null).cast("string"))
            .withColumn("action", concat(col("resource_app"), lit(":signin")))
            .withColumn("resource", col("resource_app"))
            .withColumn("session_names", lit(null).cast("array<string>")),
        Tables.ACTIVITY_DAILY);
  }

  /**
   * The days the export holds sign-ins, per log: {@link #SERVICE_PRINCIPAL_SIGN_INS} and {@link
   * #USER_SIGN_INS}, each record counted (failures too: they show the log was collected).
   */
  public static Dataset<Row> coverage(Dataset<Row> signIns) {
    Dataset<Row> grouped =
        signIns
            .withColumn("day", Utc.day(Times.parseIso(col("createdDateTime"))))
            .filter(col("day").isNotNull())
            .groupBy(
                when(servicePrincipalSignIn(), lit(SERVICE_PRINCIPAL_SIGN_INS))
                    .otherwise(lit(USER_SIGN_INS))
                    .as("source"),
                col("day"))
            .agg(org.apache.spark.sql.functions.count(lit(1)).cast("long").as("management_events"));
    return Contracts.conform(
        grouped
            .withColumn("platform", lit(Platform.ENTRA.value()))
            .withColumn("account_id", lit(null).cast("string"))
            .withColumn("data_events", lit(0L)),
        Tables.OBSERVATION_COVERAGE);
  }

  /**
   * A service principal's own sign-in: its event type or diagnostic category says so, or it names a
   * service principal and no user.
   */
  static Column servicePrincipalSignIn() {
    Column types = coalesce(col("signInEventTypes"), array().cast("array<string>"));
    Column category = lower(coalesce(col("category"), lit("")));
    return array_contains(types, "servicePrincipal")
        .or(array_contains(types, "managedIdentity"))
        .or(category.isin("serviceprincipalsigninlogs", "managedidentitysigninlogs"))
        .or(
            coalesce(col("servicePrincipalId"), lit(""))
                .notEqual("")
                .and(coalesce(col("userId"), lit("")).equalTo("")));
  }
}
