package io.agentlake.jobs.generate;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.agentlake.jobs.generate.Org.Person;
import java.io.IOException;
import java.io.StringWriter;
import java.io.Writer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Writes the Okta Users API list ({@code okta-users/users.json}) and one System Log NDJSON file per
 * day: sign-ins and SSO for people who can still sign in, token grants (a few with a fake secret in
 * {@code debugData.token}, for redaction tests), and the deactivate / suspend event of people whose
 * status changed inside the period.
 */
final class OktaWriter {
  private static final DateTimeFormatter OKTA =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final JsonFactory JSON = new JsonFactory();

  private final Org org;
  private final ExportSink sink;

  OktaWriter(Org org, ExportSink sink) {
    this.org = org;
    this.sink = sink;
  }

  void write() throws IOException {
    users();
    for (int day = 0; day < org.options.days(); day++) {
      systemLog(day);
    }
  }

  private void users() throws IOException {
    try (JsonGenerator g = sink.json("okta-users/users.json", false, true)) {
      g.writeStartArray();
      for (Person p : org.people) {
        if (!p.inOkta) {
          continue;
        }
        g.writeStartObject();
        g.writeStringField("id", p.id);
        g.writeStringField("status", p.status);
        g.writeStringField("created", OKTA.format(p.created));
        time(g, "activated", "STAGED".equals(p.status) ? null : p.created.plusSeconds(3_600));
        time(g, "statusChanged", p.statusChanged);
        time(g, "lastLogin", p.lastLogin);
        Instant updated = p.statusChanged != null ? p.statusChanged : p.created.plusSeconds(7_200);
        g.writeStringField("lastUpdated", OKTA.format(updated));
        time(g, "passwordChanged", "STAGED".equals(p.status) ? null : p.created.plusSeconds(4_000));
        g.writeObjectFieldStart("type");
        g.writeStringField("id", "oty1162QAr8hJjTaq0g4");
        g.writeEndObject();
        g.writeObjectFieldStart("profile");
        g.writeStringField("firstName", p.firstName);
        g.writeStringField("lastName", p.lastName);
        g.writeNullField("mobilePhone");
        g.writeNullField("secondEmail");
        g.writeStringField("login", p.email);
        g.writeStringField("email", p.email);
        g.writeStringField("department", p.department);
        g.writeStringField("title", p.title);
        if (p.manager != null) {
          g.writeStringField("manager", p.manager.email);
          g.writeStringField("managerId", p.manager.id);
        }
        g.writeEndObject();
        g.writeObjectFieldStart("credentials");
        g.writeObjectFieldStart("provider");
        g.writeStringField("type", "OKTA");
        g.writeStringField("name", "OKTA");
        g.writeEndObject();
        g.writeEndObject();
        g.writeObjectFieldStart("_links");
        g.writeObjectFieldStart("self");
        g.writeStringField("href", "https://northwind-labs.okta.com/api/v1/users/" + p.id);
        g.writeEndObject();
        g.writeEndObject();
        g.writeEndObject();
      }
      g.writeEndArray();
    }
  }

  private static void time(JsonGenerator g, String field, Instant t) throws IOException {
    if (t == null) {
      g.writeNullField(field);
    } else {
      g.writeStringField(field, OKTA.format(t));
    }
  }

  private void systemLog(int day) throws IOException {
    LocalDate date = org.start().plusDays(day);
    Instant t0 = date.atStartOfDay(ZoneOffset.UTC).toInstant();
    Rng r = Rng.of(org.options.seed(), "okta-log", day);
    Person admin = org.people.get(0);
    try (Writer w = sink.text("okta-system-log/" + date + ".ndjson")) {
      int tokens = 0;
      for (Person p : org.people) {
        if (!p.inOkta) {
          continue;
        }
        Instant changed = p.statusChanged;
        if (changed != null && p.isGone() && OrgBuilder.day(changed).equals(date)) {
          String type =
              "DEPROVISIONED".equals(p.status)
                  ? "user.lifecycle.deactivate"
                  : "user.lifecycle.suspend";
          line(w, r, changed, admin, type, "Deactivate Okta user", p, null);
          continue;
        }
        boolean canSignIn =
            (p.isActive() || "LOCKED_OUT".equals(p.status))
                || (p.isGone() && changed != null && changed.isAfter(t0.plusSeconds(86_400)));
        if (!canSignIn || !r.chance(0.7)) {
          continue;
        }
        Instant t = t0.plusSeconds(r.between(25_200, 68_400)).plusMillis(r.nextInt(1000));
        line(w, r, t, p, "user.session.start", "User login to Okta", null, null);
        line(
            w,
            r,
            t.plusSeconds(4),
            p,
            "user.authentication.sso",
            "User single sign on to app",
            null,
            "AWS IAM Identity Center");
        if (r.chance(0.2)) {
          String secret = tokens++ < 2 ? "eyJraWQiOi" + r.alnum(40) : null;
          line(
              w,
              r,
              t.plusSeconds(9),
              p,
              "app.oauth2.token.grant",
              "OAuth2 access token is granted",
              null,
              secret == null ? "OpenAI" : "token:" + secret);
        }
      }
    }
  }

  /** One System Log event line. {@code app} names the target app; "token:..." adds a secret. */
  private void line(
      Writer w,
      Rng r,
      Instant t,
      Person actor,
      String type,
      String message,
      Person targetUser,
      String app)
      throws IOException {
    StringWriter buf = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(buf)) {
      g.writeStartObject();
      g.writeStringField("uuid", r.uuid());
      g.writeStringField("published", OKTA.format(t));
      g.writeStringField("eventType", type);
      g.writeNumberField("version", 0);
      g.writeStringField("severity", "INFO");
      g.writeStringField("displayMessage", message);
      g.writeStringField("legacyEventType", null);
      g.writeObjectFieldStart("actor");
      g.writeStringField("id", actor.id);
      g.writeStringField("type", "User");
      g.writeStringField("alternateId", actor.email);
      g.writeStringField("displayName", actor.displayName());
      g.writeNullField("detailEntry");
      g.writeEndObject();
      g.writeObjectFieldStart("client");
      g.writeObjectFieldStart("userAgent");
      g.writeStringField(
          "rawUserAgent",
          "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36");
      g.writeStringField("os", "Mac OS X");
      g.writeStringField("browser", "CHROME");
      g.writeEndObject();
      g.writeStringField("device", "Computer");
      g.writeStringField("ipAddress", r.ip());
      g.writeObjectFieldStart("geographicalContext");
      g.writeStringField("city", r.pick(Names.CITIES));
      g.writeEndObject();
      g.writeEndObject();
      g.writeObjectFieldStart("outcome");
      g.writeStringField("result", "SUCCESS");
      g.writeNullField("reason");
      g.writeEndObject();
      g.writeObjectFieldStart("authenticationContext");
      g.writeNumberField("authenticationStep", 0);
      g.writeStringField("externalSessionId", "idx" + r.alnum(22));
      g.writeEndObject();
      g.writeObjectFieldStart("debugContext");
      g.writeObjectFieldStart("debugData");
      g.writeStringField("requestId", r.hex(32));
      g.writeStringField(
          "requestUri", type.startsWith("app.oauth2") ? "/oauth2/v1/token" : "/idp/idx/identify");
      if (app != null && app.startsWith("token:")) {
        g.writeStringField("token", app.substring(6));
      }
      g.writeEndObject();
      g.writeEndObject();
      g.writeObjectFieldStart("transaction");
      g.writeStringField("type", "WEB");
      g.writeStringField("id", r.hex(32));
      g.writeEndObject();
      g.writeArrayFieldStart("target");
      if (targetUser != null) {
        g.writeStartObject();
        g.writeStringField("id", targetUser.id);
        g.writeStringField("type", "User");
        g.writeStringField("alternateId", targetUser.email);
        g.writeStringField("displayName", targetUser.displayName());
        g.writeEndObject();
      }
      if (app != null) {
        String name = app.startsWith("token:") ? "Agent Console" : app;
        g.writeStartObject();
        g.writeStringField("id", "0oa" + Rng.of(org.options.seed(), "okta-app", name).alnum(17));
        g.writeStringField("type", "AppInstance");
        g.writeStringField("alternateId", name);
        g.writeStringField("displayName", name);
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    w.write(buf.toString());
    w.write('\n');
  }
}
