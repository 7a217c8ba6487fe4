package io.agentlake.jobs.generate;

import com.fasterxml.jackson.core.JsonGenerator;
import io.agentlake.jobs.generate.Org.Agent;
import io.agentlake.jobs.generate.Org.Platform;
import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.TreeMap;

/**
 * Writes {@code list-agents} and one {@code get-agent} file per Bedrock agent still on the
 * platform.
 */
final class BedrockWriter {
  private static final DateTimeFormatter TS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'+00:00'").withZone(ZoneOffset.UTC);

  private final Org org;
  private final ExportSink sink;

  BedrockWriter(Org org, ExportSink sink) {
    this.org = org;
    this.sink = sink;
  }

  void write() throws IOException {
    TreeMap<String, List<Agent>> byLocation = new TreeMap<>();
    for (Agent a : org.agents) {
      if (a.platform == Platform.BEDROCK && a.inPlatformExport) {
        byLocation
            .computeIfAbsent(a.account.id() + "/" + a.region, k -> new java.util.ArrayList<>())
            .add(a);
      }
    }
    for (var e : byLocation.entrySet()) {
      String dir = "bedrock-agents/" + e.getKey() + "/";
      try (JsonGenerator g = sink.json(dir + "list-agents.json", false, true)) {
        g.writeStartObject();
        g.writeArrayFieldStart("agentSummaries");
        for (Agent a : e.getValue()) {
          g.writeStartObject();
          g.writeStringField("agentId", a.localId);
          g.writeStringField("agentName", a.name);
          g.writeStringField("agentStatus", a.status);
          g.writeStringField("description", a.purpose);
          g.writeStringField("updatedAt", TS.format(a.updated));
          g.writeStringField("latestAgentVersion", "PREPARED".equals(a.status) ? "1" : "DRAFT");
          g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
      }
      for (Agent a : e.getValue()) {
        getAgent(dir + "agent-" + a.localId + ".json", a);
      }
    }
  }

  private void getAgent(String path, Agent a) throws IOException {
    Instant prepared = a.updated.plusSeconds(120);
    try (JsonGenerator g = sink.json(path, false, true)) {
      g.writeStartObject();
      g.writeObjectFieldStart("agent");
      g.writeStringField("agentId", a.localId);
      g.writeStringField("agentName", a.name);
      g.writeStringField(
          "agentArn", "arn:aws:bedrock:" + a.region + ":" + a.account.id() + ":agent/" + a.localId);
      g.writeStringField("agentVersion", "DRAFT");
      g.writeStringField(
          "clientToken", Rng.of(org.options.seed(), "bedrock-token", a.localId).uuid());
      g.writeStringField(
          "instruction",
          "You are the " + a.name + " assistant. " + a.purpose + ". Be concise and cite sources.");
      g.writeStringField("agentStatus", a.status);
      g.writeStringField("foundationModel", a.foundationModel);
      g.writeStringField("description", a.purpose);
      g.writeNumberField("idleSessionTTLInSeconds", 600);
      g.writeStringField("agentResourceRoleArn", a.principals.get(0).arn());
      g.writeStringField("createdAt", TS.format(a.created));
      g.writeStringField("updatedAt", TS.format(a.updated));
      if ("PREPARED".equals(a.status)) {
        g.writeStringField("preparedAt", TS.format(prepared));
      }
      g.writeStringField("orchestrationType", "DEFAULT");
      g.writeEndObject();
      g.writeEndObject();
    }
  }
}
