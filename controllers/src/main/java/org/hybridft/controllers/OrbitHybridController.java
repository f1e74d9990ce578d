package org.hybridft.controllers;

import org.hybridft.core.Mode;

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
public final class OrbitHybridController extends ConfiguredController<OrbitHybridConfig> {

  /** The prototype's rule in the {@link ControllerRegistry}, named {@code orbit}. */
  public static final ControllerDescriptor<OrbitHybridConfig> DESCRIPTOR =
      ControllerDescriptor.ofRecord(
          "orbit",
          "the ORBIT prototype's rule: leave COLO while checkpoints come too often",
          OrbitHybridConfig.class,
          OrbitHybridConfig.PARAMETERS,
          OrbitHybridController::new);

  private final double passiveLimitSeconds;
  private final long passiveStretchNanos;

  private double meanIntervalSeconds;
  private double checkpointsSeen;
  private long passiveStartNanos;

  /** A controller with the prototype's defaults. */
  public OrbitHybridController() {
    this(OrbitHybridConfig.defaults());
  }

  /** A controller with the given parameters. */
  public OrbitHybridController(OrbitHybridConfig config) {
    super(Mode.COLO, config, OrbitHybridConfig::checkpointPeriod);
    this.passiveLimitSeconds = config.passiveLimit().toNanos() / 1e9;
    this.passiveStretchNanos =
        Math.multiplyHigh(checkpointPeriodNanos(), config.passiveCount()) != 0
            ? Long.MAX_VALUE
            : checkpointPeriodNanos() * config.passiveCount();
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
              : (1 - config().smoothing()) * meanIntervalSeconds + config().smoothing() * interval;
    }
    if (checkpointsSeen >= config().minCheckpoints() && meanIntervalSeconds < passiveLimitSeconds) {
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
}
