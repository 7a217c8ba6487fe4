package io.agentlake.transforms.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.Reader;
import java.util.Map;

/**
 * Reads a YAML file whole (YAML exports are hand-kept and small by nature): a root mapping that
 * wraps records by the source's wrapper rule, a root list of records, or one record.
 */
final class YamlReader {

  private static final YAMLMapper YAML = new YAMLMapper();

  private YamlReader() {}

  static void read(Reader reader, Records out) throws IOException {
    SourcePackage source = out.source();
    JsonNode root;
    try {
      root = YAML.readTree(reader);
    } catch (JsonProcessingException e) {
      out.quarantineText(
          source.fallbackRecordType(),
          0,
          null,
          QuarantineReason.MALFORMED_RECORD,
          "The YAML does not parse: " + Records.describe(e));
      return;
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      return;
    }
    if (root.isObject() && FormatSniffer.isWrapper(source, root)) {
      for (Map.Entry<String, JsonNode> field : root.properties()) {
        JsonNode value = field.getValue();
        SourcePackage.Wrapper wrapper =
            value.isContainerNode()
                ? source.wrapper(field.getKey(), value.isArray(), (ObjectNode) root)
                : null;
        if (wrapper != null && value.isArray()) {
          for (JsonNode element : value) {
            wrapper.read(element, out);
          }
        } else if (wrapper != null) {
          wrapper.read(value, out);
        }
      }
    } else if (root.isArray()) {
      for (JsonNode element : root) {
        out.element(element);
      }
    } else {
      out.element(root);
    }
  }
}
