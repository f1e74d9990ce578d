package org.hybridft.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AbstractModeControllerTest {

  private static final class Flip extends AbstractModeController {
    int decisions;

    Flip() {
      super(Mode.COLO);
    }

    @Override
    protected Mode decide(long nowNanos, double checkpointsPerSecond, boolean first) {
      decisions++;
      return mode() == Mode.COLO ? Mode.CHECKPOINT : Mode.COLO;
    }

    @Override
    protected void resetState() {
      decisions = 0;
    }

    @Override
    public long checkpointPeriodNanos() {
      return 1;
    }
  }

  /** Records what {@link #elapsedNanos()} said at each decision. */
  private static final class ElapsedRecorder extends AbstractModeController {
    final List<Long> elapsed = new ArrayList<>();

    ElapsedRecorder() {
      super(Mode.COLO);
    }

    @Override
    protected Mode decide(long nowNanos, double checkpointsPerSecond, boolean first) {
      elapsed.add(elapsedNanos());
      return Mode.COLO;
    }

    @Override
    protected void resetState() {
      // The recording is the test's; it survives reset on purpose.
    }

    @Override
    public long checkpointPeriodNanos() {
      return 1;
    }
  }

  @Test
  void elapsedNanosIsTheTimeSinceThePreviousUpdateAndZeroOnTheFirst() {
    ElapsedRecorder controller = new ElapsedRecorder();
    long start = 5_000_000_000_000L; // a nanoTime-like origin, far from 0

    controller.update(start, 1);
    controller.update(start + 3_000_000_000L, 1);
    controller.update(start + 3_000_000_000L, 1); // the same instant
    controller.update(start + 3_000_000_007L, 1);
    controller.update(start + 4_500_000_007L, 1);

    assertThat(controller.elapsed).containsExactly(0L, 3_000_000_000L, 0L, 7L, 1_500_000_000L);
  }

  @Test
  void afterResetTheFirstUpdateHasNoElapsedTimeAndTheNextMeasuresFromIt() {
    ElapsedRecorder controller = new ElapsedRecorder();
    controller.update(1_000, 1);
    controller.update(2_000, 1);

    controller.reset();
    controller.update(9_000, 1);
    controller.update(9_250, 1);

    assertThat(controller.elapsed).containsExactly(0L, 1_000L, 0L, 250L);
  }

  @Test
  void aRejectedUpdateLeavesTheElapsedTimeToTheNextValidOne() {
    ElapsedRecorder controller = new ElapsedRecorder();
    controller.update(100, 1);
    assertThatThrownBy(() -> controller.update(150, Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> controller.update(50, 1)).isInstanceOf(IllegalArgumentException.class);

    controller.update(400, 1);

    assertThat(controller.elapsed).containsExactly(0L, 300L);
  }

  @ParameterizedTest
  @ValueSource(doubles = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.5})
  void invalidRatesAreRejectedNamingTheValueWithoutChangingState(double cps) {
    Flip controller = new Flip();
    controller.update(0, 1);
    assertThatThrownBy(() -> controller.update(1, cps))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("checkpointsPerSecond")
        .hasMessageContaining(String.valueOf(cps));
    assertThat(controller.decisions).isEqualTo(1);
    assertThat(controller.mode()).isEqualTo(Mode.CHECKPOINT);
  }

  @Test
  void timeGoingBackwardsIsRejected() {
    Flip controller = new Flip();
    controller.update(100, 1);
    assertThatThrownBy(() -> controller.update(99, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("99")
        .hasMessageContaining("100");
    controller.update(100, 1); // the same instant is allowed
  }

  @Test
  void resetRestoresTheInitialModeAndClock() {
    Flip controller = new Flip();
    controller.update(100, 1);
    controller.reset();
    assertThat(controller.mode()).isEqualTo(Mode.COLO);
    controller.update(0, 1); // time may start over after reset
    assertThat(controller.decisions).isEqualTo(1);
  }
}
