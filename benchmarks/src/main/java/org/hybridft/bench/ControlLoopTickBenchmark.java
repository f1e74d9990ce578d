package org.hybridft.bench;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.hybridft.controllers.ControllerRegistry;
import org.hybridft.core.CheckpointCounter;
import org.hybridft.core.ControlLoop;
import org.hybridft.core.Mode;
import org.hybridft.core.ModeActuator;
import org.hybridft.testing.VirtualScheduler;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One {@link ControlLoop} tick with in-memory ports, run on the caller's thread by the test
 * fixtures' {@link VirtualScheduler} (advancing it one period runs exactly the loop's tick, with a
 * one-element queue and no allocation): the clock is read, the counter (checkpoints and pause total) is read, the
 * rate estimator, the downtime meter and the controller are fed, and the actuator is not called
 * because the mode holds. That is the steady state of a VM: a mode change is rare next to the
 * ticks that keep the mode.
 *
 * <p>The counter advances by 0 or 1 checkpoint per 1 s period (deterministic work, pre-generated),
 * which keeps every controller in its mode, and by 1 to 40 ms of pause per checkpoint. The clock
 * is the scheduler's virtual time and advances one period per tick. The tear-down fails the run if
 * the actuator was called after the first tick or if anything besides the tick was scheduled (an
 * actuator retry), so a figure never silently includes mode changes.
 */
@State(Scope.Thread)
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ControlLoopTickBenchmark {
  private static final int LENGTH = 1 << 14;
  private static final int MASK = LENGTH - 1;
  private static final long PERIOD_NANOS = 1_000_000_000L;

  /**
   * A controller of the {@link ControllerRegistry}, with its defaults: the built-in ones listed
   * here; {@code -p controller=NAME} measures any registered one.
   */
  @Param({"checkpoint", "colo", "threshold", "pi", "orbit", "learning"})
  public String controller;

  private final InMemoryCounter counter = new InMemoryCounter();
  private final CountingActuator actuator = new CountingActuator();
  private VirtualScheduler scheduler;
  private ControlLoop loop;
  private long[] checkpointsPerPeriod;
  private long[] pausePerPeriodNanos;
  private int index;

  /** Builds and starts the loop and runs its first tick, which takes the baseline. */
  @Setup
  public void setUp() {
    SplittableRandom random = new SplittableRandom(42);
    checkpointsPerPeriod = new long[LENGTH];
    pausePerPeriodNanos = new long[LENGTH];
    for (int i = 0; i < LENGTH; i++) {
      checkpointsPerPeriod[i] = random.nextInt(2);
      pausePerPeriodNanos[i] = checkpointsPerPeriod[i] * (long) (1e6 * Math.pow(40, random.nextDouble()));
    }
    scheduler = new VirtualScheduler();
    index = 0;
    loop =
        ControlLoop.builder(ControllerRegistry.installed().create(controller, Map.of()), counter, actuator, scheduler)
            .clock(scheduler)
            .period(Duration.ofNanos(PERIOD_NANOS))
            .build();
    loop.start();
    scheduler.advance(0); // the first tick, at t = 0
  }

  /** One tick of a loop whose mode holds. */
  @Benchmark
  public void tick() {
    int i = index++ & MASK;
    counter.checkpoints += checkpointsPerPeriod[i];
    counter.pauseNanos += pausePerPeriodNanos[i];
    scheduler.advance(PERIOD_NANOS);
  }

  /** Closes the loop; fails if the measured ticks changed the mode. */
  @TearDown
  public void tearDown() {
    int scheduled = scheduler.pendingTasks();
    loop.close();
    if (scheduled != 1) {
      throw new IllegalStateException(
          scheduled + " tasks were scheduled besides or instead of the tick; the tick benchmark"
              + " must not retry an actuation");
    }
    if (actuator.applied != 1) {
      throw new IllegalStateException(
          "the actuator was called " + actuator.applied + " times; the tick benchmark must hold"
              + " the mode (only the first tick applies it)");
    }
  }

  /** Checkpoints and pauses kept in memory, advanced by the benchmark. */
  private static final class InMemoryCounter implements CheckpointCounter {
    long checkpoints;
    long pauseNanos;

    @Override
    public long checkpoints() {
      return checkpoints;
    }

    @Override
    public long totalPauseNanos() {
      return pauseNanos;
    }
  }

  /** Counts mode applications. */
  private static final class CountingActuator implements ModeActuator {
    int applied;

    @Override
    public void apply(Mode mode, long checkpointPeriodNanos) {
      applied++;
    }
  }
}
