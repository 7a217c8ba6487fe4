package io.agentlake.jobs;

/**
 * An error a user can act on: what went wrong, why, and what to do. Built only through {@link
 * Errors}. The exit code says whether retrying may help ({@link #RETRYABLE}) or the input or a
 * quality gate must be fixed first ({@link #BAD_INPUT}).
 */
public final class AgentlakeException extends RuntimeException {

  /** Failed for a reason a retry may clear (storage, cluster, a transient error). */
  public static final int RETRYABLE = 1;

  /** Wrong usage: an unknown command, a missing or malformed argument. */
  public static final int USAGE = 2;

  /** Bad input or a failed quality gate: retrying the same input will fail the same way. */
  public static final int BAD_INPUT = 3;

  private final String problem;
  private final String cause;
  private final String fix;
  private final int exitCode;
  private final String runStatus;

  AgentlakeException(String problem, String cause, String fix, int exitCode, Throwable source) {
    this(problem, cause, fix, exitCode, source, "FAILED");
  }

  AgentlakeException(
      String problem, String cause, String fix, int exitCode, Throwable source, String runStatus) {
    super(problem + (cause == null ? "" : " — " + cause), source);
    this.problem = problem;
    this.cause = cause;
    this.fix = fix;
    this.exitCode = exitCode;
    this.runStatus = runStatus;
  }

  /**
   * How the run that raised this ends in {@code ledger.runs}: {@code QUALITY_GATE_FAILED}, {@code
   * REFUSED} (it never started its work because another live run held its lease) or {@code FAILED}.
   */
  public String runStatus() {
    return runStatus;
  }

  public String problem() {
    return problem;
  }

  public String why() {
    return cause;
  }

  public String fix() {
    return fix;
  }

  public int exitCode() {
    return exitCode;
  }

  /** The message shown to a person: problem, cause and fix, one line each. */
  public String render() {
    StringBuilder sb = new StringBuilder("agentlake: ").append(problem);
    if (cause != null) {
      sb.append("\n  cause: ").append(cause);
    }
    if (fix != null) {
      sb.append("\n  fix:   ").append(fix);
    }
    return sb.toString();
  }
}
