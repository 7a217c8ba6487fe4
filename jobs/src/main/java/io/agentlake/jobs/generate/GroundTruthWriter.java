package io.agentlake.jobs.generate;

import com.fasterxml.jackson.core.JsonGenerator;
import io.agentlake.jobs.generate.GroundTruth.GrantRow;
import io.agentlake.jobs.generate.GroundTruth.Orphan;
import io.agentlake.jobs.generate.GroundTruth.Verdict;
import io.agentlake.jobs.generate.Org.Agent;
import io.agentlake.jobs.generate.Org.Principal;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Writes {@code ground_truth.json}: pretty-printed, fixed key order, every array sorted. */
final class GroundTruthWriter {
  private final Org org;
  private final ExportSink sink;

  GroundTruthWriter(Org org, ExportSink sink) {
    this.org = org;
    this.sink = sink;
  }

  void write() throws IOException {
    GroundTruth truth = new GroundTruth(org);
    List<GrantRow> grants = truth.grants();
    try (JsonGenerator g = sink.json("ground_truth.json", false, true)) {
      g.writeStartObject();
      g.writeObjectFieldStart("generator");
      g.writeNumberField("seed", org.options.seed());
      g.writeNumberField("agents", org.options.agents());
      g.writeNumberField("days", org.options.days());
      g.writeNumberField("events_per_day", org.options.eventsPerDay());
      g.writeStringField("start_date", org.start().toString());
      g.writeStringField("end_date", org.end().toString());
      g.writeEndObject();

      g.writeArrayFieldStart("accounts");
      for (Org.Account a : org.accounts) {
        g.writeStartObject();
        g.writeStringField("account_id", a.id());
        g.writeStringField("name", a.name());
        g.writeBooleanField("data_events", a.dataEvents());
        g.writeEndObject();
      }
      g.writeEndArray();

      g.writeArrayFieldStart("agents");
      for (Agent a : truth.sortedAgents()) {
        g.writeStartObject();
        g.writeStringField("agent_id", a.id());
        g.writeStringField("platform", a.platform.code);
        g.writeStringField("name", a.name);
        g.writeStringField(
            "owner",
            (a.inManifest || a.platform == Org.Platform.ENTRA) && !a.ownerCell.isEmpty()
                ? a.ownerCell
                : null);
        strings(g, "identities", a.credentialCells().stream().sorted().toList());
        g.writeEndObject();
      }
      g.writeEndArray();

      g.writeArrayFieldStart("orphans");
      for (Orphan o : truth.orphans()) {
        g.writeStartObject();
        g.writeStringField("agent_id", o.agent().id());
        strings(g, "reasons", o.reasons());
        g.writeStringField("suggested_successor", o.successor());
        g.writeEndObject();
      }
      g.writeEndArray();

      grantArray(g, "unused_grants", grants, Verdict.UNUSED);
      g.writeArrayFieldStart("partially_used_grants");
      for (GrantRow r : grants) {
        if (r.verdict() == Verdict.PARTIAL) {
          g.writeStartObject();
          g.writeStringField("principal_arn", r.principal().arn());
          g.writeStringField("action_pattern", r.pattern());
          g.writeStringField("policy_name", r.policyName());
          strings(g, "used_actions", r.usedActions());
          g.writeEndObject();
        }
      }
      g.writeEndArray();
      grantArray(g, "used_grants", grants, Verdict.USED);
      entraGrantArray(g, "entra_unused_grants", truth, true);
      entraGrantArray(g, "entra_not_observable_grants", truth, false);

      g.writeArrayFieldStart("escalation_paths");
      for (Org.EscalationPath e : org.escalationPaths) {
        g.writeStartObject();
        g.writeStringField("principal_arn", e.principal().arn());
        g.writeStringField("method", e.method());
        strings(g, "actions", e.actions().stream().sorted().toList());
        strings(g, "policies", e.policies().stream().sorted().toList());
        g.writeEndObject();
      }
      g.writeEndArray();

      g.writeArrayFieldStart("admin_reach");
      for (Org.AdminReach r : org.adminReach) {
        g.writeStartObject();
        g.writeStringField("agent_id", r.agent().id());
        g.writeStringField("via_principal_arn", r.via().arn());
        g.writeStringField("admin_role_arn", r.adminRole().arn());
        g.writeEndObject();
      }
      g.writeEndArray();

      // Every principal with unconditional "*" on "*" (by ARN), and every Entra agent holding
      // Global Administrator tenant-wide (by principal_id): the only full admins a correct
      // analysis may report directly.
      List<String> admins = new ArrayList<>();
      org.principals.stream().filter(p -> p.admin).map(Principal::arn).forEach(admins::add);
      for (Org.Agent a : org.agents) {
        if (a.entraDirectoryRoles.stream()
            .anyMatch(r -> r.templateId().equals(EntraAgents.GLOBAL_ADMINISTRATOR))) {
          admins.add("entra:service_principal:" + a.localId);
        }
      }
      strings(g, "admin_principals", admins.stream().sorted().toList());

      g.writeArrayFieldStart("shared_credentials");
      for (Org.SharedCredential s :
          org.sharedCredentials.stream()
              .sorted(Comparator.comparing(Org.SharedCredential::credential))
              .toList()) {
        g.writeStartObject();
        g.writeStringField("credential", s.credential());
        strings(g, "agent_ids", s.agents().stream().map(Agent::id).sorted().toList());
        strings(g, "human_users", s.humans().stream().map(p -> p.email).sorted().toList());
        g.writeEndObject();
      }
      g.writeEndArray();

      g.writeArrayFieldStart("permission_boundaries");
      for (Principal p : org.principals) {
        if (p.boundary != null) {
          g.writeStartObject();
          g.writeStringField("principal_arn", p.arn());
          g.writeStringField("boundary_arn", p.boundary.arn());
          strings(g, "denied_actions", p.boundaryDenied.stream().sorted().toList());
          g.writeEndObject();
        }
      }
      g.writeEndArray();
      g.writeEndObject();
    }
  }

  private static void grantArray(JsonGenerator g, String field, List<GrantRow> rows, Verdict v)
      throws IOException {
    g.writeArrayFieldStart(field);
    for (GrantRow r : rows) {
      if (r.verdict() == v) {
        g.writeStartObject();
        g.writeStringField("principal_arn", r.principal().arn());
        g.writeStringField("action_pattern", r.pattern());
        g.writeStringField("policy_name", r.policyName());
        g.writeStringField("policy_type", r.managed() ? "managed" : "inline");
        g.writeEndObject();
      }
    }
    g.writeEndArray();
  }

  private static void strings(JsonGenerator g, String field, List<String> values)
      throws IOException {
    g.writeArrayFieldStart(field);
    for (String v : values) {
      g.writeString(v);
    }
    g.writeEndArray();
  }

  /** Entra agents' app roles: unused (resource never called) or not observable (called). */
  private static void entraGrantArray(
      JsonGenerator g, String name, GroundTruth truth, boolean unused) throws IOException {
    g.writeArrayFieldStart(name);
    for (GroundTruth.EntraGrantRow r : truth.entraGrants()) {
      if (r.unused() == unused) {
        g.writeStartObject();
        g.writeStringField("principal_id", r.principalId());
        g.writeStringField("action_pattern", r.action());
        g.writeStringField("policy_name", r.policyName());
        g.writeEndObject();
      }
    }
    g.writeEndArray();
  }
}
