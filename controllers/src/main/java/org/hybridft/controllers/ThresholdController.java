package org.hybridft.controllers;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.hybridft.core.AbstractModeController;
import org.hybridft.core.Mode;
import org.hybridft.core.ParameterCheck;
import org.jspecify.annotations.Nullable;

/**
 * The research's threshold (α/β) hybrid: run COLO, judge each COLO stretch by its average
 * checkpoint rate, and back off into checkpoint mode for a stretch that grows while COLO keeps
 * proving bad and shrinks when it proves good.
 *
 * <p>The cycle, evaluated at every {@link #update}:
 *
 * <ol>
 *   <li>In {@link Mode#COLO}, the rates fed are averaged (arithmetic mean of the samples, one per
 *       control period). Once the stretch has lasted {@code coloWindow} it is judged: if the
 *       average exceeds {@code coloThresholdCps} COLO is <em>bad</em>: the checkpoint stretch
 *       becomes {@code min(max, stretch·α)} and the controller runs {@link Mode#CHECKPOINT} for
 *       that long. Otherwise COLO is <em>good</em>: the stretch becomes {@code max(min,
 *       stretch·β)} and COLO runs another window.
 *   <li>In {@link Mode#CHECKPOINT}, once the stretch has elapsed the controller returns to COLO
 *       to probe the workload again.
 * </ol>
 *
 * <p><b>Extension: early judgement</b> ({@code earlyJudgementFactor}, not in the research). A
 * COLO period whose own rate exceeds {@code earlyJudgementFactor · coloThresholdCps} ends the
 * COLO stretch at once and judges it bad, without waiting for the window. The research's window
 * averages out noise around the threshold, but a rate that far above it is no noise: on a highly
 * non-deterministic workload the guest is paused nearly all the time in COLO, so each second of a
 * 10 s probe lets requests queue (the research's rule gave a p99 latency ten times checkpoint
 * mode's on {@code video}), and a burst that starts during a good COLO stretch is left at once
 * instead of up to a window later. {@code Double.POSITIVE_INFINITY} turns it off.
 *
 * <p>So after k bad COLO stretches in a row from the initial state the stretch is {@code min(max,
 * initial·α^k)}, and no two switches are closer than {@code min(coloWindow,
 * minCheckpointStretch)}, or than one update when early judgement is on. The first update only
 * starts the clock (its sample covers a period before the controller started and is not
 * averaged). Starts in COLO.
 */
public final class ThresholdController extends AbstractModeController {

  /**
   * Validated, immutable parameters of a {@link ThresholdController}.
   *
   * @param coloWindow how long a COLO stretch lasts before it is judged, {@code > 0}
   * @param coloThresholdCps average checkpoint rate above which a COLO stretch is bad, finite
   *     {@code >= 0}
   * @param initialCheckpointStretch the checkpoint stretch before any judgement, within [min,
   *     max]
   * @param alpha factor applied to the checkpoint stretch after a bad COLO stretch, {@code > 1}
   * @param beta factor applied after a good COLO stretch, in {@code (0, 1)}
   * @param minCheckpointStretch lower bound of the checkpoint stretch, {@code > 0}
   * @param maxCheckpointStretch upper bound of the checkpoint stretch, {@code >= min}
   * @param checkpointPeriod interval between checkpoints in CHECKPOINT mode, {@code > 0}
   *     (default {@link StaticController#DEFAULT_CHECKPOINT_PERIOD})
   * @param earlyJudgementFactor a COLO period whose rate exceeds this times {@code
   *     coloThresholdCps} judges the stretch bad at once, {@code >= 1}; {@code
   *     Double.POSITIVE_INFINITY} turns early judgement off
   */
  public record Config(
      Duration coloWindow,
      double coloThresholdCps,
      Duration initialCheckpointStretch,
      double alpha,
      double beta,
      Duration minCheckpointStretch,
      Duration maxCheckpointStretch,
      Duration checkpointPeriod,
      double earlyJudgementFactor) {

    /** Default {@code coloWindow}: 10 s, the research's judging window. */
    public static final Duration DEFAULT_COLO_WINDOW = Duration.ofSeconds(10);

    /**
     * Default {@code coloThresholdCps}: 2.0, equal to the checkpoint rate of the default
     * checkpoint mode (one every 500 ms). COLO is bad when it checkpoints more often than
     * checkpoint mode would, since every checkpoint costs the same pause either way.
     */
    public static final double DEFAULT_COLO_THRESHOLD_CPS = 2.0;

    /** Default {@code initialCheckpointStretch}: 10 s, one COLO window. */
    public static final Duration DEFAULT_INITIAL_CHECKPOINT_STRETCH = Duration.ofSeconds(10);

    /** Default {@code alpha}: 2, doubling like a classic exponential backoff. */
    public static final double DEFAULT_ALPHA = 2.0;

    /** Default {@code beta}: 0.5, halving, symmetric to α. */
    public static final double DEFAULT_BETA = 0.5;

    /** Default {@code minCheckpointStretch}: 5 s, so a switch costs at most a few percent. */
    public static final Duration DEFAULT_MIN_CHECKPOINT_STRETCH = Duration.ofSeconds(5);

    /**
     * Default {@code maxCheckpointStretch}: 160 s (10 s·2^4): a workload that turns
     * deterministic is found again within less than three minutes.
     */
    public static final Duration DEFAULT_MAX_CHECKPOINT_STRETCH = Duration.ofSeconds(160);


    /**
     * Default {@code earlyJudgementFactor}: 2, so with the default threshold one COLO period of
     * more than 4 cps ends the stretch. A deterministic workload's first COLO period counts its
     * synchronising checkpoint and stays near 1 cps; one of {@code synthetic}'s periods (0.5 cps
     * on average) exceeds 4 about once in 5,000.
     */
    public static final double DEFAULT_EARLY_JUDGEMENT_FACTOR = 2.0;

    /** Validates every parameter; see the record components for the ranges. */
    public Config {
      ParameterCheck.positive("coloWindow", coloWindow);
      ParameterCheck.atLeast("coloThresholdCps", coloThresholdCps, 0.0);
      ParameterCheck.greaterThan("alpha", alpha, 1.0);
      ParameterCheck.openRange("beta", beta, 0.0, 1.0);
      ParameterCheck.positive("minCheckpointStretch", minCheckpointStretch);
      ParameterCheck.positive("maxCheckpointStretch", maxCheckpointStretch);
      ParameterCheck.positive("initialCheckpointStretch", initialCheckpointStretch);
      ParameterCheck.positive("checkpointPeriod", checkpointPeriod);
      ParameterCheck.atLeastOrOff("earlyJudgementFactor", earlyJudgementFactor, 1.0);
      ParameterCheck.ordered(
          "minCheckpointStretch", minCheckpointStretch, "maxCheckpointStretch", maxCheckpointStretch);
      ParameterCheck.ordered(
          "minCheckpointStretch", minCheckpointStretch,
          "initialCheckpointStretch", initialCheckpointStretch);
      ParameterCheck.ordered(
          "initialCheckpointStretch", initialCheckpointStretch,
          "maxCheckpointStretch", maxCheckpointStretch);
    }

    /** The parameters as config files and the command line name them. */
    static final List<ParameterDescriptor<Config>> PARAMETERS =
        List.of(
            ParameterDescriptor.duration("colo-window", "coloWindow", Config::coloWindow, DEFAULT_COLO_WINDOW)
                .range("> 0")
                .meaning("how long a COLO stretch lasts before it is judged")
                .searchedIn(2, 60),
            ParameterDescriptor.decimal(
                    "threshold-cps", "coloThresholdCps", Config::coloThresholdCps, DEFAULT_COLO_THRESHOLD_CPS)
                .unit("cps")
                .range(">= 0")
                .meaning("average cps above which a COLO stretch is bad")
                .searchedIn(0.1, 10),
            ParameterDescriptor.duration(
                    "initial-stretch", "initialCheckpointStretch", Config::initialCheckpointStretch,
                    DEFAULT_INITIAL_CHECKPOINT_STRETCH)
                .range("in [min-stretch, max-stretch]")
                .meaning("first checkpoint stretch")
                .searchedIn(
                    DEFAULT_MIN_CHECKPOINT_STRETCH.toSeconds(), DEFAULT_MAX_CHECKPOINT_STRETCH.toSeconds()),
            ParameterDescriptor.decimal("alpha", "alpha", Config::alpha, DEFAULT_ALPHA)
                .range("> 1")
                .meaning("stretch factor after bad COLO")
                .searchedIn(1.05, 8),
            ParameterDescriptor.decimal("beta", "beta", Config::beta, DEFAULT_BETA)
                .range("in (0, 1)")
                .meaning("stretch factor after good COLO")
                .searchedIn(0.05, 0.95),
            ParameterDescriptor.duration(
                    "min-stretch", "minCheckpointStretch", Config::minCheckpointStretch,
                    DEFAULT_MIN_CHECKPOINT_STRETCH)
                .range("> 0")
                .meaning("shortest checkpoint stretch"),
            ParameterDescriptor.duration(
                    "max-stretch", "maxCheckpointStretch", Config::maxCheckpointStretch,
                    DEFAULT_MAX_CHECKPOINT_STRETCH)
                .range(">= min-stretch")
                .meaning("longest checkpoint stretch"),
            StaticController.checkpointPeriod(Config::checkpointPeriod),
            ParameterDescriptor.decimal(
                    "early-judgement", "earlyJudgementFactor", Config::earlyJudgementFactor,
                    DEFAULT_EARLY_JUDGEMENT_FACTOR)
                .unit("x threshold-cps")
                .range(">= 1, or Infinity (off)")
                .meaning("a COLO period above this times the threshold ends the stretch as bad at once"));

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

      /** See {@link Config#coloWindow()}. */
      public Builder coloWindow(Duration coloWindow) {
        return set("coloWindow", coloWindow);
      }

      /** See {@link Config#coloThresholdCps()}. */
      public Builder coloThresholdCps(double coloThresholdCps) {
        return set("coloThresholdCps", coloThresholdCps);
      }

      /** See {@link Config#initialCheckpointStretch()}. */
      public Builder initialCheckpointStretch(Duration initialCheckpointStretch) {
        return set("initialCheckpointStretch", initialCheckpointStretch);
      }

      /** See {@link Config#alpha()}. */
      public Builder alpha(double alpha) {
        return set("alpha", alpha);
      }

      /** See {@link Config#beta()}. */
      public Builder beta(double beta) {
        return set("beta", beta);
      }

      /** See {@link Config#minCheckpointStretch()}. */
      public Builder minCheckpointStretch(Duration minCheckpointStretch) {
        return set("minCheckpointStretch", minCheckpointStretch);
      }

      /** See {@link Config#maxCheckpointStretch()}. */
      public Builder maxCheckpointStretch(Duration maxCheckpointStretch) {
        return set("maxCheckpointStretch", maxCheckpointStretch);
      }

      /** See {@link Config#checkpointPeriod()}. */
      public Builder checkpointPeriod(Duration checkpointPeriod) {
        return set("checkpointPeriod", checkpointPeriod);
      }

      /** See {@link Config#earlyJudgementFactor()}. */
      public Builder earlyJudgementFactor(double earlyJudgementFactor) {
        return set("earlyJudgementFactor", earlyJudgementFactor);
      }
    }
  }

  /** The threshold controller in the {@link ControllerRegistry}, named {@code threshold}. */
  public static final ControllerDescriptor<Config> DESCRIPTOR =
      ControllerDescriptor.ofRecord(
          "threshold",
          "the research's α/β threshold hybrid",
          Config.class,
          Config.PARAMETERS,
          ThresholdController::new);

  private final Config config;
  private final long coloWindowNanos;
  private final long initialStretchNanos;
  private final long minStretchNanos;
  private final long maxStretchNanos;
  private final long checkpointPeriodNanos;
  private final double earlyBadCps;

  private long checkpointStretchNanos;
  private long stretchStartNanos;
  private double coloCpsSum;
  private int coloSamples;

  /** A controller with {@link Config#defaults()}. */
  public ThresholdController() {
    this(Config.defaults());
  }

  /** A controller with the given parameters. */
  public ThresholdController(Config config) {
    super(Mode.COLO);
    this.config = Objects.requireNonNull(config, "config");
    this.coloWindowNanos = config.coloWindow().toNanos();
    this.initialStretchNanos = config.initialCheckpointStretch().toNanos();
    this.minStretchNanos = config.minCheckpointStretch().toNanos();
    this.maxStretchNanos = config.maxCheckpointStretch().toNanos();
    this.checkpointPeriodNanos = config.checkpointPeriod().toNanos();
    this.earlyBadCps = config.earlyJudgementFactor() * config.coloThresholdCps();
    resetState();
  }

  @Override
  protected Mode decide(long nowNanos, double checkpointsPerSecond, boolean first) {
    if (first) {
      stretchStartNanos = nowNanos;
      return Mode.COLO;
    }
    long stretchElapsed = nowNanos - stretchStartNanos;
    if (mode() == Mode.CHECKPOINT) {
      if (stretchElapsed >= checkpointStretchNanos) {
        startStretch(nowNanos);
        return Mode.COLO;
      }
      return Mode.CHECKPOINT;
    }
    coloCpsSum += checkpointsPerSecond;
    coloSamples++;
    boolean farAbove = checkpointsPerSecond > earlyBadCps;
    if (stretchElapsed < coloWindowNanos && !farAbove) {
      return Mode.COLO;
    }
    double averageCps = coloCpsSum / coloSamples;
    startStretch(nowNanos);
    if (farAbove || averageCps > config.coloThresholdCps()) {
      checkpointStretchNanos = scaled(checkpointStretchNanos, config.alpha());
      return Mode.CHECKPOINT;
    }
    checkpointStretchNanos = scaled(checkpointStretchNanos, config.beta());
    return Mode.COLO;
  }

  private long scaled(long stretchNanos, double factor) {
    double next = stretchNanos * factor;
    if (next >= maxStretchNanos) {
      return maxStretchNanos;
    }
    return Math.max(minStretchNanos, (long) next);
  }

  private void startStretch(long nowNanos) {
    stretchStartNanos = nowNanos;
    coloCpsSum = 0;
    coloSamples = 0;
  }

  @Override
  protected void resetState() {
    checkpointStretchNanos = initialStretchNanos;
    stretchStartNanos = 0;
    coloCpsSum = 0;
    coloSamples = 0;
  }

  /** The checkpoint stretch the next bad COLO judgement starts from, in nanoseconds. */
  public long checkpointStretchNanos() {
    return checkpointStretchNanos;
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
    return "ThresholdController" + config;
  }
}
