package org.hybridft.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class EstimateTest {
  @Test
  void theConfidenceIntervalUsesStudentsT() {
    Estimate estimate = Estimate.of(new double[] {1, 2, 3, 4, 5});

    assertThat(estimate.mean()).isEqualTo(3.0);
    // t(0.975, 4) = 2.7764, s = 1.5811, n = 5.
    assertThat(estimate.halfWidth95()).isCloseTo(2.7764 * 1.5811 / Math.sqrt(5), within(1e-3));
  }

  @Test
  void oneRunHasNoInterval() {
    assertThat(Estimate.of(new double[] {7}).halfWidth95()).isZero();
  }

  @Test
  void noRunIsRejected() {
    assertThatThrownBy(() -> Estimate.of(new double[0])).hasMessageContaining("at least one");
  }
}
