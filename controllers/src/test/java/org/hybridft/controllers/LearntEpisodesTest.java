package org.hybridft.controllers;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.hybridft.core.Mode;
import org.hybridft.core.ModeController;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The learnt-episodes extension of threshold, PI and learning, closed loop on a workload whose
 * non-deterministic episodes (COLO at 8 cps) all last 180 s, each followed by 150 s of
 * deterministic work (COLO at 0.1 cps; checkpoint mode at 2 cps whatever the workload does).
 */
class LearntEpisodesTest {
  private static final long SECOND = 1_000_000_000L;
  private static final long EPISODE = 180;
  private static final long CYCLE = EPISODE + 150;

  /** Seconds from each deterministic stretch's start to the controller's return to COLO, cycles 4 to 12. */
  private static List<Long> lateReturns(ModeController controller) {
    List<Long> late = new ArrayList<>();
    Mode mode = controller.update(0, 0);
    long deterministicSince = -1;
    for (long second = 1; second < 12 * CYCLE; second++) {
      boolean divergent = (second - 1) % CYCLE < EPISODE;
      mode = controller.update(second * SECOND, mode == Mode.COLO ? (divergent ? 8 : 0.1) : 2);
      if (second % CYCLE == EPISODE) {
        deterministicSince = second;
      }
      if (deterministicSince >= 0 && mode == Mode.COLO) {
        if (second / CYCLE >= 3) {
          late.add(second - deterministicSince);
        }
        deterministicSince = -1;
      }
    }
    return late;
  }

  @ParameterizedTest
  @ValueSource(strings = {"threshold", "pi", "learning"})
  void onceEpisodesOfARepeatedLengthAreLearntTheControllerReturnsToColoSoonAfterEachEnds(String name) {
    ControllerRegistry registry = ControllerRegistry.builtIn();

    List<Long> learnt = lateReturns(registry.create(name, Map.of()));
    List<Long> without = lateReturns(registry.create(name, Map.of("learn-episodes", "false")));

    assertThat(learnt).as("%s with learnt episodes", name).hasSize(9).allMatch(seconds -> seconds <= 15);
    // Without it the return waits for the controller's own back-off: 19 s (PI) to 114 s (learning).
    assertThat(without).as("%s without", name).hasSize(9).allMatch(seconds -> seconds > 15);
  }
}
