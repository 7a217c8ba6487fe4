package io.agentlake.transforms.sources.entra;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentlake.schemas.Tables;
import io.agentlake.testing.Extracted;
import io.agentlake.testing.Frames;
import io.agentlake.testing.SharedSpark;
import io.agentlake.transforms.analyze.PrincipalRiskFacts;
import io.agentlake.transforms.analyze.RiskFactCatalog;
import io.agentlake.transforms.analyze.UnusedPrivileges;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Entra ID permissions, granted vs used, through the same {@code UnusedPrivileges} and {@code
 * PrincipalRiskFacts} as AWS: app-role assignments, delegated grants and directory roles are
 * entitlements; sign-ins say which resource each service principal called. A grant on a resource
 * never called in a fully observed window is UNUSED, one on a called resource NOT_OBSERVABLE (the
 * logs do not name the permission), and a missing log gives INSUFFICIENT_HISTORY, never UNUSED.
 */
@ExtendWith(SharedSpark.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EntraPermissionsTest {

  private static final LocalDate AS_OF = LocalDate.parse("2026-11-01");
  private static final int WINDOW = 5;
  private static final String GRAPH = EntraRiskFacts.GRAPH_APP_ID;
  private static final String GRAPH_SP = "a0000000-0000-4000-8000-0000000000a0";
  private static final String REPORTS_SP = "b0000000-0000-4000-8000-0000000000b0";
  private static final String REPORTS_APP = "b1000000-0000-4000-8000-0000000000b1";
  private static final String A = "0a000000-0000-4000-8000-00000000000a";
  private static final String B = "0b000000-0000-4000-8000-00000000000b";
  private static final String B_APP = "0b100000-0000-4000-8000-00000000000b";
  private static final String C = "0c000000-0000-4000-8000-00000000000c";
  private static final String D = "0d000000-0000-4000-8000-00000000000d";
  private static final String F = "0f000000-0000-4000-8000-00000000000f";
  private static final String ROLE_MANAGEMENT = "9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8";
  private static final String MAIL_READ_WRITE = "e2a3a72e-5f79-4c64-b1b1-878b674786c9";
  private static final String USER_READ_ALL = "df021288-bdef-4463-88db-98f22de89214";
  private static final String REPORTS_READ = "c0000000-0000-4000-8000-0000000000c0";
  private static final String GLOBAL_ADMIN = "62e90394-69f5-4237-9190-012177145e10";

  private Extracted tenant;
  private Dataset<Row> entitlements;

  @BeforeAll
  void tenant(SparkSession spark) {
    tenant =
        new Extracted(spark)
            .text(
                EntraId.NAME,
                "entra-id/servicePrincipals.json",
                page(
                    "servicePrincipals",
                    // Graph's export lists only User.Read.All: RoleManagement and Mail come from
                    // the bundled list.
                    sp(
                        GRAPH_SP,
                        GRAPH,
                        "Microsoft Graph",
                        "[{\"id\":\"" + USER_READ_ALL + "\",\"value\":\"User.Read.All\"}]"),
                    sp(
                        REPORTS_SP,
                        REPORTS_APP,
                        "Reports API",
                        "[{\"id\":\"" + REPORTS_READ + "\",\"value\":\"Reports.Read\"}]"),
                    sp(A, "0a100000-0000-4000-8000-00000000000a", "admin-agent", "[]"),
                    sp(B, B_APP, "helpdesk-app", "[]"),
                    sp(C, "0c100000-0000-4000-8000-00000000000c", "mail-agent", "[]"),
                    sp(D, "0d100000-0000-4000-8000-00000000000d", "orphan-api-client", "[]"),
                    sp(F, "0f100000-0000-4000-8000-00000000000f", "busy-service", "[]")))
            .text(
                EntraId.NAME,
                "entra-id/appRoleAssignments.json",
                page(
                    "appRoleAssignments",
                    assignment("as-1", A, GRAPH_SP, ROLE_MANAGEMENT, "2026-01-01T00:00:00Z"),
                    assignment("as-2", A, REPORTS_SP, REPORTS_READ, "2026-01-01T00:00:00Z"),
                    assignment("as-3", B, GRAPH_SP, USER_READ_ALL, "2026-01-01T00:00:00Z"),
                    assignment("as-4", C, GRAPH_SP, MAIL_READ_WRITE, "2026-01-01T00:00:00Z"),
                    assignment(
                        "as-5",
                        D,
                        "99999999-0000-4000-8000-000000000099",
                        REPORTS_READ,
                        "2026-01-01T00:00:00Z"),
                    // a fresh grant: within the grace days, not judged
                    assignment("as-6", C, REPORTS_SP, REPORTS_READ, "2026-10-30T00:00:00Z")))
            .text(
                EntraId.NAME,
                "entra-id/oauth2PermissionGrants.json",
                page(
                    "oauth2PermissionGrants",
                    "{\"id\":\"g-1\",\"clientId\":\""
                        + B
                        + "\",\"consentType\":\"AllPrincipals\",\"principalId\":null,"
                        + "\"resourceId\":\""
                        + REPORTS_SP
                        + "\",\"scope\":\" Reports.Read  Reports.Write \"}"))
            .text(
                EntraId.NAME,
                "entra-id/roleAssignments.json",
                page(
                    "roleManagement/directory/roleAssignments",
                    "{\"id\":\"ra-1\",\"principalId\":\""
                        + A
                        + "\",\"roleDefinitionId\":\""
                        + GLOBAL_ADMIN
                        + "\",\"directoryScopeId\":\"/\",\"roleDefinition\":{\"displayName\":"
                        + "\"Global Administrator\",\"templateId\":\""
                        + GLOBAL_ADMIN
                        + "\"}}"))
            .text(EntraId.NAME, "entra-id/signIns.json", signIns(true, true));
    entitlements =
        Frames.materialized(
            EntraPermissions.entitlements(
                tenant.bronze("entra_service_principal"),
                tenant.bronze("entra_app_role_assignment"),
                tenant.bronze("entra_oauth2_permission_grant"),
                tenant.bronze("entra_directory_role_assignment"),
                AS_OF));
  }

  @Test
  void grants_are_entitlements_in_entra_words() {
    Map<String, Row> byAction =
        entitlements.collectAsList().stream()
            .collect(
                Collectors.toMap(
                    r -> r.<String>getAs("principal_id") + " " + r.getAs("action"), r -> r));
    assertThat(byAction.keySet())
        .containsExactlyInAnyOrder(
            "entra:service_principal:" + A + " " + GRAPH + ":rolemanagement.readwrite.directory",
            "entra:service_principal:" + A + " " + REPORTS_APP + ":reports.read",
            "entra:service_principal:" + A + " directory:" + GLOBAL_ADMIN,
            "entra:service_principal:" + B + " " + GRAPH + ":user.read.all",
            "entra:service_principal:" + B + " " + REPORTS_APP + ":reports.read",
            "entra:service_principal:" + B + " " + REPORTS_APP + ":reports.write",
            "entra:service_principal:" + C + " " + GRAPH + ":mail.readwrite",
            "entra:service_principal:" + C + " " + REPORTS_APP + ":reports.read",
            "entra:service_principal:"
                + D
                + " unresolved-sp-99999999-0000-4000-8000-000000000099:"
                + REPORTS_READ);
    Row delegated =
        byAction.get("entra:service_principal:" + B + " " + REPORTS_APP + ":reports.write");
    assertThat(delegated.<String>getAs("platform")).isEqualTo("entra");
    assertThat(delegated.<String>getAs("policy_type")).isEqualTo("delegated");
    assertThat(delegated.<String>getAs("grant_path")).isEqualTo("consent:AllPrincipals");
    assertThat(delegated.<String>getAs("usage_log")).isEqualTo(EntraPermissions.USER_SIGN_INS);
    Row appRole =
        byAction.get(
            "entra:service_principal:" + A + " " + GRAPH + ":rolemanagement.readwrite.directory");
    assertThat(appRole.<String>getAs("policy_name"))
        .isEqualTo("Microsoft Graph app role RoleManagement.ReadWrite.Directory");
    assertThat(appRole.<String>getAs("usage_log"))
        .isEqualTo(EntraPermissions.SERVICE_PRINCIPAL_SIGN_INS);
    assertThat(appRole.<Boolean>getAs("in_catalog")).isTrue();
    assertThat(appRole.<String>getAs("resource_pattern")).isEqualTo("*");
    assertThat(appRole.<String>getAs("principal_arn")).isNull();
  }

  @Test
  void a_grant_on_a_resource_never_called_is_unused_and_one_on_a_called_resource_is_not_observable(
      SparkSession spark) {
    Map<String, String> v = verdicts(judge(spark, signIns(true, true)));
    // A calls Graph every day, never the Reports API.
    assertThat(v.get(A + " IDENTITY *")).isEqualTo("USED");
    assertThat(v.get(A + " SERVICE " + GRAPH + ":*")).isEqualTo("USED");
    assertThat(v.get(A + " SERVICE " + REPORTS_APP + ":*")).isEqualTo("UNUSED");
    assertThat(v.get(A + " GRANT " + GRAPH + ":rolemanagement.readwrite.directory"))
        .isEqualTo("NOT_OBSERVABLE");
    assertThat(v.get(A + " GRANT " + REPORTS_APP + ":reports.read")).isEqualTo("UNUSED");
    assertThat(v.get(A + " ACTION " + REPORTS_APP + ":reports.read")).isEqualTo("UNUSED");
    // a directory role acts through any resource: A signs in, so it may be in use
    assertThat(v.get(A + " GRANT directory:" + GLOBAL_ADMIN)).isEqualTo("NOT_OBSERVABLE");
    assertThat(v.get(A + " SERVICE directory:*")).isEqualTo("NOT_OBSERVABLE");
    // B's users reach the Reports API through it (delegated); it never calls Graph as itself.
    assertThat(v.get(B + " SERVICE " + REPORTS_APP + ":*")).isEqualTo("USED");
    assertThat(v.get(B + " GRANT " + REPORTS_APP + ":reports.write")).isEqualTo("NOT_OBSERVABLE");
    assertThat(v.get(B + " SERVICE " + GRAPH + ":*")).isEqualTo("UNUSED");
    assertThat(v.get(B + " GRANT " + GRAPH + ":user.read.all")).isEqualTo("UNUSED");
    // C never signs in; its fresh grant is not judged yet.
    assertThat(v.get(C + " IDENTITY *")).isEqualTo("UNUSED");
    assertThat(v.get(C + " GRANT " + GRAPH + ":mail.readwrite")).isEqualTo("UNUSED");
    assertThat(v.get(C + " GRANT " + REPORTS_APP + ":reports.read")).isEqualTo("TOO_NEW");
    // D's resource is not in the export: never UNUSED on it.
    assertThat(
            v.get(D + " GRANT unresolved-sp-99999999-0000-4000-8000-000000000099:" + REPORTS_READ))
        .isEqualTo("NOT_OBSERVABLE");
    assertThat(v.get(D + " IDENTITY *")).isEqualTo("UNUSED");
  }

  @Test
  void a_missing_log_gives_insufficient_history_never_unused(SparkSession spark) {
    // Service-principal sign-ins only: delegated grants cannot be judged, app roles can.
    Map<String, String> spOnly = verdicts(judge(spark, signIns(true, false)));
    assertThat(spOnly.get(B + " GRANT " + REPORTS_APP + ":reports.write"))
        .isEqualTo("INSUFFICIENT_HISTORY");
    assertThat(spOnly.get(B + " IDENTITY *")).isEqualTo("INSUFFICIENT_HISTORY");
    assertThat(spOnly.get(C + " GRANT " + GRAPH + ":mail.readwrite")).isEqualTo("UNUSED");

    // No sign-in log at all: nothing Entra is UNUSED.
    Dataset<Row> none = judge(spark, signIns(false, false));
    assertThat(none.filter("verdict = 'UNUSED'").count()).isZero();
    Row row =
        none.filter("principal_id = 'entra:service_principal:" + C + "' and level = 'IDENTITY'")
            .first();
    assertThat(row.<String>getAs("verdict")).isEqualTo("INSUFFICIENT_HISTORY");
    assertThat(row.<String>getAs("evidence"))
        .contains("entra-id:service-principal-sign-ins")
        .contains("were seen on 0 of 5 days");
  }

  @Test
  void high_privilege_graph_permissions_and_directory_roles_are_risk_facts(SparkSession spark) {
    Dataset<Row> facts =
        PrincipalRiskFacts.compute(
            entitlements,
            spark.createDataFrame(List.of(), Tables.IDENTITY_EDGES.schema()),
            RiskFactCatalog.defaults(),
            AS_OF,
            3);
    Map<String, List<String>> byPrincipal =
        facts.collectAsList().stream()
            .collect(
                Collectors.groupingBy(
                    r -> r.<String>getAs("principal_id"),
                    Collectors.mapping(
                        r -> r.<String>getAs("category") + " " + r.getAs("fact"),
                        Collectors.toList())));
    assertThat(byPrincipal.get("entra:service_principal:" + A))
        .containsExactlyInAnyOrder(
            "FULL_ADMIN entra directory role Global Administrator",
            "PRIVILEGE_ESCALATION microsoft graph RoleManagement.ReadWrite.Directory");
    assertThat(byPrincipal.get("entra:service_principal:" + C))
        .containsExactly("DATA_EXFILTRATION microsoft graph Mail.ReadWrite");
    assertThat(byPrincipal).doesNotContainKey("entra:service_principal:" + B);
  }

  @Test
  void sign_ins_become_activity_and_coverage_per_log() {
    Dataset<Row> signIns = tenant.bronze("entra_sign_in");
    Dataset<Row> activity =
        EntraPermissions.activity(signIns, tenant.bronze("entra_service_principal"));
    Row delegated =
        activity
            .filter("principal_id = 'entra:service_principal:" + B + "'")
            .filter("event_category = 'Delegated'")
            .first();
    assertThat(delegated.<String>getAs("action")).isEqualTo(REPORTS_APP + ":signin");
    assertThat(delegated.<String>getAs("platform")).isEqualTo("entra");
    // the failed sign-in of F on the last day is counted as denied, not as use
    Row failed =
        activity
            .filter("principal_id = 'entra:service_principal:" + F + "' and day = '2026-11-01'")
            .first();
    assertThat(failed.<Long>getAs("denied_count")).isEqualTo(1L);
    List<Row> coverage =
        EntraPermissions.coverage(signIns).orderBy("source", "day").collectAsList();
    assertThat(coverage).hasSize(2 * WINDOW);
    assertThat(coverage.get(0).<String>getAs("source"))
        .isEqualTo(EntraPermissions.SERVICE_PRINCIPAL_SIGN_INS);
  }

  private Dataset<Row> judge(SparkSession spark, String signInPage) {
    Extracted logs = new Extracted(spark);
    if (signInPage != null) {
      logs.text(EntraId.NAME, "entra-id/signIns.json", signInPage);
    }
    Dataset<Row> signIns = logs.bronze("entra_sign_in");
    Dataset<Row> sps = tenant.bronze("entra_service_principal");
    return Frames.materialized(
        UnusedPrivileges.compute(
            entitlements,
            EntraPermissions.activity(signIns, sps),
            EntraPermissions.coverage(signIns),
            spark.createDataFrame(List.of(), Tables.IDENTITIES.schema()),
            spark.createDataFrame(List.of(), Tables.AGENT_REACH.schema()),
            AS_OF,
            WINDOW,
            7));
  }

  private static Map<String, String> verdicts(Dataset<Row> out) {
    return out.collectAsList().stream()
        .collect(
            Collectors.toMap(
                r ->
                    r.<String>getAs("principal_id").replace("entra:service_principal:", "")
                        + " "
                        + r.getAs("level")
                        + " "
                        + r.getAs("action_pattern"),
                r -> r.<String>getAs("verdict"),
                (x, y) -> x + "|" + y));
  }

  /**
   * Every day of the window: F signs in to Graph (a service-principal sign-in, so the log is
   * collected), A to Graph, and a user signs in to the portal; on the second day a user reaches the
   * Reports API through B (delegated). On the last day one of F's sign-ins fails.
   */
  private static String signIns(boolean servicePrincipals, boolean users) {
    List<String> records = new ArrayList<>();
    for (int i = 0; i < WINDOW; i++) {
      String day = AS_OF.minusDays(i) + "T10:00:00Z";
      if (servicePrincipals) {
        records.add(spSignIn("f" + i, F, GRAPH, day, 0));
        records.add(spSignIn("a" + i, A, GRAPH, day, 0));
        if (i == 0) {
          records.add(spSignIn("f-fail", F, GRAPH, AS_OF + "T11:00:00Z", 7000215));
        }
      }
      if (users) {
        records.add(
            userSignIn(
                "u" + i,
                "c44b4083-3bb0-49c1-b47d-974e53cbdf3c",
                "797f4846-ba00-4fd7-ba43-dac1f8f63013",
                day));
        if (i == 1) {
          records.add(userSignIn("ub", B_APP, REPORTS_APP, day));
        }
      }
    }
    if (records.isEmpty()) {
      return null;
    }
    return page("auditLogs/signIns", records.toArray(new String[0]));
  }

  private static String spSignIn(
      String id, String sp, String resourceAppId, String time, int error) {
    return "{\"id\":\""
        + id
        + "\",\"createdDateTime\":\""
        + time
        + "\",\"signInEventTypes\":[\"servicePrincipal\"],\"servicePrincipalId\":\""
        + sp
        + "\",\"resourceId\":\""
        + resourceAppId
        + "\",\"status\":{\"errorCode\":"
        + error
        + "}}";
  }

  private static String userSignIn(String id, String appId, String resourceAppId, String time) {
    return "{\"id\":\""
        + id
        + "\",\"createdDateTime\":\""
        + time
        + "\",\"signInEventTypes\":[\"interactiveUser\"],\"userId\":\"u-1\","
        + "\"userPrincipalName\":\"pat@corp.com\",\"servicePrincipalId\":\"\",\"appId\":\""
        + appId
        + "\",\"resourceId\":\""
        + resourceAppId
        + "\",\"status\":{\"errorCode\":0}}";
  }

  private static String sp(String id, String appId, String name, String appRoles) {
    return "{\"id\":\""
        + id
        + "\",\"appId\":\""
        + appId
        + "\",\"displayName\":\""
        + name
        + "\",\"servicePrincipalType\":\"Application\",\"accountEnabled\":true,\"appRoles\":"
        + appRoles
        + "}";
  }

  private static String assignment(
      String id, String principal, String resource, String role, String created) {
    return "{\"id\":\""
        + id
        + "\",\"appRoleId\":\""
        + role
        + "\",\"principalId\":\""
        + principal
        + "\",\"principalType\":\"ServicePrincipal\",\"resourceId\":\""
        + resource
        + "\",\"createdDateTime\":\""
        + created
        + "\"}";
  }

  private static String page(String entitySet, String... records) {
    return "{\"@odata.context\":\"https://graph.microsoft.com/v1.0/$metadata#"
        + entitySet
        + "\",\"value\":["
        + String.join(",", records)
        + "]}";
  }
}
