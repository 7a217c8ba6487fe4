package io.agentlake.jobs.generate;

import com.fasterxml.jackson.core.JsonGenerator;
import io.agentlake.jobs.generate.CloudTrailActivity.Ev;
import io.agentlake.jobs.generate.Org.Account;
import io.agentlake.jobs.generate.Org.Principal;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

/**
 * Writes CloudTrail as delivered to S3: one gzipped {@code {"Records":[...]}} file per account,
 * region and two-hour window that has events, day by day, plus a few digest files that ingest must
 * skip. Only one slot's events are in memory at a time.
 */
final class CloudTrailWriter {
  private static final DateTimeFormatter FILE_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmm'Z'").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter EVENT_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter DIGEST_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private final Org org;
  private final ExportSink sink;
  private final long seed;
  private long events;

  CloudTrailWriter(Org org, ExportSink sink) {
    this.org = org;
    this.sink = sink;
    this.seed = org.options.seed();
  }

  /** Writes every day and returns the number of events. */
  long write() throws IOException {
    CloudTrailActivity activity = new CloudTrailActivity(org);
    for (int day = 0; day < org.options.days(); day++) {
      for (Map.Entry<String, List<Ev>> slot : activity.day(day).entrySet()) {
        writeSlot(day, slot.getKey(), slot.getValue());
      }
    }
    writeDigest(0);
    writeDigest(org.options.days() - 1);
    return events;
  }

  private void writeSlot(int day, String key, List<Ev> evs) throws IOException {
    String[] parts = key.split("\\|");
    Account account = org.accounts.get(Integer.parseInt(parts[0]));
    String region = parts[1];
    int slot = Integer.parseInt(parts[2]);
    LocalDate date = org.start().plusDays(day);
    Instant delivered =
        date.atStartOfDay(ZoneOffset.UTC)
            .toInstant()
            .plusSeconds((long) (slot + 1) * CloudTrailActivity.SLOT_SECONDS - 300);
    Rng r = Rng.of(seed, "cloudtrail-file", key, day);
    String name =
        account.id()
            + "_CloudTrail_"
            + region
            + "_"
            + FILE_TIME.format(delivered)
            + "_"
            + r.alnum(16)
            + ".json.gz";
    String path =
        "aws-cloudtrail/AWSLogs/"
            + account.id()
            + "/CloudTrail/"
            + region
            + "/"
            + date.toString().replace('-', '/')
            + "/"
            + name;
    try (JsonGenerator g = sink.json(path, true, false)) {
      g.writeStartObject();
      g.writeArrayFieldStart("Records");
      for (Ev ev : evs) {
        event(g, ev, account, region, r);
        events++;
      }
      g.writeEndArray();
      g.writeEndObject();
    }
  }

  private void event(JsonGenerator g, Ev ev, Account account, String region, Rng r)
      throws IOException {
    Calls.Shape shape = Calls.shape(ev.action());
    Principal p = ev.principal();
    String identityArn =
        ev.session() == null
            ? p.arn()
            : "arn:aws:sts::" + account.id() + ":assumed-role/" + p.name + "/" + ev.session();
    g.writeStartObject();
    g.writeStringField("eventVersion", shape.eventSource().startsWith("sts.") ? "1.08" : "1.09");
    userIdentity(g, ev, identityArn);
    g.writeStringField("eventTime", EVENT_TIME.format(Instant.ofEpochSecond(ev.epochSecond())));
    g.writeStringField("eventSource", shape.eventSource());
    g.writeStringField("eventName", shape.eventName());
    g.writeStringField("awsRegion", region);
    g.writeStringField("sourceIPAddress", ev.sourceIp());
    g.writeStringField("userAgent", ev.userAgent());
    if (ev.error() != null) {
      g.writeStringField("errorCode", "AccessDenied");
      g.writeStringField(
          "errorMessage",
          "User: "
              + identityArn
              + " is not authorized to perform: "
              + ev.action()
              + " because no "
              + ("BOUNDARY".equals(ev.error()) ? "permissions boundary" : "identity-based policy")
              + " allows the "
              + ev.action()
              + " action");
    }
    boolean ok = ev.error() == null;
    CallDetails.requestParameters(g, ev, region, account, seed);
    if (ok && ev.action().equals("sts:AssumeRole")) {
      CallDetails.assumeRoleResponse(g, ev, r, account);
    } else {
      g.writeNullField("responseElements");
    }
    g.writeStringField(
        "requestID", shape.data() ? r.hex(16).toUpperCase(java.util.Locale.ROOT) : r.uuid());
    g.writeStringField("eventID", r.uuid());
    g.writeBooleanField("readOnly", shape.readOnly());
    CallDetails.resources(g, ev, account, region, seed);
    g.writeStringField("eventType", "AwsApiCall");
    g.writeBooleanField("managementEvent", !shape.data());
    g.writeStringField("recipientAccountId", account.id());
    g.writeStringField("eventCategory", shape.data() ? "Data" : "Management");
    g.writeObjectFieldStart("tlsDetails");
    g.writeStringField("tlsVersion", "TLSv1.3");
    g.writeStringField("cipherSuite", "TLS_AES_128_GCM_SHA256");
    g.writeStringField(
        "clientProvidedHostHeader",
        shape.eventSource().replace(".amazonaws.com", "") + "." + region + ".amazonaws.com");
    g.writeEndObject();
    g.writeEndObject();
  }

  private void userIdentity(JsonGenerator g, Ev ev, String identityArn) throws IOException {
    Principal p = ev.principal();
    String account = p.account.id();
    g.writeObjectFieldStart("userIdentity");
    if (ev.session() == null) {
      g.writeStringField("type", "IAMUser");
      g.writeStringField("principalId", p.id);
      g.writeStringField("arn", identityArn);
      g.writeStringField("accountId", account);
      g.writeStringField("accessKeyId", ev.accessKeyId());
      g.writeStringField("userName", p.name);
    } else {
      g.writeStringField("type", "AssumedRole");
      g.writeStringField("principalId", p.id + ":" + ev.session());
      g.writeStringField("arn", identityArn);
      g.writeStringField("accountId", account);
      g.writeStringField("accessKeyId", ev.accessKeyId());
      g.writeObjectFieldStart("sessionContext");
      g.writeObjectFieldStart("sessionIssuer");
      g.writeStringField("type", "Role");
      g.writeStringField("principalId", p.id);
      g.writeStringField("arn", p.arn());
      g.writeStringField("accountId", account);
      g.writeStringField("userName", p.name);
      g.writeEndObject();
      g.writeObjectFieldStart("webIdFederationData");
      g.writeEndObject();
      g.writeObjectFieldStart("attributes");
      long day = ev.epochSecond() - ev.epochSecond() % 86_400;
      g.writeStringField(
          "creationDate",
          EVENT_TIME.format(Instant.ofEpochSecond(Math.max(day, ev.epochSecond() - 900))));
      g.writeStringField("mfaAuthenticated", "false");
      g.writeEndObject();
      g.writeEndObject();
    }
    g.writeEndObject();
  }

  private void writeDigest(int day) throws IOException {
    Account account = org.accounts.get(0);
    String region = account.homeRegion();
    LocalDate date = org.start().plusDays(day);
    Instant end = date.atStartOfDay(ZoneOffset.UTC).toInstant().plusSeconds(3_600);
    Rng r = Rng.of(seed, "digest", day);
    String bucket = "aws-cloudtrail-logs-" + account.id() + "-" + r.lower(8);
    String path =
        "aws-cloudtrail/AWSLogs/"
            + account.id()
            + "/CloudTrail-Digest/"
            + region
            + "/"
            + date.toString().replace('-', '/')
            + "/"
            + account.id()
            + "_CloudTrail-Digest_"
            + region
            + "_management-events_"
            + region
            + "_"
            + DIGEST_TIME.format(end)
            + ".json.gz";
    try (JsonGenerator g = sink.json(path, true, false)) {
      g.writeStartObject();
      g.writeStringField("awsAccountId", account.id());
      g.writeStringField("digestStartTime", EVENT_TIME.format(end.minusSeconds(3_600)));
      g.writeStringField("digestEndTime", EVENT_TIME.format(end));
      g.writeStringField("digestS3Bucket", bucket);
      g.writeStringField("digestS3Object", path.substring("aws-cloudtrail/".length()));
      g.writeStringField("digestPublicKeyFingerprint", r.hex(32));
      g.writeStringField("digestSignatureAlgorithm", "SHA256withRSA");
      g.writeStringField("newestEventTime", EVENT_TIME.format(end.minusSeconds(60)));
      g.writeStringField("oldestEventTime", EVENT_TIME.format(end.minusSeconds(3_540)));
      g.writeNullField("previousDigestS3Bucket");
      g.writeNullField("previousDigestS3Object");
      g.writeNullField("previousDigestHashValue");
      g.writeNullField("previousDigestHashAlgorithm");
      g.writeNullField("previousDigestSignature");
      g.writeArrayFieldStart("logFiles");
      g.writeEndArray();
      g.writeEndObject();
    }
  }
}
