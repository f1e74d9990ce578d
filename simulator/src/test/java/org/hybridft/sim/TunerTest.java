package org.hybridft.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.time.Duration;
import java.util.List;
import org.hybridft.controllers.PiConfig;
import org.hybridft.controllers.PiController;
import org.junit.jupiter.api.Test;

class TunerTest {

  /** PI's set-point, gains and dwell, within the config's valid ranges. */
  static ParameterSpace piSpace() {
    PiConfig defaults = PiConfig.defaults();
    return new ParameterSpace(
        "pi",
        List.of(
            TunableParameter.continuous("setPointCps", 0, 10, defaults.setPointCps()),
            TunableParameter.continuous("kp", 0, 1, defaults.kp()),
            TunableParameter.continuous("ki", 0.001, 0.5, defaults.ki()),
            TunableParameter.whole("dutyWindowPeriods", 2, 30, defaults.dutyWindowPeriods())),
        values ->
            new PiController(
                defaults.toBuilder()
                    .setPointCps(values[0])
                    .kp(values[1])
                    .ki(values[2])
                    .dutyWindowPeriods((int) values[3])
                    .build()));
  }

  private static Tuner.Builder quick(ParameterSpace space, String workload, long seed) {
    return Tuner.builder()
        .space(space)
        .workload(WorkloadProfile.byName(workload).orElseThrow().workload())
        .runs(2)
        .length(Duration.ofMinutes(3))
        .budget(10)
        .threads(2)
        .seed(seed);
  }

  @Test
  void tuningNeverLeavesTheValidRangesNorScoresWorseThanTheDefaults() {
    ParameterSpace space = piSpace();
    qt().withExamples(4)
        .forAll(longs().between(1, 1_000_000))
        .checkAssert(
            seed -> {
              TuningResult result;
              try {
                result = quick(space, "bugzilla", seed).build().tune();
              } catch (InterruptedException e) {
                throw new AssertionError(e);
              }
              double[] best = result.best();
              for (int i = 0; i < best.length; i++) {
                TunableParameter parameter = space.parameters().get(i);
                assertThat(best[i]).as(parameter.name()).isBetween(parameter.min(), parameter.max());
                if (parameter.integer()) {
                  assertThat(best[i]).isEqualTo(Math.rint(best[i]));
                }
              }
              space.create(best); // the config accepts it
              assertThat(result.bestScore()).isLessThanOrEqualTo(result.defaultScore());
              assertThat(result.evaluations()).isEqualTo(10);
              assertThat(result.bestScoreByEvaluation()).isSortedAccordingTo((a, b) -> Double.compare(b, a));
            });
  }

  @Test
  void theSameSeedGivesTheSameResult() throws Exception {
    TuningResult once = quick(piSpace(), "phased", 7).build().tune();
    TuningResult again = quick(piSpace(), "phased", 7).build().tune();
    assertThat(again.best()).containsExactly(once.best());
    assertThat(again.bestScore()).isEqualTo(once.bestScore());
  }

  @Test
  void unitCubeMapsIntoTheBoundsAndRoundsWholeParameters() {
    TunableParameter window = TunableParameter.whole("dutyWindowPeriods", 2, 30, 10);
    assertThat(window.fromUnit(-3)).isEqualTo(2);
    assertThat(window.fromUnit(7)).isEqualTo(30);
    assertThat(window.fromUnit(0.5)).isEqualTo(16);
    assertThat(window.fromUnit(Double.NaN)).isEqualTo(2);
  }

  @Test
  void invalidSettingsAreRejected() {
    assertThatThrownBy(() -> TunableParameter.continuous("kp", 1, 0, 0.5)).hasMessageContaining("kp.max");
    assertThatThrownBy(() -> TunableParameter.continuous("kp", 0, 1, 2)).hasMessageContaining("kp.defaultValue");
    assertThatThrownBy(() -> Tuner.builder().budget(0)).hasMessageContaining("budget");
    assertThatThrownBy(() -> Tuner.builder().build()).hasMessageContaining("space");
  }
}
