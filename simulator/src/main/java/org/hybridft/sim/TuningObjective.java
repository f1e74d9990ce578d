package org.hybridft.sim;

import java.util.List;
import org.hybridft.report.RunResult;

/**
 * What a {@link Tuner} minimises, averaged over its training runs. Lower is better for all.
 */
public enum TuningObjective {
  /** The downtime ratio. */
  DOWNTIME {
    @Override
    double of(RunResult run, double latencyWeight) {
      return run.downtimeRatio();
    }
  },
  /** The 99th percentile reply latency in milliseconds. */
  LATENCY {
    @Override
    double of(RunResult run, double latencyWeight) {
      return run.latencyP99Ms();
    }
  },
  /**
   * The learning controller's cost: downtime ratio plus {@code latencyWeight} times the share of
   * time in checkpoint mode (whose held output is the latency price).
   */
  COST {
    @Override
    double of(RunResult run, double latencyWeight) {
      return cost(run, latencyWeight);
    }
  };

  /** The objective of one run. */
  abstract double of(RunResult run, double latencyWeight);

  /** The mean objective over runs. */
  public double score(List<RunResult> runs, double latencyWeight) {
    double sum = 0;
    for (RunResult run : runs) {
      sum += of(run, latencyWeight);
    }
    return sum / runs.size();
  }

  /** The cost of one run: downtime ratio plus the weighted share of time in checkpoint mode. */
  public static double cost(RunResult run, double latencyWeight) {
    return run.downtimeRatio() + latencyWeight * (1 - run.coloShare());
  }
}
