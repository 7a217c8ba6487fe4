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
    g.writeStartObject();
    g.writeStringField("time", time);
    g.writeStringField("resourceId", "/tenants/" + tenant + "/providers/Microsoft.aadiam");
    g.writeStringField("operationName", "Disable account");
    g.writeStringField("operationVersion", "1.0");
    g.writeStringField("category", "AuditLogs");
    g.writeStringField("tenantId", tenant);
    g.writeStringField("resultSignature", "None");
    g.writeObjectFieldStart("properties");
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
