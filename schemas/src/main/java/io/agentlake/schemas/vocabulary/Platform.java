package io.agentlake.schemas.vocabulary;

/**
 * The platform a principal, a grant or an activity belongs to: the first column of the
 * platform-neutral silver model ({@code silver.entitlements}, {@code silver.activity_daily}, {@code
 * silver.observation_coverage}), of {@code gold.unused_privileges} and of {@code
 * silver.identities}. A permission is written in the platform's own vocabulary ({@code
 * s3:getobject} on AWS; {@code <resource-app-id>:user.read.all} on Entra ID), so a finding is
 * computed once for every platform and read in the words of the platform it is about.
 */
public enum Platform implements Term {
  AWS,
  ENTRA,
  OKTA,
  OPENAI;

  @Override
  public String value() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
