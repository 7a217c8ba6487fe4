package io.agentlake.schemas.vocabulary;

/** A recommended action of {@code gold.review_queue}: one item per agent, action and target. */
public enum ReviewAction implements Term {
  REVOKE_GRANT,
  REPLACE_POLICY,
  REASSIGN_OWNER,
  DECOMMISSION_AGENT,
  ROTATE_KEY;
}
