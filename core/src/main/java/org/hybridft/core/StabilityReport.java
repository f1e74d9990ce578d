package org.hybridft.core;

import java.util.Arrays;
import java.util.List;

/**
 * What a {@link StabilityCheck} run observed: the mode chosen at every period, the switches and
 * the violations of the invariants that were set.
 */
public final class StabilityReport {

  /**
   * One broken invariant.
   *
   * @param kind which invariant
   * @param period the period at which it was seen
   * @param message what was seen against what was allowed
   */
  public record Violation(Kind kind, int period, String message) {
    /** The invariants a {@link StabilityCheck} can check. */
    public enum Kind {
      /** A mode lasted less than the minimum dwell. */
      DWELL,
      /** The controller switched more often than allowed. */
      SWITCH_RATE,
      /** The controller did not settle on the expected mode. */
      CONVERGENCE,
      /** The controller spent too much time in the clearly worse mode. */
      WORSE_MODE
    }
  }

  private final Mode initialMode;
  private final Mode[] modes;
  private final int switches;
  private final double switchesPerHour;
  private final long shortestDwellNanos;
  private final double worseModeShare;
  private final List<Violation> violations;

  StabilityReport(
      Mode initialMode,
      Mode[] modes,
      int switches,
      double switchesPerHour,
      long shortestDwellNanos,
      double worseModeShare,
      List<Violation> violations) {
    this.worseModeShare = worseModeShare;
    this.initialMode = initialMode;
    this.modes = modes;
    this.switches = switches;
    this.switchesPerHour = switchesPerHour;
    this.shortestDwellNanos = shortestDwellNanos;
    this.violations = List.copyOf(violations);
  }

  /** The controller's mode before the first update. */
  public Mode initialMode() {
    return initialMode;
  }

  /** The mode returned at each period, in order. */
  public List<Mode> modes() {
    return List.of(modes);
  }

  /** How many times the mode changed. */
  public int switches() {
    return switches;
  }

  /** Switches per hour of simulated time. */
  public double switchesPerHour() {
    return switchesPerHour;
  }

  /** The shortest complete dwell in nanoseconds, -1 if fewer than two switches happened. */
  public long shortestDwellNanos() {
    return shortestDwellNanos;
  }

  /**
   * The share of the periods with a clear margin between the modes' rates that ran the worse
   * mode; NaN unless {@link StabilityCheck.Builder#maxWorseModeShare} was set and some period had
   * a clear margin.
   */
  public double worseModeShare() {
    return worseModeShare;
  }

  /** The share of periods that ran {@code mode}, 0 for an empty run. */
  public double shareOf(Mode mode) {
    if (modes.length == 0) {
      return 0;
    }
    return (double) Arrays.stream(modes).filter(m -> m == mode).count() / modes.length;
  }

  /** Every invariant broken, in the order seen. */
  public List<Violation> violations() {
    return violations;
  }

  /** Whether no invariant was broken. */
  public boolean isStable() {
    return violations.isEmpty();
  }

  /**
   * Throws if an invariant was broken.
   *
   * @throws AssertionError listing every violation
   */
  public void assertStable() {
    if (!violations.isEmpty()) {
      StringBuilder message = new StringBuilder("controller unstable: ");
      message.append(violations.size()).append(" violation(s)");
      for (Violation violation : violations) {
        message.append("\n  ").append(violation.kind()).append(": ").append(violation.message());
      }
      throw new AssertionError(message.toString());
    }
  }

  @Override
  public String toString() {
    return "StabilityReport[switches=" + switches + ", switchesPerHour=" + switchesPerHour
        + ", shortestDwellNanos=" + shortestDwellNanos + ", violations=" + violations.size() + "]";
  }
}
