package io.agentlake.schemas.vocabulary;

import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;

import org.apache.spark.sql.Column;

/**
 * The namespace in front of every {@code identity_id}, {@code principal_id}, {@code src_id} and
 * {@code dst_id}: ids from different platforms never collide, and an id says where it came from.
 * The value is the prefix itself, colon included.
 */
public enum IdPrefix implements Term {
  AWS("aws:"),
  AWS_ACCESS_KEY("aws:access_key:"),
  OKTA_USER("okta:user:"),
  OKTA_APP("okta:app:"),
  ENTRA_USER("entra:user:"),
  ENTRA_SERVICE_PRINCIPAL("entra:service_principal:"),
  ENTRA_CREDENTIAL("entra:credential:"),
  OPENAI_USER("openai:user:"),
  OPENAI_SERVICE_ACCOUNT("openai:service_account:"),
  OPENAI_API_KEY("openai:api_key:"),
  AGENT("agent:"),
  UNKNOWN("unknown:");

  private final String prefix;

  IdPrefix(String prefix) {
    this.prefix = prefix;
  }

  @Override
  public String value() {
    return prefix;
  }

  /** The namespaced id of a native id. */
  public String of(String nativeId) {
    return prefix + nativeId;
  }

  /** The namespaced id of a column of native ids. */
  public Column of(Column nativeId) {
    return concat(lit(prefix), nativeId);
  }
}
