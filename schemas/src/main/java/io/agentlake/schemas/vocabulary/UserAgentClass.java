package io.agentlake.schemas.vocabulary;

/**
 * What kind of client made a CloudTrail call, from its {@code userAgent} and session context: the
 * signal that tells an agent's automation from a person using the agent's credential.
 */
public enum UserAgentClass implements Term {
  CONSOLE,
  BROWSER,
  CLI,
  SDK,
  AWS_SERVICE,
  OTHER
}
