package org.hybridft.sim;

import org.hybridft.core.AbstractModeController;
import org.hybridft.core.Mode;

/**
 * A controller that ignores what it measures and follows a mode per control period fixed in
 * advance: the {@link ClairvoyantSchedule}'s, or a static mode's. The simulator's ticks fall at
 * multiples of the control period from 0, so the update at {@code k·period} answers period {@code
 * k}'s mode; the initial mode is period 0's. Past the schedule's end the last mode holds.
 */
final class ScheduledController extends AbstractModeController {
  private final boolean[] colo;
  private final long controlPeriodNanos;
  private final long checkpointPeriodNanos;

  /**
   * @param colo whether each control period runs COLO, at least one period; not copied
   * @param controlPeriodNanos the simulator's control period
   * @param checkpointPeriodNanos checkpoint mode's interval between checkpoints
   */
  ScheduledController(boolean[] colo, long controlPeriodNanos, long checkpointPeriodNanos) {
    super(colo[0] ? Mode.COLO : Mode.CHECKPOINT);
    this.colo = colo;
    this.controlPeriodNanos = controlPeriodNanos;
    this.checkpointPeriodNanos = checkpointPeriodNanos;
  }

  /** Always {@code mode}. */
  static ScheduledController always(Mode mode, long controlPeriodNanos, long checkpointPeriodNanos) {
    return new ScheduledController(new boolean[] {mode == Mode.COLO}, controlPeriodNanos, checkpointPeriodNanos);
  }

  @Override
  protected Mode decide(long nowNanos, double checkpointsPerSecond, boolean first) {
    long period = (nowNanos + controlPeriodNanos / 2) / controlPeriodNanos;
    int index = (int) Math.min(colo.length - 1, period);
    return colo[index] ? Mode.COLO : Mode.CHECKPOINT;
  }

  @Override
  protected void resetState() {}

  @Override
  public long checkpointPeriodNanos() {
    return checkpointPeriodNanos;
  }
}
