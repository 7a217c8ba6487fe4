package io.agentlake.schemas.vocabulary;

/**
 * One change in a {@code gold.least_privilege_policies} recommendation; never applied
 * automatically.
 */
public enum PolicyChange implements Term {
  DETACH_POLICY,
  DELETE_INLINE_POLICY,
  REMOVE_FROM_GROUP;
}
