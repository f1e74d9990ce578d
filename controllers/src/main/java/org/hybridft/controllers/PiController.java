package org.hybridft.controllers;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.hybridft.core.AbstractModeController;
import org.hybridft.core.Mode;
import org.hybridft.core.ParameterCheck;
import org.jspecify.annotations.Nullable;

/**
 * The research's proportional-integral hybrid: a set-point {@code sp} (checkpoints per second)
 * against the measured rate gives ρ, the share of the next duty window spent in {@link
 * Mode#COLO}; the rest of the window runs {@link Mode#CHECKPOINT}.
 *
 * <p>Discretised for the control period {@code T}: at every update
 *
 * <pre>
 *   e = sp − cps
 *   I = clamp(I + e·Δt, 0, 1/ki)         // clamping anti-windup
 *   ρ = clamp(kp·e + ki·I, 0, 1)
 * </pre>
 *
 * <p>Δt is the time since the previous update ({@code T} itself when the loop runs at the
 * configured period; {@code controlPeriod} for the first update, whose interval is unknown), so
 * the integral stays right if the loop's period differs from the config's. The duty window is
 * counted in updates.
 *
 * <p><b>Anti-windup</b> is by clamping the integral term {@code ki·I} to ρ's own range [0, 1]:
 * the integral can never hold more than the whole output range, so once the error changes sign
 * the output leaves saturation within one period (if {@code kp > 0}, at once). A measured rate
 * above sp lowers ρ (more checkpoint mode), below sp raises it (more COLO).
 *
 * <p><b>Duty cycle.</b> Time is cut into windows of {@code dutyWindowPeriods} periods; at the
 * start of each window, ρ is turned into a whole number of COLO periods {@code k = round(ρ·N)},
 * and the window runs COLO for its first k periods, then CHECKPOINT. A COLO or CHECKPOINT part
 * shorter than {@code minDwell} is rounded to zero or up to {@code minDwell}, and in any case no
 * switch happens sooner than {@code minDwell} after the previous one.
 *
 * <p>Note that the rate measured in CHECKPOINT mode is the checkpoint mode's own rate
 * ({@code 1/checkpointPeriod}), so with {@code sp} above it the integral slowly returns time to
 * COLO, which is how the controller notices a workload that became deterministic. The first
 * update's sample is used like any other. Starts in COLO with ρ = 1.
 */
public final class PiController extends AbstractModeController {

  /**
   * Validated, immutable parameters of a {@link PiController}.
   *
   * @param setPointCps the checkpoint rate to hold, finite {@code >= 0}
   * @param kp proportional gain (ρ per cps of error), finite {@code >= 0}
   * @param ki integral gain (ρ per cps·second of accumulated error), finite {@code > 0}
   * @param controlPeriod the control period T the controller is discretised for, {@code > 0}
   * @param dutyWindowPeriods periods per duty window, {@code >= 1}
   * @param minDwell shortest time in one mode, {@code >= 0}
   * @param checkpointPeriod interval between checkpoints in CHECKPOINT mode, {@code > 0}
   *     (default {@link StaticController#DEFAULT_CHECKPOINT_PERIOD})
   */
  public record Config(
      double setPointCps,
      double kp,
      double ki,
      Duration controlPeriod,
      int dutyWindowPeriods,
      Duration minDwell,
      Duration checkpointPeriod) {

    /**
     * Default {@code setPointCps}: 2.5, a quarter above the default checkpoint mode's 2 cps. COLO
     * is kept while it checkpoints less than that; while in checkpoint mode the small positive
     * error slowly brings COLO back to probe the workload.
     */
    public static final double DEFAULT_SET_POINT_CPS = 2.5;

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


    /** Validates every parameter; see the record components for the ranges. */
    public Config {
      ParameterCheck.atLeast("setPointCps", setPointCps, 0.0);
      ParameterCheck.atLeast("kp", kp, 0.0);
      ParameterCheck.greaterThan("ki", ki, 0.0);
      ParameterCheck.positive("controlPeriod", controlPeriod);
      ParameterCheck.atLeast("dutyWindowPeriods", dutyWindowPeriods, 1);
      ParameterCheck.nonNegative("minDwell", minDwell);
      ParameterCheck.positive("checkpointPeriod", checkpointPeriod);
    }

    /** The parameters as config files and the command line name them. */
    static final List<ParameterDescriptor<Config>> PARAMETERS =
        List.of(
            ParameterDescriptor.decimal("set-point", "setPointCps", Config::setPointCps, DEFAULT_SET_POINT_CPS)
                .unit("cps")
                .range(">= 0")
                .meaning("the cps to hold")
                .searchedIn(0.1, 10),
            ParameterDescriptor.decimal("kp", "kp", Config::kp, DEFAULT_KP)
                .unit("ρ per cps")
                .range(">= 0")
                .meaning("proportional gain")
                .searchedIn(0, 1),
            ParameterDescriptor.decimal("ki", "ki", Config::ki, DEFAULT_KI)
                .unit("ρ per cps·s")
                .range("> 0")
                .meaning("integral gain")
                .searchedIn(0.001, 0.5),
            ParameterDescriptor.duration("control-period", "controlPeriod", Config::controlPeriod, DEFAULT_CONTROL_PERIOD)
                .range("> 0")
                .meaning("the control period the gains are discretised for"),
            ParameterDescriptor.integer(
                    "duty-window", "dutyWindowPeriods", Config::dutyWindowPeriods, DEFAULT_DUTY_WINDOW_PERIODS)
                .unit("periods")
                .range(">= 1")
                .meaning("control periods per duty window")
                .searchedIn(2, 30),
            ParameterDescriptor.duration("min-dwell", "minDwell", Config::minDwell, DEFAULT_MIN_DWELL)
                .range(">= 0")
                .meaning("shortest time in one mode")
                .searchedIn(0, 10),
            StaticController.checkpointPeriod(Config::checkpointPeriod));

    /** The defaults documented on the {@code DEFAULT_*} constants. */
    public static Config defaults() {
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

    /** Builds a {@link Config}; values are validated by {@link #build()}. */
    public static final class Builder extends ConfigBuilder<Config, Builder> {
      private Builder(@Nullable Config from) {
        super(Config.class, PARAMETERS, from);
      }

      /** See {@link Config#setPointCps()}. */
      public Builder setPointCps(double setPointCps) {
        return set("setPointCps", setPointCps);
      }

      /** See {@link Config#kp()}. */
      public Builder kp(double kp) {
        return set("kp", kp);
      }

      /** See {@link Config#ki()}. */
      public Builder ki(double ki) {
        return set("ki", ki);
      }

      /** See {@link Config#controlPeriod()}. */
      public Builder controlPeriod(Duration controlPeriod) {
        return set("controlPeriod", controlPeriod);
      }

      /** See {@link Config#dutyWindowPeriods()}. */
      public Builder dutyWindowPeriods(int dutyWindowPeriods) {
        return set("dutyWindowPeriods", dutyWindowPeriods);
      }

      /** See {@link Config#minDwell()}. */
      public Builder minDwell(Duration minDwell) {
        return set("minDwell", minDwell);
      }

      /** See {@link Config#checkpointPeriod()}. */
      public Builder checkpointPeriod(Duration checkpointPeriod) {
        return set("checkpointPeriod", checkpointPeriod);
      }
    }
  }

  /** The PI controller in the {@link ControllerRegistry}, named {@code pi}. */
  public static final ControllerDescriptor<Config> DESCRIPTOR =
      ControllerDescriptor.ofRecord(
          "pi",
          "the research's proportional-integral hybrid with a duty cycle",
          Config.class,
          Config.PARAMETERS,
          PiController::new);

  private final Config config;
  private final double setPointCps;
  private final double kp;
  private final double ki;
  private final int dutyWindowPeriods;
  private final double periodSeconds;
  private final double integralLimit;
  private final long minDwellNanos;
  private final int minDwellPeriods;
  private final long checkpointPeriodNanos;

  private double integral;
  private double coloShare;
  private int periodInWindow;
  private int coloPeriodsInWindow;
  private long modeStartNanos;

  /** A controller with {@link Config#defaults()}. */
  public PiController() {
    this(Config.defaults());
  }

  /** A controller with the given parameters. */
  public PiController(Config config) {
    super(Mode.COLO);
    this.config = Objects.requireNonNull(config, "config");
    this.setPointCps = config.setPointCps();
    this.kp = config.kp();
    this.ki = config.ki();
    this.dutyWindowPeriods = config.dutyWindowPeriods();
    this.periodSeconds = config.controlPeriod().toNanos() / 1e9;
    this.integralLimit = 1.0 / config.ki();
    this.minDwellNanos = config.minDwell().toNanos();
    long periodNanos = config.controlPeriod().toNanos();
    this.minDwellPeriods = (int) Math.min(Integer.MAX_VALUE, (minDwellNanos + periodNanos - 1) / periodNanos);
    this.checkpointPeriodNanos = config.checkpointPeriod().toNanos();
    resetState();
  }

  @Override
  protected Mode decide(long nowNanos, double checkpointsPerSecond, boolean first) {
    // Clamps by Math.min/max rather than branches: the rates fed are irregular, and branches
    // on them mispredict often on the hot path.
    double error = setPointCps - checkpointsPerSecond;
    // The measured interval, so a loop whose period differs from the configured one still
    // integrates correctly; the configured period for the first update, whose interval is unknown.
    double dt = first ? periodSeconds : elapsedNanos() * 1e-9;
    integral = Math.max(0.0, Math.min(integral + error * dt, integralLimit));
    coloShare = Math.max(0.0, Math.min(kp * error + ki * integral, 1.0));

    if (++periodInWindow >= dutyWindowPeriods) {
      periodInWindow = 0;
      coloPeriodsInWindow = coloPeriods(coloShare);
    }
    if (first) {
      modeStartNanos = nowNanos;
    }
    Mode wanted = periodInWindow < coloPeriodsInWindow ? Mode.COLO : Mode.CHECKPOINT;
    Mode current = mode();
    if (wanted == current || first) {
      return wanted;
    }
    if (nowNanos - modeStartNanos < minDwellNanos) {
      return current;
    }
    modeStartNanos = nowNanos;
    return wanted;
  }

  /** Whole COLO periods for a window, with parts shorter than minDwell rounded away. */
  private int coloPeriods(double share) {
    int window = config.dutyWindowPeriods();
    int colo = (int) Math.round(share * window);
    if (colo > 0 && colo < window) {
      // Only a part of the window can be too short; whole windows merge with their neighbours.
      if (colo < minDwellPeriods) {
        colo = 2 * colo >= minDwellPeriods ? minDwellPeriods : 0;
      }
      int checkpoint = window - colo;
      if (colo > 0 && checkpoint > 0 && checkpoint < minDwellPeriods) {
        colo = 2 * checkpoint >= minDwellPeriods ? window - minDwellPeriods : window;
      }
    }
    return Math.max(0, Math.min(window, colo));
  }

  @Override
  protected void resetState() {
    integral = integralLimit;
    coloShare = 1;
    periodInWindow = 0;
    coloPeriodsInWindow = config.dutyWindowPeriods();
    modeStartNanos = 0;
  }

  /**
   * ρ: the share of the next duty window the controller wants in COLO, in [0, 1]; for plots and
   * diagnostics.
   */
  public double coloShare() {
    return coloShare;
  }

  /** The integral state {@code I}, in cps·seconds, within [0, 1/ki]. */
  public double integral() {
    return integral;
  }

  /** The parameters. */
  public Config config() {
    return config;
  }

  @Override
  public long checkpointPeriodNanos() {
    return checkpointPeriodNanos;
  }

  @Override
  public String toString() {
    return "PiController" + config;
  }
}
