package org.hybridft.controllers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;

import java.time.Duration;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.hybridft.core.Mode;
import org.hybridft.core.StabilityCheck;
import org.hybridft.core.StabilityReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PiControllerTest {

  @Test
  void theIntegralAccumulatesTheErrorOverTheMeasuredIntervalNotTheConfiguredPeriod() {
    PiConfig config =
        PiConfig.builder().setPointCps(5).kp(0).ki(0.1).controlPeriod(Duration.ofSeconds(1)).build();
    PiController onTime = new PiController(config);
    PiController late = new PiController(config);
    long start = 7_000_000_000_000L;

    // Error 5 - 6 = -1 cps; the integral starts full (1/ki = 10) and the first update, whose
    // interval is unknown, integrates over the configured 1 s.
    onTime.update(start, 6);
    late.update(start, 6);
    assertThat(onTime.integral()).isCloseTo(9.0, within(1e-9));
    onTime.update(start + 1_000_000_000L, 6);
    late.update(start + 3_000_000_000L, 6); // a tick that came 3 s after the previous one

    assertThat(onTime.integral()).isCloseTo(8.0, within(1e-9));
    assertThat(late.integral()).isCloseTo(6.0, within(1e-9));
    assertThat(late.coloShare()).isCloseTo(0.6, within(1e-9));
  }

  @Test
  void rhoStaysWithinZeroAndOne() {
    qt().forAll(Generators.piConfigs(), Generators.rates(1, 500))
        .checkAssert(
            (config, rates) -> {
              PiController controller = new PiController(config);
              long period = config.controlPeriod().toNanos();
              long now = 0;
              for (double cps : rates) {
                controller.update(now, cps);
                assertThat(controller.coloShare()).isBetween(0.0, 1.0);
                assertThat(controller.integral()).isBetween(0.0, 1.0 / config.ki());
                now += period;
              }
            });
  }

  @Test
  void outputLeavesSaturationWithinOnePeriodOnceTheErrorChangesSign() {
    qt().forAll(
            Generators.piConfigs(),
            integers().between(1, 5_000),
            doubles().between(0.01, 50),
            doubles().between(0.01, 50))
        .checkAssert(
            (config, saturatedPeriods, into, outOf) -> {
              long period = config.controlPeriod().toNanos();
              // Saturate high: rate far below the set-point for a long time...
              PiController high = new PiController(config);
              long now = 0;
              double below = Math.max(0, config.setPointCps() - into);
              for (int i = 0; i < saturatedPeriods; i++, now += period) {
                high.update(now, below);
              }
              if (high.coloShare() >= 1.0) {
                // ...then the error turns negative: rho must drop below 1 at the next period.
                high.update(now, config.setPointCps() + outOf);
                assertThat(high.coloShare()).isLessThan(1.0);
              }
              // Saturate low, then the error turns positive: rho must rise above 0.
              PiController low = new PiController(config);
              now = 0;
              for (int i = 0; i < saturatedPeriods; i++, now += period) {
                low.update(now, config.setPointCps() + into);
              }
              if (low.coloShare() <= 0.0 && config.setPointCps() > 0) {
                low.update(now, Math.max(0, config.setPointCps() - Math.min(outOf, config.setPointCps())));
                assertThat(low.coloShare()).isGreaterThan(0.0);
              }
            });
  }

  @Test
  void constantRateBelowTheSetPointConvergesToAllColo() {
    qt().forAll(Generators.piConfigs(), doubles().between(0.2, 1.0))
        .assuming((config, fraction) -> config.setPointCps() >= 0.5)
        .checkAssert(
            (config, fraction) -> {
              double error = Math.max(0.5, config.setPointCps() * fraction) ;
              double cps = Math.max(0, config.setPointCps() - error);
              int bound = convergenceBound(config, config.setPointCps() - cps);
              // Start from all-CHECKPOINT: drive rho to 0 first.
              PiController controller = new PiController(config);
              long period = config.controlPeriod().toNanos();
              long now = 0;
              while (controller.coloShare() > 0 || controller.integral() > 0) {
                controller.update(now, config.setPointCps() + 100);
                now += period;
              }
              double[] constant = new double[bound + 200];
              java.util.Arrays.fill(constant, cps);
              StabilityCheck.builder()
                  .controlPeriod(config.controlPeriod())
                  .startNanos(now)
                  .expectConvergence(Mode.COLO, bound, 1.0)
                  .build()
                  .run(controller, constant)
                  .assertStable();
            });
  }

  @Test
  void constantRateFarAboveTheSetPointConvergesToAllCheckpoint() {
    qt().forAll(Generators.piConfigs(), doubles().between(0.5, 100))
        .checkAssert(
            (config, excess) -> {
              double cps = config.setPointCps() + excess;
              int bound = convergenceBound(config, excess);
              double[] constant = new double[bound + 200];
              java.util.Arrays.fill(constant, cps);
              StabilityCheck.builder()
                  .controlPeriod(config.controlPeriod())
                  .expectConvergence(Mode.CHECKPOINT, bound, 1.0)
                  .build()
                  .run(new PiController(config), constant)
                  .assertStable();
            });
  }

  /** Periods for the integral to cross its whole range, plus two duty windows and a dwell. */
  private static int convergenceBound(PiConfig config, double absError) {
    double periodSeconds = config.controlPeriod().toNanos() / 1e9;
    double integralPeriods = 1.0 / (config.ki() * absError * periodSeconds);
    long dwellPeriods = config.minDwell().toNanos() / config.controlPeriod().toNanos() + 1;
    return (int) Math.min(200_000, Math.ceil(integralPeriods) + 2L * config.dutyWindowPeriods() + dwellPeriods + 1);
  }

  @Test
  void noDwellShorterThanMinDwell() {
    qt().forAll(Generators.piConfigs(), Generators.rates(1, 1_000))
        .checkAssert(
            (config, rates) ->
                StabilityCheck.builder()
                    .controlPeriod(config.controlPeriod())
                    .minDwell(config.minDwell())
                    .build()
                    .run(new PiController(config), Generators.toArray(rates))
                    .assertStable());
  }

  @Test
  void dutyCycleSplitsTheWindowByRho() {
    // kp = 0, so rho is the integral term alone; a rate equal to the set-point holds it.
    PiConfig config =
        PiConfig.builder().kp(0).ki(0.1).setPointCps(2).minDwell(Duration.ZERO)
            .earlyExitFactor(Double.POSITIVE_INFINITY).build();
    PiController controller = new PiController(config);
    long second = 1_000_000_000L;
    long now = 0;
    // Bring rho from 1 to 0.3: integral from 10 to 3 = 7 cps·s below the set-point.
    controller.update(now, 9);
    assertThat(controller.coloShare()).isCloseTo(0.3, org.assertj.core.data.Offset.offset(1e-9));
    java.util.List<Mode> modes = new java.util.ArrayList<>();
    for (int i = 0; i < 18; i++) {
      now += second;
      modes.add(controller.update(now, 2));
    }
    // The first window (started with rho = 1) ends after 8 more COLO periods; the next window
    // runs rho·10 = 3 periods of COLO, then 7 of CHECKPOINT.
    assertThat(modes.subList(0, 8)).containsOnly(Mode.COLO);
    assertThat(modes.subList(8, 18))
        .containsExactly(
            Mode.COLO, Mode.COLO, Mode.COLO,
            Mode.CHECKPOINT, Mode.CHECKPOINT, Mode.CHECKPOINT, Mode.CHECKPOINT,
            Mode.CHECKPOINT, Mode.CHECKPOINT, Mode.CHECKPOINT);
  }

  private static final long SECOND = 1_000_000_000L;

  /** Drives the controller in closed loop: COLO measures coloCps, checkpoint mode 2 cps. */
  private static StabilityReport closedLoop(PiConfig config, double coloCps, int periods) {
    return StabilityCheck.builder()
        .build()
        .run(new PiController(config), (mode, period) -> mode == Mode.COLO ? coloCps : 2.0, periods);
  }

  @Test
  void probeBackoffMakesColoProbesOnAStationaryBadWorkloadRarerThanOnePer30Seconds() {
    // bugzilla-like: COLO checkpoints 3 times a second, checkpoint mode twice.
    StabilityReport withBackoff = closedLoop(PiConfig.defaults(), 3.0, 1_800);
    StabilityReport research =
        closedLoop(PiConfig.defaults().toBuilder().probeBackoff(1).build(), 3.0, 1_800);

    assertThat(withBackoff.switches()).isLessThanOrEqualTo(60);
    assertThat(withBackoff.shareOf(Mode.CHECKPOINT)).isGreaterThan(0.95);
    assertThat(research.switches()).isGreaterThan(300);
  }

  @Test
  void probeBackoffGrowsByItsFactorWithEachBadColoStretchUpToItsMaximum() {
    PiConfig config =
        PiConfig.builder().probeBackoff(2).maxProbeBackoff(8)
            .earlyExitFactor(Double.POSITIVE_INFINITY).build();
    PiController controller = new PiController(config);
    Mode previous = controller.mode();
    java.util.List<Double> seen = new java.util.ArrayList<>();
    for (int i = 0; i < 3_000; i++) {
      double integralBefore = controller.integral();
      double backoffBefore = controller.backoff();
      previous = controller.update(i * SECOND, previous == Mode.COLO ? 3.0 : 2.0);
      if (controller.backoff() > backoffBefore) {
        // A bad stretch: the back-off doubles and the integral is halved (after its own step).
        assertThat(controller.backoff()).isEqualTo(Math.min(8, 2 * backoffBefore));
        assertThat(controller.integral()).isLessThan(integralBefore / 2 + 1e-9);
      }
      if (seen.isEmpty() || !seen.get(seen.size() - 1).equals(controller.backoff())) {
        seen.add(controller.backoff());
      }
    }
    assertThat(seen).containsExactly(1.0, 2.0, 4.0, 8.0);
  }

  /** Runs bad COLO (3 cps) until the back-off reaches 4 and the controller is in checkpoint mode. */
  private static long backOff(PiController controller) {
    long now = 0;
    Mode mode = controller.mode();
    while (controller.backoff() < 4 || mode == Mode.COLO) {
      mode = controller.update(now, mode == Mode.COLO ? 3.0 : 2.0);
      now += SECOND;
    }
    return now;
  }

  @Test
  void wholeWindowsOfGoodColoShrinkTheBackoffBackToOne() {
    PiController controller = new PiController();
    long now = backOff(controller);
    Mode mode = controller.mode();
    // COLO now measures 2.2 cps: below the set point, not far below it.
    for (int i = 0; i < 600; i++) {
      mode = controller.update(now, mode == Mode.COLO ? 2.2 : 2.0);
      now += SECOND;
    }
    assertThat(controller.backoff()).isEqualTo(1.0);
    assertThat(mode).isEqualTo(Mode.COLO);
  }

  @Test
  void aShortGoodProbeLeavesTheBackoffAsItWas() {
    PiController controller = new PiController();
    long now = backOff(controller);
    double before = controller.backoff();
    Mode mode = controller.mode();
    while (mode != Mode.COLO) {
      mode = controller.update(now, 2.0);
      now += SECOND;
    }
    int coloPeriods = 0;
    while (mode == Mode.COLO) {
      mode = controller.update(now, 2.4);
      now += SECOND;
      coloPeriods++;
    }
    assertThat(coloPeriods).isLessThan(PiConfig.DEFAULT_DUTY_WINDOW_PERIODS);
    assertThat(controller.backoff()).isEqualTo(before);
  }

  @Test
  void aColoPeriodFarAboveTheSetPointEndsColoAtOnceAndEmptiesTheIntegral() {
    PiController controller = new PiController();
    controller.update(0, 0.1);
    Mode mode = controller.update(SECOND, 11);

    assertThat(mode).isEqualTo(Mode.CHECKPOINT);
    assertThat(controller.integral()).isZero();
  }

  @Test
  void withoutEarlyExitAFarAbovePeriodStaysInColoForTheWindowItPlanned() {
    PiController controller =
        new PiController(
            PiConfig.builder().earlyExitFactor(Double.POSITIVE_INFINITY).build());
    controller.update(0, 0.1);

    assertThat(controller.update(SECOND, 11)).isEqualTo(Mode.COLO);
  }

  @Test
  void earlyExitCutsColoOnAHighlyNonDeterministicWorkloadToSingleProbePeriods() {
    // video-like: COLO 11.6 cps. Every COLO stretch after the first lasts one period.
    StabilityReport report = closedLoop(PiConfig.defaults(), 11.6, 1_800);
    StabilityReport research =
        closedLoop(
            PiConfig.defaults().toBuilder()
                .earlyExitFactor(Double.POSITIVE_INFINITY).build(),
            11.6, 1_800);

    long coloPeriods = report.modes().stream().filter(m -> m == Mode.COLO).count();
    assertThat(coloPeriods).isLessThanOrEqualTo(report.switches() / 2 + 1);
    assertThat(report.shareOf(Mode.COLO)).isLessThan(research.shareOf(Mode.COLO) / 2);
  }

  @Test
  void aProbeFarBelowTheSetPointGivesColoTheWholeWindowAtOnce() {
    PiConfig config = PiConfig.defaults();
    PiController fast = new PiController(config);
    PiController research =
        new PiController(config.toBuilder().fastReturnFactor(Double.POSITIVE_INFINITY).build());
    // A burst empties the integral (early exit); then the workload turns deterministic: COLO
    // measures 0.1 cps, checkpoint mode 2.
    fast.update(0, 0.1);
    research.update(0, 0.1);
    Mode fastMode = fast.update(SECOND, 11);
    Mode researchMode = research.update(SECOND, 11);
    int fastColo = 0;
    int researchColo = 0;
    for (int i = 2; i <= 60; i++) {
      fastMode = fast.update(i * SECOND, fastMode == Mode.COLO ? 0.1 : 2.0);
      researchMode = research.update(i * SECOND, researchMode == Mode.COLO ? 0.1 : 2.0);
      if (i > 10) {
        fastColo += fastMode == Mode.COLO ? 1 : 0;
        researchColo += researchMode == Mode.COLO ? 1 : 0;
      }
    }
    // From its first probe on, the fast return stays in COLO; the research rule mixes its
    // windows until the integral has refilled.
    assertThat(fastColo).isEqualTo(50);
    assertThat(researchColo).isLessThan(40);
  }

  @Test
  void withExtensionsRhoIntegralAndBackoffStayInRangeAndOnlyEarlyExitsShortenADwell() {
    qt().forAll(Generators.piConfigsWithExtensions(), Generators.rates(1, 500))
        .checkAssert(
            (config, rates) -> {
              PiController controller = new PiController(config);
              long period = config.controlPeriod().toNanos();
              long now = 0;
              long modeStart = 0;
              Mode previous = controller.mode();
              double earlyExitCps = config.earlyExitFactor() * config.setPointCps();
              for (double cps : rates) {
                Mode mode = controller.update(now, cps);
                assertThat(controller.coloShare()).isBetween(0.0, 1.0);
                assertThat(controller.integral()).isBetween(0.0, 1.0 / config.ki());
                assertThat(controller.backoff())
                    .isBetween(1.0, Math.max(1.0, config.maxProbeBackoff()));
                if (mode != previous && now > 0) {
                  boolean earlyExit = previous == Mode.COLO && cps > earlyExitCps;
                  if (!earlyExit) {
                    assertThat(now - modeStart).isGreaterThanOrEqualTo(config.minDwell().toNanos());
                  }
                  modeStart = now;
                }
                previous = mode;
                now += period;
              }
            });
  }

  static Stream<Arguments> invalidParameters() {
    return Stream.of(
        Arguments.of("probeBackoff", (UnaryOperator<PiConfig.Builder>) b -> b.probeBackoff(0.5)),
        Arguments.of("maxProbeBackoff", (UnaryOperator<PiConfig.Builder>) b -> b.maxProbeBackoff(Double.POSITIVE_INFINITY)),
        Arguments.of("earlyExitFactor", (UnaryOperator<PiConfig.Builder>) b -> b.earlyExitFactor(0.9)),
        Arguments.of("fastReturnFactor", (UnaryOperator<PiConfig.Builder>) b -> b.fastReturnFactor(Double.NaN)),
        Arguments.of("setPointCps", (UnaryOperator<PiConfig.Builder>) b -> b.setPointCps(-1)),
        Arguments.of("setPointCps", (UnaryOperator<PiConfig.Builder>) b -> b.setPointCps(Double.NaN)),
        Arguments.of("kp", (UnaryOperator<PiConfig.Builder>) b -> b.kp(-0.1)),
        Arguments.of("ki", (UnaryOperator<PiConfig.Builder>) b -> b.ki(0)),
        Arguments.of("ki", (UnaryOperator<PiConfig.Builder>) b -> b.ki(Double.POSITIVE_INFINITY)),
        Arguments.of("controlPeriod", (UnaryOperator<PiConfig.Builder>) b -> b.controlPeriod(Duration.ZERO)),
        Arguments.of("dutyWindowPeriods", (UnaryOperator<PiConfig.Builder>) b -> b.dutyWindowPeriods(0)),
        Arguments.of("minDwell", (UnaryOperator<PiConfig.Builder>) b -> b.minDwell(Duration.ofSeconds(-1))),
        Arguments.of("checkpointPeriod", (UnaryOperator<PiConfig.Builder>) b -> b.checkpointPeriod(Duration.ZERO)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidParameters")
  void eachParameterOutOfRangeThrowsNamingIt(
      String parameter, UnaryOperator<PiConfig.Builder> breakIt) {
    assertThatThrownBy(() -> breakIt.apply(PiConfig.builder()).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(parameter);
  }

  @Test
  void theDefaultSetPointIsAQuarterAboveCheckpointModesRate() {
    PiConfig defaults = PiConfig.defaults();

    assertThat(new PiController(defaults).setPointCps()).isEqualTo(2.5, within(1e-12));
    assertThat(new PiController(defaults.toBuilder().checkpointPeriod(Duration.ofSeconds(1)).build()).setPointCps())
        .isEqualTo(1.25, within(1e-12));
    assertThat(new PiController(defaults.toBuilder().setPointCps(3).checkpointPeriod(Duration.ofSeconds(1)).build())
            .setPointCps())
        .isEqualTo(3.0);
  }

  @Test
  void withTheDefaultSetPointAOneSecondPeriodLeavesAColoThatCheckpointsTwiceAsOften() {
    PiController controller = new PiController(PiConfig.builder().checkpointPeriod(Duration.ofSeconds(1)).build());

    long coloPeriods = 0;
    for (long second = 0; second < 600; second++) {
      Mode mode = controller.update(second * 1_000_000_000L, controller.mode() == Mode.COLO ? 2.0 : 1.0);
      coloPeriods += mode == Mode.COLO ? 1 : 0;
    }

    // 2.5 cps was the fixed default set point: a COLO at 2 cps was kept against checkpoint mode's 1.
    assertThat(coloPeriods).as("periods in COLO out of 600").isLessThan(60);
  }
}
