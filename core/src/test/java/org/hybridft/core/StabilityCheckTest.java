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
}
