package io.agentlake.jobs;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.from_json;
import static org.apache.spark.sql.functions.get_json_object;
import static org.apache.spark.sql.functions.lit;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentlake.jobs.lake.Lake;
import io.agentlake.schemas.TableContract;
import io.agentlake.schemas.Tables;
import io.agentlake.schemas.vocabulary.FactReach;
import io.agentlake.schemas.vocabulary.IdPrefix;
import io.agentlake.schemas.vocabulary.PrivilegeLevel;
import io.agentlake.schemas.vocabulary.RiskFactCategory;
import io.agentlake.schemas.vocabulary.RiskFactor;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.assertj.core.api.SoftAssertions;

/**
 * Holds one run date's gold tables to the generator's {@code ground_truth.json} as sets: for each
 * kind of finding, what the ground truth plants and what gold reports, compared both ways, so a
 * finding reported without being planted fails as surely as a planted one that is missed.
 *
 * <p>Findings are compared as text keys that carry everything that must be right (an orphan's
 * reasons and successor, a grant's verdict, an escalation path's actions and policies), so a
 * finding with a wrong detail counts as one missing and one extra.
 *
 * <p>Grants and escalation paths are compared for the agents' own principals only: those the ground
 * truth derives its grants for. Gold's side of that set is the principals an agent reaches without
 * assuming a role ({@code gold.agent_reach} paths of USES and KEY_OF edges), and {@link
 * #agentPrincipals()} checks that the two sides name the same principals. Roles reached by
 * assumption (the admin roles) are checked through {@link #fullAdmins()} and {@link #adminReach()}.
 */
final class GroundTruthCheck {

  /**
   * One kind of finding: planted versus reported. Precision and recall are 1 when both are empty.
   */
  record Match(String finding, TreeSet<String> planted, TreeSet<String> reported) {

    TreeSet<String> missing() {
      TreeSet<String> out = new TreeSet<>(planted);
      out.removeAll(reported);
      return out;
    }

    TreeSet<String> extra() {
      TreeSet<String> out = new TreeSet<>(reported);
      out.removeAll(planted);
      return out;
    }

    double precision() {
      return reported.isEmpty()
          ? 1.0
          : (reported.size() - extra().size()) / (double) reported.size();
    }

    double recall() {
      return planted.isEmpty()
          ? 1.0
          : (planted.size() - missing().size()) / (double) planted.size();
    }

    String summary() {
      return String.format(
          Locale.ROOT,
          "%-28s precision %.3f  recall %.3f  (planted %d, reported %d)",
          finding,
          precision(),
          recall(),
          planted.size(),
          reported.size());
    }

    String details() {
      return summary() + "\n  missing: " + missing() + "\n  extra:   " + extra();
    }
  }

  private final Lake lake;
  private final JsonNode truth;
  private final LocalDate asOf;
  private TreeSet<String> agentPrincipalIds;

  GroundTruthCheck(Lake lake, JsonNode truth, LocalDate asOf) {
    this.lake = lake;
    this.truth = truth;
    this.asOf = asOf;
  }

  /** Every comparison, in a fixed order. */
  List<Match> all() {
    return List.of(
        agentPrincipals(),
        orphans(),
        unusedGrants(),
        usedGrants(),
        entraGrants("entra unused grants", "UNUSED", "entra_unused_grants"),
        entraGrants("entra not-observable grants", "NOT_OBSERVABLE", "entra_not_observable_grants"),
        escalationPaths(),
        fullAdmins(),
        adminReach(),
        humanUse());
  }

  /**
   * OWASP NHI10: every agent whose AWS access key the ground truth says a person uses too (a shared
   * credential with human users), by agent and key, against the agents whose {@code
   * human_use_of_credentials} factor is raised, by agent and the keys its evidence names.
   */
  Match humanUse() {
    TreeSet<String> planted = new TreeSet<>();
    for (JsonNode s : truth.get("shared_credentials")) {
      if (s.get("human_users").isEmpty() || !s.get("credential").asText().startsWith("AKIA")) {
        continue;
      }
      for (JsonNode agent : s.get("agent_ids")) {
        planted.add(
            agent.asText() + " " + IdPrefix.AWS_ACCESS_KEY.of(s.get("credential").asText()));
      }
    }
    TreeSet<String> reported = new TreeSet<>();
    for (Row r :
        gold(Tables.RISK_SCORES)
            .select(col("agent_id"), explode(col("factors")).as("f"))
            .filter(
                col("f.factor")
                    .equalTo(RiskFactor.HUMAN_USE_OF_CREDENTIALS.value())
                    .and(col("f.raw_value").gt(0)))
            .select(
                col("agent_id"),
                explode(
                        from_json(
                            get_json_object(col("f.evidence"), "$.human_use"),
                            DataType.fromDDL("ARRAY<STRUCT<credential_id: STRING>>"),
                            Map.<String, String>of()))
                    .as("use"))
            .select(col("agent_id"), col("use.credential_id").as("credential_id"))
            .collectAsList()) {
      reported.add(r.getAs("agent_id") + " " + r.getAs("credential_id"));
    }
    return new Match("human use of credentials", planted, reported);
  }

  /**
   * Prints every comparison and asserts precision and recall 1.0 for all of them at once, so one
   * failure shows every finding that is missing or extra.
   */
  static void assertExact(List<Match> matches) {
    matches.forEach(m -> System.out.println("ground truth: " + m.summary()));
    SoftAssertions soft = new SoftAssertions();
    for (Match m : matches) {
      soft.assertThat(m.planted()).as(m.finding() + " planted").isNotEmpty();
      soft.assertThat(m.recall()).as(m.details()).isEqualTo(1.0);
      soft.assertThat(m.precision()).as(m.details()).isEqualTo(1.0);
    }
    soft.assertAll();
  }

  /** The principals grants are judged for: the agents' own principal ARNs on both sides. */
  Match agentPrincipals() {
    TreeSet<String> planted = new TreeSet<>();
    for (JsonNode a : truth.get("agents")) {
      a.get("identities").forEach(i -> addIf(planted, i.asText().startsWith("arn:"), i.asText()));
    }
    TreeSet<String> reported = new TreeSet<>();
    agentPrincipalIds().forEach(id -> reported.add(id.substring("aws:".length())));
    return new Match("agent principals", planted, reported);
  }

  Match orphans() {
    TreeSet<String> planted = new TreeSet<>();
    for (JsonNode o : truth.get("orphans")) {
      JsonNode s = o.get("suggested_successor");
      planted.add(
          orphan(
              o.get("agent_id").asText(), texts(o.get("reasons")), s.isNull() ? null : s.asText()));
    }
    TreeSet<String> reported = new TreeSet<>();
    for (Row r : gold(Tables.ORPHANED_AGENTS).collectAsList()) {
      reported.add(
          orphan(
              r.getAs("agent_id"),
              r.<String>getList(r.fieldIndex("reasons")),
              r.getAs("suggested_successor")));
    }
    return new Match("orphaned agents", planted, reported);
  }

  Match unusedGrants() {
    return grants("unused grants", "UNUSED", List.of("unused_grants"));
  }

  /** A partially used wildcard grant is USED as a whole. */
  Match usedGrants() {
    return grants("used grants", "USED", List.of("used_grants", "partially_used_grants"));
  }

  /** Escalation methods the agents' principals hold through their own policies. */
  Match escalationPaths() {
    TreeSet<String> planted = new TreeSet<>();
    for (JsonNode e : truth.get("escalation_paths")) {
      planted.add(
          escalation(
              e.get("principal_arn").asText(),
              e.get("method").asText(),
              texts(e.get("actions")),
              texts(e.get("policies"))));
    }
    TreeSet<String> reported = new TreeSet<>();
    for (Row r :
        riskFacts(RiskFactCategory.PRIVILEGE_ESCALATION.value())
            .filter(col("reach").equalTo(FactReach.DIRECT.value()))
            .filter(col("principal_id").isin(agentPrincipalIds().toArray()))
            .collectAsList()) {
      reported.add(
          escalation(
              r.getAs("principal_arn"),
              r.getAs("fact"),
              r.<String>getList(r.fieldIndex("actions")),
              r.<String>getList(r.fieldIndex("policies"))));
    }
    return new Match("escalation paths", planted, reported);
  }

  /**
   * Principals that are full admins by their own grants, across all principals: AWS ones by ARN,
   * others (an Entra Global Administrator) by principal_id.
   */
  Match fullAdmins() {
    TreeSet<String> planted = new TreeSet<>(texts(truth.get("admin_principals")));
    TreeSet<String> reported = new TreeSet<>();
    for (Row r :
        riskFacts(RiskFactCategory.FULL_ADMIN.value())
            .filter(col("reach").equalTo(FactReach.DIRECT.value()))
            .collectAsList()) {
      String arn = r.getAs("principal_arn");
      reported.add(arn != null ? arn : r.getAs("principal_id"));
    }
    return new Match("full admins", planted, reported);
  }

  /**
   * Agent, principal and admin role for every principal that can become a full admin by assuming a
   * role, across all principals: one an agent does not own is reported with agent "-".
   */
  Match adminReach() {
    TreeSet<String> planted = new TreeSet<>();
    for (JsonNode a : truth.get("admin_reach")) {
      planted.add(
          a.get("agent_id").asText()
              + " via "
              + a.get("via_principal_arn").asText()
              + " assumes "
              + a.get("admin_role_arn").asText());
    }
    Map<String, TreeSet<String>> agentsOf = new TreeMap<>();
    for (Row r : ownPrincipals().collectAsList()) {
      agentsOf
          .computeIfAbsent(r.getAs("principal_id"), k -> new TreeSet<>())
          .add(r.getAs("agent_id"));
    }
    TreeSet<String> reported = new TreeSet<>();
    for (Row r :
        riskFacts(RiskFactCategory.FULL_ADMIN.value())
            .filter(col("reach").equalTo(FactReach.VIA.value()))
            .collectAsList()) {
      String holder = r.<String>getAs("holder_id").substring("aws:".length());
      for (String agent :
          agentsOf.getOrDefault(r.getAs("principal_id"), new TreeSet<>(List.of("-")))) {
        reported.add(agent + " via " + r.getAs("principal_arn") + " assumes " + holder);
      }
    }
    return new Match("admin reach", planted, reported);
  }

  /**
   * Entra ID app roles of the agents with one verdict: every GRANT row of {@code platform = entra}
   * in gold against the truth's list (an app role of a resource the agent never calls is UNUSED, of
   * one it calls NOT_OBSERVABLE).
   */
  Match entraGrants(String finding, String verdict, String truthArray) {
    TreeSet<String> planted = new TreeSet<>();
    for (JsonNode g : truth.path(truthArray)) {
      planted.add(
          grant(
              g.get("principal_id").asText(),
              g.get("action_pattern").asText(),
              g.get("policy_name").asText()));
    }
    TreeSet<String> reported = new TreeSet<>();
    for (Row r :
        gold(Tables.UNUSED_PRIVILEGES)
            .filter(col("platform").equalTo("entra"))
            .filter(col("level").equalTo(PrivilegeLevel.GRANT.value()))
            .filter(col("verdict").equalTo(verdict))
            .collectAsList()) {
      reported.add(
          grant(r.getAs("principal_id"), r.getAs("action_pattern"), r.getAs("policy_name")));
    }
    return new Match(finding, planted, reported);
  }

  // ---- helpers ------------------------------------------------------------------------------

  private Match grants(String finding, String verdict, List<String> truthArrays) {
    TreeSet<String> planted = new TreeSet<>();
    for (String array : truthArrays) {
      for (JsonNode g : truth.get(array)) {
        planted.add(
            grant(
                g.get("principal_arn").asText(),
                g.get("action_pattern").asText(),
                g.get("policy_name").asText()));
      }
    }
    TreeSet<String> reported = new TreeSet<>();
    List<String> duplicates = new ArrayList<>();
    for (Row r :
        gold(Tables.UNUSED_PRIVILEGES)
            .filter(col("level").equalTo(PrivilegeLevel.GRANT.value()))
            .filter(col("verdict").equalTo(verdict))
            .filter(col("principal_id").isin(agentPrincipalIds().toArray()))
            .collectAsList()) {
      String key =
          grant(r.getAs("principal_arn"), r.getAs("action_pattern"), r.getAs("policy_name"));
      if (!reported.add(key)) {
        duplicates.add(key);
      }
    }
    // The ground truth has one row per (principal, pattern, policy); two gold rows for one key
    // (e.g. the same pattern on two resources) would need the truth to say so.
    duplicates.forEach(d -> reported.add(d + " (reported twice)"));
    return new Match(finding, planted, reported);
  }

  private TreeSet<String> agentPrincipalIds() {
    if (agentPrincipalIds == null) {
      agentPrincipalIds = new TreeSet<>();
      ownPrincipals()
          .select("principal_id")
          .distinct()
          .collectAsList()
          .forEach(r -> agentPrincipalIds.add(r.getString(0)));
    }
    return agentPrincipalIds;
  }

  /** (agent, principal) for the IAM principals an agent acts as without assuming a role. */
  private Dataset<Row> ownPrincipals() {
    return gold(Tables.AGENT_REACH)
        .filter(col("principal_id").startsWith("aws:arn:"))
        .filter(col("via").rlike("^(USES|KEY_OF)(>(USES|KEY_OF))*$"))
        .select("agent_id", "principal_id");
  }

  private Dataset<Row> riskFacts(String category) {
    return gold(Tables.PRINCIPAL_RISK_FACTS).filter(col("category").equalTo(category));
  }

  private Dataset<Row> gold(TableContract table) {
    return lake.read(table).filter(col(Tables.AS_OF_DATE).equalTo(lit(asOf)));
  }

  private static String orphan(String agent, List<String> reasons, String successor) {
    return agent + " " + reasons + " successor " + successor;
  }

  private static String grant(String principalArn, String pattern, String policy) {
    return principalArn + " " + pattern.toLowerCase(Locale.ROOT) + " by " + policy;
  }

  private static String escalation(
      String principalArn, String method, List<String> actions, List<String> policies) {
    return principalArn
        + " "
        + method
        + " "
        + new TreeSet<>(actions)
        + " by "
        + new TreeSet<>(policies);
  }

  private static void addIf(TreeSet<String> set, boolean condition, String value) {
    if (condition) {
      set.add(value);
    }
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(v -> out.add(v.asText()));
    return out;
  }
}
