package io.agentlake.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentlake.jobs.config.AgentlakeConfig;
import io.agentlake.jobs.generate.GeneratorOptions;
import io.agentlake.jobs.generate.OrgGenerator;
import io.agentlake.jobs.lake.Lake;
import io.agentlake.testing.SharedSpark;
import io.agentlake.transforms.sources.Sources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The ground-truth check of {@link NightlyEndToEndTest} at ten times the generator's default number
 * of agents: planted scenarios repeat across hundreds of agents, so a rule that only holds for the
 * first agent of each kind, or a key that collides at scale, shows up here. One nightly run over
 * the whole period, with few events per day beyond the planted daily use, keeps it affordable.
 *
 * <p>A scale run, not part of {@code ./agentlake test} (tag {@code scale}): it takes minutes and
 * prints its figures. Run it with {@code mvn -B -pl jobs -am test -Dgroups=scale
 * -Dagentlake.excludedGroups=none -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@org.junit.jupiter.api.Tag("scale")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GroundTruthAtTenTimesScaleTest {

  private static final int AGENTS = 10 * GeneratorOptions.DEFAULT_AGENTS;
  private static final int EVENTS_PER_DAY = 150;

  private GroundTruthCheck check;

  @BeforeAll
  void generateAndRun() throws Exception {
    Path dir = Files.createTempDirectory("agentlake-10x");
    String exports = dir.resolve("exports").toUri().toString();
    GeneratorOptions options =
        new GeneratorOptions(
            exports,
            GeneratorOptions.DEFAULT_SEED,
            AGENTS,
            GeneratorOptions.DEFAULT_DAYS,
            EVENTS_PER_DAY,
            GeneratorOptions.DEFAULT_START_DATE);
    long t0 = System.nanoTime();
    OrgGenerator.generate(options, new Configuration());
    long t1 = System.nanoTime();
    JsonNode truth = new ObjectMapper().readTree(dir.resolve("exports/ground_truth.json").toFile());
    LocalDate end = options.endDate();
    Lake lake = new Lake(SharedSpark.session(), dir.resolve("lake").toUri().toString());
    // The window spans every generated day, so each account is fully observed in it.
    AgentlakeConfig config = AgentlakeConfig.defaults().withWindowDays(options.days());
    RunReport report = NightlyJob.run(lake, exports, end, config, Sources.ALL, s -> {});
    System.out.printf(
        Locale.ROOT,
        "%d agents: generate %.1f s, nightly %.1f s%n",
        AGENTS,
        (t1 - t0) / 1e9,
        (System.nanoTime() - t1) / 1e9);
    report
        .root()
        .path("stages")
        .forEach(
            st ->
                System.out.printf(
                    Locale.ROOT,
                    "  %-10s %.1f s%n",
                    st.path("stage").asText(),
                    st.path("duration_ms").asLong() / 1000.0));
    check = new GroundTruthCheck(lake, truth, end);
  }

  @Test
  void everyPlantedFindingIsReportedAndNothingElse() {
    GroundTruthCheck.assertExact(check.all());
  }
}
