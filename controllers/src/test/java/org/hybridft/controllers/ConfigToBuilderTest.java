package org.hybridft.controllers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Every config's {@code toBuilder()} starts from exactly that config. */
class ConfigToBuilderTest {
  @Test
  void thresholdConfigRebuiltFromItsBuilderIsEqual() {
    qt().forAll(Generators.thresholdConfigs()).checkAssert(c -> assertThat(c.toBuilder().build()).isEqualTo(c));
  }

  @Test
  void piConfigRebuiltFromItsBuilderIsEqual() {
    qt().forAll(Generators.piConfigs()).checkAssert(c -> assertThat(c.toBuilder().build()).isEqualTo(c));
  }

  @Test
  void orbitConfigRebuiltFromItsBuilderIsEqual() {
    qt().forAll(Generators.orbitConfigs()).checkAssert(c -> assertThat(c.toBuilder().build()).isEqualTo(c));
  }

  @Test
  void learningConfigRebuiltFromItsBuilderIsEqual() {
    LearningConfig changed =
        LearningConfig.builder()
            .pausePerCheckpoint(Duration.ofMillis(40))
            .latencyWeight(0.2)
            .checkpointPeriod(Duration.ofMillis(300))
            .discount(0.9)
            .exploration(0.05)
            .minDwell(Duration.ofSeconds(3))
            .build();
    assertThat(changed.toBuilder().build()).isEqualTo(changed);
    assertThat(changed.toBuilder().discount(0.95).build().discount()).isEqualTo(0.95);
  }

  @Test
  void orbitSmoothingOutOfItsHalfOpenRangeFailsNamingRangeAndValue() {
    assertThatThrownBy(() -> OrbitHybridConfig.builder().smoothing(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("smoothing must be in (0.0, 1.0], was 0.0");
    assertThat(OrbitHybridConfig.builder().smoothing(1).build().smoothing()).isEqualTo(1.0);
  }
}
