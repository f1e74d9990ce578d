package org.hybridft.core;

/**
 * Base class for {@link ModeController}s that implements the input contract once: it rejects
 * time going backwards and non-finite or negative rates before any state changes, keeps the
 * current mode and the time of the previous update, and lets subclasses decide.
 *
 * <p>The first {@link #update} starts the controller's clock: {@link #elapsedNanos()} is 0 for it,
 * because the length of the period it measured is not known to a pure controller.
 */
public abstract class AbstractModeController implements ModeController {
  private final Mode initialMode;
  private Mode mode;
  private long previousNanos;
  private long elapsedNanos;
  private boolean started;

  /**
   * @param initialMode the mode before the first update and after {@link #reset()}
   */
  protected AbstractModeController(Mode initialMode) {
    if (initialMode == null) {
      throw new IllegalArgumentException("initialMode must be COLO or CHECKPOINT, was null");
    }
    this.initialMode = initialMode;
    this.mode = initialMode;
  }

  @Override
  public final Mode update(long nowNanos, double checkpointsPerSecond) {
    if (started && nowNanos < previousNanos) {
      throw new IllegalArgumentException(
          "nowNanos must not go backwards: was "
              + nowNanos
              + " after "
              + previousNanos);
    }
    if (!(checkpointsPerSecond >= 0) || checkpointsPerSecond == Double.POSITIVE_INFINITY) {
      throw new IllegalArgumentException(
          "checkpointsPerSecond must be finite and >= 0, was " + checkpointsPerSecond);
    }
    boolean first = !started;
    elapsedNanos = first ? 0 : nowNanos - previousNanos;
    previousNanos = nowNanos;
    started = true;
    mode = decide(nowNanos, checkpointsPerSecond, first);
    return mode;
  }

  /**
   * Decides the mode for the next period; called only with validated input.
   *
   * @param nowNanos the validated time, never lower than the previous call's
   * @param checkpointsPerSecond the validated rate, finite and {@code >= 0}
   * @param first whether this is the first update since construction or {@link #reset()}
   * @return the mode for the next period, never null
   */
  protected abstract Mode decide(long nowNanos, double checkpointsPerSecond, boolean first);

  /** Resets the subclass's own state; called by {@link #reset()}. */
  protected abstract void resetState();

  /** Nanoseconds since the previous update, 0 on the first. */
  protected final long elapsedNanos() {
    return elapsedNanos;
  }

  @Override
  public final Mode mode() {
    return mode;
  }

  @Override
  public final void reset() {
    mode = initialMode;
    previousNanos = 0;
    elapsedNanos = 0;
    started = false;
    resetState();
  }
}
