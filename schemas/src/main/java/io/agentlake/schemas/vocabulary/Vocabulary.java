package io.agentlake.schemas.vocabulary;

import java.util.Arrays;
import java.util.List;

/**
 * Every vocabulary of the lake, with the columns that hold it. {@code VocabularyGoldenTest} renders
 * this list to a golden file, and the end-to-end tests check that the lake holds no value outside
 * it.
 */
public final class Vocabulary {

  /**
   * One vocabulary.
   *
   * @param name the enum's simple name
   * @param columns {@code table.column} (or {@code table.column[].field}) that hold its values
   * @param terms its values, in declaration order
   */
  public record Entry(String name, List<String> columns, List<? extends Term> terms) {
    public Entry {
      columns = List.copyOf(columns);
      terms = List.copyOf(terms);
    }

    /** The stored values, in declaration order. */
    public List<String> values() {
      return terms.stream().map(Term::value).toList();
    }
  }

  private static final List<Entry> ALL =
      List.of(
          entry(Verdict.values(), "gold.unused_privileges.verdict"),
          entry(PrivilegeLevel.values(), "gold.unused_privileges.level"),
          entry(OrphanReason.values(), "gold.orphaned_agents.reasons[]"),
          entry(OwnerMatch.values(), "silver.agents.owner_match"),
          entry(EdgeType.values(), "silver.identity_edges.edge_type"),
          entry(RiskFactCategory.values(), "gold.principal_risk_facts.category"),
          entry(FactReach.values(), "gold.principal_risk_facts.reach"),
          entry(
              Platform.values(),
              "silver.identities.platform",
              "silver.entitlements.platform",
              "silver.activity_daily.platform",
              "silver.observation_coverage.platform",
              "gold.unused_privileges.platform"),
          entry(UserAgentClass.values(), "silver.principal_daily.clients[].user_agent_class"),
          entry(RiskFactor.values(), "gold.risk_scores.factors[].factor"),
          entry(RiskTier.values(), "gold.risk_scores.tier"),
          entry(DriftChange.values(), "gold.privilege_drift.change_type"),
          entry(PolicyChange.values(), "gold.least_privilege_policies.changes[].change"),
          entry(ReviewAction.values(), "gold.review_queue.action"),
          entry(ReviewStatus.values(), "gold.review_queue.status"),
          entry(
              ReviewDecision.values(),
              "bronze.review_decisions.decision",
              "gold.review_queue.decision",
              "gold.review_queue.decisions[].decision"),
          entry(
              ReviewScope.values(),
              "gold.review_queue.decision_scope",
              "gold.review_queue.decisions[].scope"),
          entry(
              IdPrefix.values(),
              "silver.identities.identity_id",
              "silver.identity_edges.src_id",
              "silver.identity_edges.dst_id"));

  private Vocabulary() {}

  /** Every vocabulary, in a fixed order. */
  public static List<Entry> all() {
    return ALL;
  }

  /** The stored values of one vocabulary enum, in declaration order. */
  public static List<String> valuesOf(Class<? extends Term> vocabulary) {
    return Arrays.stream(vocabulary.getEnumConstants()).map(Term::value).toList();
  }

  /** The term of one vocabulary whose stored value is {@code value}. */
  public static <T extends Enum<T> & Term> T termOf(Class<T> vocabulary, String value) {
    for (T t : vocabulary.getEnumConstants()) {
      if (t.value().equals(value)) {
        return t;
      }
    }
    throw new IllegalArgumentException(
        "'" + value + "' is not a " + vocabulary.getSimpleName() + ": " + valuesOf(vocabulary));
  }

  private static <T extends Enum<T> & Term> Entry entry(T[] values, String... columns) {
    return new Entry(
        values[0].getDeclaringClass().getSimpleName(), List.of(columns), List.of(values));
  }
}
