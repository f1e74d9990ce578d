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
  static final int RECONVERGENCE_PERIODS = 400;
  /**
   * Smallest cost gap between the modes for which the bounds are stated: closer modes are
   * explored more (UCB), which costs little precisely because they cost nearly the same.
   */
  static final double MIN_GAP = 0.15;

  private static final LearningConfig DEFAULTS = LearningConfig.defaults();
  private static final double CHECKPOINT_COST = new LearningController().checkpointCost();
  private static final double CHECKPOINT_DOWNTIME = 0.085 / 0.5;
  private static final double WEIGHT = LearningConfig.DEFAULT_LATENCY_WEIGHT;
  /** COLO rate at which COLO costs as much as checkpoint mode under the defaults. */
  private static final double BREAK_EVEN_CPS = coloCpsCosting(CHECKPOINT_COST);
  /** The rate at which COLO costs MIN_GAP less than checkpoint mode. */
  private static final double GOOD_COLO_CPS = coloCpsCosting(CHECKPOINT_COST - MIN_GAP);
  /** The rate at which COLO costs MIN_GAP more than checkpoint mode. */
  private static final double BAD_COLO_CPS = coloCpsCosting(CHECKPOINT_COST + MIN_GAP);

  /** The COLO rate whose period costs {@code cost}: downtime plus its latency charge. */
  private static double coloCpsCosting(double cost) {
    double downtime =
        cost <= CHECKPOINT_DOWNTIME + WEIGHT
            ? cost / (1 + WEIGHT / CHECKPOINT_DOWNTIME)
            : cost - WEIGHT;
    return downtime / 0.085;
  }

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
    double goodColo = GOOD_COLO_CPS;
    double badColo = BAD_COLO_CPS;
    qt().forAll(doubles().between(0, goodColo), doubles().between(badColo, 11.5), booleans().all(), longs().all())
        .checkAssert(
            (good, bad, coloIsGood, seed) -> {
              double coloCps = coloIsGood ? good : bad;
              StabilityReport report =
                  StabilityCheck.builder()
                      // An early exit may end a COLO stretch after one period.
                      .minDwell(Duration.ofSeconds(1))
                      .expectConvergence(better(coloCps), CONVERGENCE_PERIODS, 0.9)
                      .build()
                      .run(new LearningController(), vm(coloCps, coloCps, 0, seed), CONVERGENCE_PERIODS + 1_000);
              report.assertStable();
            });
  }

  @Test
  void afterAnAbruptWorkloadChangeTheChoiceReconverges() {
    double goodColo = GOOD_COLO_CPS;
    double badColo = BAD_COLO_CPS;
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
                      .minDwell(Duration.ofSeconds(1))
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
              LearningConfig config =
                  LearningConfig.builder()
                      .latencyWeight(weight)
                      .exploration(exploration)
                      .minDwell(Duration.ofSeconds(3))
                      .earlyExitFactor(Double.POSITIVE_INFINITY)
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

  private static final long SECOND = 1_000_000_000L;

  @Test
  void withTheLatencyChargeColoCheckpointingMoreOftenThanCheckpointModeCostsMore() {
    LearningController charged = new LearningController();
    LearningController uncharged =
        new LearningController(DEFAULTS.toBuilder().chargeColoLatency(false).build());
    charged.update(0, 2.3);
    uncharged.update(0, 2.3);
    charged.update(SECOND, 2.3);
    uncharged.update(SECOND, 2.3);

    assertThat(charged.coloCost()).isGreaterThan(charged.checkpointCost());
    assertThat(uncharged.coloCost()).isLessThan(uncharged.checkpointCost());
    assertThat(BREAK_EVEN_CPS).isCloseTo(2.0, org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void aColoPeriodFarCostlierThanCheckpointModeEndsColoBeforeMinDwell() {
    LearningController controller = new LearningController();
    LearningController original =
        new LearningController(
            DEFAULTS.toBuilder().earlyExitFactor(Double.POSITIVE_INFINITY).build());
    controller.update(0, 0.1);
    original.update(0, 0.1);

    assertThat(controller.update(SECOND, 11.6)).isEqualTo(Mode.CHECKPOINT);
    assertThat(original.update(SECOND, 11.6)).isEqualTo(Mode.COLO);
  }

  @Test
  void aLoneFarCostlierPeriodDuringALongCheapColoStayCostsOnlyAFewPeriods() {
    LearningController controller = new LearningController();
    long now = 0;
    Mode mode = Mode.COLO;
    for (int i = 0; i < 200; i++) {
      mode = controller.update(now, 0.1);
      now += SECOND;
    }
    assertThat(controller.update(now, 8)).isEqualTo(Mode.CHECKPOINT);
    int checkpointPeriods = 0;
    mode = Mode.CHECKPOINT;
    for (int i = 0; i < 60; i++) {
      now += SECOND;
      mode = controller.update(now, mode == Mode.COLO ? 0.1 : 2.0);
      checkpointPeriods += mode == Mode.CHECKPOINT ? 1 : 0;
    }
    assertThat(checkpointPeriods).isLessThanOrEqualTo(5);
    assertThat(mode).isEqualTo(Mode.COLO);
  }

  @Test
  void probeHysteresisKeepsAColoSlightlyWorseThanCheckpointModeToFewProbes() {
    // bugzilla-like: COLO checkpoints 3 times a second on average.
    StabilityReport withHysteresis =
        StabilityCheck.builder().build().run(new LearningController(), vm(3, 3, 0, 7), 1_800);
    StabilityReport without =
        StabilityCheck.builder()
            .build()
            .run(new LearningController(DEFAULTS.toBuilder().probeHysteresis(1).build()),
                vm(3, 3, 0, 7), 1_800);

    assertThat(withHysteresis.switches()).isLessThanOrEqualTo(60);
    assertThat(withHysteresis.shareOf(Mode.COLO)).isLessThan(0.1);
    assertThat(without.switches()).isGreaterThan(2 * withHysteresis.switches());
  }

  @Test
  void eachParameterOutOfRangeThrowsNamingIt() {
    assertThatThrownBy(() -> LearningConfig.builder().earlyExitFactor(0.5).build())
        .hasMessageContaining("earlyExitFactor");
    assertThatThrownBy(() -> LearningConfig.builder().probeHysteresis(Double.NaN).build())
        .hasMessageContaining("probeHysteresis");
    assertThatThrownBy(() -> LearningConfig.builder().pausePerCheckpoint(Duration.ZERO).build())
        .hasMessageContaining("pausePerCheckpoint");
    assertThatThrownBy(() -> LearningConfig.builder().latencyWeight(-0.1).build())
        .hasMessageContaining("latencyWeight");
    assertThatThrownBy(() -> LearningConfig.builder().checkpointPeriod(Duration.ZERO).build())
        .hasMessageContaining("checkpointPeriod");
    assertThatThrownBy(() -> LearningConfig.builder().discount(1.0).build())
        .hasMessageContaining("discount");
    assertThatThrownBy(() -> LearningConfig.builder().exploration(Double.NaN).build())
        .hasMessageContaining("exploration");
    assertThatThrownBy(() -> LearningConfig.builder().minDwell(Duration.ofSeconds(-1)).build())
        .hasMessageContaining("minDwell");
  }
}
