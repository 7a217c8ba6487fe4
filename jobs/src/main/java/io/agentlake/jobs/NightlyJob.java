package io.agentlake.jobs;

import io.agentlake.jobs.config.AgentlakeConfig;
import io.agentlake.jobs.lake.Lake;
import java.time.LocalDate;
import java.util.List;
import java.util.function.Consumer;

/**
 * A whole night for one date: every {@link Stage} in order through the {@link StageRunner}. A
 * failed quality gate stops before gold is published for the date, after keeping what was good in
 * bronze.
 */
public final class NightlyJob {

  /** The stages of a nightly run, in order. */
  public static final List<Stage> STAGES =
      List.of(Stage.INGEST, Stage.GATE, Stage.CORRELATE, Stage.ANALYZE, Stage.PUBLISH);

  private NightlyJob() {}

  public static RunReport run(
      Lake lake,
      String exportsUri,
      LocalDate date,
      AgentlakeConfig config,
      List<String> sources,
      Consumer<String> progress) {
    return StageRunner.run(
        new RunContext(lake, "nightly", date, config)
            .exports(exportsUri)
            .sources(sources)
            .progress(progress),
        STAGES,
        null);
  }
}
