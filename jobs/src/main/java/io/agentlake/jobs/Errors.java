package io.agentlake.jobs;

import java.util.List;

/** Every error a user can see, in one place, each saying problem, cause and fix. */
public final class Errors {

  private Errors() {}

  /** The agentlake error behind {@code e} (itself or a cause), or null. */
  public static AgentlakeException find(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof AgentlakeException a) {
        return a;
      }
    }
    return null;
  }

  public static AgentlakeException exportsNotFound(String uri) {
    return new AgentlakeException(
        "the exports location " + uri + " does not exist",
        "nothing was found at that URI",
        "check --exports; it must name the folder holding <source-type>/ sub-folders",
        AgentlakeException.BAD_INPUT,
        null);
  }

  public static AgentlakeException noSourceFolders(String uri, List<String> known) {
    return new AgentlakeException(
        "no source folders under " + uri,
        "agentlake reads <exports>/<source-type>/..., with source types "
            + String.join(", ", known),
        "point --exports at the folder that holds those sub-folders (e.g. the output of 'agentlake"
            + " generate'), or map your own layout to source types with 'source-paths' in the"
            + " config file",
        AgentlakeException.BAD_INPUT,
        null);
  }

  public static AgentlakeException unknownSource(String source, List<String> known) {
    return new AgentlakeException(
        "unknown source type '" + source + "'",
        "agentlake knows " + String.join(", ", known),
        "use one of those names with --source",
        AgentlakeException.USAGE,
        null);
  }

  public static AgentlakeException storage(String what, String uri, Throwable cause) {
    return new AgentlakeException(
        "could not " + what + " " + uri,
        cause.getClass().getSimpleName() + ": " + cause.getMessage(),
        "check that the location exists and is reachable with these credentials; a retry may"
            + " help if the storage was briefly unavailable",
        AgentlakeException.RETRYABLE,
        cause);
  }

  public static AgentlakeException badConfig(String file, String detail) {
    return new AgentlakeException(
        "the config file " + file + " is not valid",
        detail,
        "fix the file; every key and its default are listed in the README under Configuration",
        AgentlakeException.BAD_INPUT,
        null);
  }

  public static AgentlakeException badOption(String option, String detail) {
    return new AgentlakeException(
        "invalid value for " + option,
        detail,
        "see 'agentlake <command> --help'",
        AgentlakeException.USAGE,
        null);
  }

  public static AgentlakeException qualityGate(
      String date, double share, double threshold, List<String> sources, List<String> worstFiles) {
    return new AgentlakeException(
        String.format(
            java.util.Locale.ROOT,
            "quality gate failed for %s: %.1f%% of records were quarantined (threshold %.1f%%)",
            date,
            share * 100,
            threshold * 100),
        "the files ingested for "
            + date
            + " as they now stand (sources "
            + String.join(", ", sources)
            + "); worst files: "
            + String.join(", ", worstFiles),
        "inspect them with: agentlake sql \"SELECT reason, detail, source_file FROM"
            + " quarantine.records\"; fix the files (a rewritten file is ingested again) or remove"
            + " them from the exports, then re-run the date; re-running without that fails the same"
            + " way. To publish anyway, re-run with --accept-quarantine (recorded in the run"
            + " report). Gold tables were not published for this date by this run.",
        AgentlakeException.BAD_INPUT,
        null,
        "QUALITY_GATE_FAILED");
  }

  public static AgentlakeException leaseHeld(
      String scope, String holderRunId, String command, String holder, int waitedSeconds) {
    return new AgentlakeException(
        "the lake is busy: lease '" + scope + "' is held by a live run",
        "run "
            + holderRunId
            + " ("
            + command
            + " on "
            + holder
            + ") kept renewing it during the "
            + waitedSeconds
            + " s this run waited (lease-wait-seconds)",
        "let that run finish and retry (Airflow retries exit 1 by itself), or raise"
            + " lease-wait-seconds; if that process is gone, its lease expires after"
            + " lease-ttl-seconds and the next run takes over and rolls back what it left",
        AgentlakeException.RETRYABLE,
        null,
        "REFUSED");
  }

  public static AgentlakeException leaseLost(String scope, String runId) {
    return new AgentlakeException(
        "run " + runId + " lost its lease '" + scope + "' before committing",
        "the lease was not renewed within lease-ttl-seconds (a long pause or unreachable"
            + " storage), so another run may have taken over and rolled this run back",
        "re-run: nothing this run wrote is counted, since it never committed; if pauses are"
            + " expected, raise lease-ttl-seconds",
        AgentlakeException.RETRYABLE,
        null);
  }

  public static AgentlakeException concurrentWrite(String table, int attempts, Throwable cause) {
    return new AgentlakeException(
        "could not commit to " + table + " after " + attempts + " attempts",
        "another writer kept changing the table at the same time ("
            + cause.getClass().getSimpleName()
            + ")",
        "retry the run; if it persists, check for a process writing the lake without"
            + " agentlake's leases (a notebook, another tool)",
        AgentlakeException.RETRYABLE,
        cause);
  }

  public static AgentlakeException notReadyToPublish(String date, String why) {
    return new AgentlakeException(
        "gold for " + date + " cannot be published",
        why,
        "run the date's quality gate and analyze first ('agentlake nightly', or the gate,"
            + " correlate and analyze stages), then publish",
        AgentlakeException.BAD_INPUT,
        null);
  }

  public static AgentlakeException sqlFailed(String query, Throwable cause) {
    String message = cause.getMessage() == null ? cause.toString() : cause.getMessage().strip();
    int newline = message.indexOf('\n');
    return new AgentlakeException(
        "the query failed: " + query,
        newline > 0 ? message.substring(0, newline) : message,
        "tables are named like gold.risk_scores; list them with: agentlake sql \"SHOW TABLES IN"
            + " gold\"",
        AgentlakeException.BAD_INPUT,
        cause);
  }

  public static AgentlakeException lakeMissing(String uri) {
    return new AgentlakeException(
        "no agentlake tables found under " + uri,
        "the lake is empty or the URI is wrong",
        "run 'agentlake nightly --lake " + uri + " ...' first, or point --lake at an existing lake",
        AgentlakeException.BAD_INPUT,
        null);
  }
}
