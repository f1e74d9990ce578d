package org.hybridft.report;

import java.util.Arrays;
import org.hybridft.core.Mode;
import org.jspecify.annotations.Nullable;

/**
 * One value per control period of a run, for plots: the checkpoint rate the control loop measured
 * and the mode applied after the tick.
 *
 * <p>Backed by primitive arrays; read it by index. The one who records a run {@link #add adds}
 * its periods while it lasts (one thread); readers read it once the run has ended.
 */
public final class TimeSeries {
  private final long periodNanos;
  private final float[] checkpointsPerSecond;
  private final boolean[] colo;
  private int size;

  /**
   * An empty series that records up to {@code capacity} periods; later ones are not recorded.
   *
   * @param periodNanos the control period
   * @param capacity the most periods recorded
   */
  public TimeSeries(long periodNanos, int capacity) {
    if (periodNanos <= 0) {
      throw new IllegalArgumentException("periodNanos must be > 0, was " + periodNanos);
    }
    if (capacity < 0) {
      throw new IllegalArgumentException("capacity must be >= 0, was " + capacity);
    }
    this.periodNanos = periodNanos;
    this.checkpointsPerSecond = new float[capacity];
    this.colo = new boolean[capacity];
  }

  /**
   * A series with no period recorded, for a {@link RunResult} whose periods are kept elsewhere
   * (a run on a real pair, for instance).
   */
  public static TimeSeries empty() {
    return new TimeSeries(1, 0);
  }

  /** Records one control period: the rate measured and the mode applied after it; allocation-free. */
  public void add(double cps, Mode mode) {
    if (size < colo.length) {
      checkpointsPerSecond[size] = (float) cps;
      colo[size] = mode == Mode.COLO;
      size++;
    }
  }

  /** The number of control periods recorded. */
  public int size() {
    return size;
  }

  /** The control period in nanoseconds; sample {@code i} ends at {@code (i + 1)·period}. */
  public long periodNanos() {
    return periodNanos;
  }

  /** The time at the end of sample {@code i}, in seconds from the start of the run. */
  public double seconds(int i) {
    checkIndex(i);
    return (i + 1) * (periodNanos / 1e9);
  }

  /** The checkpoint rate measured at sample {@code i}. */
  public double checkpointsPerSecond(int i) {
    checkIndex(i);
    return checkpointsPerSecond[i];
  }

  /** The mode applied after sample {@code i}. */
  public Mode mode(int i) {
    checkIndex(i);
    return colo[i] ? Mode.COLO : Mode.CHECKPOINT;
  }

  /** Equal when the period and every recorded value are equal (NaN equals NaN). */
  @Override
  public boolean equals(@Nullable Object other) {
    if (this == other) {
      return true;
    }
    if (!(other instanceof TimeSeries that)) {
      return false;
    }
    return periodNanos == that.periodNanos
        && size == that.size
        && Arrays.equals(checkpointsPerSecond, 0, size, that.checkpointsPerSecond, 0, size)
        && Arrays.equals(colo, 0, size, that.colo, 0, size);
  }

  @Override
  public int hashCode() {
    int hash = Long.hashCode(periodNanos) * 31 + size;
    for (int i = 0; i < size; i++) {
      hash = hash * 31 + Float.floatToIntBits(checkpointsPerSecond[i]);
    }
    return hash;
  }

  @Override
  public String toString() {
    return "TimeSeries[" + size + " periods of " + periodNanos + " ns]";
  }

  private void checkIndex(int i) {
    if (i < 0 || i >= size) {
      throw new IndexOutOfBoundsException("index " + i + " outside [0, " + size + ")");
    }
  }
}
