package org.hybridft.controllers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.hybridft.core.Mode;
import org.junit.jupiter.api.Test;

class OrbitHybridControllerTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void frequentColoCheckpointsStartAPassiveStretchOfPassiveCountCheckpoints() {
    OrbitHybridController controller = new OrbitHybridController();
    long now = 0;
    controller.update(now, 0);
    now += SECOND;
    // 4 cps: interval 250 ms < 400 ms, but only 4 checkpoints seen so far.
    assertThat(controller.update(now, 4)).isEqualTo(Mode.COLO);
    now += SECOND;
    assertThat(controller.update(now, 4)).isEqualTo(Mode.CHECKPOINT);
    long passiveStart = now;
    assertThat(controller.checkpointPeriodNanos()).isEqualTo(250_000_000L);
    // 100 checkpoints of 250 ms: 25 s.
    while (controller.mode() == Mode.CHECKPOINT) {
      now += SECOND;
      controller.update(now, 4);
    }
    assertThat(now - passiveStart).isEqualTo(25 * SECOND);
    assertThat(controller.meanIntervalSeconds()).isNaN();
  }

  @Test
  void rareCheckpointsKeepColo() {
    OrbitHybridController controller = new OrbitHybridController();
    long now = 0;
    for (int i = 0; i < 1_000; i++) {
      assertThat(controller.update(now, 1.0)).isEqualTo(Mode.COLO);
      now += SECOND;
    }
    assertThat(controller.meanIntervalSeconds()).isEqualTo(1.0);
  }

  @Test
  void meanIsAnExponentiallyWeightedAverageOfIntervals() {
    OrbitHybridController controller =
        new OrbitHybridController(OrbitHybridConfig.builder().minCheckpoints(50).build());
    controller.update(0, 1.0); // interval 1 s becomes the mean
    controller.update(SECOND, 2.0); // 0.7·1 + 0.3·0.5
    assertThat(controller.meanIntervalSeconds()).isCloseTo(0.85, org.assertj.core.data.Offset.offset(1e-12));
    controller.update(2 * SECOND, 0.0); // no checkpoint: no interval observed
    assertThat(controller.meanIntervalSeconds()).isCloseTo(0.85, org.assertj.core.data.Offset.offset(1e-12));
  }

  @Test
  void eachParameterOutOfRangeThrowsNamingIt() {
    assertThatThrownBy(() -> OrbitHybridConfig.builder().passiveLimit(Duration.ZERO).build())
        .hasMessageContaining("passiveLimit");
    assertThatThrownBy(() -> OrbitHybridConfig.builder().passiveCount(0).build())
        .hasMessageContaining("passiveCount");
    assertThatThrownBy(() -> OrbitHybridConfig.builder().checkpointPeriod(Duration.ofMillis(-1)).build())
        .hasMessageContaining("checkpointPeriod");
    assertThatThrownBy(() -> OrbitHybridConfig.builder().minCheckpoints(0).build())
        .hasMessageContaining("minCheckpoints");
    assertThatThrownBy(() -> OrbitHybridConfig.builder().smoothing(1.5).build())
        .hasMessageContaining("smoothing");
  }
}
