package io.agentlake.schemas.vocabulary;

/** A reviewer's decision in the {@code review-decisions} export. */
public enum ReviewDecision implements Term {
  APPROVE,
  REVOKE,
  ACCEPT_RISK;
}
