package io.agentlake.schemas.vocabulary;

/** A typed edge of {@code silver.identity_edges}, read from {@code src_id} to {@code dst_id}. */
public enum EdgeType implements Term {
  USES,
  OWNED_BY,
  BACKUP_OWNED_BY,
  MANAGED_BY,
  KEY_OF,
  MEMBER_OF,
  CAN_ASSUME,
  ASSUMED;
}
