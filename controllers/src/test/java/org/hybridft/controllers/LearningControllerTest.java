package org.hybridft.controllers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.longs;

import java.time.Duration;
import java.util.SplittableRandom;
import org.hybridft.core.Mode;
import org.hybridft.core.StabilityCheck;
import org.hybridft.core.StabilityReport;
import org.junit.jupiter.api.Test;

class LearningControllerTest {
  /** Periods within which the choice settles on a stationary workload (documented bound). */
  static final int CONVERGENCE_PERIODS = 100;
  /** Periods within which the choice settles again after an abrupt change (documented bound). */
  static final int RECONVERGENCE_PERIODS = 300;
  /**
   * Smallest cost gap between the modes for which the bounds are stated: closer modes are
   * explored more (UCB), which costs little precisely because they cost nearly the same.
   */
  static final double MIN_GAP = 0.15;

  private static final LearningController.Config DEFAULTS = LearningController.Config.defaults();
  /** COLO rate at which COLO costs as much as checkpoint mode under the defaults. */
  private static final double BREAK_EVEN_CPS =
      new LearningController().checkpointCost() / 0.085;

  /**
   * A closed-loop stand-in for a replicated VM: COLO checkpoints at a Poisson rate (plus the
   * synchronising checkpoint when entering COLO), checkpoint mode at exactly 1/period.
   */
  private static StabilityCheck.RateModel vm(double coloCpsBefore, double coloCpsAfter, int changeAt, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    Mode[] previous = {Mode.COLO};
    return (mode, period) -> {
      double cps;
      if (mode == Mode.CHECKPOINT) {
        cps = 1e9 / DEFAULTS.checkpointPeriod().toNanos();
      } else {
        cps = poisson(random, period < changeAt ? coloCpsBefore : coloCpsAfter);
        if (previous[0] == Mode.CHECKPOINT) {
          cps += 1; // the switch back to COLO synchronises the secondary
        }
      }
      previous[0] = mode;
      return cps;
    };
  }

  private static double poisson(SplittableRandom random, double mean) {
    double limit = Math.exp(-mean);
    double product = random.nextDouble();
    int count = 0;
    while (product > limit) {
      product *= random.nextDouble();
      count++;
    }
    return count;
  }

  private static Mode better(double coloCps) {
    return coloCps < BREAK_EVEN_CPS ? Mode.COLO : Mode.CHECKPOINT;
  }

  @Test
  void onAStationaryWorkloadTheChoiceConvergesToTheCheaperMode() {
    double goodColo = (new LearningController().checkpointCost() - MIN_GAP) / 0.085;
    double badColo = (new LearningController().checkpointCost() + MIN_GAP) / 0.085;
    qt().forAll(doubles().between(0, goodColo), doubles().between(badColo, 11.5), booleans().all(), longs().all())
        .checkAssert(
            (good, bad, coloIsGood, seed) -> {
              double coloCps = coloIsGood ? good : bad;
              StabilityReport report =
                  StabilityCheck.builder()
                      .minDwell(DEFAULTS.minDwell())
                      .expectConvergence(better(coloCps), CONVERGENCE_PERIODS, 0.9)
                      .build()
                      .run(new LearningController(), vm(coloCps, coloCps, 0, seed), CONVERGENCE_PERIODS + 1_000);
              report.assertStable();
            });
  }

  @Test
  void afterAnAbruptWorkloadChangeTheChoiceReconverges() {
    double goodColo = (new LearningController().checkpointCost() - MIN_GAP) / 0.085;
    double badColo = (new LearningController().checkpointCost() + MIN_GAP) / 0.085;
    qt().forAll(
            doubles().between(0, goodColo),
            doubles().between(badColo, 11.5),
            booleans().all(),
            longs().all())
        .checkAssert(
            (good, bad, turnsBad, seed) -> {
              double before = turnsBad ? good : bad;
              double after = turnsBad ? bad : good;
              int changeAt = 600;
              StabilityReport report =
                  StabilityCheck.builder()
                      .minDwell(DEFAULTS.minDwell())
                      .expectConvergence(better(after), changeAt + RECONVERGENCE_PERIODS, 0.9)
                      .build()
                      .run(new LearningController(), vm(before, after, changeAt, seed),
                          changeAt + RECONVERGENCE_PERIODS + 1_000);
              report.assertStable();
            });
  }

  @Test
  void noDwellShorterThanTheMinimum() {
    qt().forAll(Generators.rates(1, 1_000), doubles().between(0, 0.3), doubles().between(0, 0.2))
        .checkAssert(
            (rates, weight, exploration) -> {
              LearningController.Config config =
                  LearningController.Config.builder()
                      .latencyWeight(weight)
                      .exploration(exploration)
                      .minDwell(Duration.ofSeconds(3))
                      .build();
              StabilityCheck.builder()
                  .minDwell(Duration.ofSeconds(3))
                  .build()
                  .run(new LearningController(config), Generators.toArray(rates))
                  .assertStable();
            });
  }

  @Test
  void deterministicAndResetIsExact() {
    qt().forAll(Generators.rates(1, 500))
        .checkAssert(
            rates -> {
              double[] samples = Generators.toArray(rates);
              LearningController controller = new LearningController();
              var once = StabilityCheck.builder().build().run(controller, samples).modes();
              controller.reset();
              assertThat(controller.coloCost()).isNaN();
              assertThat(StabilityCheck.builder().build().run(controller, samples).modes()).isEqualTo(once);
              assertThat(StabilityCheck.builder().build().run(new LearningController(), samples).modes())
                  .isEqualTo(once);
            });
  }

  @Test
  void badColoIsProbedRarely() {
    // A highly non-deterministic workload: COLO checkpoints ~11 times a second.
    StabilityReport report =
        StabilityCheck.builder().build().run(new LearningController(), vm(11, 11, 0, 42), 3_600);
    assertThat(report.shareOf(Mode.COLO)).isLessThan(0.03);
    assertThat(report.switchesPerHour()).isLessThan(100);
  }

  @Test
  void eachParameterOutOfRangeThrowsNamingIt() {
    assertThatThrownBy(() -> LearningController.Config.builder().pausePerCheckpoint(Duration.ZERO).build())
        .hasMessageContaining("pausePerCheckpoint");
    assertThatThrownBy(() -> LearningController.Config.builder().latencyWeight(-0.1).build())
        .hasMessageContaining("latencyWeight");
    assertThatThrownBy(() -> LearningController.Config.builder().checkpointPeriod(Duration.ZERO).build())
        .hasMessageContaining("checkpointPeriod");
    assertThatThrownBy(() -> LearningController.Config.builder().discount(1.0).build())
        .hasMessageContaining("discount");
    assertThatThrownBy(() -> LearningController.Config.builder().exploration(Double.NaN).build())
        .hasMessageContaining("exploration");
    assertThatThrownBy(() -> LearningController.Config.builder().minDwell(Duration.ofSeconds(-1)).build())
        .hasMessageContaining("minDwell");
  }
}
