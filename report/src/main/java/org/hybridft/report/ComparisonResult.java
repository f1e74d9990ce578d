package org.hybridft.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The runs of a comparison (simulated, or on a real pair), grouped by workload and controller, with
 * statistics across runs.
 *
 * @param workloads the workloads' names, in the order given
 * @param controllers the controllers' names, in the order given
 * @param runs every run: for each workload, for each controller, runs 0..n−1
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
