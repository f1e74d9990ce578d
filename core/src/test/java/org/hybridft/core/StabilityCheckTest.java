package org.hybridft.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class StabilityCheckTest {

  /** Switches whenever the rate crosses 1 cps: a deliberately twitchy controller. */
  private static final class Twitchy extends AbstractModeController {
    Twitchy() {
      super(Mode.COLO);
    }

    @Override
    protected Mode decide(long nowNanos, double checkpointsPerSecond, boolean first) {
      return checkpointsPerSecond > 1 ? Mode.CHECKPOINT : Mode.COLO;
    }

    @Override
    protected void resetState() {}

    @Override
    public long checkpointPeriodNanos() {
      return 1;
    }
  }

  @Test
  void shortDwellsAndFastSwitchingAreReported() {
    double[] alternating = {0, 2, 0, 2, 0, 2, 0, 2};
    StabilityReport report =
        StabilityCheck.builder()
            .minDwell(Duration.ofSeconds(2))
            .maxSwitchesPerHour(1800)
            .build()
            .run(new Twitchy(), alternating);

    assertThat(report.switches()).isEqualTo(7);
    assertThat(report.shortestDwellNanos()).isEqualTo(1_000_000_000L);
    assertThat(report.violations())
        .extracting(StabilityReport.Violation::kind)
        .contains(StabilityReport.Violation.Kind.DWELL, StabilityReport.Violation.Kind.SWITCH_RATE);
    assertThatThrownBy(report::assertStable).isInstanceOf(AssertionError.class).hasMessageContaining("DWELL");
  }

  @Test
  void convergenceIsCheckedAfterTheGivenPeriod() {
    double[] high = new double[100];
    java.util.Arrays.fill(high, 5);
    StabilityReport report =
        StabilityCheck.builder()
            .expectConvergence(Mode.CHECKPOINT, 10, 0.95)
            .build()
            .run(new Twitchy(), high);
    assertThat(report.isStable()).isTrue();
    assertThat(report.shareOf(Mode.CHECKPOINT)).isEqualTo(1.0);

    StabilityReport wrong =
        StabilityCheck.builder().expectConvergence(Mode.COLO, 10, 0.95).build().run(new Twitchy(), high);
    assertThat(wrong.violations())
        .singleElement()
        .extracting(StabilityReport.Violation::kind)
        .isEqualTo(StabilityReport.Violation.Kind.CONVERGENCE);
  }

  @Test
  void closedLoopModelSeesTheModeOfThePeriod() {
    // COLO measures 3 cps, CHECKPOINT 0: the twitchy controller alternates every period.
    StabilityReport report =
        StabilityCheck.builder()
            .build()
            .run(new Twitchy(), (mode, period) -> mode == Mode.COLO ? 3 : 0, 6);
    assertThat(report.modes())
        .containsExactly(
            Mode.CHECKPOINT, Mode.COLO, Mode.CHECKPOINT, Mode.COLO, Mode.CHECKPOINT, Mode.COLO);
  }

  @Test
  void invalidSettingsAreRejected() {
    assertThatThrownBy(() -> StabilityCheck.builder().maxSwitchesPerHour(-1))
        .hasMessageContaining("maxSwitchesPerHour");
    assertThatThrownBy(() -> StabilityCheck.builder().expectConvergence(Mode.COLO, 0, 1.5))
        .hasMessageContaining("minShare");
  }

  @Test
  void theShareOfClearlyWorsePeriodsInTheWorseModeIsMeasuredAndBounded() {
    // COLO costs 4 cps for 10 periods (checkpoint mode 2), then 0.5 for 10 (checkpoint 2): the
    // twitchy controller runs COLO for its first period, then alternates modes in the first
    // stretch and stays in COLO through the second.
    StabilityCheck.RateModel model =
        (mode, period) -> mode == Mode.CHECKPOINT ? 2 : period < 10 ? 4 : 0.5;
    StabilityReport report =
        StabilityCheck.builder().maxWorseModeShare(0.2, 1.5).build().run(new Twitchy(), model, 20);

    // Worse mode: COLO in periods 0-9 (4 >= 1.5 x 2), checkpoint in 10-19 (2 >= 1.5 x 0.5).
    int worse = 0;
    for (int period = 0; period < 20; period++) {
      Mode ran = period == 0 ? Mode.COLO : report.modes().get(period - 1);
      worse += (period < 10 ? ran == Mode.COLO : ran == Mode.CHECKPOINT) ? 1 : 0;
    }
    assertThat(worse).as("the twitchy controller spends some periods in the worse mode").isPositive();
    assertThat(report.worseModeShare()).isEqualTo(worse / 20.0);
    assertThat(report.violations())
        .extracting(StabilityReport.Violation::kind)
        .containsExactly(StabilityReport.Violation.Kind.WORSE_MODE);
  }

  @Test
  void periodsWithoutAClearMarginDoNotCount() {
    // 2.5 against 2 is within a 1.5x margin: neither mode is clearly worse in any period.
    StabilityReport report =
        StabilityCheck.builder()
            .maxWorseModeShare(0, 1.5)
            .build()
            .run(new Twitchy(), (mode, period) -> mode == Mode.CHECKPOINT ? 2 : 2.5, 50);

    assertThat(report.worseModeShare()).isNaN();
    assertThat(report.isStable()).isTrue();
  }

  @Test
  void withoutTheInvariantTheWorseModeShareIsNotMeasured() {
    StabilityReport report =
        StabilityCheck.builder().build().run(new Twitchy(), (mode, period) -> mode == Mode.COLO ? 9 : 1, 10);

    assertThat(report.worseModeShare()).isNaN();
  }

  @Test
  void aWorseModeMarginOfOneOrLessOrAShareOutsideZeroToOneIsRefused() {
    assertThatThrownBy(() -> StabilityCheck.builder().maxWorseModeShare(0.1, 1.0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("margin")
        .hasMessageContaining("1.0");
    assertThatThrownBy(() -> StabilityCheck.builder().maxWorseModeShare(1.1, 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxShare");
  }
}
