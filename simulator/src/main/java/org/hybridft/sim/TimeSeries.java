package org.hybridft.sim;

import org.hybridft.core.Mode;

/**
 * One value per control period of a run, for plots: the checkpoint rate the control loop measured,
 * the mode applied after the tick, and the controller's ρ ({@link
 * org.hybridft.core.ModeController#coloShare()}, NaN for controllers without one).
 *
 * <p>Backed by primitive arrays; read it by index.
 */
public final class TimeSeries {
  private final long periodNanos;
  private final float[] checkpointsPerSecond;
  private final boolean[] colo;
  private final float[] coloShare;
  private int size;

  TimeSeries(long periodNanos, int capacity) {
    this.periodNanos = periodNanos;
    this.checkpointsPerSecond = new float[capacity];
    this.colo = new boolean[capacity];
    this.coloShare = new float[capacity];
  }

  void add(double cps, Mode mode, double share) {
    if (size < colo.length) {
      checkpointsPerSecond[size] = (float) cps;
      colo[size] = mode == Mode.COLO;
      coloShare[size] = (float) share;
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

  /** ρ after sample {@code i}, NaN if the controller has none. */
  public double coloShare(int i) {
    checkIndex(i);
    return coloShare[i];
  }

  private void checkIndex(int i) {
    if (i < 0 || i >= size) {
      throw new IndexOutOfBoundsException("index " + i + " outside [0, " + size + ")");
    }
  }
}
