package org.hybridft.report;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * How far a controller is from the clairvoyant schedule (the simulator's {@code
 * ClairvoyantSchedule}, whose runs a comparison names {@value #SCHEDULE}) on the same workload
 * and seeds:
 * its mean downtime ratio and mean p99 over the schedule's (1.0 = as good as the limit; below 1 =
 * ahead of it, within the schedule's estimates), and where it sits between the better static
 * mode and the limit.
 *
 * @param downtime the controller's mean downtime ratio over the schedule's (0 over 0 is 1.0)
 * @param p99 the controller's mean p99 latency over the schedule's; NaN if either served nothing
 * @param gapClosed the share of the better static mode's excess downtime over the schedule that
 *     the controller removes: 0 at the better static mode, 1 at the schedule, negative when worse
 *     than the static mode; NaN when the schedule is not below the better static mode (nothing to
 *     gain by adapting)
 */
public record ClairvoyantRegret(double downtime, double p99, double gapClosed) {
  /** The controller name under which the clairvoyant schedule's runs appear in a result. */
  public static final String SCHEDULE = "clairvoyant";

  /** The downtime ratio an adaptive controller should reach, as a multiple of the schedule's. */
  public static final double DOWNTIME_BOUND = 1.10;

  /** The p99 latency an adaptive controller should reach, as a multiple of the schedule's. */
  public static final double P99_BOUND = 1.10;

  /**
   * The regret of {@code controller} on {@code workload} over the runs named {@value #SCHEDULE}
   * in {@code result}.
   *
   * @param staticModes the names under which the static modes ran, for {@link #gapClosed()}
   * @return empty if the schedule did not run on {@code workload}
   * @throws IllegalArgumentException if {@code controller} did not run on {@code workload}
   */
  public static Optional<ClairvoyantRegret> of(
      ComparisonResult result, String workload, String controller, Collection<String> staticModes) {
    List<RunResult> runs = result.runs(workload, controller);
    if (runs.isEmpty()) {
      throw new IllegalArgumentException(
          "no run of controller '" + controller + "' on workload '" + workload + "'; controllers: "
              + result.controllers() + ", workloads: " + result.workloads());
    }
    List<RunResult> limit = result.clairvoyant(workload);
    if (limit.isEmpty()) {
      return Optional.empty();
    }
    double downtime = mean(runs, Metric.DOWNTIME_RATIO);
    double limitDowntime = mean(limit, Metric.DOWNTIME_RATIO);
    double gap = Regret.of(result, workload, controller, staticModes)
        .map(regret -> mean(result.runs(workload, regret.baseline()), Metric.DOWNTIME_RATIO))
        .map(staticDowntime -> staticDowntime > limitDowntime
            ? (staticDowntime - downtime) / (staticDowntime - limitDowntime)
            : Double.NaN)
        .orElse(Double.NaN);
    boolean noLatency = runs.stream().anyMatch(RunResult::completedNoRequest)
        || limit.stream().anyMatch(RunResult::completedNoRequest);
    return Optional.of(new ClairvoyantRegret(
        ratio(downtime, limitDowntime),
        noLatency ? Double.NaN : ratio(mean(runs, Metric.LATENCY_P99), mean(limit, Metric.LATENCY_P99)),
        gap));
  }

  /**
   * The regret of one run over the schedule's run with the same index (the same seed), the gap
   * measured from the better static mode's run of that index (the mode chosen on the workload's
   * means, as in {@link Regret#ofRun}).
   *
   * @param staticModes the names under which the static modes ran, for {@link #gapClosed()}
   * @return empty if the schedule has no run of that index on the run's workload
   */
  public static Optional<ClairvoyantRegret> ofRun(
      ComparisonResult result, RunResult run, Collection<String> staticModes) {
    Optional<RunResult> limit = result.clairvoyant(run.workload()).stream()
        .filter(schedule -> schedule.run() == run.run())
        .findFirst();
    if (limit.isEmpty()) {
      return Optional.empty();
    }
    double limitDowntime = limit.get().downtimeRatio();
    double gap = Regret.ofRun(result, run, staticModes)
        .flatMap(regret -> result.runs(run.workload(), regret.baseline()).stream()
            .filter(other -> other.run() == run.run())
            .findFirst())
        .map(RunResult::downtimeRatio)
        .map(staticDowntime -> staticDowntime > limitDowntime
            ? (staticDowntime - run.downtimeRatio()) / (staticDowntime - limitDowntime)
            : Double.NaN)
        .orElse(Double.NaN);
    boolean noLatency = run.completedNoRequest() || limit.get().completedNoRequest();
    return Optional.of(new ClairvoyantRegret(
        ratio(run.downtimeRatio(), limitDowntime),
        noLatency ? Double.NaN : ratio(run.latencyP99Ms(), limit.get().latencyP99Ms()),
        gap));
  }

  /**
   * Whether the controller is beyond {@link #DOWNTIME_BOUND} times the schedule's downtime ratio
   * or {@link #P99_BOUND} times its p99, or has no p99.
   */
  public boolean beyondBound() {
    return !(downtime <= DOWNTIME_BOUND) || !(p99 <= P99_BOUND);
  }

  private static double mean(List<RunResult> runs, Metric metric) {
    double sum = 0;
    for (RunResult run : runs) {
      sum += metric.of(run);
    }
    return sum / runs.size();
  }

  private static double ratio(double value, double limit) {
    return value == limit ? 1.0 : value / limit;
  }
}
