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
 * <p>No randomness: the same inputs always give the same modes. No mode lasts less than {@code
 * minDwell}. Starts in COLO (optimism: nothing is known yet).
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
   */
  public record Config(
      Duration pausePerCheckpoint,
      double latencyWeight,
      Duration checkpointPeriod,
      double discount,
      double exploration,
      Duration minDwell) {

    /** Default {@code pausePerCheckpoint}: 85 ms, measured for a 64 MiB guest on QEMU 7.2. */
    public static final Duration DEFAULT_PAUSE_PER_CHECKPOINT = Duration.ofMillis(85);

    /**
     * Default {@code latencyWeight}: 0.05. Checkpoint mode at 500 ms holds replies 250 ms on
     * average; we value that as 5 % of downtime, so COLO is preferred up to about 2.6 cps.
     */
    public static final double DEFAULT_LATENCY_WEIGHT = 0.05;


    /** Default {@code discount}: 0.98 per period, a memory of about 50 periods. */
    public static final double DEFAULT_DISCOUNT = 0.98;

    /** Default {@code exploration}: 0.01, which keeps probing of a bad COLO near 1 % of time. */
    public static final double DEFAULT_EXPLORATION = 0.01;

    /** Default {@code minDwell}: 2 s, as for the PI controller. */
    public static final Duration DEFAULT_MIN_DWELL = Duration.ofSeconds(2);

    /** Validates every parameter; see the record components for the ranges. */
    public Config {
      ParameterCheck.positive("pausePerCheckpoint", pausePerCheckpoint);
      ParameterCheck.atLeast("latencyWeight", latencyWeight, 0.0);
      ParameterCheck.positive("checkpointPeriod", checkpointPeriod);
      ParameterCheck.openRange("discount", discount, 0.0, 1.0);
      ParameterCheck.atLeast("exploration", exploration, 0.0);
      ParameterCheck.nonNegative("minDwell", minDwell);
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
                .searchedIn(1, 10));

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

  private final Config config;
  private final double pauseSeconds;
  private final double checkpointModeCost;
  private final double discount;
  private final double bonusScale;
  private final long minDwellNanos;
  private final long checkpointPeriodNanos;

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
    this.checkpointModeCost =
        Math.min(1.0, pauseSeconds / (checkpointPeriodNanos / 1e9)) + config.latencyWeight();
    this.discount = config.discount();
    this.bonusScale = config.exploration() * Math.log(1.0 / (1.0 - config.discount()));
    this.minDwellNanos = config.minDwell().toNanos();
    resetState();
  }

  @Override
  protected Mode decide(long nowNanos, double checkpointsPerSecond, boolean first) {
    coloCostSum *= discount;
    coloWeight *= discount;
    if (mode() == Mode.COLO) {
      // The sample measured the period just ended, which ran the mode chosen last time.
      coloCostSum += Math.min(1.0, checkpointsPerSecond * pauseSeconds);
      coloWeight += 1;
    }
    Mode wanted = coloLooksCheaper() ? Mode.COLO : Mode.CHECKPOINT;
    Mode current = mode();
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
   * Whether {@code mean − sqrt(bonusScale/n) <= checkpointModeCost}, with mean = sum/n. Written
   * without division or square root: with {@code excess = sum − checkpointModeCost·n}, it holds
   * when excess ≤ 0 or excess² ≤ bonusScale·n. True when nothing is known of COLO (optimism).
   */
  private boolean coloLooksCheaper() {
    if (coloWeight < 1e-12) {
      return true;
    }
    double excess = coloCostSum - checkpointModeCost * coloWeight;
    return excess <= 0 || excess * excess <= bonusScale * coloWeight;
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
