package org.hybridft.controllers;

import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Validated, immutable parameters of a {@link LearningController}. Each parameter's valid range
 * is declared once, on its descriptor in {@link LearningController#DESCRIPTOR}: the constructor
 * checks it, and help text and the tuner show it; an invalid value throws an {@link
 * IllegalArgumentException} naming the parameter, the range and the value.
 *
 * @param pausePerCheckpoint how long one checkpoint pauses the guest
 * @param latencyWeight cost of one period in checkpoint mode, in units of downtime ratio
 * @param checkpointPeriod interval between checkpoints in CHECKPOINT mode (default {@link
 *     StaticController#DEFAULT_CHECKPOINT_PERIOD})
 * @param discount per-period discount γ of past evidence
 * @param exploration exploration constant ξ of the optimism bonus
 * @param minDwell shortest time in one mode
 * @param chargeColoLatency whether a COLO period is charged for the output its pauses hold
 * @param earlyExitFactor a COLO period costing more than this times checkpoint mode's cost
 *     ends COLO at once; {@code Double.POSITIVE_INFINITY} turns it off
 * @param probeHysteresis factor by which the evidence against COLO must age further before
 *     COLO is probed again; 1 turns it off
 * @param learnEpisodes whether the controller learns how long the workload's non-deterministic
 *     episodes last and probes COLO around their learnt end
 */
public record LearningConfig(
    Duration pausePerCheckpoint,
    double latencyWeight,
    Duration checkpointPeriod,
    double discount,
    double exploration,
    Duration minDwell,
    boolean chargeColoLatency,
    double earlyExitFactor,
    double probeHysteresis,
    boolean learnEpisodes) {

  /** Default {@code pausePerCheckpoint}: 85 ms, measured for a 64 MiB guest on QEMU 7.2. */
  public static final Duration DEFAULT_PAUSE_PER_CHECKPOINT = Duration.ofMillis(85);

  /**
   * Default {@code latencyWeight}: 0.05. Checkpoint mode at 500 ms holds replies 250 ms on
   * average; we value that as 5 % of downtime. With {@code chargeColoLatency} COLO is charged
   * in proportion to its own pauses, so it is preferred up to checkpoint mode's 2 cps (without,
   * up to about 2.6 cps).
   */
  public static final double DEFAULT_LATENCY_WEIGHT = 0.05;


  /** Default {@code discount}: 0.98 per period, a memory of about 50 periods. */
  public static final double DEFAULT_DISCOUNT = 0.98;

  /** Default {@code exploration}: 0.01, which keeps probing of a bad COLO near 1 % of time. */
  public static final double DEFAULT_EXPLORATION = 0.01;

  /** Default {@code minDwell}: 2 s, as for the PI controller. */
  public static final Duration DEFAULT_MIN_DWELL = Duration.ofSeconds(2);

  /** Default {@code chargeColoLatency}: on. */
  public static final boolean DEFAULT_CHARGE_COLO_LATENCY = true;

  /**
   * Default {@code earlyExitFactor}: 2, so with the other defaults a COLO period costs more
   * than 0.44 (above about 4.6 cps) ends COLO.
   */
  public static final double DEFAULT_EARLY_EXIT_FACTOR = 2.0;

  /**
   * Default {@code probeHysteresis}: 4: the evidence ages about 70 periods more (ln 4 / ln
   * (1/0.98)) before the next probe.
   */
  public static final double DEFAULT_PROBE_HYSTERESIS = 4.0;

  /**
   * Default {@code learnEpisodes}: on. The optimism bonus brings COLO back only once the evidence
   * against it has aged, whenever the workload changed; once the controller has seen how long the
   * workload's non-deterministic episodes last, it probes around their end as well (see {@link
   * ThresholdConfig#DEFAULT_LEARN_EPISODES}). A workload that never turns deterministic ends no
   * episode and is probed by the bonus alone.
   */
  public static final boolean DEFAULT_LEARN_EPISODES = true;

  /** The parameters as config files and the command line name them, in component order. */
  static final List<ParameterDescriptor<LearningConfig>> PARAMETERS =
      List.of(
          ParameterDescriptor.duration(
                  "pause-per-checkpoint", "pausePerCheckpoint", LearningConfig::pausePerCheckpoint,
                  DEFAULT_PAUSE_PER_CHECKPOINT)
              .positive()
              .meaning("guest pause of one checkpoint"),
          ParameterDescriptor.decimal("latency-weight", "latencyWeight", LearningConfig::latencyWeight, DEFAULT_LATENCY_WEIGHT)
              .unit("downtime ratio")
              .atLeast(0)
              .meaning("cost of a period in checkpoint mode"),
          StaticController.checkpointPeriod(LearningConfig::checkpointPeriod),
          ParameterDescriptor.decimal("discount", "discount", LearningConfig::discount, DEFAULT_DISCOUNT)
              .inOpenRange(0, 1)
              .meaning("per-period discount of past evidence")
              .searchedIn(0.8, 0.999),
          ParameterDescriptor.decimal("exploration", "exploration", LearningConfig::exploration, DEFAULT_EXPLORATION)
              .atLeast(0)
              .meaning("exploration constant of the optimism bonus")
              .searchedIn(0, 0.2),
          ParameterDescriptor.duration("min-dwell", "minDwell", LearningConfig::minDwell, DEFAULT_MIN_DWELL)
              .nonNegative()
              .meaning("shortest time in one mode")
              .searchedIn(1, 10),
          ParameterDescriptor.bool(
                  "charge-colo-latency", "chargeColoLatency", LearningConfig::chargeColoLatency,
                  DEFAULT_CHARGE_COLO_LATENCY)
              .meaning("charge a COLO period for the latency its checkpoints add, as checkpoint mode is"),
          ParameterDescriptor.decimal("early-exit", "earlyExitFactor", LearningConfig::earlyExitFactor, DEFAULT_EARLY_EXIT_FACTOR)
              .unit("x checkpoint mode's cost")
              .atLeastOrOff(1)
              .meaning("a COLO period costing more than this ends COLO at once"),
          ParameterDescriptor.decimal(
                  "probe-hysteresis", "probeHysteresis", LearningConfig::probeHysteresis, DEFAULT_PROBE_HYSTERESIS)
              .unit("factor")
              .atLeast(1)
              .offAt(1)
              .meaning("the optimism bonus in checkpoint mode is divided by its square root"),
          ParameterDescriptor.bool(
                  "learn-episodes", "learnEpisodes", LearningConfig::learnEpisodes, DEFAULT_LEARN_EPISODES)
              .meaning("learn how long non-deterministic episodes last and probe COLO around their end"));

  /** Checks each parameter's range. */
  public LearningConfig {
    ParameterDescriptor.validate(
        PARAMETERS, pausePerCheckpoint, latencyWeight, checkpointPeriod, discount, exploration, minDwell,
        chargeColoLatency, earlyExitFactor, probeHysteresis, learnEpisodes);
  }

  /** The defaults documented on the {@code DEFAULT_*} constants. */
  public static LearningConfig defaults() {
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

  /** Builds a {@link LearningConfig}; values are validated by {@link #build()}. */
  public static final class Builder extends ConfigBuilder<LearningConfig, Builder> {
    private Builder(@Nullable LearningConfig from) {
      super(LearningConfig.class, PARAMETERS, from);
    }

    /** See {@link LearningConfig#pausePerCheckpoint()}. */
    public Builder pausePerCheckpoint(Duration pausePerCheckpoint) {
      return set("pausePerCheckpoint", pausePerCheckpoint);
    }

    /** See {@link LearningConfig#latencyWeight()}. */
    public Builder latencyWeight(double latencyWeight) {
      return set("latencyWeight", latencyWeight);
    }

    /** See {@link LearningConfig#checkpointPeriod()}. */
    public Builder checkpointPeriod(Duration checkpointPeriod) {
      return set("checkpointPeriod", checkpointPeriod);
    }

    /** See {@link LearningConfig#discount()}. */
    public Builder discount(double discount) {
      return set("discount", discount);
    }

    /** See {@link LearningConfig#exploration()}. */
    public Builder exploration(double exploration) {
      return set("exploration", exploration);
    }

    /** See {@link LearningConfig#minDwell()}. */
    public Builder minDwell(Duration minDwell) {
      return set("minDwell", minDwell);
    }

    /** See {@link LearningConfig#chargeColoLatency()}. */
    public Builder chargeColoLatency(boolean chargeColoLatency) {
      return set("chargeColoLatency", chargeColoLatency);
    }

    /** See {@link LearningConfig#earlyExitFactor()}. */
    public Builder earlyExitFactor(double earlyExitFactor) {
      return set("earlyExitFactor", earlyExitFactor);
    }

    /** See {@link LearningConfig#probeHysteresis()}. */
    public Builder probeHysteresis(double probeHysteresis) {
      return set("probeHysteresis", probeHysteresis);
    }

    /** See {@link LearningConfig#learnEpisodes()}. */
    public Builder learnEpisodes(boolean learnEpisodes) {
      return set("learnEpisodes", learnEpisodes);
    }
  }
}
