package org.hybridft.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The runs of a comparison (simulated, or on a real pair), grouped by workload and controller, with
 * statistics across runs.
 *
 * <p>A simulated comparison may also hold the clairvoyant schedule's runs, under {@value
 * ClairvoyantRegret#SCHEDULE} (see {@link #clairvoyant}): the limit the controllers are measured
 * against, like the static modes a reference, but not one of the controllers, so it is never
 * ranked among them.
 *
 * @param workloads the workloads' names, in the order given
 * @param controllers the controllers' names, in the order given
 * @param runs every run: for each workload, for each controller, runs 0..n−1; then the
 *     clairvoyant schedule's, if it ran
 */
public record ComparisonResult(List<String> workloads, List<String> controllers, List<RunResult> runs) {

  /** Copies the lists. */
  public ComparisonResult {
    workloads = List.copyOf(workloads);
    controllers = List.copyOf(controllers);
    runs = List.copyOf(runs);
  }

  /** The runs of one controller on one workload, in run order. */
  public List<RunResult> runs(String workload, String controller) {
    List<RunResult> selected = new ArrayList<>();
    for (RunResult run : runs) {
      if (run.workload().equals(workload) && run.controller().equals(controller)) {
        selected.add(run);
      }
    }
    return selected;
  }

  /**
   * The clairvoyant schedule's runs on one workload, in run order; empty if it did not run there.
   */
  public List<RunResult> clairvoyant(String workload) {
    return runs(workload, ClairvoyantRegret.SCHEDULE);
  }

  /** Whether the clairvoyant schedule ran on some workload. */
  public boolean hasClairvoyant() {
    return runs.stream().anyMatch(run -> run.controller().equals(ClairvoyantRegret.SCHEDULE));
  }

  /**
   * The mean and 95 % confidence interval of {@code metric} for one controller on one workload.
   *
   * @throws IllegalArgumentException if there is no such run
   */
  public Estimate estimate(String workload, String controller, Metric metric) {
    List<RunResult> selected = runs(workload, controller);
    if (selected.isEmpty()) {
      throw new IllegalArgumentException("no run of " + controller + " on " + workload);
    }
    double[] values = new double[selected.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = metric.of(selected.get(i));
    }
    return Estimate.of(values);
  }

  /** The controller with the best mean of {@code metric} on {@code workload}. */
  public Optional<String> best(String workload, Metric metric) {
    String best = null;
    double bestMean = Double.NaN;
    for (String controller : controllers) {
      double mean = estimate(workload, controller, metric).mean();
      if (best == null || metric.better(mean, bestMean)) {
        best = controller;
        bestMean = mean;
      }
    }
    return Optional.ofNullable(best);
  }
}
