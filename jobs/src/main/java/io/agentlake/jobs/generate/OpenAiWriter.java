package io.agentlake.jobs.generate;

import com.fasterxml.jackson.core.JsonGenerator;
import io.agentlake.jobs.generate.Org.Agent;
import io.agentlake.jobs.generate.Org.OpenAiKey;
import io.agentlake.jobs.generate.Org.OpenAiProject;
import io.agentlake.jobs.generate.Org.Person;
import io.agentlake.jobs.generate.Org.Platform;
import java.io.IOException;
import java.time.Instant;
import java.util.List;

/**
 * Writes OpenAI admin API list responses: projects, service accounts, API keys, users, admin keys.
 */
final class OpenAiWriter {
  /** Writes one list item. */
  private interface Item<T> {
    void write(JsonGenerator g, T item) throws IOException;
  }

  private final Org org;
  private final ExportSink sink;

  OpenAiWriter(Org org, ExportSink sink) {
    this.org = org;
    this.sink = sink;
  }

  void write() throws IOException {
    list("openai-admin/projects.json", org.projects, OpenAiProject::id, this::project);
    for (OpenAiProject p : org.projects) {
      String dir = "openai-admin/projects/" + p.id() + "/";
      List<Agent> accounts =
          org.agents.stream()
              .filter(a -> a.platform == Platform.OPENAI && a.openAiProject == p)
              .toList();
      list(dir + "service_accounts.json", accounts, a -> a.localId, this::serviceAccount);
      List<OpenAiKey> keys = org.openAiKeys.stream().filter(k -> k.project() == p).toList();
      list(dir + "api_keys.json", keys, OpenAiKey::id, this::apiKey);
    }
    List<Person> users = org.people.stream().filter(p -> p.openAiUserId != null).toList();
    list("openai-admin/users.json", users, p -> p.openAiUserId, this::user);
    Person admin = org.people.get(0);
    list(
        "openai-admin/admin_api_keys.json",
        List.of(admin),
        p -> "key_" + Rng.of(org.options.seed(), "admin-key").alnum(16),
        this::adminKey);
  }

  private <T> void list(
      String path, List<T> items, java.util.function.Function<T, String> id, Item<T> item)
      throws IOException {
    try (JsonGenerator g = sink.json(path, false, true)) {
      g.writeStartObject();
      g.writeStringField("object", "list");
      g.writeArrayFieldStart("data");
      for (T t : items) {
        item.write(g, t);
      }
      g.writeEndArray();
      if (items.isEmpty()) {
        g.writeNullField("first_id");
        g.writeNullField("last_id");
      } else {
        g.writeStringField("first_id", id.apply(items.get(0)));
        g.writeStringField("last_id", id.apply(items.get(items.size() - 1)));
      }
      g.writeBooleanField("has_more", false);
      g.writeEndObject();
    }
  }

  private static void epoch(JsonGenerator g, String field, Instant t) throws IOException {
    if (t == null) {
      g.writeNullField(field);
    } else {
      g.writeNumberField(field, t.getEpochSecond());
    }
  }

  private void project(JsonGenerator g, OpenAiProject p) throws IOException {
    g.writeStartObject();
    g.writeStringField("id", p.id());
    g.writeStringField("object", "organization.project");
    g.writeStringField("name", p.name());
    epoch(g, "created_at", p.created());
    epoch(g, "archived_at", p.archived());
    g.writeStringField("status", p.archived() == null ? "active" : "archived");
    g.writeEndObject();
  }

  private void serviceAccount(JsonGenerator g, Agent a) throws IOException {
    g.writeStartObject();
    g.writeStringField("object", "organization.project.service_account");
    g.writeStringField("id", a.localId);
    g.writeStringField("name", a.name);
    g.writeStringField("role", a.openAiRole);
    epoch(g, "created_at", a.created);
    g.writeEndObject();
  }

  private void apiKey(JsonGenerator g, OpenAiKey k) throws IOException {
    g.writeStartObject();
    g.writeStringField("object", "organization.project.api_key");
    g.writeStringField("redacted_value", k.redactedValue());
    g.writeStringField("name", k.name());
    epoch(g, "created_at", k.created());
    epoch(g, "last_used_at", k.lastUsed());
    g.writeStringField("id", k.id());
    g.writeStringField(
        "owner_project_access", k.project().archived() == null ? "active" : "inactive");
    g.writeObjectFieldStart("owner");
    if (k.serviceAccount() != null) {
      g.writeStringField("type", "service_account");
      g.writeFieldName("service_account");
      serviceAccount(g, k.serviceAccount());
    } else {
      g.writeStringField("type", "user");
      g.writeFieldName("user");
      user(g, k.user());
    }
    g.writeEndObject();
    g.writeEndObject();
  }

  private void user(JsonGenerator g, Person p) throws IOException {
    g.writeStartObject();
    g.writeStringField("object", "organization.user");
    g.writeStringField("id", p.openAiUserId);
    g.writeStringField("name", p.displayName());
    g.writeStringField("email", p.email);
    g.writeStringField("role", p == org.people.get(0) ? "owner" : "reader");
    epoch(g, "added_at", p.created.plusSeconds(86_400));
    g.writeEndObject();
  }

  private void adminKey(JsonGenerator g, Person p) throws IOException {
    Rng r = Rng.of(org.options.seed(), "admin-key");
    g.writeStartObject();
    g.writeStringField("object", "organization.admin_api_key");
    g.writeStringField("id", "key_" + r.alnum(16));
    g.writeStringField("name", "Provisioning admin key");
    g.writeStringField("redacted_value", "sk-admin..." + r.alnum(3));
    epoch(g, "created_at", p.created.plusSeconds(172_800));
    g.writeNullField("expires_at");
    epoch(g, "last_used_at", org.asOf().minusSeconds(86_400 * 3));
    g.writeObjectFieldStart("owner");
    g.writeStringField("type", "user");
    g.writeStringField("object", "organization.user");
    g.writeStringField("id", p.openAiUserId);
    g.writeStringField("name", p.displayName());
    epoch(g, "created_at", p.created.plusSeconds(86_400));
    g.writeStringField("role", "owner");
    g.writeEndObject();
    g.writeEndObject();
  }
}
