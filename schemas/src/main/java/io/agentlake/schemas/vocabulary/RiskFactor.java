package io.agentlake.schemas.vocabulary;

/** A named factor of a risk score; the risk model file gives each its weight. */
public enum RiskFactor implements Term {
  ADMIN_REACH,
  PERMISSIONS_MANAGEMENT,
  UNUSED_FRACTION,
  ORPHAN_REASONS,
  LONG_LIVED_CREDENTIALS,
  EXPIRING_CREDENTIALS,
  SHARED_CREDENTIALS,
  DENIED_ATTEMPTS,
  HUMAN_USE_OF_CREDENTIALS,
  NO_PURPOSE;

  @Override
  public String value() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
