package org.hybridft.bench;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.hybridft.core.CheckpointRateEstimator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * {@link CheckpointRateEstimator} fed both ways it supports:
 *
 * <ul>
 *   <li>single checkpoint events, as a QMP {@code MIGRATION_PASS} listener would feed it, at
 *       non-deterministic COLO rates (exponential gaps, 100 cps on average) into a 1 s window
 *       sized for 1,000 cps; once per event, and once per event with the rate read each time
 *       (the worst case: a reader polling as fast as events come);
 *   <li>counter readings once per 1 s control period, alone and with the rate read after each,
 *       which is exactly what a {@code ControlLoop} tick does (its default window is one
 *       period).
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RateEstimatorBenchmark {
  private static final int LENGTH = 1 << 14;
  private static final int MASK = LENGTH - 1;
  private static final long PERIOD_NANOS = 1_000_000_000L;

  private CheckpointRateEstimator events;
  private CheckpointRateEstimator polledEvents;
  private CheckpointRateEstimator counter;
  private CheckpointRateEstimator readingsOnly;
  private long[] eventGapNanos;
  private long[] checkpointsPerPeriod;
  private double[] rates;
  private int index;
  private long eventNanos;
  private long polledEventNanos;
  private long counterNanos;
  private long count;
  private long readingNanos;
  private long readingCount;

  /** Builds the estimators and the event gaps and counter increments they are fed. */
  @Setup
  public void setUp() {
    events = CheckpointRateEstimator.forEvents(Duration.ofSeconds(1), 1000);
    polledEvents = CheckpointRateEstimator.forEvents(Duration.ofSeconds(1), 1000);
    counter = CheckpointRateEstimator.forCounter(Duration.ofSeconds(1), Duration.ofSeconds(1));
    readingsOnly = CheckpointRateEstimator.forCounter(Duration.ofSeconds(1), Duration.ofSeconds(1));
    SplittableRandom random = new SplittableRandom(42);
    eventGapNanos = new long[LENGTH];
    for (int i = 0; i < LENGTH; i++) {
      // Exponential inter-arrival times of a Poisson process at 100 checkpoints per second.
      eventGapNanos[i] = (long) (-Math.log(1 - random.nextDouble()) * 10_000_000L);
    }
    rates = MeasuredRates.checkpointsPerSecond(7);
    checkpointsPerPeriod = new long[LENGTH];
    for (int i = 0; i < LENGTH; i++) {
      checkpointsPerPeriod[i] = Math.round(rates[i]);
    }
    index = 0;
    eventNanos = 0;
    polledEventNanos = 0;
    counterNanos = 0;
    count = 0;
    readingNanos = 0;
    readingCount = 0;
  }

  /** One checkpoint event recorded. */
  @Benchmark
  public void onCheckpoint() {
    eventNanos += eventGapNanos[index++ & MASK];
    events.onCheckpoint(eventNanos);
  }

  /** One checkpoint event recorded, then the rate over the window ending at it. */
  @Benchmark
  public double onCheckpointThenRate() {
    polledEventNanos += eventGapNanos[index++ & MASK];
    polledEvents.onCheckpoint(polledEventNanos);
    return polledEvents.checkpointsPerSecond(polledEventNanos);
  }

  /** One counter reading at the end of a control period. */
  @Benchmark
  public void onCounter() {
    readingNanos += PERIOD_NANOS;
    readingCount += checkpointsPerPeriod[index++ & MASK];
    readingsOnly.onCounter(readingNanos, readingCount);
  }

  /** One counter reading at the end of a control period, then the rate: a loop tick's share. */
  @Benchmark
  public double onCounterThenRate() {
    counterNanos += PERIOD_NANOS;
    count += checkpointsPerPeriod[index++ & MASK];
    counter.onCounter(counterNanos, count);
    return counter.checkpointsPerSecond(counterNanos);
  }
}
