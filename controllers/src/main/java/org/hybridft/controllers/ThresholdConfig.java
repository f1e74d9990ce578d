package org.hybridft.controllers;

import java.time.Duration;
import java.util.List;
import org.hybridft.core.ParameterCheck;
import org.jspecify.annotations.Nullable;

/**
 * Validated, immutable parameters of a {@link ThresholdController}. Each parameter's valid range
 * is declared once, on its descriptor in {@link ThresholdController#DESCRIPTOR}: the constructor
 * checks it, and help text and the tuner show it; an invalid value throws an {@link
 * IllegalArgumentException} naming the parameter, the range and the value.
 *
 * @param coloWindow how long a COLO stretch lasts before it is judged
 * @param coloThresholdCps average checkpoint rate above which a COLO stretch is bad; 0 (the
 *     default) follows the checkpoint period: {@code 1/checkpointPeriod + 1/minCheckpointStretch}
 * @param initialCheckpointStretch the checkpoint stretch before any judgement, within [min, max]
 * @param alpha factor applied to the checkpoint stretch after a bad COLO stretch
 * @param beta factor applied after a good COLO stretch
 * @param minCheckpointStretch lower bound of the checkpoint stretch
 * @param maxCheckpointStretch upper bound of the checkpoint stretch, at least the lower one
 * @param checkpointPeriod interval between checkpoints in CHECKPOINT mode (default {@link
 *     StaticController#DEFAULT_CHECKPOINT_PERIOD})
 * @param earlyJudgementFactor a COLO period whose rate exceeds this times {@code
 *     coloThresholdCps} judges the stretch bad at once; {@code Double.POSITIVE_INFINITY} turns
 *     early judgement off
 * @param learnEpisodes whether the controller learns how long the workload's non-deterministic
 *     episodes last and probes COLO around their learnt end instead of backing off
 */
public record ThresholdConfig(
    Duration coloWindow,
    double coloThresholdCps,
    Duration initialCheckpointStretch,
    double alpha,
    double beta,
    Duration minCheckpointStretch,
    Duration maxCheckpointStretch,
    Duration checkpointPeriod,
    double earlyJudgementFactor,
    boolean learnEpisodes) {

  /**
   * Default {@code coloWindow}: 3 s, three samples of the control loop's default 1 s period (the
   * research judged over 10 s). Every entry into a non-deterministic phase pays the window at
   * COLO's bad rate, and on the testbed's phased workload (30 s stretches) a 10 s window left too
   * little of each stretch to gain back what the switches cost. A shorter one misjudges a
   * workload checkpointing at a quarter of the threshold on Poisson noise alone ({@code
   * synthetic}: six checkpoint stretches in 30 minutes with 2 s, its p99 latency 18 % above
   * COLO's).
   */
  public static final Duration DEFAULT_COLO_WINDOW = Duration.ofSeconds(3);

  /**
   * Default {@code coloThresholdCps}: 0, which follows the checkpoint period: COLO is bad above
   * {@code 1/checkpointPeriod + 1/minCheckpointStretch} cps (2.2 with the defaults, 1.2 at a
   * 1 s period). Checkpoint mode's own rate, because a checkpoint costs about the same pause in
   * either mode; plus a margin that pays for the switch: every return to COLO costs one
   * synchronising checkpoint, spread over the shortest checkpoint stretch a bad judgement buys.
   */
  public static final double DEFAULT_COLO_THRESHOLD_CPS = 0;

  /** Default {@code initialCheckpointStretch}: 10 s, the research's judging window. */
  public static final Duration DEFAULT_INITIAL_CHECKPOINT_STRETCH = Duration.ofSeconds(10);

  /**
   * Default {@code alpha}: 1.5. A back-off by α into a non-deterministic episode of length L makes
   * about {@code ln(L/initial)/ln α} probes and returns up to {@code (α − 1)·L} late; each probe
   * costs about seven checkpoints more than checkpoint mode, each second late about two. Doubling
   * returned 130 s late from a 180 s episode ({@code phased}: 26 s of pause per episode); 1.5
   * makes two more probes there and returns within about 70 s, and still probes a COLO that never
   * turns good ({@code video}) only about 15 times in 30 minutes, within 2 % of checkpoint mode.
   */
  public static final double DEFAULT_ALPHA = 1.5;

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
   * more than 4.4 cps ends the stretch (2.4 at a 1 s checkpoint period). A deterministic workload's first COLO period counts its
   * synchronising checkpoint and stays near 1 cps; one of {@code synthetic}'s periods (0.5 cps
   * on average) exceeds 4.4 about once in 5,000.
   */
  public static final double DEFAULT_EARLY_JUDGEMENT_FACTOR = 2.0;

  /**
   * Default {@code learnEpisodes}: on. In checkpoint mode nothing tells the controller that COLO
   * has become cheap again; once it has seen how long the workload's non-deterministic episodes
   * last, it can probe around their end instead of at the back-off's growing intervals
   * ({@code phased}, with α 1.5: from 1.32x to 1.12x the clairvoyant schedule's downtime ratio).
   * A workload that never turns deterministic ends no episode and keeps the back-off.
   */
  public static final boolean DEFAULT_LEARN_EPISODES = true;

  /** The parameters as config files and the command line name them, in component order. */
  static final List<ParameterDescriptor<ThresholdConfig>> PARAMETERS =
      List.of(
          ParameterDescriptor.duration("colo-window", "coloWindow", ThresholdConfig::coloWindow, DEFAULT_COLO_WINDOW)
              .positive()
              .meaning("how long a COLO stretch lasts before it is judged")
              .searchedIn(2, 60),
          ParameterDescriptor.decimal(
                  "threshold-cps", "coloThresholdCps", ThresholdConfig::coloThresholdCps, DEFAULT_COLO_THRESHOLD_CPS)
              .unit("cps")
              .atLeast(0)
              .range(">= 0 (0 = 1/checkpoint-period + 1/min-stretch)")
              .meaning("average cps above which a COLO stretch is bad")
              .searchedIn(0, 10),
          ParameterDescriptor.duration(
                  "initial-stretch", "initialCheckpointStretch", ThresholdConfig::initialCheckpointStretch,
                  DEFAULT_INITIAL_CHECKPOINT_STRETCH)
              .positive()
              .range("in [min-stretch, max-stretch]")
              .meaning("first checkpoint stretch")
              .searchedIn(
                  DEFAULT_MIN_CHECKPOINT_STRETCH.toSeconds(), DEFAULT_MAX_CHECKPOINT_STRETCH.toSeconds()),
          ParameterDescriptor.decimal("alpha", "alpha", ThresholdConfig::alpha, DEFAULT_ALPHA)
              .greaterThan(1)
              .meaning("stretch factor after bad COLO")
              .searchedIn(1.05, 8),
          ParameterDescriptor.decimal("beta", "beta", ThresholdConfig::beta, DEFAULT_BETA)
              .inOpenRange(0, 1)
              .meaning("stretch factor after good COLO")
              .searchedIn(0.05, 0.95),
          ParameterDescriptor.duration(
                  "min-stretch", "minCheckpointStretch", ThresholdConfig::minCheckpointStretch,
                  DEFAULT_MIN_CHECKPOINT_STRETCH)
              .positive()
              .meaning("shortest checkpoint stretch"),
          ParameterDescriptor.duration(
                  "max-stretch", "maxCheckpointStretch", ThresholdConfig::maxCheckpointStretch,
                  DEFAULT_MAX_CHECKPOINT_STRETCH)
              .positive()
              .range(">= min-stretch")
              .meaning("longest checkpoint stretch"),
          StaticController.checkpointPeriod(ThresholdConfig::checkpointPeriod),
          ParameterDescriptor.decimal(
                  "early-judgement", "earlyJudgementFactor", ThresholdConfig::earlyJudgementFactor,
                  DEFAULT_EARLY_JUDGEMENT_FACTOR)
              .unit("x threshold-cps")
              .atLeastOrOff(1)
              .meaning("a COLO period above this times the threshold ends the stretch as bad at once"),
          ParameterDescriptor.bool(
                  "learn-episodes", "learnEpisodes", ThresholdConfig::learnEpisodes, DEFAULT_LEARN_EPISODES)
              .meaning("learn how long non-deterministic episodes last and probe COLO around their end"));

  /** Checks each parameter's range, then that min, initial and max stretch are in order. */
  public ThresholdConfig {
    ParameterDescriptor.validate(
        PARAMETERS, coloWindow, coloThresholdCps, initialCheckpointStretch, alpha, beta, minCheckpointStretch,
        maxCheckpointStretch, checkpointPeriod, earlyJudgementFactor, learnEpisodes);
    ParameterCheck.ordered(
        "minCheckpointStretch", minCheckpointStretch, "maxCheckpointStretch", maxCheckpointStretch);
    ParameterCheck.ordered(
        "minCheckpointStretch", minCheckpointStretch, "initialCheckpointStretch", initialCheckpointStretch);
    ParameterCheck.ordered(
        "initialCheckpointStretch", initialCheckpointStretch, "maxCheckpointStretch", maxCheckpointStretch);
  }

  /** The defaults documented on the {@code DEFAULT_*} constants. */
  public static ThresholdConfig defaults() {
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

  /** Builds a {@link ThresholdConfig}; values are validated by {@link #build()}. */
  public static final class Builder extends ConfigBuilder<ThresholdConfig, Builder> {
    private Builder(@Nullable ThresholdConfig from) {
      super(ThresholdConfig.class, PARAMETERS, from);
    }

    /** See {@link ThresholdConfig#coloWindow()}. */
    public Builder coloWindow(Duration coloWindow) {
      return set("coloWindow", coloWindow);
    }

    /** See {@link ThresholdConfig#coloThresholdCps()}. */
    public Builder coloThresholdCps(double coloThresholdCps) {
      return set("coloThresholdCps", coloThresholdCps);
    }

    /** See {@link ThresholdConfig#initialCheckpointStretch()}. */
    public Builder initialCheckpointStretch(Duration initialCheckpointStretch) {
      return set("initialCheckpointStretch", initialCheckpointStretch);
    }

    /** See {@link ThresholdConfig#alpha()}. */
    public Builder alpha(double alpha) {
      return set("alpha", alpha);
    }

    /** See {@link ThresholdConfig#beta()}. */
    public Builder beta(double beta) {
      return set("beta", beta);
    }

    /** See {@link ThresholdConfig#minCheckpointStretch()}. */
    public Builder minCheckpointStretch(Duration minCheckpointStretch) {
      return set("minCheckpointStretch", minCheckpointStretch);
    }

    /** See {@link ThresholdConfig#maxCheckpointStretch()}. */
    public Builder maxCheckpointStretch(Duration maxCheckpointStretch) {
      return set("maxCheckpointStretch", maxCheckpointStretch);
    }

    /** See {@link ThresholdConfig#checkpointPeriod()}. */
    public Builder checkpointPeriod(Duration checkpointPeriod) {
      return set("checkpointPeriod", checkpointPeriod);
    }

    /** See {@link ThresholdConfig#earlyJudgementFactor()}. */
    public Builder earlyJudgementFactor(double earlyJudgementFactor) {
      return set("earlyJudgementFactor", earlyJudgementFactor);
    }

    /** See {@link ThresholdConfig#learnEpisodes()}. */
    public Builder learnEpisodes(boolean learnEpisodes) {
      return set("learnEpisodes", learnEpisodes);
    }
  }
}
