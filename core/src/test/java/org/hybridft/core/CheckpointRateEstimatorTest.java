package org.hybridft.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class CheckpointRateEstimatorTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void constantEventRateIsMeasuredWithinOneEventPerWindow() {
    qt().forAll(
            doubles().between(0.1, 200.0),
            integers().between(1, 30),
            longs().between(0, 1_000_000 * SECOND),
            doubles().between(0.0, 0.999))
        .checkAssert(
            (rate, windowSeconds, origin, phase) -> {
              Duration window = Duration.ofSeconds(windowSeconds);
              CheckpointRateEstimator estimator =
                  CheckpointRateEstimator.forEvents(window, rate * 1.1);
              long interval = (long) (SECOND / rate);
              long start = origin;
              estimator.checkpointsPerSecond(start);
              long end = start + 3 * window.toNanos() + (long) (phase * interval);
              for (long t = start + interval; t <= end; t += interval) {
                estimator.onCheckpoint(t);
              }
              double measured = estimator.checkpointsPerSecond(end);
              double exact = SECOND / (double) interval;
              assertThat(measured).isCloseTo(exact, within(1.0 / windowSeconds + 1e-9));
            });
  }

  @Test
  void counterResetNeverGivesANegativeOrInfiniteRate() {
    qt().forAll(
            lists().of(longs().between(0, 1_000_000)).ofSizeBetween(1, 200),
            lists().of(longs().between(0, 5 * SECOND)).ofSizeBetween(1, 200),
            integers().between(1, 20))
        .checkAssert(
            (counts, steps, windowPeriods) -> {
              CheckpointRateEstimator estimator =
                  CheckpointRateEstimator.forCounter(
                      Duration.ofSeconds(windowPeriods), Duration.ofSeconds(1));
              long now = 0;
              for (int i = 0; i < counts.size(); i++) {
                now += steps.get(i % steps.size());
                estimator.onCounter(now, counts.get(i));
                double rate = estimator.checkpointsPerSecond(now);
                assertThat(rate).isFinite().isGreaterThanOrEqualTo(0.0);
              }
            });
  }

  @Test
  void counterRateIsTheIncreaseOverTheWindow() {
    CheckpointRateEstimator estimator =
        CheckpointRateEstimator.forCounter(Duration.ofSeconds(2), Duration.ofSeconds(1));
    estimator.onCounter(0, 100);
    assertThat(estimator.checkpointsPerSecond(0)).isZero();
    estimator.onCounter(SECOND, 103);
    assertThat(estimator.checkpointsPerSecond(SECOND)).isEqualTo(3.0);
    estimator.onCounter(2 * SECOND, 108);
    assertThat(estimator.checkpointsPerSecond(2 * SECOND)).isEqualTo(4.0);
    estimator.onCounter(3 * SECOND, 109);
    assertThat(estimator.checkpointsPerSecond(3 * SECOND)).isEqualTo(3.0); // (109-103)/2
  }

  @Test
  void askingLaterDoesNotStretchACountersRate() {
    CheckpointRateEstimator estimator =
        CheckpointRateEstimator.forCounter(Duration.ofSeconds(1), Duration.ofSeconds(1));
    estimator.onCounter(0, 0);
    estimator.onCounter(SECOND, 10);
    assertThat(estimator.checkpointsPerSecond(10 * SECOND)).isEqualTo(10.0);
    assertThat(estimator.checkpointsPerSecond(SECOND)).isEqualTo(10.0);
    assertThatThrownBy(() -> estimator.checkpointsPerSecond(0)).hasMessageContaining("nowNanos");
  }

  @Test
  void counterGoingDownIsAResetThatCountsTheNewValue() {
    CheckpointRateEstimator estimator =
        CheckpointRateEstimator.forCounter(Duration.ofSeconds(1), Duration.ofSeconds(1));
    estimator.onCounter(0, 5_000);
    estimator.onCounter(SECOND, 5_004);
    assertThat(estimator.checkpointsPerSecond(SECOND)).isEqualTo(4.0);
    estimator.onCounter(2 * SECOND, 2); // QEMU restarted: 2 checkpoints since
    assertThat(estimator.checkpointsPerSecond(2 * SECOND)).isEqualTo(2.0);
    estimator.onCounter(3 * SECOND, 7);
    assertThat(estimator.checkpointsPerSecond(3 * SECOND)).isEqualTo(5.0);
  }

  @Test
  void eventsBeyondCapacityAreMeasuredOverTheRetainedSpan() {
    CheckpointRateEstimator estimator = new CheckpointRateEstimator(Duration.ofSeconds(10), 4);
    estimator.checkpointsPerSecond(0);
    for (int i = 1; i <= 100; i++) {
      estimator.onCheckpoint(i * (SECOND / 10)); // 10 per second
    }
    assertThat(estimator.checkpointsPerSecond(10 * SECOND)).isCloseTo(10.0, within(1e-9));
  }

  @Test
  void eventsOlderThanTheWindowAreForgotten() {
    CheckpointRateEstimator estimator = CheckpointRateEstimator.forEvents(Duration.ofSeconds(1), 100);
    estimator.checkpointsPerSecond(0);
    for (int i = 1; i <= 50; i++) {
      estimator.onCheckpoint(i * (SECOND / 50));
    }
    assertThat(estimator.checkpointsPerSecond(SECOND)).isEqualTo(50.0);
    assertThat(estimator.checkpointsPerSecond(3 * SECOND)).isZero();
  }

  @Test
  void timeGoingBackwardsIsRejectedNamingTheValues() {
    CheckpointRateEstimator estimator = CheckpointRateEstimator.forEvents(Duration.ofSeconds(1), 10);
    estimator.onCheckpoint(5 * SECOND);
    assertThatThrownBy(() -> estimator.onCheckpoint(4 * SECOND))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nowNanos")
        .hasMessageContaining(String.valueOf(4 * SECOND));
  }

  @Test
  void mixingEventsAndCounterReadingsIsRejected() {
    CheckpointRateEstimator estimator = CheckpointRateEstimator.forEvents(Duration.ofSeconds(1), 10);
    estimator.onCheckpoint(0);
    assertThatThrownBy(() -> estimator.onCounter(1, 3)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void invalidArgumentsAreRejectedNamingTheParameter() {
    assertThatThrownBy(() -> new CheckpointRateEstimator(Duration.ZERO, 10))
        .hasMessageContaining("window");
    assertThatThrownBy(() -> new CheckpointRateEstimator(Duration.ofSeconds(1), 1))
        .hasMessageContaining("capacity");
    assertThatThrownBy(() -> CheckpointRateEstimator.forEvents(Duration.ofSeconds(1), Double.NaN))
        .hasMessageContaining("maxCheckpointsPerSecond");
    CheckpointRateEstimator estimator =
        CheckpointRateEstimator.forCounter(Duration.ofSeconds(1), Duration.ofSeconds(1));
    assertThatThrownBy(() -> estimator.onCounter(0, -1)).hasMessageContaining("count");
  }

  @Test
  void resetForgetsEverything() {
    CheckpointRateEstimator estimator =
        CheckpointRateEstimator.forCounter(Duration.ofSeconds(1), Duration.ofSeconds(1));
    estimator.onCounter(10 * SECOND, 1);
    estimator.onCounter(11 * SECOND, 9);
    estimator.reset();
    estimator.onCheckpoint(0); // time may restart and the input kind may change
    assertThat(estimator.checkpointsPerSecond(0)).isZero();
    assertThat(List.of(estimator.windowNanos())).containsExactly(SECOND);
  }
}
