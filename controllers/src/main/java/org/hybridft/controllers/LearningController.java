package org.hybridft.controllers;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.hybridft.core.AbstractModeController;
import org.hybridft.core.Mode;
import org.hybridft.core.ParameterCheck;
import org.jspecify.annotations.Nullable;

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
 */
public final class LearningController extends AbstractModeController {

  /**
   * Validated, immutable parameters of a {@link LearningController}.
   *
   * @param pausePerCheckpoint how long one checkpoint pauses the guest, {@code > 0}
   * @param latencyWeight cost of one period in checkpoint mode, in units of downtime ratio,
   *     finite {@code >= 0}
   * @param checkpointPeriod interval between checkpoints in CHECKPOINT mode, {@code > 0}
   *     (default {@link StaticController#DEFAULT_CHECKPOINT_PERIOD})
   * @param discount per-period discount γ of past evidence, in {@code (0, 1)}
   * @param exploration exploration constant ξ of the optimism bonus, finite {@code >= 0}
   * @param minDwell shortest time in one mode, {@code >= 0}
   * @param chargeColoLatency whether a COLO period is charged for the output its pauses hold
   * @param earlyExitFactor a COLO period costing more than this times checkpoint mode's cost
   *     ends COLO at once, {@code >= 1}; {@code Double.POSITIVE_INFINITY} turns it off
   * @param probeHysteresis factor by which the evidence against COLO must age further before
   *     COLO is probed again, finite {@code >= 1}; 1 turns it off
   */
  public record Config(
      Duration pausePerCheckpoint,
      double latencyWeight,
      Duration checkpointPeriod,
      double discount,
      double exploration,
      Duration minDwell,
      boolean chargeColoLatency,
      double earlyExitFactor,
      double probeHysteresis) {

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

    /** Validates every parameter; see the record components for the ranges. */
    public Config {
      ParameterCheck.positive("pausePerCheckpoint", pausePerCheckpoint);
      ParameterCheck.atLeast("latencyWeight", latencyWeight, 0.0);
      ParameterCheck.positive("checkpointPeriod", checkpointPeriod);
      ParameterCheck.openRange("discount", discount, 0.0, 1.0);
      ParameterCheck.atLeast("exploration", exploration, 0.0);
      ParameterCheck.nonNegative("minDwell", minDwell);
      ParameterCheck.atLeastOrOff("earlyExitFactor", earlyExitFactor, 1.0);
      ParameterCheck.atLeast("probeHysteresis", probeHysteresis, 1.0);
    }

    /** The parameters as config files and the command line name them. */
    static final List<ParameterDescriptor<Config>> PARAMETERS =
        List.of(
            ParameterDescriptor.duration(
                    "pause-per-checkpoint", "pausePerCheckpoint", Config::pausePerCheckpoint,
                    DEFAULT_PAUSE_PER_CHECKPOINT)
                .range("> 0")
                .meaning("guest pause of one checkpoint"),
            ParameterDescriptor.decimal("latency-weight", "latencyWeight", Config::latencyWeight, DEFAULT_LATENCY_WEIGHT)
                .unit("downtime ratio")
                .range(">= 0")
                .meaning("cost of a period in checkpoint mode"),
            StaticController.checkpointPeriod(Config::checkpointPeriod),
            ParameterDescriptor.decimal("discount", "discount", Config::discount, DEFAULT_DISCOUNT)
                .range("in (0, 1)")
                .meaning("per-period discount of past evidence")
                .searchedIn(0.8, 0.999),
            ParameterDescriptor.decimal("exploration", "exploration", Config::exploration, DEFAULT_EXPLORATION)
                .range(">= 0")
                .meaning("exploration constant of the optimism bonus")
                .searchedIn(0, 0.2),
            ParameterDescriptor.duration("min-dwell", "minDwell", Config::minDwell, DEFAULT_MIN_DWELL)
                .range(">= 0")
                .meaning("shortest time in one mode")
                .searchedIn(1, 10),
            ParameterDescriptor.bool(
                    "charge-colo-latency", "chargeColoLatency", Config::chargeColoLatency,
                    DEFAULT_CHARGE_COLO_LATENCY)
                .meaning("charge a COLO period for the latency its checkpoints add, as checkpoint mode is"),
            ParameterDescriptor.decimal("early-exit", "earlyExitFactor", Config::earlyExitFactor, DEFAULT_EARLY_EXIT_FACTOR)
                .unit("x checkpoint mode's cost")
                .range(">= 1, or Infinity (off)")
                .meaning("a COLO period costing more than this ends COLO at once"),
            ParameterDescriptor.decimal(
                    "probe-hysteresis", "probeHysteresis", Config::probeHysteresis, DEFAULT_PROBE_HYSTERESIS)
                .unit("factor")
                .range(">= 1 (1 = off)")
                .meaning("the optimism bonus in checkpoint mode is divided by its square root"));

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

      /** See {@link Config#pausePerCheckpoint()}. */
      public Builder pausePerCheckpoint(Duration pausePerCheckpoint) {
        return set("pausePerCheckpoint", pausePerCheckpoint);
      }

      /** See {@link Config#latencyWeight()}. */
      public Builder latencyWeight(double latencyWeight) {
        return set("latencyWeight", latencyWeight);
      }

      /** See {@link Config#checkpointPeriod()}. */
      public Builder checkpointPeriod(Duration checkpointPeriod) {
        return set("checkpointPeriod", checkpointPeriod);
      }

      /** See {@link Config#discount()}. */
      public Builder discount(double discount) {
        return set("discount", discount);
      }

      /** See {@link Config#exploration()}. */
      public Builder exploration(double exploration) {
        return set("exploration", exploration);
      }

      /** See {@link Config#minDwell()}. */
      public Builder minDwell(Duration minDwell) {
        return set("minDwell", minDwell);
      }

      /** See {@link Config#chargeColoLatency()}. */
      public Builder chargeColoLatency(boolean chargeColoLatency) {
        return set("chargeColoLatency", chargeColoLatency);
      }

      /** See {@link Config#earlyExitFactor()}. */
      public Builder earlyExitFactor(double earlyExitFactor) {
        return set("earlyExitFactor", earlyExitFactor);
      }

      /** See {@link Config#probeHysteresis()}. */
      public Builder probeHysteresis(double probeHysteresis) {
        return set("probeHysteresis", probeHysteresis);
      }
    }
  }

  /** The learning controller in the {@link ControllerRegistry}, named {@code learning}. */
  public static final ControllerDescriptor<Config> DESCRIPTOR =
      ControllerDescriptor.ofRecord(
          "learning",
          "learns online which mode costs less (discounted UCB), no gains to tune",
          Config.class,
          Config.PARAMETERS,
          LearningController::new);

  /**
   * The weight, in periods, the older COLO evidence keeps after an early exit: one period costing
   * at most 1 + latencyWeight cannot outweigh four periods as cheap as a deterministic
   * workload's, so a lone noisy period brings COLO back after {@code minDwell}, while a second
   * and third far costlier probe settle that COLO has turned bad.
   */
  private static final double EARLY_EXIT_OLDER_WEIGHT = 4;

  private final Config config;
  private final double pauseSeconds;
  private final double checkpointModeCost;
  private final double discount;
  private final double bonusScale;
  private final long minDwellNanos;
  private final long checkpointPeriodNanos;
  private final double checkpointDowntime;
  private final double coloLatencyWeight;
  private final double earlyExitCost;
  private final double checkpointBonusScale;

  private double coloCostSum;
  private double coloWeight;
  private long modeStartNanos;

  /** A controller with {@link Config#defaults()}. */
  public LearningController() {
    this(Config.defaults());
  }

  /** A controller with the given parameters. */
  public LearningController(Config config) {
    super(Mode.COLO);
    this.config = Objects.requireNonNull(config, "config");
    this.pauseSeconds = config.pausePerCheckpoint().toNanos() / 1e9;
    this.checkpointPeriodNanos = config.checkpointPeriod().toNanos();
    this.checkpointDowntime = Math.min(1.0, pauseSeconds / (checkpointPeriodNanos / 1e9));
    this.checkpointModeCost = checkpointDowntime + config.latencyWeight();
    this.coloLatencyWeight = config.chargeColoLatency() ? config.latencyWeight() : 0.0;
    this.earlyExitCost = config.earlyExitFactor() * checkpointModeCost;
    this.discount = config.discount();
    this.bonusScale = config.exploration() * Math.log(1.0 / (1.0 - config.discount()));
    this.checkpointBonusScale = bonusScale / config.probeHysteresis();
    this.minDwellNanos = config.minDwell().toNanos();
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
      coloCostSum += cost;
      coloWeight += 1;
    }
    Mode wanted =
        coloLooksCheaper(current == Mode.COLO ? bonusScale : checkpointBonusScale)
            ? Mode.COLO
            : Mode.CHECKPOINT;
    if (first) {
      modeStartNanos = nowNanos;
    } else if (wanted != current) {
      if (nowNanos - modeStartNanos < minDwellNanos) {
        return current;
      }
      modeStartNanos = nowNanos;
    }
    return wanted;
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
  }

  /** The learned discounted mean cost of a COLO period, NaN before COLO was observed. */
  public double coloCost() {
    return coloWeight < 1e-12 ? Double.NaN : coloCostSum / coloWeight;
  }

  /** The known cost of a period in checkpoint mode. */
  public double checkpointCost() {
    return checkpointModeCost;
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
    return "LearningController" + config;
  }
}
