package org.hybridft.report;

import java.util.function.ToDoubleFunction;

/** The per-run metrics that tables compare, each with its direction of "better". */
public enum Metric {
  /** Total pause / wall time. */
  DOWNTIME_RATIO("downtime", "", false, RunResult::downtimeRatio),
  /** Checkpoints per second. */
  CHECKPOINTS_PER_SECOND("cps", "", false, RunResult::checkpointsPerSecond),
  /** Mean reply latency. */
  LATENCY_MEAN("lat mean", "ms", false, RunResult::latencyMeanMs),
  /** 99th percentile reply latency. */
  LATENCY_P99("lat p99", "ms", false, RunResult::latencyP99Ms),
  /** Replies per second. */
  THROUGHPUT("throughput", "rps", true, RunResult::throughputRps),
  /** CPU seconds on both hosts. */
  CPU("cpu", "s", false, RunResult::cpuSeconds),
  /** Megabytes on the replication link. */
  NETWORK("network", "MB", false, RunResult::networkMb),
  /** Mode switches. */
  SWITCHES("switches", "", false, run -> run.switches());

  private final String label;
  private final String unit;
  private final boolean higherIsBetter;
  private final ToDoubleFunction<RunResult> value;

  Metric(String label, String unit, boolean higherIsBetter, ToDoubleFunction<RunResult> value) {
    this.label = label;
    this.unit = unit;
    this.higherIsBetter = higherIsBetter;
    this.value = value;
  }

  /** A short column label. */
  public String label() {
    return label;
  }

  /** The unit, empty for ratios and counts. */
  public String unit() {
    return unit;
  }

  /** Whether a higher value is better (throughput); lower is better for the others. */
  public boolean higherIsBetter() {
    return higherIsBetter;
  }

  /** The metric's value in one run. */
  public double of(RunResult run) {
    return value.applyAsDouble(run);
  }

  /** Whether {@code a} is better than {@code b} for this metric. */
  public boolean better(double a, double b) {
    return higherIsBetter ? a > b : a < b;
  }
}
