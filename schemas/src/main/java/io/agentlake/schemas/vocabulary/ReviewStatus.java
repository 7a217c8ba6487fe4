package io.agentlake.schemas.vocabulary;

/** Where a {@code gold.review_queue} item stands after the reviewers' decisions. */
public enum ReviewStatus implements Term {
  OPEN,
  SUPPRESSED,
  APPROVED,
  REVOKE_REQUESTED;
}
