package io.agentlake.transforms.sources.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.agentlake.schemas.SourceRecordType;
import io.agentlake.schemas.SourceRecordType.TimeFormat;
import io.agentlake.transforms.ingest.JsonText;
import io.agentlake.transforms.ingest.SourcePackage;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.spark.sql.types.StructType;

/**
 * Agent manifests a company keeps by hand (SPEC 4): YAML ({@code agents:} list, a list, or one
 * agent), CSV with an {@code agent_id} column, or JSON. Written by people, so cells are trimmed, an
 * empty cell means "not given", and the list fields ({@code backup_owners}, {@code credentials})
 * may be written as {@code a; b}.
 */
public final class AgentManifest implements SourcePackage {

  public static final String NAME = "agent-manifest";

  public static final SourceRecordType AGENT =
      new SourceRecordType(
          NAME,
          "manifest_agent",
          "agent_manifest",
          StructType.fromDDL(
              "agent_id STRING, name STRING, platform STRING, owner STRING,"
                  + " backup_owners ARRAY<STRING>, purpose STRING, credentials ARRAY<STRING>,"
                  + " project STRING, end_date STRING"),
          List.of("agent_id", "platform"),
          null,
          TimeFormat.NONE,
          List.of("platform", "agent_id"),
          false);

  private static final Set<String> LISTS = Set.of("backup_owners", "credentials");

  private static final Pattern YAML_START =
      Pattern.compile("^(?:---|- |-$|[\"']?[A-Za-z_][\\w -]*[\"']?\\s*:)");

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<SourceRecordType> recordTypes() {
    return List.of(AGENT);
  }

  @Override
  public String accepts() {
    return "agent manifests as YAML, as CSV with an agent_id column, or as JSON";
  }

  @Override
  public Wrapper wrapper(String field, boolean array) {
    return array && field.equals("agents") ? Wrapper.ELEMENTS : null;
  }

  @Override
  public TextLayout textLayout(String firstLine, String firstMeaningfulLine) {
    if (firstLine.contains("agent_id") && firstLine.contains(",")) {
      return TextLayout.csv(AGENT.recordType());
    }
    return YAML_START.matcher(firstMeaningfulLine).find() ? TextLayout.yaml() : null;
  }

  @Override
  public JsonNode csvCell(String recordType, String column, String cell) {
    if (LISTS.contains(column)) {
      return JsonText.splitList(cell);
    }
    return cell.isBlank() ? NullNode.getInstance() : TextNode.valueOf(cell.strip());
  }

  @Override
  public void normalise(String recordType, ObjectNode node, Map<String, String> context) {
    for (String field : LISTS) {
      JsonNode value = node.get(field);
      if (value != null && value.isTextual()) {
        node.set(field, JsonText.splitList(value.textValue()));
      } else if (value != null && value.isArray()) {
        ArrayNode cleaned = JsonText.JSON.createArrayNode();
        value.forEach(
            v -> {
              if (!v.isTextual()) {
                cleaned.add(v);
              } else if (!v.textValue().isBlank()) {
                cleaned.add(v.textValue().strip());
              }
            });
        node.set(field, cleaned);
      }
    }
  }
}
