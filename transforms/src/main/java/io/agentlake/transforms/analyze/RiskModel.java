package io.agentlake.transforms.analyze;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The versioned weights behind {@code gold.risk_scores}: one weight and OWASP mapping per factor,
 * and the tier thresholds. Loaded from YAML with kebab-case keys; {@link #defaults()} is {@code
 * risk-model-v1.yaml} next to this class, where each factor is documented.
 *
 * <p>Dangerous: a model file that forgets a factor would silently drop it from every score, so
 * loading fails unless every factor the transform computes is declared, and nothing else is.
 *
 * @param version written to every score row, so a score can be traced to its weights
 * @param factors in the order {@link #FACTOR_NAMES} declares
 */
public record RiskModel(String version, List<Factor> factors, Tiers tiers) {

  /** Every factor {@link RiskScores} computes, in output order (snake_case). */
  public static final List<String> FACTOR_NAMES =
      List.of(
          "admin_reach",
          "permissions_management",
          "unused_fraction",
          "orphan_reasons",
          "long_lived_credentials",
          "shared_credentials",
          "denied_attempts",
          "no_purpose");

  public static final String DEFAULT_RESOURCE = "risk-model-v1.yaml";

  public record Factor(String name, double weight, String owasp) {}

  /** Score thresholds: CRITICAL at or above {@code critical}, and so on; below medium is LOW. */
  public record Tiers(double critical, double high, double medium) {}

  public Factor factor(String name) {
    return factors.stream()
        .filter(f -> f.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("risk model has no factor " + name));
  }

  public static RiskModel defaults() {
    try (InputStream in = RiskModel.class.getResourceAsStream(DEFAULT_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            "the default risk model "
                + DEFAULT_RESOURCE
                + " is missing from the classpath: the transforms jar was built without its"
                + " resources. Rebuild it with mvn package.");
      }
      return load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the default risk model " + DEFAULT_RESOURCE, e);
    }
  }

  public static RiskModel load(InputStream yaml) {
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(yaml);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "the risk model is not valid YAML (" + e.getMessage() + "). Fix the file.", e);
    }
    if (root == null || !root.isObject()) {
      throw invalid("it is empty or not a mapping", "start from risk-model-v1.yaml");
    }
    String version = text(root, "version");
    JsonNode tiersNode = root.path("tiers");
    Tiers tiers =
        new Tiers(
            number(tiersNode, "critical", "tiers"),
            number(tiersNode, "high", "tiers"),
            number(tiersNode, "medium", "tiers"));
    if (!(tiers.critical() >= tiers.high() && tiers.high() >= tiers.medium())) {
      throw invalid(
          "tier thresholds must satisfy critical >= high >= medium (got " + tiers + ")",
          "order the thresholds");
    }

    JsonNode factorsNode = root.path("factors");
    if (!factorsNode.isObject()) {
      throw invalid("it has no `factors` mapping", "declare every factor: " + FACTOR_NAMES);
    }
    Map<String, Factor> declared = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = factorsNode.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      String name = entry.getKey().trim().toLowerCase(Locale.ROOT).replace('-', '_');
      if (!FACTOR_NAMES.contains(name)) {
        throw invalid(
            "factor `" + entry.getKey() + "` is not one agentlake computes",
            "use only " + kebab(FACTOR_NAMES));
      }
      double weight = number(entry.getValue(), "weight", "factors." + entry.getKey());
      if (weight < 0) {
        throw invalid(
            "factor `" + entry.getKey() + "` has a negative weight " + weight,
            "use a weight of 0 or more");
      }
      declared.put(name, new Factor(name, weight, entry.getValue().path("owasp").asText("")));
    }
    List<String> missing = new ArrayList<>(FACTOR_NAMES);
    missing.removeAll(declared.keySet());
    if (!missing.isEmpty()) {
      throw invalid(
          "factors " + kebab(missing) + " are not declared",
          "declare them (weight 0 switches a factor off)");
    }
    return new RiskModel(version, FACTOR_NAMES.stream().map(declared::get).toList(), tiers);
  }

  private static String text(JsonNode node, String key) {
    JsonNode value = node.path(key);
    if (!value.isValueNode() || value.asText().isBlank()) {
      throw invalid("it has no `" + key + "`", "add `" + key + ": <name>` at the top level");
    }
    return value.asText().trim();
  }

  private static double number(JsonNode node, String key, String where) {
    JsonNode value = node.path(key);
    if (!value.isNumber()) {
      throw invalid("`" + where + "." + key + "` is missing or not a number", "set it to a number");
    }
    return value.asDouble();
  }

  private static List<String> kebab(List<String> names) {
    return names.stream().map(n -> n.replace('_', '-')).toList();
  }

  private static IllegalArgumentException invalid(String cause, String fix) {
    return new IllegalArgumentException(
        "the risk model cannot be used: " + cause + ". Fix: " + fix + ".");
  }
}
