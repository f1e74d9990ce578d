package org.hybridft.core;

/**
 * Accumulates checkpoint pause time and wall time per {@link Mode} and gives the VM downtime
 * ratio: the share of wall time the guest was paused for checkpoints.
 *
 * <p>Pauses are attributed to the mode the meter is in when they are recorded; wall time to the
 * mode that was current while it passed. Time must not go backwards. Allocation-free; not
 * thread-safe (a {@link ControlLoop} owns one and updates it from its tick).
 */
public final class DowntimeMeter {
  private final long startNanos;
  private final long[] pauseNanos = new long[Mode.values().length];
  private final long[] wallNanos = new long[Mode.values().length];
  private Mode mode;
  private long segmentStartNanos;

  /**
   * @param startNanos when measurement starts
   * @param initialMode the mode running from then on
   */
  public DowntimeMeter(long startNanos, Mode initialMode) {
    if (initialMode == null) {
      throw new IllegalArgumentException("initialMode must be COLO or CHECKPOINT, was null");
    }
    this.startNanos = startNanos;
    this.segmentStartNanos = startNanos;
    this.mode = initialMode;
  }

  /**
   * Records that the mode changed at {@code nowNanos}: the wall time since the previous change
   * goes to the previous mode.
   *
   * @throws IllegalArgumentException if time went backwards
   */
  public void switchMode(long nowNanos, Mode newMode) {
    checkTime(nowNanos);
    wallNanos[mode.ordinal()] += nowNanos - segmentStartNanos;
    segmentStartNanos = nowNanos;
    mode = newMode;
  }

  /**
   * Records one pause of the guest for a checkpoint, attributed to the current mode.
   *
   * @throws IllegalArgumentException if {@code pauseNanos} is negative
   */
  public void onPause(long pauseNanos) {
    if (pauseNanos < 0) {
      throw new IllegalArgumentException("pauseNanos must be >= 0, was " + pauseNanos);
    }
    this.pauseNanos[mode.ordinal()] += pauseNanos;
  }

  /** The current mode. */
  public Mode mode() {
    return mode;
  }

  /** Total pause time recorded in {@code mode}, in nanoseconds. */
  public long pauseNanos(Mode mode) {
    return pauseNanos[mode.ordinal()];
  }

  /** Total pause time recorded, in nanoseconds. */
  public long pauseNanos() {
    long sum = 0;
    for (long pause : pauseNanos) {
      sum += pause;
    }
    return sum;
  }

  /** Wall time spent in {@code mode} up to {@code nowNanos}, in nanoseconds. */
  public long wallNanos(Mode mode, long nowNanos) {
    checkTime(nowNanos);
    long wall = wallNanos[mode.ordinal()];
    return mode == this.mode ? wall + (nowNanos - segmentStartNanos) : wall;
  }

  /** Wall time since the start, in nanoseconds. */
  public long wallNanos(long nowNanos) {
    checkTime(nowNanos);
    return nowNanos - startNanos;
  }

  /**
   * Downtime ratio over the whole measurement: total pause / wall time, 0 before any time has
   * passed. Can exceed 1 only if the pauses fed exceed the wall time.
   */
  public double downtimeRatio(long nowNanos) {
    long wall = wallNanos(nowNanos);
    return wall <= 0 ? 0 : (double) pauseNanos() / wall;
  }

  /** Downtime ratio within {@code mode}: its pauses over its wall time, 0 if it never ran. */
  public double downtimeRatio(Mode mode, long nowNanos) {
    long wall = wallNanos(mode, nowNanos);
    return wall <= 0 ? 0 : (double) pauseNanos[mode.ordinal()] / wall;
  }

  private void checkTime(long nowNanos) {
    if (nowNanos < segmentStartNanos) {
      throw new IllegalArgumentException(
          "nowNanos must not go backwards: was " + nowNanos + " after " + segmentStartNanos);
    }
  }
}
