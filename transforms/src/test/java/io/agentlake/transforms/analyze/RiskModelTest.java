package io.agentlake.transforms.analyze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentlake.schemas.vocabulary.RiskFactor;
import io.agentlake.schemas.vocabulary.Vocabulary;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RiskModelTest {

  static RiskModel load(String yaml) {
    return RiskModel.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void defaultsDeclareEveryFactorInOrder() {
    RiskModel model = RiskModel.defaults();
    assertThat(model.version()).isEqualTo("risk-model-v3");
    assertThat(model.factors())
        .extracting(RiskModel.Factor::name)
        .containsExactlyElementsOf(RiskModel.FACTOR_NAMES);
    assertThat(model.factor("admin_reach").weight()).isEqualTo(50.0);
    assertThat(model.tiers()).isEqualTo(new RiskModel.Tiers(70, 45, 20));
    assertThat(model.factor(RiskFactor.LONG_LIVED_CREDENTIALS).threshold("older-than-days"))
        .isEqualTo(90);
    assertThat(model.factor(RiskFactor.EXPIRING_CREDENTIALS).threshold("within-days"))
        .isEqualTo(30);
    assertThat(model.factor(RiskFactor.DENIED_ATTEMPTS).thresholds())
        .containsEntry("days", 7)
        .containsEntry("saturation", 20);
    assertThat(model.factor(RiskFactor.ORPHAN_REASONS).threshold("saturation")).isEqualTo(2);
    assertThat(model.factor(RiskFactor.NO_PURPOSE).thresholds()).isEmpty();
  }

  static String defaultYaml() throws IOException {
    try (InputStream in = RiskModel.class.getResourceAsStream(RiskModel.DEFAULT_RESOURCE)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void aMissingMisspeltOrFractionalThresholdIsAnError() throws IOException {
    String yaml = defaultYaml();
    assertThat(yaml).contains("    older-than-days: 90\n");
    assertThatThrownBy(() -> load(yaml.replace("    older-than-days: 90\n", "")))
        .isInstanceOf(RiskModel.InvalidRiskModel.class)
        .hasMessageContaining("`factors.long-lived-credentials.older-than-days` is missing");
    assertThatThrownBy(() -> load(yaml.replace("older-than-days: 90", "older-than-day: 90")))
        .isInstanceOf(RiskModel.InvalidRiskModel.class)
        .hasMessageContaining(
            "`factors.long-lived-credentials.older-than-day` is not a setting of"
                + " long-lived-credentials")
        .hasMessageContaining("older-than-days");
    assertThatThrownBy(() -> load(yaml.replace("    saturation: 2\n", "    saturation: 1.5\n")))
        .isInstanceOf(RiskModel.InvalidRiskModel.class)
        .hasMessageContaining(
            "`factors.orphan-reasons.saturation` is 1.5, not a whole number of at least 1");
    assertThatThrownBy(() -> load(yaml.replace("    days: 7\n", "    days: 0\n")))
        .isInstanceOf(RiskModel.InvalidRiskModel.class)
        .hasMessageContaining("`factors.denied-attempts.days` is 0");
    assertThatThrownBy(
            () ->
                load(
                    yaml.replace(
                        "no-purpose:\n    weight: 5\n",
                        "no-purpose:\n    weight: 5\n    days: 3\n")))
        .isInstanceOf(RiskModel.InvalidRiskModel.class)
        .hasMessageContaining("`factors.no-purpose.days` is not a setting of no-purpose");
  }

  @Test
  void aMissingOrUnknownFactorIsAnError() {
    String head = "version: v\ntiers: {critical: 70, high: 45, medium: 20}\nfactors:\n";
    assertThatThrownBy(() -> load(head + "  admin-reach: {weight: 1}\n"))
        .hasMessageContaining("are not declared")
        .hasMessageContaining("no-purpose");
    assertThatThrownBy(() -> load(head + "  admin-power: {weight: 1}\n"))
        .hasMessageContaining("`admin-power` is not one agentlake computes");
  }

  @Test
  void aWeightOrThresholdOffTheScoreScaleIsAnError() {
    String tiers = "version: v\ntiers: {critical: 70, high: 45, medium: 20}\n";
    StringBuilder factors = new StringBuilder("factors:\n");
    for (String name : RiskModel.FACTOR_NAMES) {
      factors.append("  ").append(name.replace('_', '-')).append(": {weight: 5");
      for (String t : RiskFactors.thresholds(Vocabulary.termOf(RiskFactor.class, name))) {
        factors.append(", ").append(t).append(": 3");
      }
      factors.append("}\n");
    }
    assertThat(load(tiers + factors).factor("no_purpose").weight()).isEqualTo(5.0);
    assertThatThrownBy(
            () ->
                load(
                    tiers
                        + factors
                            .toString()
                            .replace("management: {weight: 5", "management: {weight: 101")))
        .isInstanceOf(RiskModel.InvalidRiskModel.class)
        .hasMessageContaining(
            "`factors.permissions-management.weight` is 101.0, outside the score scale 0 to 100");
    assertThatThrownBy(
            () ->
                load(
                    tiers
                        + factors
                            .toString()
                            .replace("management: {weight: 5", "management: {weight: -1")))
        .isInstanceOf(RiskModel.InvalidRiskModel.class)
        .hasMessageContaining("`factors.permissions-management.weight` is -1.0");
    assertThatThrownBy(() -> load(tiers.replace("critical: 70", "critical: 170") + factors))
        .isInstanceOf(RiskModel.InvalidRiskModel.class)
        .hasMessageContaining("`tiers.critical` is 170.0");
  }

  @Test
  void invalidYamlIsReportedOnOneLineWithItsPosition() {
    assertThatThrownBy(() -> load("version: [unclosed\n"))
        .isInstanceOfSatisfying(
            RiskModel.InvalidRiskModel.class,
            e -> {
              assertThat(e.reason())
                  .startsWith("it is not valid YAML (")
                  .contains("line ")
                  .doesNotContain("\n");
              assertThat(e.fix()).isEqualTo("correct the YAML syntax");
            });
  }
}
