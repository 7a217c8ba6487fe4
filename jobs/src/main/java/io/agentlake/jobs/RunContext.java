package io.agentlake.jobs;

import io.agentlake.jobs.config.AgentlakeConfig;
import io.agentlake.jobs.lake.Lake;
import io.agentlake.jobs.lake.Leases;
import io.agentlake.transforms.sources.Sources;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

/** What one run works on and carries from stage to stage: its lake, date, settings and report. */
public final class RunContext {

  private final Lake lake;
  private final String command;
  private final LocalDate date;
  private final AgentlakeConfig config;
  private final String runId = UUID.randomUUID().toString();
  private final Timestamp started = Timestamp.from(Instant.now());
  private final RunReport report;
  private String exportsUri;
  private List<String> sources = Sources.ALL;
  private boolean full;
  private boolean acceptQuarantine;
  private Consumer<String> progress = s -> {};
  private Leases.Held leases;
  private boolean analyzed;
  private int retentionDays = MaintainJob.DEFAULT_RETENTION_DAYS;

  public RunContext(Lake lake, String command, LocalDate date, AgentlakeConfig config) {
    this.lake = lake;
    this.command = command;
    this.date = date;
    this.config = config;
    this.report = new RunReport(runId, command, date);
  }

  public RunContext exports(String uri) {
    this.exportsUri = uri;
    return this;
  }

  public RunContext sources(List<String> sources) {
    this.sources = List.copyOf(sources);
    return this;
  }

  /** Correlate rebuilds the CloudTrail aggregates from all of bronze. */
  public RunContext full(boolean full) {
    this.full = full;
    return this;
  }

  /** The quality gate passes whatever the quarantined share, and the report says so. */
  public RunContext acceptQuarantine(boolean accept) {
    this.acceptQuarantine = accept;
    return this;
  }

  /** VACUUM retention of the maintain stage; checked by {@link MaintainJob#checkRetention}. */
  public RunContext retentionDays(int days) {
    this.retentionDays = MaintainJob.checkRetention(days);
    return this;
  }

  public RunContext progress(Consumer<String> progress) {
    this.progress = progress;
    return this;
  }

  public Lake lake() {
    return lake;
  }

  public String command() {
    return command;
  }

  public LocalDate date() {
    return date;
  }

  public AgentlakeConfig config() {
    return config;
  }

  public String runId() {
    return runId;
  }

  public Timestamp started() {
    return started;
  }

  public RunReport report() {
    return report;
  }

  public String exportsUri() {
    return exportsUri;
  }

  public List<String> sources() {
    return sources;
  }

  public boolean full() {
    return full;
  }

  public int retentionDays() {
    return retentionDays;
  }

  public boolean acceptQuarantine() {
    return acceptQuarantine;
  }

  Consumer<String> progressSink() {
    return progress;
  }

  public Leases.Held leases() {
    return leases;
  }

  void leases(Leases.Held held) {
    this.leases = held;
  }

  /** Analyze completed in this run, so publish need not look for it in the ledger. */
  void analyzed() {
    this.analyzed = true;
  }

  boolean analyzedInThisRun() {
    return analyzed;
  }
}
