package io.agentlake.jobs;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentlake.jobs.config.AgentlakeConfig;
import io.agentlake.jobs.generate.GeneratorOptions;
import io.agentlake.jobs.generate.OrgGenerator;
import io.agentlake.jobs.lake.Lake;
import io.agentlake.schemas.TableContract;
import io.agentlake.schemas.Tables;
import io.agentlake.testing.SharedSpark;
import io.agentlake.transforms.LakeTables;
import io.agentlake.transforms.sources.Sources;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Too much bad input stops a nightly run before gold: what was good is kept in bronze, every bad
 * record is in quarantine with its reason, the error names the worst file, and no gold row is
 * published for the date.
 */
@ExtendWith(SharedSpark.class)
class QualityGateTest {

  @Test
  void aRunAboveTheQuarantineThresholdKeepsBronzeAndPublishesNoGold(SparkSession spark)
      throws Exception {
    Path dir = Files.createTempDirectory("agentlake-gate");
    Path exports = dir.resolve("exports");
    GeneratorOptions options =
        new GeneratorOptions(
            exports.toUri().toString(), 5, 12, 2, 20, GeneratorOptions.DEFAULT_START_DATE);
    OrgGenerator.generate(options, new Configuration());
    StringBuilder bad = new StringBuilder();
    for (int i = 0; i < 3000; i++) {
      bad.append("{\"eventID\":\"e").append(i).append("\",\"eventSource\":\"s3.amazonaws.com\"}\n");
    }
    Path badFile = exports.resolve("aws-cloudtrail/firehose/bad-events.ndjson");
    Files.createDirectories(badFile.getParent());
    Files.writeString(badFile, bad, StandardCharsets.UTF_8);

    Lake lake = new Lake(spark, dir.resolve("lake").toUri().toString());
    LocalDate date = options.endDate();
    assertThatThrownBy(
            () ->
                NightlyJob.run(
                    lake,
                    exports.toUri().toString(),
                    date,
                    AgentlakeConfig.defaults(),
                    Sources.ALL,
                    s -> {}))
        .isInstanceOfSatisfying(
            AgentlakeException.class,
            e -> {
              assertThat(e.exitCode()).isEqualTo(AgentlakeException.BAD_INPUT);
              assertThat(e.problem()).contains("quality gate failed");
              assertThat(e.why()).contains("bad-events.ndjson");
            });

    assertThat(
            lake.read(Tables.QUARANTINE)
                .filter(col("reason").equalTo("MISSING_REQUIRED_FIELD"))
                .filter(col("source_file").endsWith("bad-events.ndjson"))
                .count())
        .isEqualTo(3000);
    assertThat(lake.read(LakeTables.byName("bronze.aws_cloudtrail").orElseThrow()).count())
        .isPositive();
    for (TableContract gold : LakeTables.ofLayer(TableContract.Layer.GOLD)) {
      assertThat(lake.exists(gold)).as(gold.name()).isFalse();
    }
    assertThat(
            lake.read(Tables.RUNS)
                .filter(col("command").equalTo("nightly"))
                .select("status")
                .first()
                .getString(0))
        .isEqualTo("QUALITY_GATE_FAILED");

    // Sticky: the files are in the ledger now, and a re-run judges them again, with the same
    // verdict.
    Path report = dir.resolve("rerun-report.json");
    assertThatThrownBy(
            () ->
                StageRunner.run(
                    new RunContext(lake, "nightly", date, AgentlakeConfig.defaults())
                        .exports(exports.toUri().toString()),
                    NightlyJob.STAGES,
                    report.toString()))
        .isInstanceOfSatisfying(
            AgentlakeException.class,
            e -> assertThat(e.why()).contains("bad-events.ndjson").contains("aws-cloudtrail"));
    JsonNode rerun = new ObjectMapper().readTree(report.toFile());
    assertThat(rerun.path("status").asText()).isEqualTo("QUALITY_GATE_FAILED");
    assertThat(rerun.path("failed_stage").asText()).isEqualTo("gate");
    assertThat(rerun.path("error").path("exit_code").asInt()).isEqualTo(3);
    JsonNode gate = stage(rerun, "gate");
    assertThat(gate.path("verdict").asText()).isEqualTo("FAILED");
    assertThat(stage(rerun, "ingest").path("new_files").asLong()).isZero();
    for (TableContract gold : LakeTables.ofLayer(TableContract.Layer.GOLD)) {
      assertThat(lake.exists(gold)).as(gold.name()).isFalse();
    }

    // Publishing the date is refused while its newest gate verdict is a failure.
    assertThatThrownBy(
            () ->
                StageRunner.run(gateRun(lake, date, exports, false), List.of(Stage.PUBLISH), null))
        .isInstanceOfSatisfying(
            AgentlakeException.class,
            e -> {
              assertThat(e.exitCode()).isEqualTo(AgentlakeException.BAD_INPUT);
              assertThat(e.why()).contains("QUALITY_GATE_FAILED");
            });

    // An explicit override passes it and says so in the report (the share is the same).
    RunReport accepted =
        StageRunner.run(gateRun(lake, date, exports, true), List.of(Stage.GATE), null);
    JsonNode acceptedGate = stage(accepted.root(), "gate");
    assertThat(acceptedGate.path("verdict").asText()).isEqualTo("ACCEPTED");
    assertThat(acceptedGate.path("override").asText()).contains("--accept-quarantine");
    assertThat(acceptedGate.path("quarantined_share").asDouble())
        .isEqualTo(gate.path("quarantined_share").asDouble());

    // Without the flag it fails again; once the bad file is removed, the date passes on its own.
    assertThatThrownBy(
            () -> StageRunner.run(gateRun(lake, date, exports, false), List.of(Stage.GATE), null))
        .isInstanceOf(AgentlakeException.class);
    Files.delete(badFile);
    RunReport fixed =
        StageRunner.run(gateRun(lake, date, exports, false), List.of(Stage.GATE), null);
    assertThat(stage(fixed.root(), "gate").path("verdict").asText()).isEqualTo("PASSED");
    assertThat(stage(fixed.root(), "gate").path("files_superseded").asLong()).isEqualTo(1);
    assertThat(fixed.root().path("quarantined_share").asDouble()).isZero();
  }

  private static RunContext gateRun(Lake lake, LocalDate date, Path exports, boolean accept) {
    return new RunContext(lake, "gate", date, AgentlakeConfig.defaults())
        .exports(exports.toUri().toString())
        .acceptQuarantine(accept);
  }

  private static JsonNode stage(JsonNode report, String name) {
    for (JsonNode s : report.path("stages")) {
      if (s.path("stage").asText().equals(name)) {
        return s;
      }
    }
    throw new AssertionError("no stage " + name + " in " + report);
  }
}
