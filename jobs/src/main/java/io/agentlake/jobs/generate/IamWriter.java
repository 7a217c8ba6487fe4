package io.agentlake.jobs.generate;

import com.fasterxml.jackson.core.JsonGenerator;
import io.agentlake.jobs.generate.Org.AccessKey;
import io.agentlake.jobs.generate.Org.Account;
import io.agentlake.jobs.generate.Org.Group;
import io.agentlake.jobs.generate.Org.Kind;
import io.agentlake.jobs.generate.Org.Policy;
import io.agentlake.jobs.generate.Org.Principal;
import io.agentlake.jobs.generate.Org.Stmt;
import io.agentlake.jobs.generate.Org.Trust;
import java.io.IOException;
import java.io.StringWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Writes {@code aws iam get-account-authorization-details} per account (the first account split
 * into two pages, with one policy document URL-encoded as older CLIs return it) and the credential
 * report as {@code get-credential-report} JSON with base64 CSV content.
 */
final class IamWriter {
  private static final DateTimeFormatter ISO =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'+00:00'").withZone(ZoneOffset.UTC);

  private final Org org;
  private final ExportSink sink;

  IamWriter(Org org, ExportSink sink) {
    this.org = org;
    this.sink = sink;
  }

  void write() throws IOException {
    for (Account a : org.accounts) {
      List<Principal> users = principals(a, Kind.USER);
      List<Principal> roles = principals(a, Kind.ROLE);
      List<Group> groups = org.groups.stream().filter(g -> g.account() == a).toList();
      List<Policy> policies = policies(a);
      String dir = "aws-iam/" + a.id() + "/";
      if (a.index() == 0) {
        int half = roles.size() / 2;
        page(
            dir + "authorization-details-1.json",
            users,
            groups,
            roles.subList(0, half),
            List.of(),
            "page-2");
        page(
            dir + "authorization-details-2.json",
            List.of(),
            List.of(),
            roles.subList(half, roles.size()),
            policies,
            null);
      } else {
        page(dir + "authorization-details.json", users, groups, roles, policies, null);
      }
      credentialReport(dir + "credential-report.json", a, users);
    }
  }

  private List<Principal> principals(Account a, Kind kind) {
    return org.principals.stream().filter(p -> p.account == a && p.kind == kind).toList();
  }

  /** Managed policies attached anywhere in the account (and boundaries), in first-use order. */
  private List<Policy> policies(Account a) {
    Set<Policy> out = new LinkedHashSet<>();
    for (Group g : org.groups) {
      if (g.account() == a) {
        out.addAll(g.attached());
      }
    }
    for (Principal p : org.principals) {
      if (p.account == a) {
        out.addAll(p.attached);
        if (p.boundary != null) {
          out.add(p.boundary);
        }
      }
    }
    return new ArrayList<>(out);
  }

  private void page(
      String path,
      List<Principal> users,
      List<Group> groups,
      List<Principal> roles,
      List<Policy> policies,
      String marker)
      throws IOException {
    try (JsonGenerator g = sink.json(path, false, true)) {
      g.writeStartObject();
      g.writeArrayFieldStart("UserDetailList");
      for (Principal u : users) {
        user(g, u);
      }
      g.writeEndArray();
      g.writeArrayFieldStart("GroupDetailList");
      for (Group gr : groups) {
        group(g, gr);
      }
      g.writeEndArray();
      g.writeArrayFieldStart("RoleDetailList");
      for (Principal r : roles) {
        role(g, r);
      }
      g.writeEndArray();
      g.writeArrayFieldStart("Policies");
      boolean encodeOne = path.endsWith("-2.json");
      for (Policy p : policies) {
        managedPolicy(g, p, encodeOne && p == firstCustomer(policies));
      }
      g.writeEndArray();
      g.writeBooleanField("IsTruncated", marker != null);
      if (marker != null) {
        g.writeStringField("Marker", marker);
      }
      g.writeEndObject();
    }
  }

  private static Policy firstCustomer(List<Policy> policies) {
    return policies.stream()
        .filter(p -> !p.arn().contains(":aws:policy/"))
        .findFirst()
        .orElse(null);
  }

  private void user(JsonGenerator g, Principal u) throws IOException {
    g.writeStartObject();
    g.writeStringField("Path", u.path);
    g.writeStringField("UserName", u.name);
    g.writeStringField("UserId", u.id);
    g.writeStringField("Arn", u.arn());
    g.writeStringField("CreateDate", ISO.format(u.created));
    inlineList(g, "UserPolicyList", u.inline);
    g.writeArrayFieldStart("GroupList");
    for (Group gr : u.groups) {
      g.writeString(gr.name());
    }
    g.writeEndArray();
    attachedList(g, u.attached);
    boundary(g, u);
    tags(g, u);
    g.writeEndObject();
  }

  private void group(JsonGenerator g, Group gr) throws IOException {
    g.writeStartObject();
    g.writeStringField("Path", "/");
    g.writeStringField("GroupName", gr.name());
    g.writeStringField("GroupId", gr.id());
    g.writeStringField("Arn", gr.arn());
    g.writeStringField("CreateDate", ISO.format(gr.created()));
    inlineList(g, "GroupPolicyList", List.of());
    attachedList(g, gr.attached());
    g.writeEndObject();
  }

  private void role(JsonGenerator g, Principal r) throws IOException {
    g.writeStartObject();
    g.writeStringField("Path", r.path);
    g.writeStringField("RoleName", r.name);
    g.writeStringField("RoleId", r.id);
    g.writeStringField("Arn", r.arn());
    g.writeStringField("CreateDate", ISO.format(r.created));
    g.writeObjectFieldStart("AssumeRolePolicyDocument");
    g.writeStringField("Version", "2012-10-17");
    g.writeArrayFieldStart("Statement");
    for (Trust t : r.trust) {
      g.writeStartObject();
      g.writeStringField("Effect", "Allow");
      g.writeObjectFieldStart("Principal");
      g.writeStringField(t.type(), t.value());
      g.writeEndObject();
      g.writeStringField("Action", "sts:AssumeRole");
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeEndObject();
    g.writeArrayFieldStart("InstanceProfileList");
    g.writeEndArray();
    inlineList(g, "RolePolicyList", r.inline);
    attachedList(g, r.attached);
    boundary(g, r);
    tags(g, r);
    g.writeObjectFieldStart("RoleLastUsed");
    Instant lastUsed = lastUsed(r);
    if (lastUsed != null) {
      g.writeStringField("LastUsedDate", ISO.format(lastUsed));
      g.writeStringField("Region", r.region);
    }
    g.writeEndObject();
    g.writeEndObject();
  }

  /** Active principals were last used on D; idle ones before the period. */
  private Instant lastUsed(Principal p) {
    if (p.active || (p.admin && p.lastUsedBefore == null)) {
      return org.asOf().minusSeconds(3_540);
    }
    return p.lastUsedBefore;
  }

  private void inlineList(JsonGenerator g, String field, List<Policy> inline) throws IOException {
    g.writeArrayFieldStart(field);
    for (Policy p : inline) {
      g.writeStartObject();
      g.writeStringField("PolicyName", p.name());
      g.writeFieldName("PolicyDocument");
      document(g, p.document());
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  private void attachedList(JsonGenerator g, List<Policy> attached) throws IOException {
    g.writeArrayFieldStart("AttachedManagedPolicies");
    for (Policy p : attached) {
      g.writeStartObject();
      g.writeStringField("PolicyName", p.name());
      g.writeStringField("PolicyArn", p.arn());
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  private void boundary(JsonGenerator g, Principal p) throws IOException {
    if (p.boundary != null) {
      g.writeObjectFieldStart("PermissionsBoundary");
      g.writeStringField("PermissionsBoundaryType", "Policy");
      g.writeStringField("PermissionsBoundaryArn", p.boundary.arn());
      g.writeEndObject();
    }
  }

  private void tags(JsonGenerator g, Principal p) throws IOException {
    g.writeArrayFieldStart("Tags");
    for (String[] t : p.tags) {
      g.writeStartObject();
      g.writeStringField("Key", t[0]);
      g.writeStringField("Value", t[1]);
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  private void managedPolicy(JsonGenerator g, Policy p, boolean urlEncode) throws IOException {
    int attachments = 0;
    for (Principal x : org.principals) {
      attachments += x.attached.contains(p) ? 1 : 0;
    }
    for (Group gr : org.groups) {
      attachments += gr.attached().contains(p) ? 1 : 0;
    }
    long boundaryUses = org.principals.stream().filter(x -> x.boundary == p).count();
    g.writeStartObject();
    g.writeStringField("PolicyName", p.name());
    g.writeStringField("PolicyId", p.id());
    g.writeStringField("Arn", p.arn());
    g.writeStringField("Path", p.path());
    g.writeStringField("DefaultVersionId", "v" + (p.defaultVersion() + 1));
    g.writeNumberField("AttachmentCount", attachments);
    g.writeNumberField("PermissionsBoundaryUsageCount", boundaryUses);
    g.writeBooleanField("IsAttachable", true);
    g.writeStringField("CreateDate", ISO.format(p.created()));
    g.writeStringField(
        "UpdateDate", ISO.format(p.created().plusSeconds(86_400L * 7 * (p.versions().size() - 1))));
    g.writeArrayFieldStart("PolicyVersionList");
    for (int v = p.versions().size() - 1; v >= 0; v--) {
      g.writeStartObject();
      g.writeFieldName("Document");
      if (urlEncode && v == p.defaultVersion()) {
        StringWriter json = new StringWriter();
        try (JsonGenerator inner =
            new com.fasterxml.jackson.core.JsonFactory().createGenerator(json)) {
          document(inner, p.versions().get(v));
        }
        g.writeString(
            URLEncoder.encode(json.toString(), StandardCharsets.UTF_8).replace("+", "%20"));
      } else {
        document(g, p.versions().get(v));
      }
      g.writeStringField("VersionId", "v" + (v + 1));
      g.writeBooleanField("IsDefaultVersion", v == p.defaultVersion());
      g.writeStringField("CreateDate", ISO.format(p.created().plusSeconds(86_400L * 7 * v)));
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeEndObject();
  }

  static void document(JsonGenerator g, List<Stmt> statements) throws IOException {
    g.writeStartObject();
    g.writeStringField("Version", "2012-10-17");
    g.writeArrayFieldStart("Statement");
    for (Stmt s : statements) {
      g.writeStartObject();
      if (s.sid() != null) {
        g.writeStringField("Sid", s.sid());
      }
      g.writeStringField("Effect", s.effect());
      if (s.actions().size() == 1) {
        g.writeStringField("Action", s.actions().get(0));
      } else {
        g.writeArrayFieldStart("Action");
        for (String a : s.actions()) {
          g.writeString(a);
        }
        g.writeEndArray();
      }
      g.writeStringField("Resource", s.resource());
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeEndObject();
  }

  private void credentialReport(String path, Account a, List<Principal> users) throws IOException {
    String na = "N/A";
    StringBuilder csv =
        new StringBuilder(
            "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
                + "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
                + "access_key_1_last_used_date,access_key_1_last_used_region,"
                + "access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,"
                + "access_key_2_last_used_date,access_key_2_last_used_region,"
                + "access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,"
                + "cert_2_last_rotated\n");
    Instant rootCreated =
        org.principals.stream()
            .filter(p -> p.account == a)
            .map(p -> p.created)
            .min(Instant::compareTo)
            .orElseThrow()
            .minusSeconds(86_400L * 30);
    csv.append(
            String.join(
                ",",
                "<root_account>",
                a.root(),
                ISO.format(rootCreated),
                "not_supported",
                ISO.format(org.asOf().minusSeconds(86_400L * 41)),
                "not_supported",
                "not_supported",
                "true",
                "false",
                na,
                na,
                na,
                na,
                "false",
                na,
                na,
                na,
                na,
                "false",
                na,
                "false",
                na))
        .append('\n');
    for (Principal u : users) {
      boolean human = u.human != null;
      AccessKey key = u.keys.isEmpty() ? null : u.keys.get(0);
      Instant keyUsed =
          key == null ? null : u.active ? org.asOf().minusSeconds(3_540) : u.lastUsedBefore;
      String service = u.dailyCalls().isEmpty() ? na : OrgBuilder.service(u.dailyCalls().get(0));
      csv.append(
              String.join(
                  ",",
                  u.name,
                  u.arn(),
                  ISO.format(u.created),
                  String.valueOf(human),
                  human ? ISO.format(org.asOf().minusSeconds(86_400L + 3_600)) : na,
                  human ? ISO.format(u.created.plusSeconds(3_600)) : na,
                  na,
                  String.valueOf(human),
                  key == null ? "false" : String.valueOf(key.active()),
                  key == null ? na : ISO.format(key.created()),
                  keyUsed == null ? na : ISO.format(keyUsed),
                  keyUsed == null ? na : u.region,
                  keyUsed == null ? na : service,
                  "false",
                  na,
                  na,
                  na,
                  na,
                  "false",
                  na,
                  "false",
                  na))
          .append('\n');
    }
    try (JsonGenerator g = sink.json(path, false, true)) {
      g.writeStartObject();
      g.writeStringField(
          "Content",
          Base64.getEncoder().encodeToString(csv.toString().getBytes(StandardCharsets.UTF_8)));
      g.writeStringField("ReportFormat", "text/csv");
      g.writeStringField("GeneratedTime", ISO.format(org.asOf().plusSeconds(3_601)));
      g.writeEndObject();
    }
  }
}
