package io.agentlake.schemas.vocabulary;

/** A change type of {@code gold.privilege_drift}, versus the previous run date in the lake. */
public enum DriftChange implements Term {
  BASELINE,
  GRANT_ADDED,
  GRANT_REMOVED,
  REACH_ADDED,
  REACH_REMOVED,
  FIRST_USE,
  SCORE_CHANGED;
}
