package io.agentlake.schemas.vocabulary;

/**
 * A usage verdict in {@code gold.unused_privileges}. Only {@link #UNUSED} invites removing a
 * privilege; a gap in the logs is {@link #NOT_OBSERVABLE} or {@link #INSUFFICIENT_HISTORY}, never
 * {@code UNUSED}.
 */
public enum Verdict implements Term {
  USED,
  UNUSED,
  TOO_NEW,
  NOT_OBSERVABLE,
  INSUFFICIENT_HISTORY;
}
