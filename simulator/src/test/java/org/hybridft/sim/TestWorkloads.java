package org.hybridft.sim;

import java.time.Duration;
import java.util.List;

/** Workloads for the simulator's tests. */
final class TestWorkloads {
  private TestWorkloads() {}

  /** A one-phase workload. */
  static Workload steady(double lambda, double p, double dirtyMbPerSecond, double workingSetMb) {
    return new Workload(
        "steady",
        "test",
        4,
        1.0,
        List.of(new Phase(Duration.ofMinutes(1), lambda, 5, 1.0, p, dirtyMbPerSecond, workingSetMb)),
        true);
  }
}
