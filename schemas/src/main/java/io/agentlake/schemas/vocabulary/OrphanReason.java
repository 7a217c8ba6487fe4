package io.agentlake.schemas.vocabulary;

/** Why {@code gold.orphaned_agents} lists an agent; an agent may have several reasons. */
public enum OrphanReason implements Term {
  NO_OWNER,
  OWNER_UNKNOWN,
  OWNER_DEPROVISIONED,
  OWNER_STATUS_CONFLICT,
  IDLE,
  PROJECT_ENDED,
  DANGLING_CREDENTIAL;
}
