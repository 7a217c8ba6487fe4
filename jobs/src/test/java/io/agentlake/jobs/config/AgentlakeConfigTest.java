package io.agentlake.jobs.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentlake.jobs.AgentlakeException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class AgentlakeConfigTest {

  private static AgentlakeConfig load(String yaml) {
    return AgentlakeConfig.load(
        "test.yaml", new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void theFileOverridesDefaultsAndFlagsOverrideTheFile() {
    AgentlakeConfig fromFile = load("window-days: 60\nidle-days: 10\n");
    assertThat(fromFile.windowDays()).isEqualTo(60);
    assertThat(fromFile.idleDays()).isEqualTo(10);
    assertThat(fromFile.graceDays()).isEqualTo(AgentlakeConfig.DEFAULT_GRACE_DAYS);
    AgentlakeConfig withFlag = fromFile.withWindowDays(30).withGraceDays(null);
    assertThat(withFlag.windowDays()).isEqualTo(30);
    assertThat(withFlag.idleDays()).isEqualTo(10);
    assertThat(withFlag.graceDays()).isEqualTo(AgentlakeConfig.DEFAULT_GRACE_DAYS);
  }

  @Test
  void anEmptyFileMeansDefaults() {
    assertThat(load("")).isEqualTo(AgentlakeConfig.defaults());
  }

  @Test
  void aTypoIsAnErrorNotASilentDefault() {
    assertThatThrownBy(() -> load("window_days: 30\n"))
        .isInstanceOf(AgentlakeException.class)
        .hasMessageContaining("unknown key 'window_days'");
  }

  @Test
  void outOfRangeAndWrongTypesAreRejected() {
    assertThatThrownBy(() -> load("window-days: 400\n")).hasMessageContaining("1 to 365");
    assertThatThrownBy(() -> load("window-days: ninety\n")).hasMessageContaining("whole number");
    assertThatThrownBy(() -> load("quarantine-threshold: 2\n")).hasMessageContaining("fraction");
    assertThatThrownBy(() -> load("- a\n- b\n")).hasMessageContaining("mapping");
    assertThatThrownBy(() -> load("drift-score-threshold: -1\n"))
        .hasMessageContaining("drift-score-threshold");
  }

  @Test
  void theDriftScoreThresholdDefaultsToTenPointsAndCanBeSet() {
    assertThat(load("").driftScoreThreshold())
        .isEqualTo(AgentlakeConfig.DEFAULT_DRIFT_SCORE_THRESHOLD)
        .isEqualTo(10.0);
    assertThat(load("drift-score-threshold: 2.5\n").driftScoreThreshold()).isEqualTo(2.5);
  }

  @Test
  void sourcePathsKeepTheirOrderAndRejectUnknownSourcesAndBadGlobs() {
    AgentlakeConfig c =
        load(
            """
            source-paths:
              "trails/**/*.json.gz": aws-cloudtrail
              "people/okta-*.json": okta-users
            """);
    assertThat(c.sourcePaths())
        .containsExactly(
            java.util.Map.entry("trails/**/*.json.gz", "aws-cloudtrail"),
            java.util.Map.entry("people/okta-*.json", "okta-users"));
    assertThatThrownBy(() -> load("source-paths:\n  \"x/*\": cloudtrail\n"))
        .isInstanceOf(AgentlakeException.class)
        .hasMessageContaining("'cloudtrail', which is not a source type");
    assertThatThrownBy(() -> load("source-paths:\n  \"x/[a\": aws-iam\n"))
        .isInstanceOf(AgentlakeException.class)
        .hasMessageContaining("is not valid");
    assertThatThrownBy(() -> load("source-paths: [a, b]\n"))
        .isInstanceOf(AgentlakeException.class)
        .hasMessageContaining("must map path globs");
  }

  @Test
  void aRangeErrorFromTheFileIsBadInputAndFromAFlagNamesTheKey() {
    assertThatThrownBy(() -> load("idle-days: 0\n"))
        .isInstanceOfSatisfying(
            AgentlakeException.class,
            e -> {
              assertThat(e.exitCode()).isEqualTo(AgentlakeException.BAD_INPUT);
              assertThat(e.problem()).isEqualTo("the config file test.yaml is not valid");
              assertThat(e.why())
                  .isEqualTo("idle-days must be a whole number from 1 to 3650, got 0");
            });
    assertThatThrownBy(() -> AgentlakeConfig.defaults().withWindowDays(366))
        .isInstanceOfSatisfying(
            AgentlakeConfig.OutOfRange.class,
            e -> {
              assertThat(e.key()).isEqualTo("window-days");
              assertThat(e.allowed()).isEqualTo("a whole number from 1 to 365");
              assertThat(e.got()).isEqualTo("366");
            });
  }

  @Test
  void anEmptyRiskModelKeyMeansTheBuiltInModelAndANonPathIsRejected() {
    assertThat(load("risk-model:\n").riskModel()).isNull();
    assertThat(load("risk-model: models/v2.yaml\n").riskModel()).isEqualTo("models/v2.yaml");
    assertThatThrownBy(() -> load("risk-model: [a, b]\n"))
        .isInstanceOf(AgentlakeException.class)
        .hasMessageContaining("risk-model must be the path or URI of a risk model YAML file");
    assertThatThrownBy(() -> load("risk-model: \"  \"\n"))
        .isInstanceOf(AgentlakeException.class)
        .hasMessageContaining("risk-model must be the path");
  }
}
