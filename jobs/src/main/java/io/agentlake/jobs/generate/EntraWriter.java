package io.agentlake.jobs.generate;

import com.fasterxml.jackson.core.JsonGenerator;
import io.agentlake.jobs.generate.Org.Person;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes the Entra ID tenant as Microsoft Graph writes it: the users as {@code GET /users} list
 * pages ({@code entra-id/users/page-NNN.json}, {@code @odata.nextLink} on all but the last, the
 * manager expanded, {@code signInActivity} with the {@code 0001-01-01T00:00:00Z} "never" sentinel),
 * and the "Disable account" audit events of accounts disabled during the period in the
 * diagnostic-settings form ({@code entra-id/diagnostics/<day>/PT1H.json}, {@code {"records":
 * [...]}}).
 */
final class EntraWriter {
  private static final DateTimeFormatter GRAPH =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);
  private static final String NEVER = "0001-01-01T00:00:00Z";
  private static final int PAGE = 50;

  private final Org org;
  private final ExportSink sink;
  private final String tenant;

  EntraWriter(Org org, ExportSink sink) {
    this.org = org;
    this.sink = sink;
    this.tenant = Rng.of(org.options.seed(), "entra-tenant").uuid();
  }

  void write() throws IOException {
    users();
    audits();
    servicePrincipals();
    appRoleAssignments();
    directoryRoleAssignments();
    oauth2PermissionGrants();
    servicePrincipalSignIns();
    userSignIns();
  }

  /**
   * The tenant's service principals as a beta {@code GET /servicePrincipals} page: the resource
   * applications (Microsoft Graph with only some of its appRoles, as a {@code $select}ed export may
   * hold) and the agent identities, their sponsors expanded.
   */
  private void servicePrincipals() throws IOException {
    if (org.entraResources.isEmpty()) {
      return;
    }
    try (JsonGenerator g = sink.json("entra-id/servicePrincipals/page-001.json", false, true)) {
      g.writeStartObject();
      g.writeStringField(
          "@odata.context", "https://graph.microsoft.com/beta/$metadata#servicePrincipals");
      g.writeArrayFieldStart("value");
      for (Org.EntraResource resource : org.entraResources) {
        g.writeStartObject();
        g.writeStringField("id", resource.spId());
        g.writeStringField("appId", resource.appId());
        g.writeStringField("displayName", resource.name());
        g.writeStringField("servicePrincipalType", "Application");
        g.writeBooleanField("accountEnabled", true);
        g.writeArrayFieldStart("appRoles");
        for (Map.Entry<String, String> role : new TreeMap<>(resource.appRoles()).entrySet()) {
          g.writeStartObject();
          g.writeStringField("id", role.getKey());
          g.writeStringField("value", role.getValue());
          g.writeArrayFieldStart("allowedMemberTypes");
          g.writeString("Application");
          g.writeEndArray();
          g.writeBooleanField("isEnabled", true);
          g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
      }
      for (Org.Agent a : entraAgents()) {
        g.writeStartObject();
        g.writeStringField("@odata.type", "#microsoft.graph.agentIdentity");
        g.writeStringField("id", a.localId);
        g.writeStringField("appId", a.entraAppId);
        g.writeStringField("displayName", a.name);
        g.writeStringField("servicePrincipalType", "ServiceIdentity");
        g.writeBooleanField("accountEnabled", !a.entraDisabled);
        g.writeStringField("createdDateTime", GRAPH.format(a.created));
        g.writeArrayFieldStart("passwordCredentials");
        for (Org.EntraSecret secret : a.entraSecrets) {
          g.writeStartObject();
          g.writeStringField("keyId", secret.keyId());
          g.writeStringField("displayName", "agent secret");
          g.writeStringField("hint", secret.hint());
          g.writeStringField("startDateTime", GRAPH.format(secret.start()));
          g.writeStringField("endDateTime", GRAPH.format(secret.end()));
          g.writeNullField("secretText");
          g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("sponsors");
        if (a.sponsor != null) {
          g.writeStartObject();
          g.writeStringField("@odata.type", "#microsoft.graph.user");
          g.writeStringField("id", a.sponsor.entraId);
          g.writeStringField("userPrincipalName", a.sponsor.email);
          g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    }
  }

  /** {@code GET /servicePrincipals/{id}/appRoleAssignments}, one page per agent. */
  private void appRoleAssignments() throws IOException {
    for (Org.Agent a : entraAgents()) {
      try (JsonGenerator g =
          sink.json("entra-id/appRoleAssignments/" + a.localId + ".json", false, true)) {
        g.writeStartObject();
        g.writeStringField(
            "@odata.context",
            "https://graph.microsoft.com/v1.0/$metadata#servicePrincipals('"
                + a.localId
                + "')/appRoleAssignments");
        g.writeArrayFieldStart("value");
        for (Org.EntraGrant grant : a.entraGrants) {
          g.writeStartObject();
          g.writeStringField("id", grant.assignmentId());
          g.writeStringField("createdDateTime", GRAPH.format(a.created));
          g.writeStringField("appRoleId", grant.roleId());
          g.writeStringField("principalDisplayName", a.name);
          g.writeStringField("principalId", a.localId);
          g.writeStringField("principalType", "ServicePrincipal");
          g.writeStringField("resourceDisplayName", grant.resource().name());
          g.writeStringField("resourceId", grant.resource().spId());
          g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
      }
    }
  }

  /**
   * {@code GET /roleManagement/directory/roleAssignments?$expand=principal,roleDefinition}: the
   * tenant's directory role assignments to agents, one page.
   */
  private void directoryRoleAssignments() throws IOException {
    try (JsonGenerator g =
        sink.json("entra-id/roleManagement/directory/roleAssignments/page-001.json", false, true)) {
      g.writeStartObject();
      g.writeStringField(
          "@odata.context",
          "https://graph.microsoft.com/v1.0/$metadata#roleManagement/directory/roleAssignments"
              + "(principal(),roleDefinition())");
      g.writeArrayFieldStart("value");
      for (Org.Agent a : entraAgents()) {
        for (Org.EntraDirectoryRole role : a.entraDirectoryRoles) {
          g.writeStartObject();
          g.writeStringField("id", role.assignmentId());
          g.writeStringField("principalId", a.localId);
          g.writeStringField("roleDefinitionId", role.templateId());
          g.writeStringField("directoryScopeId", "/");
          g.writeObjectFieldStart("principal");
          g.writeStringField("@odata.type", "#microsoft.graph.servicePrincipal");
          g.writeStringField("id", a.localId);
          g.writeStringField("displayName", a.name);
          g.writeEndObject();
          g.writeObjectFieldStart("roleDefinition");
          g.writeStringField("id", role.templateId());
          g.writeStringField("displayName", role.displayName());
          g.writeStringField("templateId", role.templateId());
          g.writeBooleanField("isBuiltIn", true);
          g.writeEndObject();
          g.writeEndObject();
        }
      }
      g.writeEndArray();
      g.writeEndObject();
    }
  }

  /** {@code GET /oauth2PermissionGrants}: the delegated scopes consented to agents' apps. */
  private void oauth2PermissionGrants() throws IOException {
    try (JsonGenerator g =
        sink.json("entra-id/oauth2PermissionGrants/page-001.json", false, true)) {
      g.writeStartObject();
      g.writeStringField(
          "@odata.context", "https://graph.microsoft.com/v1.0/$metadata#oauth2PermissionGrants");
      g.writeArrayFieldStart("value");
      for (Org.Agent a : entraAgents()) {
        for (Org.EntraDelegatedGrant grant : a.entraDelegatedGrants) {
          g.writeStartObject();
          g.writeStringField("clientId", a.localId);
          g.writeStringField("consentType", "AllPrincipals");
          g.writeStringField("id", grant.grantId());
          g.writeNullField("principalId");
          g.writeStringField("resourceId", grant.resource().spId());
          g.writeStringField("scope", grant.scope());
          g.writeEndObject();
        }
      }
      g.writeEndArray();
      g.writeEndObject();
    }
  }

  /**
   * The non-interactive user sign-in log in the diagnostic-settings form, one file per day: each
   * agent app's signed-in user reaches every resource the app calls on delegated permissions once a
   * day. Written every day, with no record when no agent has such a user, so the log's coverage is
   * whole.
   */
  private void userSignIns() throws IOException {
    List<Org.Agent> agents =
        entraAgents().stream().filter(a -> a.entraSignedInUser != null).toList();
    if (agents.isEmpty()) {
      return;
    }
    Rng r = Rng.of(org.options.seed(), "entra-user-sign-ins");
    for (LocalDate day = org.start(); !day.isAfter(org.end()); day = day.plusDays(1)) {
      String path =
          "entra-id/insights-logs-noninteractiveusersigninlogs/y=%d/m=%02d/d=%02d/h=00/m=00/PT1H.json"
              .formatted(day.getYear(), day.getMonthValue(), day.getDayOfMonth());
      try (JsonGenerator g = sink.json(path, false, false)) {
        g.writeStartObject();
        g.writeArrayFieldStart("records");
        for (Org.Agent a : agents) {
          Person user = a.entraSignedInUser;
          for (Org.EntraResource resource : a.entraUserCalls) {
            String time =
                GRAPH.format(
                    day.atStartOfDay(ZoneOffset.UTC)
                        .toInstant()
                        .plusSeconds(r.between(3_600, 82_800)));
            diagnosticRecord(g, time, "Sign-in activity", "NonInteractiveUserSignInLogs");
            g.writeStringField("id", r.uuid());
            g.writeStringField("createdDateTime", time);
            g.writeStringField("userId", user.entraId);
            g.writeStringField("userPrincipalName", user.email);
            g.writeStringField("userDisplayName", user.firstName + " " + user.lastName);
            g.writeStringField("appId", a.entraAppId);
            g.writeStringField("appDisplayName", a.name);
            g.writeStringField("resourceId", resource.appId());
            g.writeStringField("resourceDisplayName", resource.name());
            g.writeArrayFieldStart("signInEventTypes");
            g.writeString("nonInteractiveUser");
            g.writeEndArray();
            g.writeBooleanField("isInteractive", false);
            g.writeObjectFieldStart("status");
            g.writeNumberField("errorCode", 0);
            g.writeEndObject();
            g.writeEndObject();
            g.writeEndObject();
          }
        }
        g.writeEndArray();
        g.writeEndObject();
      }
    }
  }

  /**
   * The service-principal sign-in log in the diagnostic-settings form, one file per day as a
   * storage account holds it: every agent signs in once a day to each resource it calls.
   */
  private void servicePrincipalSignIns() throws IOException {
    List<Org.Agent> agents = entraAgents();
    if (agents.isEmpty()) {
      return;
    }
    Rng r = Rng.of(org.options.seed(), "entra-sign-ins");
    for (LocalDate day = org.start(); !day.isAfter(org.end()); day = day.plusDays(1)) {
      String path =
          "entra-id/insights-logs-serviceprincipalsigninlogs/y=%d/m=%02d/d=%02d/h=00/m=00/PT1H.json"
              .formatted(day.getYear(), day.getMonthValue(), day.getDayOfMonth());
      try (JsonGenerator g = sink.json(path, false, false)) {
        g.writeStartObject();
        g.writeArrayFieldStart("records");
        for (Org.Agent a : agents) {
          for (Org.EntraResource resource : a.entraCalls) {
            Instant at =
                day.atStartOfDay(ZoneOffset.UTC).toInstant().plusSeconds(r.between(3_600, 82_800));
            signIn(g, r, a, resource, at);
          }
        }
        g.writeEndArray();
        g.writeEndObject();
      }
    }
  }

  private void signIn(JsonGenerator g, Rng r, Org.Agent a, Org.EntraResource resource, Instant at)
      throws IOException {
    String time = GRAPH.format(at);
    diagnosticRecord(g, time, "Sign-in activity", "ServicePrincipalSignInLogs");
    g.writeStringField("id", r.uuid());
    g.writeStringField("createdDateTime", time);
    g.writeStringField("servicePrincipalId", a.localId);
    g.writeStringField("servicePrincipalName", a.name);
    g.writeStringField("appId", a.entraAppId);
    g.writeStringField("appDisplayName", a.name);
    g.writeStringField("resourceId", resource.appId());
    g.writeStringField("resourceDisplayName", resource.name());
    g.writeStringField("resourceTenantId", tenant);
    g.writeStringField("ipAddress", r.ip());
    g.writeObjectFieldStart("status");
    g.writeNumberField("errorCode", 0);
    g.writeEndObject();
    g.writeEndObject();
    g.writeEndObject();
  }

  /**
   * Opens one diagnostic-settings record ({@code time}, {@code category}, … as Azure Monitor writes
   * it) and its {@code properties} object; the caller writes the properties and closes both.
   */
  private void diagnosticRecord(JsonGenerator g, String time, String operation, String category)
      throws IOException {
    g.writeStartObject();
    g.writeStringField("time", time);
    g.writeStringField("resourceId", "/tenants/" + tenant + "/providers/Microsoft.aadiam");
    g.writeStringField("operationName", operation);
    g.writeStringField("operationVersion", "1.0");
    g.writeStringField("category", category);
    g.writeStringField("tenantId", tenant);
    g.writeStringField("resultSignature", "None");
    g.writeObjectFieldStart("properties");
  }

  private List<Org.Agent> entraAgents() {
    return org.agents.stream().filter(a -> a.platform == Org.Platform.ENTRA).toList();
  }

  private void users() throws IOException {
    List<Person> people = org.people;
    int pages = (people.size() + PAGE - 1) / PAGE;
    for (int page = 0; page < pages; page++) {
      try (JsonGenerator g =
          sink.json(String.format("entra-id/users/page-%03d.json", page + 1), false, true)) {
        g.writeStartObject();
        g.writeStringField(
            "@odata.context",
            "https://graph.microsoft.com/v1.0/$metadata#users(id,displayName,givenName,surname,"
                + "mail,userPrincipalName,accountEnabled,userType,createdDateTime,"
                + "signInActivity,manager)");
        g.writeArrayFieldStart("value");
        for (Person p : people.subList(page * PAGE, Math.min(people.size(), (page + 1) * PAGE))) {
          user(g, p);
        }
        g.writeEndArray();
        if (page + 1 < pages) {
          g.writeStringField(
              "@odata.nextLink",
              "https://graph.microsoft.com/v1.0/users?$skiptoken=page" + (page + 2));
        }
        g.writeEndObject();
      }
    }
  }

  private void user(JsonGenerator g, Person p) throws IOException {
    g.writeStartObject();
    g.writeStringField("id", p.entraId);
    g.writeStringField("displayName", p.displayName());
    g.writeStringField("givenName", p.firstName);
    g.writeStringField("surname", p.lastName);
    g.writeStringField("mail", p.email);
    g.writeStringField("userPrincipalName", p.email);
    g.writeBooleanField("accountEnabled", p.entraEnabled());
    g.writeStringField("userType", "Member");
    g.writeStringField("createdDateTime", GRAPH.format(p.created));
    g.writeObjectFieldStart("signInActivity");
    g.writeStringField(
        "lastSignInDateTime", p.lastLogin == null ? NEVER : GRAPH.format(p.lastLogin));
    g.writeStringField("lastSignInRequestId", p.lastLogin == null ? "" : p.entraId);
    g.writeStringField("lastNonInteractiveSignInDateTime", NEVER);
    g.writeStringField("lastNonInteractiveSignInRequestId", "");
    g.writeEndObject();
    if (p.manager != null) {
      g.writeObjectFieldStart("manager");
      g.writeStringField("@odata.type", "#microsoft.graph.user");
      g.writeStringField("id", p.manager.entraId);
      g.writeStringField("userPrincipalName", p.manager.email);
      g.writeEndObject();
    }
    g.writeEndObject();
  }

  private void audits() throws IOException {
    Map<LocalDate, List<Person>> byDay = new TreeMap<>();
    for (Person p : org.people) {
      if (p.entraDisabledAt != null && !p.entraEnabled()) {
        byDay.computeIfAbsent(OrgBuilder.day(p.entraDisabledAt), d -> new ArrayList<>()).add(p);
      }
    }
    Person admin = org.people.get(0);
    Rng r = Rng.of(org.options.seed(), "entra-audit");
    for (Map.Entry<LocalDate, List<Person>> day : byDay.entrySet()) {
      String path =
          "entra-id/diagnostics/y=%d/m=%02d/d=%02d/PT1H.json"
              .formatted(
                  day.getKey().getYear(),
                  day.getKey().getMonthValue(),
                  day.getKey().getDayOfMonth());
      try (JsonGenerator g = sink.json(path, false, false)) {
        g.writeStartObject();
        g.writeArrayFieldStart("records");
        for (Person p : day.getValue()) {
          disable(g, r, admin, p, p.entraDisabledAt);
        }
        g.writeEndArray();
        g.writeEndObject();
      }
    }
  }

  private void disable(JsonGenerator g, Rng r, Person admin, Person p, Instant at)
      throws IOException {
    String time = GRAPH.format(at);
    diagnosticRecord(g, time, "Disable account", "AuditLogs");
    g.writeStringField("id", "Directory_" + r.uuid());
    g.writeStringField("category", "UserManagement");
    g.writeStringField("correlationId", r.uuid());
    g.writeStringField("result", "success");
    g.writeStringField("activityDisplayName", "Disable account");
    g.writeStringField("activityDateTime", time);
    g.writeStringField("loggedByService", "Core Directory");
    g.writeStringField("operationType", "Update");
    g.writeObjectFieldStart("initiatedBy");
    g.writeObjectFieldStart("user");
    g.writeStringField("id", admin.entraId);
    g.writeStringField("userPrincipalName", admin.email);
    g.writeEndObject();
    g.writeEndObject();
    g.writeArrayFieldStart("targetResources");
    g.writeStartObject();
    g.writeStringField("id", p.entraId);
    g.writeStringField("type", "User");
    g.writeStringField("userPrincipalName", p.email);
    g.writeArrayFieldStart("modifiedProperties");
    g.writeStartObject();
    g.writeStringField("displayName", "AccountEnabled");
    g.writeStringField("oldValue", "[true]");
    g.writeStringField("newValue", "[false]");
    g.writeEndObject();
    g.writeEndArray();
    g.writeEndObject();
    g.writeEndArray();
    g.writeEndObject();
    g.writeEndObject();
  }
}
