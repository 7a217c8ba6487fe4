package io.agentlake.schemas.vocabulary;

/** The tier of a risk score; the risk model file gives the thresholds. */
public enum RiskTier implements Term {
  CRITICAL,
  HIGH,
  MEDIUM,
  LOW;
}
