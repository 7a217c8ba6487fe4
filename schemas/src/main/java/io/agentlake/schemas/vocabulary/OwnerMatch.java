package io.agentlake.schemas.vocabulary;

/** How an agent's owner reference resolved against the identity providers. */
public enum OwnerMatch implements Term {
  MATCHED,
  AMBIGUOUS,
  CONFLICTING,
  UNKNOWN,
  NONE;
}
