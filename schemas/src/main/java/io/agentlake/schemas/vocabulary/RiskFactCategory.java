package io.agentlake.schemas.vocabulary;

/**
 * A category of {@code gold.principal_risk_facts}: what a principal's allowed actions let it do.
 */
public enum RiskFactCategory implements Term {
  FULL_ADMIN,
  PRIVILEGE_ESCALATION,
  DATA_EXFILTRATION,
  CREDENTIAL_EXPOSURE,
  PERMISSIONS_MANAGEMENT;
}
