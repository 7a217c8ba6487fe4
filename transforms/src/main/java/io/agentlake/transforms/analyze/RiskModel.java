package io.agentlake.transforms.analyze;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.agentlake.schemas.vocabulary.RiskFactor;
import io.agentlake.schemas.vocabulary.Vocabulary;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * The versioned weights behind {@code gold.risk_scores}: one weight, OWASP mapping and the factor's
 * thresholds ({@link RiskFactors#THRESHOLDS}) per factor, and the tier thresholds. Loaded from YAML
 * with kebab-case keys; {@link #defaults()} is {@code risk-model-v3.yaml} next to this class, where
 * each factor is documented.
 *
 * <p>Dangerous: a model file that forgets a factor would silently drop it from every score, so
 * loading fails unless every factor the transform computes is declared, and nothing else is. A
 * weight or threshold outside the 0-100 score scale would as silently saturate or disable a tier,
 * and a factor threshold that is missing or misspelt would leave the factor on a value the file
 * does not show, so those fail too. Every such failure is an {@link InvalidRiskModel}: the file is
 * wrong, not the code.
 *
 * @param version written to every score row, so a score can be traced to its weights
 * @param factors in the order {@link #FACTOR_NAMES} declares
 */
public record RiskModel(String version, List<Factor> factors, Tiers tiers) {

  /** Every factor {@link RiskScores} computes, in output order (snake_case). */
  public static final List<String> FACTOR_NAMES = Vocabulary.valuesOf(RiskFactor.class);

  public static final String DEFAULT_RESOURCE = "risk-model-v3.yaml";

  /** The highest score: a weight or tier threshold above it could never mean what it says. */
  private static final double MAX_SCORE = 100;

  /**
   * One factor as the model declares it.
   *
   * @param name snake_case, a {@link RiskFactor} value
   * @param thresholds the factor's thresholds by their kebab-case key ({@link
   *     RiskFactors#THRESHOLDS} names which each factor has): whole numbers of at least 1
   */
  public record Factor(String name, double weight, String owasp, Map<String, Integer> thresholds) {

    public Factor {
      thresholds = Map.copyOf(thresholds);
    }

    public RiskFactor kind() {
      return Vocabulary.termOf(RiskFactor.class, name);
    }

    /** The threshold {@code key}, e.g. {@code older-than-days}; loading made sure it is set. */
    public int threshold(String key) {
      Integer value = thresholds.get(key);
      if (value == null) {
        throw new IllegalArgumentException("risk model factor " + name + " has no " + key);
      }
      return value;
    }
  }

  /**
   * A risk model file that cannot be used, with the reason and the fix kept apart so the job layer
   * can show them as cause and fix.
   */
  public static final class InvalidRiskModel extends IllegalArgumentException {
    private final String reason;
    private final String fix;

    InvalidRiskModel(String reason, String fix, Throwable source) {
      super("the risk model cannot be used: " + reason + ". Fix: " + fix + ".", source);
      this.reason = reason;
      this.fix = fix;
    }

    /** What is wrong with the file, e.g. "factors [no-purpose] are not declared". */
    public String reason() {
      return reason;
    }

    /** What to change in the file. */
    public String fix() {
      return fix;
    }
  }

  /** Score thresholds: CRITICAL at or above {@code critical}, and so on; below medium is LOW. */
  public record Tiers(double critical, double high, double medium) {}

  public Factor factor(RiskFactor kind) {
    return factor(kind.value());
  }

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

  /**
   * Reads a model file.
   *
   * @throws InvalidRiskModel when the file is not valid YAML or not a complete, usable model
   * @throws UncheckedIOException when the stream cannot be read
   */
  public static RiskModel load(InputStream yaml) {
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(yaml);
    } catch (JsonProcessingException e) {
      throw new InvalidRiskModel(
          "it is not valid YAML (" + yamlProblem(e) + ")", "correct the YAML syntax", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the risk model", e);
    }
    if (root == null || !root.isObject()) {
      throw invalid("it is empty or not a mapping", "start from risk-model-v3.yaml");
    }
    String version = text(root, "version");
    JsonNode tiersNode = root.path("tiers");
    Tiers tiers =
        new Tiers(
            score(tiersNode, "critical", "tiers"),
            score(tiersNode, "high", "tiers"),
            score(tiersNode, "medium", "tiers"));
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
      String where = "factors." + entry.getKey();
      double weight = score(entry.getValue(), "weight", where);
      Map<String, Integer> thresholds =
          thresholds(entry.getValue(), Vocabulary.termOf(RiskFactor.class, name), where);
      declared.put(
          name, new Factor(name, weight, entry.getValue().path("owasp").asText(""), thresholds));
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

  /**
   * The factor's thresholds ({@link RiskFactors#THRESHOLDS}): each must be set, and nothing else
   * but {@code weight} and {@code owasp} may be, so a misspelt threshold fails instead of leaving
   * the factor on a value the file does not show.
   */
  private static Map<String, Integer> thresholds(JsonNode node, RiskFactor factor, String where) {
    List<String> expected = RiskFactors.thresholds(factor);
    List<String> allowed = new ArrayList<>(List.of("weight", "owasp"));
    allowed.addAll(expected);
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!allowed.contains(key)) {
        throw invalid(
            "`" + where + "." + key + "` is not a setting of " + where.substring(8),
            "use only " + allowed);
      }
    }
    Map<String, Integer> out = new LinkedHashMap<>();
    for (String key : expected) {
      JsonNode value = node.path(key);
      if (value.isMissingNode() || value.isNull()) {
        throw invalid(
            "`" + where + "." + key + "` is missing",
            "set it (risk-model-v3.yaml documents it and has the default)");
      }
      if (!value.isIntegralNumber() || value.asLong() < 1 || value.asLong() > Integer.MAX_VALUE) {
        throw invalid(
            "`" + where + "." + key + "` is " + value + ", not a whole number of at least 1",
            "use a whole number from 1");
      }
      out.put(key, value.asInt());
    }
    return out;
  }

  /** A number on the score scale: a weight (a factor's raw value is 0..1) or a tier threshold. */
  private static double score(JsonNode node, String key, String where) {
    double value = number(node, key, where);
    if (!(value >= 0 && value <= MAX_SCORE)) {
      throw invalid(
          "`" + where + "." + key + "` is " + value + ", outside the score scale 0 to 100",
          "use a number from 0 to 100 (weight 0 switches a factor off)");
    }
    return value;
  }

  /** The YAML parser's complaint on one line, with where in the file it is. */
  private static String yamlProblem(JsonProcessingException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof MarkedYAMLException m && m.getProblemMark() != null) {
        return (m.getContext() == null ? "" : m.getContext() + ": ")
            + m.getProblem()
            + " at line "
            + (m.getProblemMark().getLine() + 1)
            + ", column "
            + (m.getProblemMark().getColumn() + 1);
      }
    }
    String message = e.getOriginalMessage() == null ? e.toString() : e.getOriginalMessage();
    int newline = message.strip().indexOf('\n');
    return newline < 0 ? message.strip() : message.strip().substring(0, newline);
  }

  private static List<String> kebab(List<String> names) {
    return names.stream().map(n -> n.replace('_', '-')).toList();
  }

  private static InvalidRiskModel invalid(String cause, String fix) {
    return new InvalidRiskModel(cause, fix, null);
  }
}
