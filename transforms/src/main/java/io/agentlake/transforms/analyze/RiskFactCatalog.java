package io.agentlake.transforms.analyze;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.agentlake.schemas.vocabulary.Platform;
import io.agentlake.schemas.vocabulary.RiskFactCategory;
import io.agentlake.transforms.sources.entra.EntraRiskFacts;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@link PrincipalRiskFacts} looks for: every fact with the actions that must all be allowed
 * for it to hold. Privilege-escalation methods come from {@code privilege-escalation-methods.json},
 * the action lists from {@code risk-fact-actions.yaml}, both beside this class (their sources and
 * licences are documented there and in NOTICE); full admin is the one fact {@code *} on {@code *}.
 *
 * <p>Dangerous: an empty or truncated resource would silently report no risk at all, so loading
 * fails on a missing file, a missing list or an action that is not {@code service:action}.
 *
 * @param facts every fact, in a fixed order (category, then file order)
 */
public record RiskFactCatalog(List<Fact> facts) {

  static final String METHODS_RESOURCE = "privilege-escalation-methods.json";
  static final String ACTIONS_RESOURCE = "risk-fact-actions.yaml";
  static final String COMPUTE_METHODS_RESOURCE = "compute-escalation-methods.json";

  /** A method that needs a more privileged role EC2 instances can run as. */
  public static final String TARGET_EC2_ROLE = "ec2-role";

  /** A method that needs a stack with a more privileged service role (stacks are not exported). */
  public static final String TARGET_CLOUDFORMATION_STACK = "cloudformation-stack";

  /**
   * One fact.
   *
   * @param category what the fact lets the principal do
   * @param name method name, lower-case action, or {@code *} for full admin
   * @param actions lower-case actions that must all be allowed
   * @param resourceStarOnly only grants on Resource {@code *} count (permissions management, admin)
   * @param unconditionalOnly only grants without a Condition count (full admin)
   * @param platform the platform whose grants it reads
   * @param target what must exist for the method to give anything ({@link #TARGET_EC2_ROLE}, {@link
   *     #TARGET_CLOUDFORMATION_STACK}), or null when its actions alone suffice
   */
  public record Fact(
      RiskFactCategory category,
      String name,
      List<String> actions,
      boolean resourceStarOnly,
      boolean unconditionalOnly,
      Platform platform,
      String target) {

    /** A fact whose actions alone suffice. */
    public Fact(
        RiskFactCategory category,
        String name,
        List<String> actions,
        boolean resourceStarOnly,
        boolean unconditionalOnly,
        Platform platform) {
      this(category, name, actions, resourceStarOnly, unconditionalOnly, platform, null);
    }

    /** An AWS fact. */
    public Fact(
        RiskFactCategory category,
        String name,
        List<String> actions,
        boolean resourceStarOnly,
        boolean unconditionalOnly) {
      this(category, name, actions, resourceStarOnly, unconditionalOnly, Platform.AWS);
    }
  }

  public static RiskFactCatalog defaults() {
    try (InputStream methods = open(METHODS_RESOURCE);
        InputStream actions = open(ACTIONS_RESOURCE);
        InputStream compute = open(COMPUTE_METHODS_RESOURCE)) {
      return load(methods, actions).withComputeMethods(compute).withEntra();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the risk-fact lists", e);
    }
  }

  public static RiskFactCatalog load(InputStream methodsJson, InputStream actionsYaml) {
    List<Fact> facts = new ArrayList<>();
    facts.add(new Fact(RiskFactCategory.FULL_ADMIN, "*", List.of("*"), true, true));

    JsonNode methods = read(new ObjectMapper(), methodsJson, METHODS_RESOURCE).path("methods");
    if (!methods.isObject() || methods.isEmpty()) {
      throw invalid(METHODS_RESOURCE, "it has no non-empty `methods` object");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = methods.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> method = it.next();
      facts.add(
          new Fact(
              RiskFactCategory.PRIVILEGE_ESCALATION,
              method.getKey(),
              actions(method.getValue(), METHODS_RESOURCE, "methods." + method.getKey()),
              false,
              false));
    }

    JsonNode lists = read(new ObjectMapper(new YAMLFactory()), actionsYaml, ACTIONS_RESOURCE);
    addEach(facts, RiskFactCategory.DATA_EXFILTRATION, lists, "data-exfiltration", false);
    addEach(facts, RiskFactCategory.CREDENTIAL_EXPOSURE, lists, "credential-exposure", false);
    addEach(facts, RiskFactCategory.PERMISSIONS_MANAGEMENT, lists, "permissions-management", true);
    return new RiskFactCatalog(List.copyOf(facts));
  }

  /**
   * These facts plus the code-execution methods of {@code compute-escalation-methods.json} (ssm on
   * instances, CloudFormation stacks with their service role), and each method's {@code target}
   * from its {@code targets} map, which may name methods of either file.
   */
  public RiskFactCatalog withComputeMethods(InputStream computeJson) {
    JsonNode root = read(new ObjectMapper(), computeJson, COMPUTE_METHODS_RESOURCE);
    JsonNode methods = root.path("methods");
    JsonNode targets = root.path("targets");
    if (!methods.isObject() || methods.isEmpty() || !targets.isObject()) {
      throw invalid(COMPUTE_METHODS_RESOURCE, "it has no non-empty `methods` or no `targets`");
    }
    List<Fact> all = new ArrayList<>(facts);
    for (Iterator<Map.Entry<String, JsonNode>> it = methods.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> method = it.next();
      all.add(
          new Fact(
              RiskFactCategory.PRIVILEGE_ESCALATION,
              method.getKey(),
              actions(method.getValue(), COMPUTE_METHODS_RESOURCE, "methods." + method.getKey()),
              false,
              false));
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = targets.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> target = it.next();
      String kind = target.getValue().asText("");
      if (!kind.equals(TARGET_EC2_ROLE) && !kind.equals(TARGET_CLOUDFORMATION_STACK)) {
        throw invalid(
            COMPUTE_METHODS_RESOURCE,
            "`targets." + target.getKey() + "` is `" + kind + "`, not a known target");
      }
      int at = -1;
      for (int i = 0; i < all.size(); i++) {
        Fact f = all.get(i);
        if (f.category() == RiskFactCategory.PRIVILEGE_ESCALATION
            && f.name().equals(target.getKey())) {
          at = i;
        }
      }
      if (at < 0) {
        throw invalid(
            COMPUTE_METHODS_RESOURCE,
            "`targets` names `" + target.getKey() + "`, which is no escalation method");
      }
      Fact f = all.get(at);
      all.set(
          at,
          new Fact(
              f.category(),
              f.name(),
              f.actions(),
              f.resourceStarOnly(),
              f.unconditionalOnly(),
              f.platform(),
              kind));
    }
    return new RiskFactCatalog(List.copyOf(all));
  }

  /**
   * The facts of {@link #load} plus Entra ID's high-privilege permissions ({@link EntraRiskFacts}):
   * a Graph permission on its own, a directory role only when assigned tenant-wide.
   */
  public RiskFactCatalog withEntra() {
    List<Fact> all = new ArrayList<>(facts);
    EntraRiskFacts.byAction()
        .forEach(
            (action, p) ->
                all.add(
                    new Fact(
                        p.category(),
                        p.kind().equals("directory_role")
                            ? "entra directory role " + p.name()
                            : "microsoft graph " + p.name(),
                        List.of(action),
                        p.kind().equals("directory_role"),
                        false,
                        Platform.ENTRA)));
    return new RiskFactCatalog(List.copyOf(all));
  }

  /** Every distinct action some fact needs. */
  public List<String> actions() {
    return facts.stream().flatMap(f -> f.actions().stream()).distinct().sorted().toList();
  }

  private static void addEach(
      List<Fact> facts,
      RiskFactCategory category,
      JsonNode lists,
      String key,
      boolean resourceStarOnly) {
    for (String action : actions(lists.path(key), ACTIONS_RESOURCE, key)) {
      facts.add(new Fact(category, action, List.of(action), resourceStarOnly, false));
    }
  }

  private static List<String> actions(JsonNode list, String file, String where) {
    if (!list.isArray() || list.isEmpty()) {
      throw invalid(file, "`" + where + "` is missing or not a non-empty list of actions");
    }
    List<String> out = new ArrayList<>();
    for (JsonNode a : list) {
      String action = a.asText("").trim().toLowerCase(Locale.ROOT);
      if (!action.matches("[a-z0-9-]+:[a-z0-9*?-]+")) {
        throw invalid(file, "`" + where + "` holds `" + a + "`, which is not service:action");
      }
      out.add(action);
    }
    return List.copyOf(out);
  }

  private static JsonNode read(ObjectMapper mapper, InputStream in, String file) {
    try {
      JsonNode root = mapper.readTree(in);
      if (root == null || !root.isObject()) {
        throw invalid(file, "it is empty or not a mapping");
      }
      return root;
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot parse " + file + " (" + e.getMessage() + "). Fix the file.", e);
    }
  }

  private static InputStream open(String resource) {
    InputStream in = RiskFactCatalog.class.getResourceAsStream(resource);
    if (in == null) {
      throw new IllegalStateException(
          resource
              + " is missing from the classpath: the transforms jar was built without its"
              + " resources. Rebuild it with mvn package.");
    }
    return in;
  }

  private static IllegalArgumentException invalid(String file, String problem) {
    return new IllegalArgumentException(
        "the risk-fact list " + file + " is invalid: " + problem + ". Fix the file.");
  }
}
