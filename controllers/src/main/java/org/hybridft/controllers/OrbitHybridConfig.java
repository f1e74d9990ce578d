package org.hybridft.controllers;

import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Validated, immutable parameters of an {@link OrbitHybridController}; the defaults are the
 * prototype's. Each parameter's valid range is declared once, on its descriptor in {@link
 * OrbitHybridController#DESCRIPTOR}: the constructor checks it, and help text and the tuner show
 * it; an invalid value throws an {@link IllegalArgumentException} naming the parameter, the range
 * and the value.
 *
 * @param passiveLimit mean checkpoint interval below which COLO is abandoned
 * @param passiveCount checkpoints per passive stretch
 * @param checkpointPeriod interval between checkpoints in CHECKPOINT mode (the prototype's
 *     passive period)
 * @param minCheckpoints checkpoints to see in COLO before the mean is trusted
 * @param smoothing weight of the newest interval in the mean
 */
public record OrbitHybridConfig(
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

  /**
   * The parameters as config files and the command line name them. {@code passive-period}, the
   * prototype's name of the checkpoint period, is read as a deprecated alias.
   */
  static final List<ParameterDescriptor<OrbitHybridConfig>> PARAMETERS =
      List.of(
          ParameterDescriptor.duration("passive-limit", "passiveLimit", OrbitHybridConfig::passiveLimit, DEFAULT_PASSIVE_LIMIT)
              .positive()
              .meaning("mean checkpoint interval below which COLO is abandoned")
              .searchedIn(0.05, 2),
          ParameterDescriptor.integer("passive-count", "passiveCount", OrbitHybridConfig::passiveCount, DEFAULT_PASSIVE_COUNT)
              .unit("checkpoints")
              .atLeast(1)
              .meaning("checkpoints per passive stretch")
              .searchedIn(10, 500),
          StaticController.checkpointPeriod(OrbitHybridConfig::checkpointPeriod, DEFAULT_CHECKPOINT_PERIOD)
              .alias("passive-period")
              .searchedIn(0.1, 2),
          ParameterDescriptor.integer(
                  "min-checkpoints", "minCheckpoints", OrbitHybridConfig::minCheckpoints, DEFAULT_MIN_CHECKPOINTS)
              .unit("checkpoints")
              .atLeast(1)
              .meaning("checkpoints seen before the mean is trusted")
              .searchedIn(1, 50),
          ParameterDescriptor.decimal("smoothing", "smoothing", OrbitHybridConfig::smoothing, DEFAULT_SMOOTHING)
              .inHalfOpenRange(0, 1)
              .meaning("weight of the newest interval in the mean")
              .searchedIn(0.05, 1));

  /** Checks each parameter's range. */
  public OrbitHybridConfig {
    ParameterDescriptor.validate(PARAMETERS, passiveLimit, passiveCount, checkpointPeriod, minCheckpoints, smoothing);
  }

  /** The prototype's defaults. */
  public static OrbitHybridConfig defaults() {
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

  /** Builds a {@link OrbitHybridConfig}; values are validated by {@link #build()}. */
  public static final class Builder extends ConfigBuilder<OrbitHybridConfig, Builder> {
    private Builder(@Nullable OrbitHybridConfig from) {
      super(OrbitHybridConfig.class, PARAMETERS, from);
    }

    /** See {@link OrbitHybridConfig#passiveLimit()}. */
    public Builder passiveLimit(Duration passiveLimit) {
      return set("passiveLimit", passiveLimit);
    }

    /** See {@link OrbitHybridConfig#passiveCount()}. */
    public Builder passiveCount(int passiveCount) {
      return set("passiveCount", passiveCount);
    }

    /** See {@link OrbitHybridConfig#checkpointPeriod()}. */
    public Builder checkpointPeriod(Duration checkpointPeriod) {
      return set("checkpointPeriod", checkpointPeriod);
    }

    /** See {@link OrbitHybridConfig#minCheckpoints()}. */
    public Builder minCheckpoints(int minCheckpoints) {
      return set("minCheckpoints", minCheckpoints);
    }

    /** See {@link OrbitHybridConfig#smoothing()}. */
    public Builder smoothing(double smoothing) {
      return set("smoothing", smoothing);
    }
  }
}
