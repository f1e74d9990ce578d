package org.hybridft.controllers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.hybridft.core.Mode;
import org.hybridft.core.ModeController;
import org.hybridft.core.StabilityCheck;
import org.hybridft.core.StabilityReport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.quicktheories.core.Gen;

/**
 * What the adaptive controllers promise with their defaults, on random sequences of workload
 * phases (closed loop, one update per second): where one mode clearly costs more than the other
 * for minutes at a time they spend little time in it, and where the workload does not change they
 * switch rarely.
 */
class AdaptiveControllerPropertiesTest {
  /** One mode's checkpoint rate at least this many times the other's: a clear difference. */
  static final double CLEAR_MARGIN = 2;

  /**
   * The most time an adaptive controller may spend in the clearly worse mode, over phases of 10 to
   * 30 minutes: after a long bad phase a controller may take its longest back-off (160 s for
   * threshold and PI with their defaults) to find that COLO has become good, and it probes COLO
   * now and then while COLO stays bad. The research's PI rule, which probes every few seconds,
   * exceeds it ({@link #theResearchsPiRuleBreaksBothBounds}).
   */
  static final double MAX_WORSE_MODE_SHARE = 0.15;

  /**
   * These are bounds on performance, not invariants: a rare draw can cross one (seed 3216055699412
   * draws [6 cps for 600 s, then 0 for 600 s], where learning runs the worse mode 15.25 % of the
   * time). The draws are seeded so that CI judges the same 60 sequences every time; see
   * docs/clairvoyant.md for how far the controllers are from what is possible.
   */
  static final long SEED = 20_261_202L;

  /** At most one switch per 30 s on a workload that does not change. */
  static final double MAX_SWITCHES_PER_HOUR_STATIONARY = 120;

  static List<Arguments> controllers() {
    return List.of(
        Arguments.of("threshold", (Supplier<ModeController>) ThresholdController::new),
        Arguments.of("pi", (Supplier<ModeController>) PiController::new),
        Arguments.of("learning", (Supplier<ModeController>) LearningController::new));
  }

  /**
   * One phase of a workload: its length and how fast COLO mode checkpoints in it (around
   * {@code coloCps}, jittered by up to ±30 % per second).
   */
  record Phase(int seconds, double coloCps) {}

  /** COLO either clearly good (at most 0.5 cps) or clearly bad (6 to 15 cps), for 10 to 30 min. */
  static Gen<Phase> clearPhases() {
    return booleans().all()
        .zip(integers().between(600, 1800), doubles().between(0, 1),
            (bad, seconds, where) -> new Phase(seconds, bad ? 6 + 9 * where : 0.5 * where));
  }

  /** The closed-loop rates of a phase sequence: COLO's jittered per second, checkpoint mode's fixed. */
  static StabilityCheck.RateModel model(List<Phase> phases, long seed, double checkpointModeCps) {
    int total = periods(phases);
    double[] colo = new double[total];
    SplittableRandom random = new SplittableRandom(seed);
    int at = 0;
    for (Phase phase : phases) {
      for (int s = 0; s < phase.seconds(); s++) {
        // A good phase stays within the clear margin: at most 0.5 x 1.3 = 0.65 cps against 2.
        colo[at++] = phase.coloCps() * (0.7 + 0.6 * random.nextDouble());
      }
    }
    return (mode, period) -> mode == Mode.CHECKPOINT ? checkpointModeCps : colo[period];
  }

  /** One control period per second of the phases. */
  static int periods(List<Phase> phases) {
    return phases.stream().mapToInt(Phase::seconds).sum();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("controllers")
  void onPhasesWithAClearDifferenceTheWorseModeRunsRarely(String name, Supplier<ModeController> factory) {
    qt().withFixedSeed(SEED).withExamples(60)
        .forAll(lists().of(clearPhases()).ofSizeBetween(2, 8), longs().all())
        .checkAssert((phases, seed) -> {
          ModeController controller = factory.get();
          StabilityCheck.RateModel model =
              model(phases, seed, 1e9 / controller.checkpointPeriodNanos());
          StabilityReport report = StabilityCheck.builder()
              .maxWorseModeShare(MAX_WORSE_MODE_SHARE, CLEAR_MARGIN)
              .build()
              .run(controller, model, periods(phases));
          assertThat(report.violations()).as("%s on %s", name, phases).isEmpty();
        });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("controllers")
  void onAWorkloadThatDoesNotChangeSwitchesAreRare(String name, Supplier<ModeController> factory) {
    qt().withFixedSeed(SEED).withExamples(60)
        .forAll(clearPhases(), longs().all())
        .checkAssert((phase, seed) -> {
          ModeController controller = factory.get();
          List<Phase> hour = List.of(new Phase(3600, phase.coloCps()));
          StabilityCheck.RateModel model = model(hour, seed, 1e9 / controller.checkpointPeriodNanos());
          StabilityReport report = StabilityCheck.builder()
              .maxSwitchesPerHour(MAX_SWITCHES_PER_HOUR_STATIONARY)
              .build()
              .run(controller, model, periods(hour));
          assertThat(report.violations()).as("%s at about %.2f cps in COLO", name, phase.coloCps()).isEmpty();
        });
  }

  @org.junit.jupiter.api.Test
  void theResearchsPiRuleBreaksBothBounds() {
    // The same properties on PI without its extensions: they can fail, and do for the rule that
    // made 355 switches in 30 minutes on bugzilla.
    PiController research = new PiController(PiConfig.builder()
        .probeBackoff(1)
        .earlyExitFactor(Double.POSITIVE_INFINITY)
        .fastReturnFactor(Double.POSITIVE_INFINITY)
        .build());
    List<Phase> badHour = List.of(new Phase(3600, 10));
    StabilityCheck.RateModel stationaryBad = model(badHour, 1, 1e9 / research.checkpointPeriodNanos());

    StabilityReport report = StabilityCheck.builder()
        .maxSwitchesPerHour(MAX_SWITCHES_PER_HOUR_STATIONARY)
        .maxWorseModeShare(MAX_WORSE_MODE_SHARE, CLEAR_MARGIN)
        .build()
        .run(research, stationaryBad, periods(badHour));

    assertThat(report.violations())
        .extracting(StabilityReport.Violation::kind)
        .containsExactlyInAnyOrder(StabilityReport.Violation.Kind.SWITCH_RATE, StabilityReport.Violation.Kind.WORSE_MODE);
  }
}
