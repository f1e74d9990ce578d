package org.hybridft.core;

import java.time.Duration;

/**
 * Turns checkpoint events, or readings of a checkpoint counter, into a checkpoint rate
 * (checkpoints per second) over a sliding window.
 *
 * <p>Feed it one way only, chosen by the first call:
 *
 * <ul>
 *   <li>{@link #onCheckpoint(long)} once per checkpoint: {@link #checkpointsPerSecond(long)} is
 *       the number of checkpoints in {@code (now - window, now]} divided by the window (by the
 *       time since the first call while that is shorter than the window).
 *   <li>{@link #onCounter(long, long)} with a monotonically increasing counter, such as the number
 *       of {@code MIGRATION_PASS} events: the rate is the counter's increase from the newest
 *       reading at or before {@code latest - window} to the latest reading, divided by the time
 *       between the two readings.
 * </ul>
 *
 * <p><b>Counter resets.</b> A reading lower than the previous one means the counter restarted
 * (QEMU or the migration restarted): the reading itself is taken as the number of checkpoints
 * since the restart. The rate therefore never goes negative or infinite and no exception is
 * thrown.
 *
 * <p><b>Capacity.</b> Samples live in a ring buffer sized at construction, so every call is O(1)
 * amortised and allocates nothing. When more samples fall into the window than the ring holds,
 * the oldest are dropped and the rate is computed, exactly, over the shorter span that the
 * retained samples cover.
 *
 * <p>Time must not go backwards across calls. Not thread-safe.
 */
public final class CheckpointRateEstimator {
  private static final double NANOS_PER_SECOND = 1e9;

  private enum Input {
    NONE,
    EVENTS,
    COUNTER
  }

  private final long windowNanos;
  private final long[] sampleNanos;
  private final long[] sampleTotals;

  private Input input = Input.NONE;
  private int oldest;
  private int size;
  private long total;
  private long lastCount;
  private long latestNanos;
  private long baseNanos;
  private long baseTotal;
  private boolean started;

  /**
   * @param window the length of the sliding window, {@code > 0}
   * @param capacity how many samples (events or counter readings) the window can hold before the
   *     oldest are dropped, {@code >= 2}
   */
  public CheckpointRateEstimator(Duration window, int capacity) {
    ParameterCheck.positive("window", window);
    ParameterCheck.atLeast("capacity", capacity, 2);
    this.windowNanos = window.toNanos();
    this.sampleNanos = new long[capacity];
    this.sampleTotals = new long[capacity];
  }

  /**
   * An estimator for counter readings taken once per control period: holds the readings of
   * {@code window / period} periods plus slack.
   *
   * @param window the sliding window, {@code > 0}
   * @param period the interval between readings, {@code > 0}
   */
  public static CheckpointRateEstimator forCounter(Duration window, Duration period) {
    ParameterCheck.positive("window", window);
    ParameterCheck.positive("period", period);
    long periods = window.toNanos() / period.toNanos();
    int capacity = (int) Math.min(1 << 20, Math.max(4, periods + 4));
    return new CheckpointRateEstimator(window, capacity);
  }

  /**
   * An estimator for single checkpoint events that measures rates exactly up to {@code
   * maxCheckpointsPerSecond}.
   *
   * @param window the sliding window, {@code > 0}
   * @param maxCheckpointsPerSecond the highest rate to measure exactly, {@code > 0}
   */
  public static CheckpointRateEstimator forEvents(Duration window, double maxCheckpointsPerSecond) {
    ParameterCheck.positive("window", window);
    ParameterCheck.greaterThan("maxCheckpointsPerSecond", maxCheckpointsPerSecond, 0);
    double events = Math.ceil(window.toNanos() / NANOS_PER_SECOND * maxCheckpointsPerSecond);
    int capacity = (int) Math.min(1 << 24, Math.max(4, events + 2));
    return new CheckpointRateEstimator(window, capacity);
  }

  /** The window length in nanoseconds. */
  public long windowNanos() {
    return windowNanos;
  }

  /**
   * Records one checkpoint.
   *
   * @throws IllegalArgumentException if {@code nowNanos} is before a previous call's time
   * @throws IllegalStateException if the estimator is fed counter readings
   */
  public void onCheckpoint(long nowNanos) {
    advance(nowNanos);
    useInput(Input.EVENTS);
    total++;
    push(nowNanos);
  }

  /**
   * Records a reading of a monotonically increasing checkpoint counter. The first reading is the
   * baseline; a reading lower than the previous one is a counter reset (see the class comment).
   *
   * @throws IllegalArgumentException if {@code count} is negative or {@code nowNanos} is before a
   *     previous call's time
   * @throws IllegalStateException if the estimator is fed single events
   */
  public void onCounter(long nowNanos, long count) {
    if (count < 0) {
      throw new IllegalArgumentException("count must be >= 0, was " + count);
    }
    advance(nowNanos);
    boolean firstReading = input == Input.NONE;
    useInput(Input.COUNTER);
    if (!firstReading) {
      total += count >= lastCount ? count - lastCount : count;
    }
    lastCount = count;
    push(nowNanos);
    evictUpTo(nowNanos - windowNanos);
  }

  /**
   * The checkpoint rate over the window ending now (single events) or at the latest reading
   * (counter), 0 before anything can be measured. Never negative, NaN or infinite.
   *
   * @throws IllegalArgumentException if {@code nowNanos} is before a previous call's time
   */
  public double checkpointsPerSecond(long nowNanos) {
    long spanNanos;
    if (input == Input.COUNTER) {
      // The rate is that of the readings: asking later must not stretch it.
      if (nowNanos < latestNanos) {
        throw new IllegalArgumentException(
            "nowNanos must not go backwards: was " + nowNanos + " after " + latestNanos);
      }
      spanNanos = latestNanos - baseNanos;
    } else {
      advance(nowNanos);
      evictUpTo(nowNanos - windowNanos);
      spanNanos = Math.min(windowNanos, nowNanos - baseNanos);
    }
    if (spanNanos <= 0) {
      return 0;
    }
    return (total - baseTotal) * NANOS_PER_SECOND / spanNanos;
  }

  /** Forgets every sample and the input kind, as if newly constructed. */
  public void reset() {
    input = Input.NONE;
    oldest = 0;
    size = 0;
    total = 0;
    lastCount = 0;
    latestNanos = 0;
    baseNanos = 0;
    baseTotal = 0;
    started = false;
  }

  private void advance(long nowNanos) {
    if (!started) {
      started = true;
      baseNanos = nowNanos;
      latestNanos = nowNanos;
      return;
    }
    if (nowNanos < latestNanos) {
      throw new IllegalArgumentException(
          "nowNanos must not go backwards: was " + nowNanos + " after " + latestNanos);
    }
    latestNanos = nowNanos;
  }

  private void useInput(Input kind) {
    if (input == Input.NONE) {
      input = kind;
    } else if (input != kind) {
      throw new IllegalStateException(
          "this estimator is fed " + input + "; create another one for " + kind);
    }
  }

  private void push(long nowNanos) {
    int capacity = sampleNanos.length;
    if (size == capacity) {
      dropOldest();
    }
    int slot = oldest + size;
    if (slot >= capacity) {
      slot -= capacity;
    }
    sampleNanos[slot] = nowNanos;
    sampleTotals[slot] = total;
    size++;
  }

  /** Drops samples at or before {@code horizonNanos}; the newest dropped becomes the base. */
  private void evictUpTo(long horizonNanos) {
    while (size > 0 && sampleNanos[oldest] <= horizonNanos) {
      dropOldest();
    }
  }

  private void dropOldest() {
    baseNanos = sampleNanos[oldest];
    baseTotal = sampleTotals[oldest];
    oldest = oldest + 1 == sampleNanos.length ? 0 : oldest + 1;
    size--;
  }
}
