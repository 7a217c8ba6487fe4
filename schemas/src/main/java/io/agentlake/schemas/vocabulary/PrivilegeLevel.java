package io.agentlake.schemas.vocabulary;

/** The level a row of {@code gold.unused_privileges} judges. */
public enum PrivilegeLevel implements Term {
  IDENTITY,
  SERVICE,
  GRANT,
  ACTION,
  RESOURCE;
}
