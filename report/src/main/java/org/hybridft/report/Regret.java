package org.hybridft.report;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * How much worse a controller did than the better static mode on the same workload and seeds:
 * its downtime ratio over that mode's, and its p99 latency over that mode's (1.0 = as good;
 * below 1 = better).
 *
 * <p>The <em>baseline</em> is the static mode with the lower mean downtime ratio on the workload
 * (the lower p99 breaks a tie); a static mode that completed no request in some run is a baseline
 * only if no static mode served anything, since serving nothing is not a way to win. {@link
 * #loses()} applies the bounds an adaptive controller should stay within: {@value
 * #DOWNTIME_BOUND}x the baseline's downtime ratio and {@value #P99_BOUND}x its p99 — except
 * where its downtime ratio is clearly below both static modes' (at least 2 % below the better
 * one: a workload that changes, where adapting pays): there it trades some latency for less
 * downtime, and loses only with a p99 above the slower static mode's.
 *
 * @param baseline the name of the static mode compared with
 * @param downtime the controller's downtime ratio over the baseline's (0 over 0 is 1.0)
 * @param p99 the controller's p99 latency over the baseline's; NaN if either served nothing
 * @param p99OverSlowerStaticMode the controller's p99 over the highest p99 of the static modes;
 *     NaN if any of them served nothing
 */
public record Regret(String baseline, double downtime, double p99, double p99OverSlowerStaticMode) {
  /** The downtime ratio an adaptive controller may reach, as a multiple of the baseline's. */
  public static final double DOWNTIME_BOUND = 1.02;

  /** The p99 latency an adaptive controller may reach, as a multiple of the baseline's. */
  public static final double P99_BOUND = 1.10;

  /**
   * The regret of {@code controller}'s mean downtime ratio and p99 over the baseline's means.
   *
   * @param staticModes the names under which the static modes ran (such as {@code checkpoint}
   *     and {@code colo}); those absent from {@code result} are ignored
   * @return empty if none of {@code staticModes} ran on {@code workload}
   * @throws IllegalArgumentException if {@code controller} did not run on {@code workload}
   */
  public static Optional<Regret> of(
      ComparisonResult result, String workload, String controller, Collection<String> staticModes) {
    List<RunResult> runs = result.runs(workload, controller);
    if (runs.isEmpty()) {
      throw new IllegalArgumentException(
          "no run of controller '" + controller + "' on workload '" + workload + "'; controllers: "
              + result.controllers() + ", workloads: " + result.workloads());
    }
    return baseline(result, workload, staticModes)
        .map(base -> new Regret(
            base,
            ratio(mean(runs, Metric.DOWNTIME_RATIO), mean(result.runs(workload, base), Metric.DOWNTIME_RATIO)),
            p99Ratio(runs, result.runs(workload, base)),
            p99Ratio(runs, slowerStaticMode(result, workload, staticModes, -1))));
  }

  /**
   * The regret of one run over the baseline's run with the same index (the same seed in a
   * comparison, simulated or on a real pair); the baseline is chosen on the workload's means as in {@link #of}.
   *
   * @return empty if no static mode ran on the run's workload or the baseline has no run of that
   *     index
   */
  public static Optional<Regret> ofRun(ComparisonResult result, RunResult run, Collection<String> staticModes) {
    return baseline(result, run.workload(), staticModes)
        .flatMap(base -> result.runs(run.workload(), base).stream()
            .filter(other -> other.run() == run.run())
            .findFirst()
            .map(other -> new Regret(
                base,
                ratio(run.downtimeRatio(), other.downtimeRatio()),
                p99Ratio(List.of(run), List.of(other)),
                p99Ratio(List.of(run), slowerStaticMode(result, run.workload(), staticModes, run.run())))));
  }

  /**
   * Whether the controller lost to the baseline: a downtime ratio beyond {@link #DOWNTIME_BOUND}
   * or a p99 beyond {@link #P99_BOUND} times the baseline's, or no p99 at all.
   */
  public boolean loses() {
    return downtimeBeyondBound() || p99BeyondBound();
  }

  /** Whether the downtime ratio is beyond {@link #DOWNTIME_BOUND} times the baseline's. */
  public boolean downtimeBeyondBound() {
    return !(downtime <= DOWNTIME_BOUND);
  }

  /**
   * Whether the p99 is beyond {@link #P99_BOUND} times the baseline's, or unknown; for a
   * controller that {@linkplain #beatsBothStaticModes() beats both static modes} on downtime,
   * whether it is above the slower static mode's.
   */
  public boolean p99BeyondBound() {
    return beatsBothStaticModes() ? !(p99OverSlowerStaticMode <= 1) : !(p99 <= P99_BOUND);
  }

  /**
   * Whether the downtime ratio is below both static modes' by at least the downtime bound's
   * margin (2 %): clearly ahead, not within the noise of the better one.
   */
  public boolean beatsBothStaticModes() {
    return downtime <= 2 - DOWNTIME_BOUND;
  }

  private static Optional<String> baseline(
      ComparisonResult result, String workload, Collection<String> staticModes) {
    String best = null;
    boolean bestServed = false;
    double bestDowntime = Double.NaN;
    double bestP99 = Double.NaN;
    for (String mode : result.controllers()) {
      if (!staticModes.contains(mode)) {
        continue;
      }
      List<RunResult> runs = result.runs(workload, mode);
      if (runs.isEmpty()) {
        continue;
      }
      boolean served = runs.stream().noneMatch(RunResult::completedNoRequest);
      double downtime = mean(runs, Metric.DOWNTIME_RATIO);
      double p99 = mean(runs, Metric.LATENCY_P99);
      boolean better =
          best == null
              || (served && !bestServed)
              || (served == bestServed
                  && (downtime < bestDowntime || (downtime == bestDowntime && p99 < bestP99)));
      if (better) {
        best = mode;
        bestServed = served;
        bestDowntime = downtime;
        bestP99 = p99;
      }
    }
    return Optional.ofNullable(best);
  }

  /**
   * The runs of the static mode with the highest mean p99 on {@code workload}: all of them, or
   * only the one with index {@code run} if that is not negative. Empty if a static mode served
   * nothing (its p99 is unknown), which makes the ratio NaN.
   */
  private static List<RunResult> slowerStaticMode(
      ComparisonResult result, String workload, Collection<String> staticModes, int run) {
    List<RunResult> slowest = List.of();
    double slowestP99 = Double.NEGATIVE_INFINITY;
    for (String mode : result.controllers()) {
      List<RunResult> runs = result.runs(workload, mode);
      if (!staticModes.contains(mode) || runs.isEmpty()) {
        continue;
      }
      if (runs.stream().anyMatch(RunResult::completedNoRequest)) {
        return List.of();
      }
      double p99 = mean(runs, Metric.LATENCY_P99);
      if (p99 > slowestP99) {
        slowestP99 = p99;
        slowest = run < 0 ? runs : runs.stream().filter(r -> r.run() == run).toList();
      }
    }
    return slowest;
  }

  private static double p99Ratio(List<RunResult> runs, List<RunResult> baseline) {
    if (baseline.isEmpty()) {
      return Double.NaN;
    }
    if (runs.stream().anyMatch(RunResult::completedNoRequest)
        || baseline.stream().anyMatch(RunResult::completedNoRequest)) {
      return Double.NaN;
    }
    return ratio(mean(runs, Metric.LATENCY_P99), mean(baseline, Metric.LATENCY_P99));
  }

  private static double mean(List<RunResult> runs, Metric metric) {
    double sum = 0;
    for (RunResult run : runs) {
      sum += metric.of(run);
    }
    return sum / runs.size();
  }

  private static double ratio(double value, double baseline) {
    // Two runs that never paused are equally good; dividing would say NaN.
    return value == baseline ? 1.0 : value / baseline;
  }
}
