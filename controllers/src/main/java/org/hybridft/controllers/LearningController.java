package org.hybridft.controllers;

import org.hybridft.core.Mode;

/**
 * A controller that learns online which mode costs less, with no gains to tune: the user states
 * the cost in the units they care about and the controller finds the mode that minimises it,
 * re-checking COLO only as often as the evidence against it has aged.
 *
 * <p><b>Cost.</b> Per control period, {@code cost = downtime ratio + latencyWeight·[mode is
 * CHECKPOINT]}: the downtime ratio is estimated as {@code cps · pausePerCheckpoint} (capped at
 * 1), and every period spent in checkpoint mode is charged {@code latencyWeight} for the output
 * it holds back. In CHECKPOINT mode the rate is the mode's own {@code 1/checkpointPeriod}, so its
 * cost is known without measuring: {@code pausePerCheckpoint/checkpointPeriod + latencyWeight}.
 * Only COLO's cost depends on the workload.
 *
 * <p><b>Learning rule: discounted UCB on the one unknown arm.</b> This is a two-armed bandit
 * whose checkpoint arm is known, so only COLO needs exploring. The controller keeps a
 * discounted mean of the costs observed in COLO (every period all evidence is multiplied by
 * {@code discount} γ, so it remembers about {@code 1/(1−γ)} periods and adapts when the workload
 * changes; Garivier and Moulines' discounted UCB) and runs COLO whenever the optimistic estimate
 * {@code mean − sqrt(exploration · ln(1/(1−γ)) / n)} (n the discounted number of COLO periods
 * observed) is at most checkpoint mode's cost. We chose this over tabular Q-learning because the
 * controller's state is fully summarised by that one mean (the next period's cost does not
 * depend on the mode history beyond the switch cost, which the COLO samples include), and over
 * a sliding window because discounting is O(1) and allocation-free with two doubles.
 *
 * <p><b>Stretches and exploration cost.</b> How long the controller stays in checkpoint mode is
 * learned implicitly: it returns to COLO once the discounted count has decayed enough for the
 * optimism bonus to cover the gap Δ between COLO's cost and checkpoint mode's, that is after
 * about {@code t = ln(d·Δ²/(exploration·ln(1/(1−γ)))) / ln(1/γ)} periods for a probe of d
 * periods. With the defaults (γ = 0.98, exploration 0.01, d = {@code minDwell} = 2 periods) a
 * workload on which COLO costs Δ = 0.7 more than checkpoint mode (a highly non-deterministic
 * one) is probed for 2 periods about every 160 periods (1.2 % of the time, +0.9 % cost); with
 * Δ = 0.3 about every 75 periods (+0.8 % cost). A workload on which COLO is better never pays
 * exploration: the controller stays in COLO. Convergence on a stationary workload and
 * re-convergence after an abrupt change are bounded by the discount's memory; the test suite
 * states the bounds it proves.
 *
 * <p><b>Extension: COLO's latency charge</b> ({@code chargeColoLatency}; not in the original
 * rule). A COLO period is also charged {@code latencyWeight · min(1, d / d_c)}, with d its
 * estimated downtime ratio and d_c checkpoint mode's: a paused guest holds all its output, so a
 * COLO that pauses the guest as much as checkpoint mode does holds replies about as long, and
 * the original rule, which charged checkpoint mode alone, preferred a COLO checkpointing up to a
 * third more often than checkpoint mode (2.6 cps against 2). With the charge both modes cost the
 * same exactly at checkpoint mode's own rate, as in the threshold controller's default, and the
 * gap on {@code bugzilla} (3 cps) is wide enough for the learner to stop mixing the modes.
 *
 * <p><b>Extension: early exit</b> ({@code earlyExitFactor}; not in the original rule). A COLO
 * period whose cost exceeds {@code earlyExitFactor} times checkpoint mode's ends COLO at once
 * (even before {@code minDwell}) and shrinks the older COLO evidence to the weight of four
 * periods beside it. Such a period is rarely noise: on a highly non-deterministic workload the
 * guest is paused nearly all the time in COLO and requests queue (a two-period probe on {@code
 * video} put the p99 latency 13 % above checkpoint mode's), and a long run of cheaper evidence
 * would bring COLO back for many more probes; kept at the weight of four periods, cheap older
 * evidence still brings COLO back after {@code minDwell} when the costly period was a lone one.
 *
 * <p><b>Extension: probe hysteresis</b> ({@code probeHysteresis}; not in the original rule). In
 * checkpoint mode the optimism bonus is divided by {@code sqrt(probeHysteresis)}, so COLO is
 * probed again only once the evidence has aged {@code ln(probeHysteresis)/ln(1/γ)} periods
 * beyond the point where the learner left it. Without it a COLO only a little worse than
 * checkpoint mode is left and re-entered at the same point of the bonus, a few periods apart
 * (130 switches in 30 minutes on {@code bugzilla}).
 *
 * <p>No randomness: the same inputs always give the same modes. No mode lasts less than {@code
 * minDwell}, except a COLO stretch ended by an early exit. Starts in COLO (optimism: nothing is
 * known yet).
 * <p><b>Extension: learnt episodes</b> ({@code learnEpisodes}; not in the original rule). Beside
 * the bonus's own probes, COLO is probed around the learnt end of a non-deterministic episode, as
 * the {@link ThresholdController} does ({@link EpisodeProbes}). A COLO period after a switch that
 * costs no more than checkpoint mode ends the episode; after a learnt probe it also forgets the
 * episode's costly evidence, which would otherwise send the learner back to checkpoint mode after
 * {@code minDwell}.
 */
public final class LearningController extends ConfiguredController<LearningConfig> {

  /** The learning controller in the {@link ControllerRegistry}, named {@code learning}. */
  public static final ControllerDescriptor<LearningConfig> DESCRIPTOR =
      ControllerDescriptor.ofRecord(
          "learning",
          "learns online which mode costs less (discounted UCB), no gains to tune",
          LearningConfig.class,
          LearningConfig.PARAMETERS,
          LearningController::new);

  /**
   * The weight, in periods, the older COLO evidence keeps after an early exit: one period costing
   * at most 1 + latencyWeight cannot outweigh four periods as cheap as a deterministic
   * workload's, so a lone noisy period brings COLO back after {@code minDwell}, while a second
   * and third far costlier probe settle that COLO has turned bad.
   */
  private static final double EARLY_EXIT_OLDER_WEIGHT = 4;

  /** The shortest interval between two probes of learnt episodes, as the threshold controller's stretch. */
  private static final long MIN_PROBE_INTERVAL_NANOS = 5_000_000_000L;

  private final double pauseSeconds;
  private final double checkpointModeCost;
  private final double discount;
  private final double bonusScale;
  private final long minDwellNanos;
  private final double checkpointDowntime;
  private final double coloLatencyWeight;
  private final double earlyExitCost;
  private final double checkpointBonusScale;

  private final boolean learnEpisodes;
  private final EpisodeProbes episodes;

  private double coloCostSum;
  private double coloWeight;
  private long modeStartNanos;
  private long probeAtNanos;
  private boolean forcedProbe;
  private boolean judged;

  /** A controller with {@link LearningConfig#defaults()}. */
  public LearningController() {
    this(LearningConfig.defaults());
  }

  /** A controller with the given parameters. */
  public LearningController(LearningConfig config) {
    super(Mode.COLO, config, LearningConfig::checkpointPeriod);
    this.pauseSeconds = config.pausePerCheckpoint().toNanos() / 1e9;
    this.checkpointDowntime = Math.min(1.0, pauseSeconds / (checkpointPeriodNanos() / 1e9));
    this.checkpointModeCost = checkpointDowntime + config.latencyWeight();
    this.coloLatencyWeight = config.chargeColoLatency() ? config.latencyWeight() : 0.0;
    this.earlyExitCost = config.earlyExitFactor() * checkpointModeCost;
    this.discount = config.discount();
    this.bonusScale = config.exploration() * Math.log(1.0 / (1.0 - config.discount()));
    this.checkpointBonusScale = bonusScale / config.probeHysteresis();
    this.minDwellNanos = config.minDwell().toNanos();
    this.learnEpisodes = config.learnEpisodes();
    this.episodes = new EpisodeProbes(
        Math.max(minDwellNanos, MIN_PROBE_INTERVAL_NANOS), Long.MAX_VALUE, 1e9 / checkpointPeriodNanos());
    resetState();
  }

  @Override
  protected Mode decide(long nowNanos, double checkpointsPerSecond, boolean first) {
    coloCostSum *= discount;
    coloWeight *= discount;
    Mode current = mode();
    if (current == Mode.COLO) {
      // The sample measured the period just ended, which ran the mode chosen last time.
      double downtime = Math.min(1.0, checkpointsPerSecond * pauseSeconds);
      double cost = downtime + coloLatencyWeight * Math.min(1.0, downtime / checkpointDowntime);
      if (cost > earlyExitCost && !first) {
        enterCheckpoint(nowNanos, checkpointsPerSecond);
        // A long run of cheap evidence must not bring COLO straight back, nor one noisy period
        // keep it away for long: the older evidence keeps the weight of a few periods.
        if (coloWeight < 1e-12) {
          coloCostSum = cost;
          coloWeight = 1;
        } else {
          coloCostSum = cost + EARLY_EXIT_OLDER_WEIGHT * coloCostSum / coloWeight;
          coloWeight = 1 + EARLY_EXIT_OLDER_WEIGHT;
        }
        modeStartNanos = nowNanos;
        return Mode.CHECKPOINT;
      }
      if (!first && !judged && cost <= checkpointModeCost) {
        // The first period of a COLO stretch as cheap as that ends a non-deterministic episode;
        // after a probe of a learnt episode's end, the episode's costly evidence is stale.
        episodes.onGood(modeStartNanos, checkpointsPerSecond);
        if (forcedProbe) {
          coloCostSum = 0;
          coloWeight = 0;
        }
      }
      judged = true;
      forcedProbe = false;
      coloCostSum += cost;
      coloWeight += 1;
    }
    Mode wanted =
        coloLooksCheaper(current == Mode.COLO ? bonusScale : checkpointBonusScale)
            ? Mode.COLO
            : Mode.CHECKPOINT;
    boolean probe = current == Mode.CHECKPOINT && wanted == Mode.CHECKPOINT && nowNanos >= probeAtNanos;
    if (probe) {
      wanted = Mode.COLO;
    }
    if (first) {
      modeStartNanos = nowNanos;
    } else if (wanted != current) {
      if (nowNanos - modeStartNanos < minDwellNanos) {
        return current;
      }
      if (current == Mode.COLO) {
        enterCheckpoint(nowNanos, checkpointsPerSecond);
      } else {
        judged = false;
        forcedProbe = probe;
      }
      modeStartNanos = nowNanos;
    }
    return wanted;
  }

  /**
   * Leaving COLO at {@code nowNanos}, its last period at {@code cps}: a bad judgement for the
   * learnt episodes, and the time of their next probe (none before a length is learnt).
   */
  private void enterCheckpoint(long nowNanos, double cps) {
    probeAtNanos = learnEpisodes ? episodes.probeAfterBad(nowNanos, modeStartNanos, cps) : Long.MAX_VALUE;
  }

  /**
   * Whether {@code mean − sqrt(scale/n) <= checkpointModeCost}, with mean = sum/n. Written
   * without division or square root: with {@code excess = sum − checkpointModeCost·n}, it holds
   * when excess ≤ 0 or excess² ≤ scale·n. True when nothing is known of COLO (optimism).
   */
  private boolean coloLooksCheaper(double scale) {
    if (coloWeight < 1e-12) {
      return true;
    }
    double excess = coloCostSum - checkpointModeCost * coloWeight;
    return excess <= 0 || excess * excess <= scale * coloWeight;
  }

  @Override
  protected void resetState() {
    coloCostSum = 0;
    coloWeight = 0;
    modeStartNanos = 0;
    probeAtNanos = Long.MAX_VALUE;
    forcedProbe = false;
    judged = true;
    episodes.reset();
  }

  /** The learned discounted mean cost of a COLO period, NaN before COLO was observed. */
  public double coloCost() {
    return coloWeight < 1e-12 ? Double.NaN : coloCostSum / coloWeight;
  }

  /** The known cost of a period in checkpoint mode. */
  public double checkpointCost() {
    return checkpointModeCost;
  }
}
