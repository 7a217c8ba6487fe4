package io.agentlake.schemas.vocabulary;

/**
 * Whether a {@code gold.principal_risk_facts} row is the principal's own or reached through
 * another.
 */
public enum FactReach implements Term {
  DIRECT,
  VIA;

  @Override
  public String value() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
