package org.hybridft.controllers;

/**
 * When to probe COLO from checkpoint mode, learnt from how long the workload's non-deterministic
 * episodes last. Single writer, constant time and state, no allocation: a controller's hot path
 * may call it every period.
 *
 * <p>In checkpoint mode a checkpoint falls every period whatever the workload does, so only a
 * probe of COLO tells that COLO has become cheap again. An <em>episode</em> runs from the first
 * COLO stretch judged bad to the next one judged good. At its end the length is learnt: the
 * midpoint between the last failed probe (or the episode's start) and the good stretch's start,
 * averaged with weight {@value #WEIGHT} with the lengths before it, and its spread (the mean
 * deviation, at least the shortest stretch). Without a failed probe since a length was learnt the
 * end is taken one spread before the good stretch, so that a learnt length too long shrinks until a
 * probe fails.
 *
 * <p>In the next episode the controller waits in checkpoint mode until the learnt end less the
 * spread, then probes at the interval {@code √(2·spread·probeCost/lateCost)}, which minimises the
 * expected probes plus lateness when the end falls anywhere within the spread: probeCost is a
 * failed probe's checkpoints beyond checkpoint mode's (the synchronising one included), lateCost
 * checkpoint mode's rate beyond good COLO's. An episode that outlasts the learnt end by {@value
 * #SPREADS} spreads is left to the controller's own back-off again, and a workload that never
 * turns deterministic ends no episode and is never probed by this rule.
 */
final class EpisodeProbes {
  /** Weight of the newest episode in the learnt length and spread. */
  static final double WEIGHT = 0.5;

  /** An episode longer than the learnt length by this many spreads is left to the back-off. */
  static final double SPREADS = 4;

  private final long minStretchNanos;
  private final long maxWaitNanos;
  private final double checkpointModeCps;

  private long episodeStartNanos;
  private long lastFailedProbeNanos;
  private double learntNanos;
  private double spreadNanos;
  private double goodColoCps;
  private double probeCost;

  /**
   * @param minStretchNanos the shortest checkpoint stretch between two probes, {@code > 0}
   * @param maxWaitNanos the longest stretch the wait for the learnt end may take at once
   * @param checkpointModeCps checkpoint mode's rate, {@code 1/checkpointPeriod}
   */
  EpisodeProbes(long minStretchNanos, long maxWaitNanos, double checkpointModeCps) {
    this.minStretchNanos = minStretchNanos;
    this.maxWaitNanos = maxWaitNanos;
    this.checkpointModeCps = checkpointModeCps;
    reset();
  }

  void reset() {
    episodeStartNanos = -1;
    lastFailedProbeNanos = -1;
    learntNanos = 0;
    spreadNanos = 0;
    goodColoCps = 0;
    probeCost = 1;
  }

  /**
   * A COLO stretch that started at {@code coloStartNanos} is judged bad at {@code nowNanos}, at
   * {@code badCps}: it starts an episode, or is a failed probe within one.
   */
  void onBad(long nowNanos, long coloStartNanos, double badCps) {
    if (episodeStartNanos < 0) {
      episodeStartNanos = nowNanos;
      lastFailedProbeNanos = -1;
    } else {
      lastFailedProbeNanos = coloStartNanos;
    }
    probeCost = Math.max(1, (badCps - checkpointModeCps) * ((nowNanos - coloStartNanos) / 1e9) + 1);
  }

  /** A COLO stretch that started at {@code coloStartNanos} is judged good, at {@code goodCps}. */
  void onGood(long coloStartNanos, double goodCps) {
    goodColoCps = goodCps;
    if (episodeStartNanos < 0) {
      return;
    }
    double found = coloStartNanos - episodeStartNanos;
    double failed = lastFailedProbeNanos >= 0 ? lastFailedProbeNanos - episodeStartNanos : 0;
    double ended = lastFailedProbeNanos >= 0 || learntNanos == 0
        ? (failed + found) / 2
        : Math.max(found / 2, found - spreadNanos);
    if (learntNanos == 0) {
      learntNanos = Math.max(1, ended);
      spreadNanos = Math.max(minStretchNanos, (found - failed) / 2);
    } else {
      double deviation = Math.abs(ended - learntNanos);
      learntNanos += WEIGHT * (ended - learntNanos);
      spreadNanos = Math.max(minStretchNanos, spreadNanos + WEIGHT * (deviation - spreadNanos));
    }
    episodeStartNanos = -1;
  }

  /**
   * A bad COLO judgement at {@code nowNanos} ({@link #onBad}) and the time of the next learnt
   * probe from it, or {@link Long#MAX_VALUE} before a length is learnt: for controllers that
   * probe only at the learnt times.
   */
  long probeAfterBad(long nowNanos, long coloStartNanos, double badCps) {
    onBad(nowNanos, coloStartNanos, badCps);
    long stretch = stretch(nowNanos, Long.MAX_VALUE);
    return stretch == Long.MAX_VALUE ? Long.MAX_VALUE : nowNanos + stretch;
  }

  /** Whether an episode length has been learnt. */
  boolean learnt() {
    return learntNanos > 0;
  }

  /**
   * The checkpoint stretch to run from {@code nowNanos} in the current episode: {@code backOffNanos}
   * (the controller's own rule) before any length is learnt or once the episode has outlasted the
   * learnt end by {@value #SPREADS} spreads; otherwise the wait for the learnt end less the spread,
   * or the probe interval over the spread, never longer than {@code backOffNanos}.
   */
  long stretch(long nowNanos, long backOffNanos) {
    if (learntNanos == 0 || episodeStartNanos < 0) {
      return backOffNanos;
    }
    long elapsed = nowNanos - episodeStartNanos;
    double waitUntil = learntNanos - spreadNanos;
    if (elapsed < waitUntil - minStretchNanos) {
      return Math.min(maxWaitNanos, (long) (waitUntil - elapsed));
    }
    if (elapsed > learntNanos + SPREADS * spreadNanos) {
      return backOffNanos;
    }
    double lateCost = Math.max(0.05 * checkpointModeCps, checkpointModeCps - goodColoCps);
    double seconds = Math.sqrt(2 * (spreadNanos / 1e9) * probeCost / lateCost);
    return Math.max(minStretchNanos, Math.min(backOffNanos, (long) (seconds * 1e9)));
  }
}
