package io.agentlake.schemas.vocabulary;

/** What a review decision applies to. */
public enum ReviewScope implements Term {
  ITEM,
  AGENT;
}
