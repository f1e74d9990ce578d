package org.hybridft.controllers;

import java.time.Duration;
import org.hybridft.core.AbstractModeController;
import org.hybridft.core.Mode;
import org.hybridft.core.ParameterCheck;

/**
 * A baseline that always answers the same mode: the research's "COLO" and "Checkpoint" runs
 * against which the hybrids are compared.
 */
public final class StaticController extends AbstractModeController {
  /** The checkpoint period of {@link #colo()}, used only if a fail-safe switches it to CHECKPOINT. */
  public static final Duration DEFAULT_CHECKPOINT_PERIOD = Duration.ofMillis(500);

  private final long checkpointPeriodNanos;

  private StaticController(Mode mode, Duration checkpointPeriod) {
    super(mode);
    this.checkpointPeriodNanos = ParameterCheck.positive("checkpointPeriod", checkpointPeriod).toNanos();
  }

  /** Always {@link Mode#COLO}. */
  public static StaticController colo() {
    return new StaticController(Mode.COLO, DEFAULT_CHECKPOINT_PERIOD);
  }

  /**
   * Always {@link Mode#CHECKPOINT}, one checkpoint every {@code period}.
   *
   * @param period the checkpoint interval, {@code > 0}
   */
  public static StaticController checkpoint(Duration period) {
    return new StaticController(Mode.CHECKPOINT, period);
  }

  @Override
  protected Mode decide(long nowNanos, double checkpointsPerSecond, boolean first) {
    return mode();
  }

  @Override
  protected void resetState() {
    // Stateless beyond the mode.
  }

  @Override
  public long checkpointPeriodNanos() {
    return checkpointPeriodNanos;
  }

  @Override
  public String toString() {
    return mode() == Mode.COLO
        ? "StaticController[COLO]"
        : "StaticController[CHECKPOINT every " + Duration.ofNanos(checkpointPeriodNanos) + "]";
  }
}
