package org.hybridft.controllers;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.hybridft.core.AbstractModeController;
import org.hybridft.core.Mode;
import org.hybridft.core.ParameterCheck;
import org.jspecify.annotations.Nullable;

/**
 * The rule of the research prototype's QEMU patch ("COLO: Hybrid mode", ORBIT project), as a
 * baseline: in COLO, keep an exponentially weighted mean of the interval between checkpoints;
 * once enough checkpoints were seen and the mean falls below {@code passiveLimit}, run {@link
 * Mode#CHECKPOINT} for {@code passiveCount} checkpoints of {@code checkpointPeriod}, then return to
 * COLO with the mean forgotten.
 *
 * <p>Adapted to a per-period rate: each update with a rate above zero contributes the interval
 * {@code 1/cps} as {@code mean := (1 − w)·mean + w·(1/cps)} (w = {@code smoothing}, 0.3 in the
 * prototype; the first interval after a reset becomes the mean); an update with no checkpoint
 * observed no interval and leaves the mean alone. Checkpoints seen accumulate as {@code
 * cps·elapsed}. The passive stretch lasts {@code passiveCount·checkpointPeriod} of time, which is
 * {@code passiveCount} checkpoints at checkpoint mode's rate. Starts in COLO.
 */
public final class OrbitHybridController extends AbstractModeController {

  /**
   * Validated, immutable parameters of an {@link OrbitHybridController}; the defaults are the
   * prototype's.
   *
   * @param passiveLimit mean checkpoint interval below which COLO is abandoned, {@code > 0}
   * @param passiveCount checkpoints per passive stretch, {@code >= 1}
   * @param checkpointPeriod interval between checkpoints in CHECKPOINT mode (the prototype's
   *     passive period), {@code > 0}
   * @param minCheckpoints checkpoints to see in COLO before the mean is trusted, {@code >= 1}
   * @param smoothing weight of the newest interval in the mean, in {@code (0, 1]}
   */
  public record Config(
      Duration passiveLimit,
      int passiveCount,
      Duration checkpointPeriod,
      int minCheckpoints,
      double smoothing) {

    /** Prototype default {@code passiveLimit}: 400 ms. */
    public static final Duration DEFAULT_PASSIVE_LIMIT = Duration.ofMillis(400);

    /** Prototype default {@code passiveCount}: 100 checkpoints. */
    public static final int DEFAULT_PASSIVE_COUNT = 100;

    /**
     * Prototype default {@code checkpointPeriod} (its passive period): 250 ms, unlike the other
     * controllers' {@link StaticController#DEFAULT_CHECKPOINT_PERIOD}, so that the baseline stays
     * the prototype's.
     */
    public static final Duration DEFAULT_CHECKPOINT_PERIOD = Duration.ofMillis(250);

    /** Prototype default {@code minCheckpoints}: 5. */
    public static final int DEFAULT_MIN_CHECKPOINTS = 5;

    /** Prototype default {@code smoothing}: 0.3. */
    public static final double DEFAULT_SMOOTHING = 0.3;

    /** Validates every parameter; see the record components for the ranges. */
    public Config {
      ParameterCheck.positive("passiveLimit", passiveLimit);
      ParameterCheck.atLeast("passiveCount", passiveCount, 1);
      ParameterCheck.positive("checkpointPeriod", checkpointPeriod);
      ParameterCheck.atLeast("minCheckpoints", minCheckpoints, 1);
      ParameterCheck.halfOpenRange("smoothing", smoothing, 0.0, 1.0);
    }

    /**
     * The parameters as config files and the command line name them. {@code passive-period}, the
     * prototype's name of the checkpoint period, is read as a deprecated alias.
     */
    static final List<ParameterDescriptor<Config>> PARAMETERS =
        List.of(
            ParameterDescriptor.duration("passive-limit", "passiveLimit", Config::passiveLimit, DEFAULT_PASSIVE_LIMIT)
                .range("> 0")
                .meaning("mean checkpoint interval below which COLO is abandoned")
                .searchedIn(0.05, 2),
            ParameterDescriptor.integer("passive-count", "passiveCount", Config::passiveCount, DEFAULT_PASSIVE_COUNT)
                .unit("checkpoints")
                .range(">= 1")
                .meaning("checkpoints per passive stretch")
                .searchedIn(10, 500),
            StaticController.checkpointPeriod(Config::checkpointPeriod, DEFAULT_CHECKPOINT_PERIOD)
                .alias("passive-period")
                .searchedIn(0.1, 2),
            ParameterDescriptor.integer(
                    "min-checkpoints", "minCheckpoints", Config::minCheckpoints, DEFAULT_MIN_CHECKPOINTS)
                .unit("checkpoints")
                .range(">= 1")
                .meaning("checkpoints seen before the mean is trusted")
                .searchedIn(1, 50),
            ParameterDescriptor.decimal("smoothing", "smoothing", Config::smoothing, DEFAULT_SMOOTHING)
                .range("in (0, 1]")
                .meaning("weight of the newest interval in the mean")
                .searchedIn(0.05, 1));

    /** The prototype's defaults. */
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

      /** See {@link Config#passiveLimit()}. */
      public Builder passiveLimit(Duration passiveLimit) {
        return set("passiveLimit", passiveLimit);
      }

      /** See {@link Config#passiveCount()}. */
      public Builder passiveCount(int passiveCount) {
        return set("passiveCount", passiveCount);
      }

      /** See {@link Config#checkpointPeriod()}. */
      public Builder checkpointPeriod(Duration checkpointPeriod) {
        return set("checkpointPeriod", checkpointPeriod);
      }

      /** See {@link Config#minCheckpoints()}. */
      public Builder minCheckpoints(int minCheckpoints) {
        return set("minCheckpoints", minCheckpoints);
      }

      /** See {@link Config#smoothing()}. */
      public Builder smoothing(double smoothing) {
        return set("smoothing", smoothing);
      }
    }
  }

  /** The prototype's rule in the {@link ControllerRegistry}, named {@code orbit}. */
  public static final ControllerDescriptor<Config> DESCRIPTOR =
      ControllerDescriptor.ofRecord(
          "orbit",
          "the ORBIT prototype's rule: leave COLO while checkpoints come too often",
          Config.class,
          Config.PARAMETERS,
          OrbitHybridController::new);

  private final Config config;
  private final double passiveLimitSeconds;
  private final long passiveStretchNanos;
  private final long checkpointPeriodNanos;

  private double meanIntervalSeconds;
  private double checkpointsSeen;
  private long passiveStartNanos;

  /** A controller with the prototype's defaults. */
  public OrbitHybridController() {
    this(Config.defaults());
  }

  /** A controller with the given parameters. */
  public OrbitHybridController(Config config) {
    super(Mode.COLO);
    this.config = Objects.requireNonNull(config, "config");
    this.passiveLimitSeconds = config.passiveLimit().toNanos() / 1e9;
    this.checkpointPeriodNanos = config.checkpointPeriod().toNanos();
    this.passiveStretchNanos =
        Math.multiplyHigh(checkpointPeriodNanos, config.passiveCount()) != 0
            ? Long.MAX_VALUE
            : checkpointPeriodNanos * config.passiveCount();
    resetState();
  }

  @Override
  protected Mode decide(long nowNanos, double checkpointsPerSecond, boolean first) {
    if (mode() == Mode.CHECKPOINT) {
      if (nowNanos - passiveStartNanos >= passiveStretchNanos) {
        forgetMean();
        return Mode.COLO;
      }
      return Mode.CHECKPOINT;
    }
    checkpointsSeen += checkpointsPerSecond * (elapsedNanos() / 1e9);
    if (checkpointsPerSecond > 0) {
      double interval = 1.0 / checkpointsPerSecond;
      meanIntervalSeconds =
          Double.isNaN(meanIntervalSeconds)
              ? interval
              : (1 - config.smoothing()) * meanIntervalSeconds + config.smoothing() * interval;
    }
    if (checkpointsSeen >= config.minCheckpoints() && meanIntervalSeconds < passiveLimitSeconds) {
      passiveStartNanos = nowNanos;
      return Mode.CHECKPOINT;
    }
    return Mode.COLO;
  }

  private void forgetMean() {
    meanIntervalSeconds = Double.NaN;
    checkpointsSeen = 0;
  }

  @Override
  protected void resetState() {
    forgetMean();
    passiveStartNanos = 0;
  }

  /** The smoothed interval between COLO checkpoints in seconds, NaN until one was observed. */
  public double meanIntervalSeconds() {
    return meanIntervalSeconds;
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
    return "OrbitHybridController" + config;
  }
}
