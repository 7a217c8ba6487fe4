package io.agentlake.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a run did, as JSON: per stage its duration and rows in/out; per source the files and records
 * read, accepted and quarantined. Written with {@code --report} and kept in {@code ledger.runs}.
 */
public final class RunReport {

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final ObjectNode root = JSON.createObjectNode();
  private final ArrayNode stages = root.putArray("stages");
  private final ObjectNode sources = root.putObject("sources");
  private final Map<String, ObjectNode> stageByName = new LinkedHashMap<>();

  public RunReport(String runId, String command, LocalDate date) {
    root.put("run_id", runId);
    root.put("command", command);
    root.put("date", date.toString());
  }

  public String runId() {
    return root.get("run_id").asText();
  }

  public ObjectNode stage(String name, long millis) {
    ObjectNode s = stages.addObject();
    s.put("stage", name);
    s.put("duration_ms", millis);
    stageByName.put(name, s);
    return s;
  }

  public ObjectNode source(String sourceType) {
    ObjectNode s = (ObjectNode) sources.get(sourceType);
    return s != null ? s : sources.putObject(sourceType);
  }

  public ObjectNode root() {
    return root;
  }

  public void status(String status) {
    root.put("status", status);
  }

  public String toJson() {
    try {
      return JSON.writeValueAsString(root);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
