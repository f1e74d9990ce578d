package org.hybridft.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.hybridft.core.DowntimeMeter;
import org.hybridft.core.Mode;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * {@link DowntimeMeter}: a checkpoint pause recorded and the downtime ratio read, as a control
 * loop does every period, and a mode switch recorded. Pauses are 1 to 40 ms (log-uniform),
 * periods 1 s; the switches follow a pre-generated sequence in which the mode changes about
 * every third call.
 */
@State(Scope.Thread)
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class DowntimeMeterBenchmark {
  private static final int LENGTH = 1 << 14;
  private static final int MASK = LENGTH - 1;
  private static final long PERIOD_NANOS = 1_000_000_000L;

  private DowntimeMeter pauses;
  private DowntimeMeter switches;
  private long[] pauseNanos;
  private Mode[] modes;
  private int index;
  private long pauseClock;
  private long switchClock;

  /** Builds the meters and the pauses and modes they are fed. */
  @Setup
  public void setUp() {
    pauses = new DowntimeMeter(0, Mode.COLO);
    switches = new DowntimeMeter(0, Mode.COLO);
    SplittableRandom random = new SplittableRandom(42);
    pauseNanos = new long[LENGTH];
    modes = new Mode[LENGTH];
    Mode mode = Mode.COLO;
    for (int i = 0; i < LENGTH; i++) {
      pauseNanos[i] = (long) (1e6 * Math.pow(40, random.nextDouble()));
      if (random.nextInt(3) == 0) {
        mode = mode == Mode.COLO ? Mode.CHECKPOINT : Mode.COLO;
      }
      modes[i] = mode;
    }
    index = 0;
    pauseClock = 0;
    switchClock = 0;
  }

  /** One period's pause recorded, then the downtime ratio. */
  @Benchmark
  public double onPauseThenRatio() {
    pauseClock += PERIOD_NANOS;
    pauses.onPause(pauseNanos[index++ & MASK]);
    return pauses.downtimeRatio(pauseClock);
  }

  /** One mode change recorded (or the same mode again, which closes a wall-time segment). */
  @Benchmark
  public Mode switchMode() {
    switchClock += PERIOD_NANOS;
    switches.switchMode(switchClock, modes[index++ & MASK]);
    return switches.mode();
  }
}
