package org.hybridft.controllers;

import org.hybridft.core.Mode;

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
 *       average exceeds the threshold ({@code coloThresholdCps}, see below for 0) COLO is <em>bad</em>: the checkpoint stretch
 *       becomes {@code min(max, stretch·α)} and the controller runs {@link Mode#CHECKPOINT} for
 *       that long. Otherwise COLO is <em>good</em>: the stretch becomes {@code max(min,
 *       stretch·β)} and COLO runs another window.
 *   <li>In {@link Mode#CHECKPOINT}, once the stretch has elapsed the controller returns to COLO
 *       to probe the workload again.
 * </ol>
 *
 * <p><b>Extension: early judgement</b> ({@code earlyJudgementFactor}, not in the research). A
 * COLO period whose own rate exceeds {@code earlyJudgementFactor} times the threshold ends the
 * COLO stretch at once and judges it bad, without waiting for the window. The research's window
 * averages out noise around the threshold, but a rate that far above it is no noise: on a highly
 * non-deterministic workload the guest is paused nearly all the time in COLO, so each second of a
 * 10 s probe lets requests queue (the research's rule gave a p99 latency ten times checkpoint
 * mode's on {@code video}), and a burst that starts during a good COLO stretch is left at once
 * instead of up to a window later. {@code Double.POSITIVE_INFINITY} turns it off.
 *
 * <p><b>Defaults that follow the loop.</b> With {@code coloThresholdCps} 0 (the default) the
 * threshold is {@code 1/checkpointPeriod + 1/minCheckpointStretch}: checkpoint mode's own rate,
 * which is known exactly, plus a margin that pays for a switch. A bad judgement buys at least
 * {@code minCheckpointStretch} of checkpoint mode, and the return to COLO after it costs one
 * synchronising checkpoint; COLO must exceed checkpoint mode's rate by that checkpoint spread over
 * the stretch for leaving to pay. A fixed 2 cps threshold suits only a 500 ms period, and there
 * it made the controller leave a COLO that cost 2.5-2.7 cps on the testbed's non-deterministic
 * stretches, 30 s long, for checkpoint stretches that ran into the next deterministic one.
 *
 * <p>With that threshold, a bad judgement also buys no more checkpoint mode than COLO's excess is
 * worth: the stretch is at most {@code maxCheckpointStretch · (cps − 1/checkpointPeriod) ·
 * checkpointPeriod} (never below {@code minCheckpointStretch}), where cps is the judged COLO
 * stretch's average (or its last period's rate, if higher). Checkpoint mode saves only the excess
 * while the workload stays non-deterministic but costs up to its whole rate once the workload turns
 * deterministic, which the controller sees only at its next probe. With a configured threshold the
 * stretch grows by α up to the maximum, as in the research.
 *
 * <p>So after k bad COLO stretches in a row from the initial state the stretch is {@code min(max,
 * initial·α^k)} (or the excess's bound, if lower), and no two switches are closer than {@code min(coloWindow,
 * minCheckpointStretch)}, or than one update when early judgement is on. The first update only
 * starts the clock (its sample covers a period before the controller started and is not
 * averaged). Starts in COLO.
 *
 * <p><b>Extension: learnt episodes</b> ({@code learnEpisodes}, not in the research). In checkpoint
 * mode a checkpoint falls every period whatever the workload does, so only a probe tells that COLO
 * has become cheap again, and the back-off's probes grow apart just as a non-deterministic
 * episode (from the first bad judgement to the next good one) nears its end. The controller keeps
 * the length of the episodes it has seen end (the midpoint between the last failed probe and the
 * good one, averaged with weight 0.5) and its spread. In the next episode it
 * waits in checkpoint mode until the learnt end less the spread, then probes at the interval that
 * balances a probe's cost against a late return over the spread; an episode that outlasts the
 * learnt end by four spreads is probed by the back-off again, and a workload
 * that never turns deterministic ends no episode and is probed by the back-off alone
 * ({@link EpisodeProbes}).
 */
public final class ThresholdController extends ConfiguredController<ThresholdConfig> {

  /** The threshold controller in the {@link ControllerRegistry}, named {@code threshold}. */
  public static final ControllerDescriptor<ThresholdConfig> DESCRIPTOR =
      ControllerDescriptor.ofRecord(
          "threshold",
          "the research's α/β threshold hybrid",
          ThresholdConfig.class,
          ThresholdConfig.PARAMETERS,
          ThresholdController::new);

  private final long coloWindowNanos;
  private final long initialStretchNanos;
  private final long minStretchNanos;
  private final long maxStretchNanos;
  private final double thresholdCps;
  private final boolean thresholdFollowsTheLoop;
  private final double checkpointModeCps;
  private final double earlyBadCps;
  private final boolean learnEpisodes;
  private final EpisodeProbes episodes;

  private long checkpointStretchNanos;
  private long currentStretchNanos;
  private long stretchStartNanos;
  private double coloCpsSum;
  private int coloSamples;

  /** A controller with {@link ThresholdConfig#defaults()}. */
  public ThresholdController() {
    this(ThresholdConfig.defaults());
  }

  /** A controller with the given parameters. */
  public ThresholdController(ThresholdConfig config) {
    super(Mode.COLO, config, ThresholdConfig::checkpointPeriod);
    this.coloWindowNanos = config.coloWindow().toNanos();
    this.initialStretchNanos = config.initialCheckpointStretch().toNanos();
    this.minStretchNanos = config.minCheckpointStretch().toNanos();
    this.maxStretchNanos = config.maxCheckpointStretch().toNanos();
    this.thresholdCps = thresholdCps(config);
    this.thresholdFollowsTheLoop = config.coloThresholdCps() == 0;
    this.checkpointModeCps = 1e9 / checkpointPeriodNanos();
    this.earlyBadCps = config.earlyJudgementFactor() * thresholdCps;
    this.learnEpisodes = config.learnEpisodes();
    this.episodes = new EpisodeProbes(minStretchNanos, maxStretchNanos, checkpointModeCps);
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
      if (stretchElapsed >= currentStretchNanos) {
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
    long coloStartNanos = stretchStartNanos;
    startStretch(nowNanos);
    if (farAbove || averageCps > thresholdCps) {
      double badCps = Math.max(averageCps, checkpointsPerSecond);
      checkpointStretchNanos = Math.min(scaled(checkpointStretchNanos, config().alpha()),
          stretchWorthTheExcess(badCps));
      currentStretchNanos = checkpointStretchNanos;
      if (learnEpisodes) {
        episodes.onBad(nowNanos, coloStartNanos, badCps);
        currentStretchNanos = episodes.stretch(nowNanos, checkpointStretchNanos);
      }
      return Mode.CHECKPOINT;
    }
    episodes.onGood(coloStartNanos, averageCps);
    checkpointStretchNanos = scaled(checkpointStretchNanos, config().beta());
    return Mode.COLO;
  }

  /**
   * With the threshold that follows the loop: the longest checkpoint stretch that COLO's measured
   * excess over checkpoint mode's rate is worth, {@code maxCheckpointStretch} scaled by that
   * excess relative to checkpoint mode's rate (never below {@code minCheckpointStretch}); with a
   * configured threshold, {@code maxCheckpointStretch}.
   */
  private long stretchWorthTheExcess(double coloCps) {
    if (!thresholdFollowsTheLoop) {
      return maxStretchNanos;
    }
    double relativeExcess = (coloCps - checkpointModeCps) / checkpointModeCps;
    if (relativeExcess >= 1) {
      return maxStretchNanos;
    }
    return Math.max(minStretchNanos, (long) (maxStretchNanos * relativeExcess));
  }

  /** The configured threshold, or for 0 checkpoint mode's rate plus the switch's margin. */
  private static double thresholdCps(ThresholdConfig config) {
    if (config.coloThresholdCps() > 0) {
      return config.coloThresholdCps();
    }
    return 1e9 / config.checkpointPeriod().toNanos() + 1e9 / config.minCheckpointStretch().toNanos();
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
    currentStretchNanos = initialStretchNanos;
    episodes.reset();
    stretchStartNanos = 0;
    coloCpsSum = 0;
    coloSamples = 0;
  }

  /** The checkpoint stretch the next bad COLO judgement starts from, in nanoseconds. */
  public long checkpointStretchNanos() {
    return checkpointStretchNanos;
  }

  /**
   * The average cps above which a COLO stretch is bad: {@link ThresholdConfig#coloThresholdCps()},
   * or the rate that follows the checkpoint period when that is 0.
   */
  public double thresholdCps() {
    return thresholdCps;
  }
}
