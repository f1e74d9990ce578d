package org.hybridft.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import org.junit.jupiter.api.Test;

class DowntimeMeterTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void ratioIsTotalPauseOverWallTimeOverallAndPerMode() {
    DowntimeMeter meter = new DowntimeMeter(100 * SECOND, Mode.COLO);
    meter.onPause(SECOND / 10);
    meter.switchMode(110 * SECOND, Mode.CHECKPOINT);
    meter.onPause(2 * SECOND);
    meter.onPause(SECOND);

    long now = 120 * SECOND;
    assertThat(meter.downtimeRatio(now)).isCloseTo(3.1 / 20, within(1e-12));
    assertThat(meter.downtimeRatio(Mode.COLO, now)).isCloseTo(0.01, within(1e-12));
    assertThat(meter.downtimeRatio(Mode.CHECKPOINT, now)).isCloseTo(0.3, within(1e-12));
    assertThat(meter.wallNanos(Mode.COLO, now)).isEqualTo(10 * SECOND);
    assertThat(meter.wallNanos(Mode.CHECKPOINT, now)).isEqualTo(10 * SECOND);
  }

  @Test
  void wallTimePerModeAddsUpToTheTotal() {
    qt().forAll(lists().of(longs().between(0, 10 * SECOND)).ofSizeBetween(0, 50))
        .checkAssert(
            steps -> {
              DowntimeMeter meter = new DowntimeMeter(0, Mode.COLO);
              long now = 0;
              for (long step : steps) {
                now += step;
                meter.switchMode(now, meter.mode() == Mode.COLO ? Mode.CHECKPOINT : Mode.COLO);
                meter.onPause(step / 10);
              }
              assertThat(meter.wallNanos(Mode.COLO, now) + meter.wallNanos(Mode.CHECKPOINT, now))
                  .isEqualTo(meter.wallNanos(now));
              assertThat(meter.downtimeRatio(now)).isBetween(0.0, 0.1 + 1e-9);
            });
  }

  @Test
  void noTimeMeansNoDowntime() {
    DowntimeMeter meter = new DowntimeMeter(5, Mode.CHECKPOINT);
    assertThat(meter.downtimeRatio(5)).isZero();
    assertThat(meter.downtimeRatio(Mode.COLO, 5)).isZero();
  }

  @Test
  void badInputIsRejected() {
    DowntimeMeter meter = new DowntimeMeter(SECOND, Mode.COLO);
    assertThatThrownBy(() -> meter.onPause(-1)).hasMessageContaining("pauseNanos");
    assertThatThrownBy(() -> meter.switchMode(0, Mode.CHECKPOINT)).hasMessageContaining("nowNanos");
    assertThatThrownBy(() -> new DowntimeMeter(0, null)).hasMessageContaining("initialMode");
  }
}
