package org.hybridft.controllers;

import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Validated, immutable parameters of a {@link PiController}. Each parameter's valid range is
 * declared once, on its descriptor in {@link PiController#DESCRIPTOR}: the constructor checks it,
 * and help text and the tuner show it; an invalid value throws an {@link IllegalArgumentException}
 * naming the parameter, the range and the value.
 *
 * @param setPointCps the checkpoint rate to hold; 0 (the default) follows the checkpoint period:
 *     a quarter above checkpoint mode's rate, {@code 1.25/checkpointPeriod}
 * @param kp proportional gain (ρ per cps of error)
 * @param ki integral gain (ρ per cps·second of accumulated error)
 * @param controlPeriod the control period T the controller is discretised for
 * @param dutyWindowPeriods periods per duty window
 * @param minDwell shortest time in one mode
 * @param checkpointPeriod interval between checkpoints in CHECKPOINT mode (default {@link
 *     StaticController#DEFAULT_CHECKPOINT_PERIOD})
 * @param probeBackoff factor of the back-off on the integral's growth in CHECKPOINT mode after a
 *     bad COLO stretch; 1 turns the back-off off
 * @param maxProbeBackoff the largest back-off
 * @param earlyExitFactor a COLO period whose rate exceeds this times {@code setPointCps} ends
 *     the COLO part at once; {@code Double.POSITIVE_INFINITY} turns it off
 * @param fastReturnFactor a COLO part whose mean rate is below {@code setPointCps} divided by
 *     this fills the integral; {@code Double.POSITIVE_INFINITY} turns it off
 * @param learnEpisodes whether the controller learns how long the workload's non-deterministic
 *     episodes last and probes COLO around their learnt end
 */
public record PiConfig(
    double setPointCps,
    double kp,
    double ki,
    Duration controlPeriod,
    int dutyWindowPeriods,
    Duration minDwell,
    Duration checkpointPeriod,
    double probeBackoff,
    double maxProbeBackoff,
    double earlyExitFactor,
    double fastReturnFactor,
    boolean learnEpisodes) {

  /**
   * Default {@code setPointCps}: 0, which follows the checkpoint period: a quarter above
   * checkpoint mode's rate, {@code 1.25/checkpointPeriod} (2.5 cps at 500 ms, 1.25 at 1 s). COLO
   * is kept while it checkpoints less than that; while in checkpoint mode the small positive
   * error slowly brings COLO back to probe the workload.
   */
  public static final double DEFAULT_SET_POINT_CPS = 0;

  /** The set point, relative to checkpoint mode's rate, that {@code setPointCps} 0 stands for. */
  public static final double DEFAULT_SET_POINT_OVER_CHECKPOINT_RATE = 1.25;

  /** Default {@code kp}: 0.05 per cps, so 10 cps of excess alone pulls ρ down by half. */
  public static final double DEFAULT_KP = 0.05;

  /**
   * Default {@code ki}: 0.02 per cps·s: in checkpoint mode (error +0.5 cps) ρ regains a
   * minimum COLO probe of two periods in about 20 s.
   */
  public static final double DEFAULT_KI = 0.02;

  /** Default {@code controlPeriod}: 1 s, the control loop's default period. */
  public static final Duration DEFAULT_CONTROL_PERIOD = Duration.ofSeconds(1);

  /** Default {@code dutyWindowPeriods}: 10, the research's duty window. */
  public static final int DEFAULT_DUTY_WINDOW_PERIODS = 10;

  /**
   * Default {@code minDwell}: 2 s: one switch back to COLO costs a synchronising checkpoint,
   * so shorter stretches would cost more than they save.
   */
  public static final Duration DEFAULT_MIN_DWELL = Duration.ofSeconds(2);


  /** Default {@code probeBackoff}: 2, doubling like the threshold controller's α. */
  public static final double DEFAULT_PROBE_BACKOFF = 2.0;

  /**
   * Default {@code maxProbeBackoff}: 64: with the other defaults the COLO probes of a workload
   * that stays bad come about every two minutes (a two-period probe every 2.5 s·64), which
   * keeps their cost under 1 % of checkpoint mode's downtime even on {@code video}.
   */
  public static final double DEFAULT_MAX_PROBE_BACKOFF = 64.0;

  /**
   * Default {@code earlyExitFactor}: 2, so with the default set point one COLO period of more
   * than 5 cps ends the COLO part.
   */
  public static final double DEFAULT_EARLY_EXIT_FACTOR = 2.0;

  /**
   * Default {@code fastReturnFactor}: 2, so with the default set point a COLO probe averaging
   * under 1.25 cps (its synchronising checkpoint included) gives COLO back its whole window.
   */
  public static final double DEFAULT_FAST_RETURN_FACTOR = 2.0;

  /**
   * Default {@code learnEpisodes}: on. The integral brings COLO back only once checkpoint mode's
   * error has wound it up, slower the more probes failed; once the controller has seen how long
   * the workload's non-deterministic episodes last, it probes around their end as well (see {@link
   * ThresholdConfig#DEFAULT_LEARN_EPISODES}). A workload that never turns deterministic ends no
   * episode and is probed by the integral alone.
   */
  public static final boolean DEFAULT_LEARN_EPISODES = true;

  /** The parameters as config files and the command line name them, in component order. */
  static final List<ParameterDescriptor<PiConfig>> PARAMETERS =
      List.of(
          ParameterDescriptor.decimal("set-point", "setPointCps", PiConfig::setPointCps, DEFAULT_SET_POINT_CPS)
              .unit("cps")
              .atLeast(0)
              .range(">= 0 (0 = 1.25/checkpoint-period)")
              .meaning("the cps to hold")
              .searchedIn(0, 10),
          ParameterDescriptor.decimal("kp", "kp", PiConfig::kp, DEFAULT_KP)
              .unit("ρ per cps")
              .atLeast(0)
              .meaning("proportional gain")
              .searchedIn(0, 1),
          ParameterDescriptor.decimal("ki", "ki", PiConfig::ki, DEFAULT_KI)
              .unit("ρ per cps·s")
              .greaterThan(0)
              .meaning("integral gain")
              .searchedIn(0.001, 0.5),
          ParameterDescriptor.duration("control-period", "controlPeriod", PiConfig::controlPeriod, DEFAULT_CONTROL_PERIOD)
              .positive()
              .meaning("the control period the gains are discretised for"),
          ParameterDescriptor.integer(
                  "duty-window", "dutyWindowPeriods", PiConfig::dutyWindowPeriods, DEFAULT_DUTY_WINDOW_PERIODS)
              .unit("periods")
              .atLeast(1)
              .meaning("control periods per duty window")
              .searchedIn(2, 30),
          ParameterDescriptor.duration("min-dwell", "minDwell", PiConfig::minDwell, DEFAULT_MIN_DWELL)
              .nonNegative()
              .meaning("shortest time in one mode")
              .searchedIn(0, 10),
          StaticController.checkpointPeriod(PiConfig::checkpointPeriod),
          ParameterDescriptor.decimal("probe-backoff", "probeBackoff", PiConfig::probeBackoff, DEFAULT_PROBE_BACKOFF)
              .unit("factor")
              .atLeast(1)
              .offAt(1)
              .meaning("back-off on COLO probes after a bad one: integral growth in checkpoint mode divided by it"),
          ParameterDescriptor.decimal(
                  "max-probe-backoff", "maxProbeBackoff", PiConfig::maxProbeBackoff, DEFAULT_MAX_PROBE_BACKOFF)
              .unit("factor")
              .atLeast(1)
              .meaning("largest probe back-off"),
          ParameterDescriptor.decimal("early-exit", "earlyExitFactor", PiConfig::earlyExitFactor, DEFAULT_EARLY_EXIT_FACTOR)
              .unit("x set-point")
              .atLeastOrOff(1)
              .meaning("a COLO period above this times the set point ends COLO at once"),
          ParameterDescriptor.decimal(
                  "fast-return", "fastReturnFactor", PiConfig::fastReturnFactor, DEFAULT_FAST_RETURN_FACTOR)
              .unit("divisor of set-point")
              .atLeastOrOff(1)
              .meaning("a COLO probe below the set point divided by this gives COLO its whole window at once"),
          ParameterDescriptor.bool("learn-episodes", "learnEpisodes", PiConfig::learnEpisodes, DEFAULT_LEARN_EPISODES)
              .meaning("learn how long non-deterministic episodes last and probe COLO around their end"));

  /** Checks each parameter's range. */
  public PiConfig {
    ParameterDescriptor.validate(
        PARAMETERS, setPointCps, kp, ki, controlPeriod, dutyWindowPeriods, minDwell, checkpointPeriod, probeBackoff,
        maxProbeBackoff, earlyExitFactor, fastReturnFactor, learnEpisodes);
  }

  /** The defaults documented on the {@code DEFAULT_*} constants. */
  public static PiConfig defaults() {
    return builder().build();
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder(null);
  }

  /** A builder starting from this config's values. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Builds a {@link PiConfig}; values are validated by {@link #build()}. */
  public static final class Builder extends ConfigBuilder<PiConfig, Builder> {
    private Builder(@Nullable PiConfig from) {
      super(PiConfig.class, PARAMETERS, from);
    }

    /** See {@link PiConfig#setPointCps()}. */
    public Builder setPointCps(double setPointCps) {
      return set("setPointCps", setPointCps);
    }

    /** See {@link PiConfig#kp()}. */
    public Builder kp(double kp) {
      return set("kp", kp);
    }

    /** See {@link PiConfig#ki()}. */
    public Builder ki(double ki) {
      return set("ki", ki);
    }

    /** See {@link PiConfig#controlPeriod()}. */
    public Builder controlPeriod(Duration controlPeriod) {
      return set("controlPeriod", controlPeriod);
    }

    /** See {@link PiConfig#dutyWindowPeriods()}. */
    public Builder dutyWindowPeriods(int dutyWindowPeriods) {
      return set("dutyWindowPeriods", dutyWindowPeriods);
    }

    /** See {@link PiConfig#minDwell()}. */
    public Builder minDwell(Duration minDwell) {
      return set("minDwell", minDwell);
    }

    /** See {@link PiConfig#checkpointPeriod()}. */
    public Builder checkpointPeriod(Duration checkpointPeriod) {
      return set("checkpointPeriod", checkpointPeriod);
    }

    /** See {@link PiConfig#probeBackoff()}. */
    public Builder probeBackoff(double probeBackoff) {
      return set("probeBackoff", probeBackoff);
    }

    /** See {@link PiConfig#maxProbeBackoff()}. */
    public Builder maxProbeBackoff(double maxProbeBackoff) {
      return set("maxProbeBackoff", maxProbeBackoff);
    }

    /** See {@link PiConfig#earlyExitFactor()}. */
    public Builder earlyExitFactor(double earlyExitFactor) {
      return set("earlyExitFactor", earlyExitFactor);
    }

    /** See {@link PiConfig#fastReturnFactor()}. */
    public Builder fastReturnFactor(double fastReturnFactor) {
      return set("fastReturnFactor", fastReturnFactor);
    }

    /** See {@link PiConfig#learnEpisodes()}. */
    public Builder learnEpisodes(boolean learnEpisodes) {
      return set("learnEpisodes", learnEpisodes);
    }
  }
}
