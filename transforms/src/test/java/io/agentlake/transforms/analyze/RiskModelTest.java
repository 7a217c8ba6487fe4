package io.agentlake.transforms.analyze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RiskModelTest {

  static RiskModel load(String yaml) {
    return RiskModel.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void defaultsDeclareEveryFactorInOrder() {
    RiskModel model = RiskModel.defaults();
    assertThat(model.version()).isEqualTo("risk-model-v1");
    assertThat(model.factors())
        .extracting(RiskModel.Factor::name)
        .containsExactlyElementsOf(RiskModel.FACTOR_NAMES);
    assertThat(model.factor("admin_reach").weight()).isEqualTo(50.0);
    assertThat(model.tiers()).isEqualTo(new RiskModel.Tiers(70, 45, 20));
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
}
