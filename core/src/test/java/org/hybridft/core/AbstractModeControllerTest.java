package org.hybridft.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
