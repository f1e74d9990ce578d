package org.hybridft.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Drives any {@link ModeController} with a sequence of checkpoint rates, one per control period
 * (open loop), or with a {@link RateModel} of the rate in each mode (closed loop), and reports
 * violations of the stability invariants a user states: the shortest time in one mode, the highest
 * switching rate, convergence to an expected mode and, closed loop, the largest share of time in
 * the clearly worse mode ({@link Builder#maxWorseModeShare}). Works from any test
 * framework: read {@link StabilityReport#violations()}, or call {@link
 * StabilityReport#assertStable()}, which throws {@link AssertionError}.
 *
 * <pre>{@code
 * StabilityReport report = StabilityCheck.builder()
 *     .controlPeriod(Duration.ofSeconds(1))
 *     .minDwell(Duration.ofSeconds(2))
 *     .maxSwitchesPerHour(120)
 *     .build()
 *     .run(new PiController(), cpsSamples);
 * report.assertStable();
 * }</pre>
 *
 * <p>The controller is updated at {@code start + i·controlPeriod} for sample i. Dwells are
 * measured between two switches; the first and the last stretch (cut by the start and the end
 * of the run) are not complete dwells and are not checked.
 */
public final class StabilityCheck {

  /**
   * A closed-loop model of the replication: the rate measured in a period depends on the mode
   * the controller chose for it.
   */
  @FunctionalInterface
  public interface RateModel {
    /**
     * @param mode the mode that ran during the period
     * @param period the index of the period, from 0
     * @return the checkpoint rate measured over it
     */
    double checkpointsPerSecond(Mode mode, int period);
  }

  private final long controlPeriodNanos;
  private final long startNanos;
  private final long minDwellNanos;
  private final double maxSwitchesPerHour;
  private final @Nullable Mode convergenceMode;
  private final int convergenceAfterPeriods;
  private final double convergenceMinShare;
  private final double worseModeMargin;
  private final double maxWorseModeShare;

  private StabilityCheck(Builder builder) {
    this.worseModeMargin = builder.worseModeMargin;
    this.maxWorseModeShare = builder.maxWorseModeShare;
    this.controlPeriodNanos = builder.controlPeriod.toNanos();
    this.startNanos = builder.startNanos;
    this.minDwellNanos = builder.minDwell.toNanos();
    this.maxSwitchesPerHour = builder.maxSwitchesPerHour;
    this.convergenceMode = builder.convergenceMode;
    this.convergenceAfterPeriods = builder.convergenceAfterPeriods;
    this.convergenceMinShare = builder.convergenceMinShare;
  }

  /** A builder with no invariant set: only the mode sequence is reported. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Open loop: feeds {@code checkpointsPerSecond[i]} at period i, whatever the mode.
   *
   * @throws IllegalArgumentException if a sample is not a finite, non-negative rate (the
   *     controller's own validation)
   */
  public StabilityReport run(ModeController controller, double[] checkpointsPerSecond) {
    Objects.requireNonNull(controller, "controller");
    Objects.requireNonNull(checkpointsPerSecond, "checkpointsPerSecond");
    double[] samples = checkpointsPerSecond.clone();
    return run(controller, (mode, period) -> samples[period], samples.length);
  }

  /** Closed loop: feeds the rate {@code model} gives for the mode chosen, for {@code periods}. */
  public StabilityReport run(ModeController controller, RateModel model, int periods) {
    Objects.requireNonNull(controller, "controller");
    Objects.requireNonNull(model, "model");
    ParameterCheck.atLeast("periods", periods, 0);
    Mode[] modes = new Mode[periods];
    Mode current = controller.mode();
    Mode initial = current;
    List<StabilityReport.Violation> violations = new ArrayList<>();
    int switches = 0;
    int clearPeriods = 0;
    int worsePeriods = 0;
    boolean judgeModes = !Double.isNaN(worseModeMargin);
    long lastSwitchNanos = Long.MIN_VALUE;
    long shortestDwellNanos = Long.MAX_VALUE;
    for (int period = 0; period < periods; period++) {
      long now = startNanos + period * controlPeriodNanos;
      // The rate of period i was measured under the mode chosen at the previous update.
      double cps = model.checkpointsPerSecond(current, period);
      if (judgeModes) {
        // What the other mode would have cost in this period: a mode whose rate is a clear
        // multiple of the other's is the worse one.
        Mode other = current == Mode.COLO ? Mode.CHECKPOINT : Mode.COLO;
        double otherCps = model.checkpointsPerSecond(other, period);
        if (cps >= worseModeMargin * otherCps && cps > otherCps) {
          clearPeriods++;
          worsePeriods++;
        } else if (otherCps >= worseModeMargin * cps && otherCps > cps) {
          clearPeriods++;
        }
      }
      Mode next = controller.update(now, cps);
      modes[period] = next;
      if (next != current) {
        switches++;
        if (lastSwitchNanos != Long.MIN_VALUE) {
          long dwell = now - lastSwitchNanos;
          shortestDwellNanos = Math.min(shortestDwellNanos, dwell);
          if (dwell < minDwellNanos) {
            violations.add(
                new StabilityReport.Violation(
                    StabilityReport.Violation.Kind.DWELL,
                    period,
                    current + " lasted " + Duration.ofNanos(dwell) + " before the switch to " + next
                        + " at period " + period + ", shorter than minDwell "
                        + Duration.ofNanos(minDwellNanos)));
          }
        }
        lastSwitchNanos = now;
        current = next;
      }
    }
    double hours = periods * (double) controlPeriodNanos / 3.6e12;
    double switchesPerHour = hours > 0 ? switches / hours : 0;
    if (switchesPerHour > maxSwitchesPerHour) {
      violations.add(
          new StabilityReport.Violation(
              StabilityReport.Violation.Kind.SWITCH_RATE,
              periods,
              switches + " switches in " + periods + " periods is " + switchesPerHour
                  + " per hour, above maxSwitchesPerHour " + maxSwitchesPerHour));
    }
    Mode expected = convergenceMode;
    if (expected != null && periods > convergenceAfterPeriods) {
      int inMode = 0;
      for (int period = convergenceAfterPeriods; period < periods; period++) {
        if (modes[period] == expected) {
          inMode++;
        }
      }
      double share = (double) inMode / (periods - convergenceAfterPeriods);
      if (share < convergenceMinShare) {
        violations.add(
            new StabilityReport.Violation(
                StabilityReport.Violation.Kind.CONVERGENCE,
                convergenceAfterPeriods,
                "after period " + convergenceAfterPeriods + " the share of " + expected + " was "
                    + share + ", below " + convergenceMinShare));
      }
    }
    double worseModeShare = judgeModes && clearPeriods > 0 ? (double) worsePeriods / clearPeriods : Double.NaN;
    if (worseModeShare > maxWorseModeShare) {
      violations.add(
          new StabilityReport.Violation(
              StabilityReport.Violation.Kind.WORSE_MODE,
              periods,
              "ran the worse mode in " + worsePeriods + " of the " + clearPeriods
                  + " periods where one mode's rate was at least " + worseModeMargin
                  + " times the other's (share " + worseModeShare + "), above maxWorseModeShare "
                  + maxWorseModeShare));
    }
    return new StabilityReport(
        initial,
        modes,
        switches,
        switchesPerHour,
        shortestDwellNanos == Long.MAX_VALUE ? -1 : shortestDwellNanos,
        worseModeShare,
        violations);
  }

  /** Builds a {@link StabilityCheck}; every setter validates its argument. */
  public static final class Builder {
    private Duration controlPeriod = Duration.ofSeconds(1);
    private long startNanos;
    private Duration minDwell = Duration.ZERO;
    private double maxSwitchesPerHour = Double.POSITIVE_INFINITY;
    private @Nullable Mode convergenceMode;
    private int convergenceAfterPeriods;
    private double convergenceMinShare;
    private double worseModeMargin = Double.NaN;
    private double maxWorseModeShare = 1;

    private Builder() {}

    /** The interval between updates, {@code > 0}; default 1 s. */
    public Builder controlPeriod(Duration controlPeriod) {
      this.controlPeriod = ParameterCheck.positive("controlPeriod", controlPeriod);
      return this;
    }

    /** The time of the first update; default 0. */
    public Builder startNanos(long startNanos) {
      this.startNanos = startNanos;
      return this;
    }

    /** Flag every complete dwell shorter than this, {@code >= 0}; default 0 (no check). */
    public Builder minDwell(Duration minDwell) {
      this.minDwell = ParameterCheck.nonNegative("minDwell", minDwell);
      return this;
    }

    /** Flag a run that switches more often than this, {@code >= 0}; default no limit. */
    public Builder maxSwitchesPerHour(double maxSwitchesPerHour) {
      if (!(maxSwitchesPerHour >= 0)) {
        throw new IllegalArgumentException(
            "maxSwitchesPerHour must be >= 0, was " + maxSwitchesPerHour);
      }
      this.maxSwitchesPerHour = maxSwitchesPerHour;
      return this;
    }

    /**
     * Flag a run in which, from period {@code afterPeriods} on, less than {@code minShare} of the
     * periods run {@code mode}.
     */
    public Builder expectConvergence(Mode mode, int afterPeriods, double minShare) {
      this.convergenceMode = Objects.requireNonNull(mode, "mode");
      this.convergenceAfterPeriods = ParameterCheck.atLeast("afterPeriods", afterPeriods, 0);
      this.convergenceMinShare = ParameterCheck.inRange("minShare", minShare, 0, 1);
      return this;
    }

    /**
     * Closed loop only: flag a run that spends more than {@code maxShare} of the periods with a
     * clear margin in the worse mode. A period has a clear margin when the model's rate for one
     * mode is at least {@code margin} times its rate for the other: that mode is the worse one
     * (each checkpoint pauses the guest, so the mode with the higher rate costs more downtime).
     * Sets {@link StabilityReport#worseModeShare()}; a {@code maxShare} of 1 only measures it.
     * The model is then also asked for the rate of the mode that did not run, so it must be a
     * function of the mode and the period alone.
     *
     * @param maxShare in [0, 1]
     * @param margin how many times one mode's rate must exceed the other's, {@code > 1}
     */
    public Builder maxWorseModeShare(double maxShare, double margin) {
      this.maxWorseModeShare = ParameterCheck.inRange("maxShare", maxShare, 0, 1);
      if (!(margin > 1) || Double.isInfinite(margin)) {
        throw new IllegalArgumentException("margin must be a finite number > 1, was " + margin);
      }
      this.worseModeMargin = margin;
      return this;
    }

    /** Builds the check. */
    public StabilityCheck build() {
      return new StabilityCheck(this);
    }
  }
}
