package org.hybridft.sim;

import java.time.Duration;
import java.util.List;
import org.hybridft.core.AbstractModeController;
import org.hybridft.core.Mode;

/** Test controllers: a fixed mode, or a mode by time. */
final class Scripted extends AbstractModeController {
  private final long switchAtNanos;
  private final Mode before;
  private final Mode after;
  private final long periodNanos;

  private Scripted(Mode before, Mode after, long switchAtNanos, Duration period) {
    super(before);
    this.before = before;
    this.after = after;
    this.switchAtNanos = switchAtNanos;
    this.periodNanos = period.toNanos();
  }

  static Scripted always(Mode mode, Duration period) {
    return new Scripted(mode, mode, Long.MAX_VALUE, period);
  }

  static Scripted switching(Mode before, Mode after, Duration at, Duration period) {
    return new Scripted(before, after, at.toNanos(), period);
  }

  @Override
  protected Mode decide(long nowNanos, double checkpointsPerSecond, boolean first) {
    return nowNanos >= switchAtNanos ? after : before;
  }

  @Override
  protected void resetState() {}

  @Override
  public long checkpointPeriodNanos() {
    return periodNanos;
  }

  /** A one-phase workload. */
  static Workload steady(double lambda, double p, double dirtyMbPerSecond, double workingSetMb) {
    return new Workload(
        "steady",
        "test",
        4,
        1.0,
        List.of(new Phase(Duration.ofMinutes(1), lambda, 5, 1.0, p, dirtyMbPerSecond, workingSetMb)),
        true);
  }
}
