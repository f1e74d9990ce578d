package org.hybridft.controllers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;

import java.time.Duration;
import org.hybridft.core.Mode;
import org.hybridft.core.StabilityCheck;
import org.junit.jupiter.api.Test;

class StaticControllerTest {

  @Test
  void baselinesNeverSwitch() {
    qt().forAll(Generators.rates(1, 300))
        .checkAssert(
            rates -> {
              assertThat(StabilityCheck.builder().build().run(StaticController.colo(), Generators.toArray(rates)).modes())
                  .containsOnly(Mode.COLO);
              assertThat(
                      StabilityCheck.builder().build()
                          .run(StaticController.checkpoint(Duration.ofMillis(200)), Generators.toArray(rates))
                          .modes())
                  .containsOnly(Mode.CHECKPOINT);
            });
  }

  @Test
  void checkpointBaselineCarriesItsPeriod() {
    assertThat(StaticController.checkpoint(Duration.ofMillis(200)).checkpointPeriodNanos()).isEqualTo(200_000_000L);
    assertThatThrownBy(() -> StaticController.checkpoint(Duration.ZERO)).hasMessageContaining("checkpointPeriod");
  }
}
