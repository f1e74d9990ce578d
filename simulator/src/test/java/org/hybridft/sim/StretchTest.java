package org.hybridft.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class StretchTest {
  private static final Phase CALM = new Phase(Duration.ofSeconds(30), 100, 5, 1, 0.001, 10, 64);
  private static final Phase BURST = new Phase(Duration.ofSeconds(20), 20, 10, 1, 0.5, 8, 96);

  private static long seconds(long s) {
    return Duration.ofSeconds(s).toNanos();
  }

  @Test
  void aCyclicWorkloadRepeatsItsPhasesAndTheLastStretchIsCutAtTheEndOfTheRun() {
    Workload workload = new Workload("w", "test", 4, 1, List.of(CALM, BURST), true);

    List<Stretch> stretches = Stretch.of(workload, Duration.ofSeconds(120));

    assertThat(stretches).extracting(Stretch::startNanos)
        .containsExactly(0L, seconds(30), seconds(50), seconds(80), seconds(100));
    assertThat(stretches).extracting(Stretch::endNanos)
        .containsExactly(seconds(30), seconds(50), seconds(80), seconds(100), seconds(120));
    assertThat(stretches).extracting(Stretch::phase).containsExactly(CALM, BURST, CALM, BURST, CALM);
  }

  @Test
  void theLastPhaseOfAnAcyclicWorkloadHoldsToTheEnd() {
    Workload workload = new Workload("w", "test", 4, 1, List.of(CALM, BURST), false);

    List<Stretch> stretches = Stretch.of(workload, Duration.ofSeconds(300));

    assertThat(stretches).hasSize(2);
    assertThat(stretches.get(1).startNanos()).isEqualTo(seconds(30));
    assertThat(stretches.get(1).endNanos()).isEqualTo(seconds(300));
  }

  @Test
  void consecutivePhasesWithTheSameStatisticsAreOneStretch() {
    // A one-phase cyclic workload and a trace's repeated rows change nothing at their boundaries.
    Workload workload = new Workload("w", "test", 4, 1,
        List.of(CALM, CALM.withDuration(Duration.ofSeconds(5)), BURST), true);

    List<Stretch> stretches = Stretch.of(workload, Duration.ofSeconds(100));

    assertThat(stretches).extracting(Stretch::lengthNanos)
        .containsExactly(seconds(35), seconds(20), seconds(35), seconds(10));
    assertThat(Stretch.of(WorkloadProfile.RUBIS.workload(), Duration.ofHours(2))).hasSize(1);
  }

  @Test
  void aStretchNeedsAPositiveLength() {
    assertThatThrownBy(() -> new Stretch(10, 10, CALM))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("startNanos < endNanos");
  }
}
