package io.agentlake.jobs.generate;

import java.time.LocalDate;

/**
 * What {@link OrgGenerator} should produce. Validated on construction so a bad flag fails before
 * anything is written.
 *
 * @param outUri Hadoop URI of the exports root (file:/..., s3a://...)
 * @param seed every random choice derives from it; same options give byte-identical output
 * @param agents number of AI agents across Bedrock, OpenAI and the manifest (at least 12, so every
 *     planted scenario exists)
 * @param days number of generated UTC days, starting at {@code startDate}
 * @param eventsPerDay target CloudTrail volume per day across accounts (the daily use of every used
 *     grant is always generated, even above this target)
 * @param startDate first generated day
 */
public record GeneratorOptions(
    String outUri, long seed, int agents, int days, int eventsPerDay, LocalDate startDate) {
  public static final long DEFAULT_SEED = 42;
  public static final int DEFAULT_AGENTS = 40, DEFAULT_DAYS = 30, DEFAULT_EVENTS_PER_DAY = 2000;
  public static final LocalDate DEFAULT_START_DATE = LocalDate.of(2026, 10, 1);

  static final int MIN_AGENTS = 12;
  static final int MAX_DAYS = 3650;

  public GeneratorOptions {
    if (outUri == null || outUri.isBlank()) {
      throw new IllegalArgumentException(
          "The output location is empty: the generator needs a directory URI to write the exports"
              + " to. Pass e.g. file:/tmp/exports or s3a://bucket/exports.");
    }
    if (agents < MIN_AGENTS) {
      throw new IllegalArgumentException(
          "agents is "
              + agents
              + ", but at least "
              + MIN_AGENTS
              + " agents are needed so that every planted scenario (orphans, unused grants,"
              + " escalation path, shared credentials...) exists. Use agents >= "
              + MIN_AGENTS
              + ".");
    }
    if (days < 1 || days > MAX_DAYS) {
      throw new IllegalArgumentException(
          "days is "
              + days
              + ", but it must be between 1 and "
              + MAX_DAYS
              + " (the number of UTC days of activity to generate).");
    }
    if (eventsPerDay < 0) {
      throw new IllegalArgumentException(
          "eventsPerDay is "
              + eventsPerDay
              + ", but it cannot be negative. Use 0 for only the events the planted scenarios"
              + " need.");
    }
    if (startDate == null) {
      throw new IllegalArgumentException(
          "startDate is missing: pass the first day to generate (default "
              + DEFAULT_START_DATE
              + ").");
    }
  }

  /** The last generated day, D: every ground-truth finding is judged as of the end of it. */
  public LocalDate endDate() {
    return startDate.plusDays(days - 1);
  }
}
