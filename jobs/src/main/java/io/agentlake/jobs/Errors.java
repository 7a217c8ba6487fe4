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

  public static AgentlakeException abandonedCreate(String log, Throwable cause) {
    return new AgentlakeException(
        "a table's log " + log + " holds no commit, and what is in it could not be cleared",
        cause.getClass().getSimpleName() + ": " + cause.getMessage(),
        "no run has committed to this table: a create that died before its first commit left the"
            + " folder; once no agentlake run is writing the lake, delete that folder and re-run",
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

  /**
   * A value in the config file outside its allowed range, e.g. {@code window-days: 0}.
   *
   * @param allowed what the key accepts, e.g. "a whole number from 1 to 365"
   */
  public static AgentlakeException configOutOfRange(
      String file, String key, String allowed, String got) {
    return new AgentlakeException(
        "the config file " + file + " is not valid",
        key + " must be " + allowed + ", got " + got,
        "set "
            + key
            + " in the file to a value in that range, or remove the key to use its"
            + " default (listed in the README under Configuration)",
        AgentlakeException.BAD_INPUT,
        null);
  }

  /** A command-line flag outside its allowed range, e.g. {@code --window-days 0}. */
  public static AgentlakeException flagOutOfRange(String flag, String allowed, String got) {
    return new AgentlakeException(
        "invalid value for " + flag,
        flag + " must be " + allowed + ", got " + got,
        "pass a value in that range, or leave "
            + flag
            + " out to use the config file or the default",
        AgentlakeException.USAGE,
        null);
  }

  /**
   * The {@code risk-model} file named in the config cannot be used.
   *
   * @param reason and {@code fix} as the risk model loader gives them
   */
  public static AgentlakeException badRiskModel(String uri, String reason, String fix) {
    return new AgentlakeException(
        "the risk model " + uri + " cannot be used",
        reason,
        fix + "; or remove risk-model from the config file to use the built-in risk-model-v3",
        AgentlakeException.BAD_INPUT,
        null);
  }

  public static AgentlakeException riskModelNotFound(String uri) {
    return new AgentlakeException(
        "the risk model " + uri + " does not exist",
        "the config file's risk-model key names it, but nothing is at that path",
        "correct risk-model in the config file (an absolute path or Hadoop URI is safest: a"
            + " relative one is resolved against the working directory), or remove the key to use"
            + " the built-in risk-model-v3",
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

  /**
   * A command that replaces its working folder was pointed at a folder it did not create.
   *
   * @param state what is wrong with the folder, e.g. "is not empty and has no .agentlake-scratch
   *     marker"
   */
  public static AgentlakeException notAScratchFolder(
      String command, String dir, String marker, String state) {
    return new AgentlakeException(
        "refusing to use --dir " + dir + ": agentlake did not create it",
        command
            + " deletes its --dir before every run, so it only reuses a folder holding the "
            + marker
            + " file it leaves in folders it creates; "
            + dir
            + " "
            + state,
        "choose another --dir (a new or empty folder), or empty this one yourself. Nothing was"
            + " deleted",
        AgentlakeException.USAGE,
        null);
  }

  /** Options that each select a different mode were given together. */
  public static AgentlakeException exclusiveOptions(
      String command, List<String> given, List<String> alternatives) {
    return new AgentlakeException(
        String.join(" and ", given) + " cannot be used together",
        command
            + " runs one mode at a time: "
            + String.join(", ", alternatives)
            + " are alternatives",
        "run '"
            + command
            + "' once per mode, e.g. 'agentlake "
            + command
            + " "
            + given.get(0)
            + "'",
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

  public static AgentlakeException soakDirNotOurs(String dir, String detail) {
    return new AgentlakeException(
        "agentlake soak will not use " + dir,
        detail
            + "; the soak deletes what it finds in its folder, so it only uses a new or empty"
            + " folder, or one an earlier soak created (it holds the marker file "
            + io.agentlake.jobs.soak.SoakDir.MARKER
            + ")",
        "pass --dir a new or empty folder, e.g. --dir .agentlake/soak",
        AgentlakeException.USAGE,
        null);
  }

  public static AgentlakeException soakChildFailed(
      String what, int exitCode, java.nio.file.Path log) {
    return new AgentlakeException(
        what + " exited " + exitCode,
        "the soak needs one clean run to compare the killed runs with; its output is in " + log,
        "read that log and fix what it reports (or run the same nightly by hand), then soak again",
        AgentlakeException.RETRYABLE,
        null);
  }
}
