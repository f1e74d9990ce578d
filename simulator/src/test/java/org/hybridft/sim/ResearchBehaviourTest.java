package org.hybridft.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.hybridft.controllers.ControllerRegistry;
import org.hybridft.report.ComparisonResult;
import org.hybridft.report.Metric;
import org.junit.jupiter.api.Test;

/**
 * The controllers, with the defaults {@code hybrid-ft compare} uses, behave on the built-in
 * workloads as the research reports: 5 runs of the research's 30 minutes each.
 */
class ResearchBehaviourTest {
  private static final int RUNS = 5;

  private static ComparisonResult compare(WorkloadProfile workload, List<String> controllers)
      throws InterruptedException {
    return Comparison.builder()
        .workloads(List.of(workload.workload()))
        .controllers(BuiltInControllers.specs(controllers))
        .runs(RUNS)
        .length(Duration.ofMinutes(30))
        .seed(20_240_601)
        .build()
        .run();
  }

  private static double mean(ComparisonResult result, String controller, Metric metric) {
    return result.estimate(result.workloads().get(0), controller, metric).mean();
  }

  @Test
  void coloHasTheLowestLatencyOnRubis() throws InterruptedException {
    ComparisonResult result = compare(WorkloadProfile.RUBIS, ControllerRegistry.builtIn().names());

    for (String other : ControllerRegistry.builtIn().names()) {
      assertThat(mean(result, "colo", Metric.LATENCY_MEAN))
          .as("mean latency of colo vs %s", other)
          .isLessThanOrEqualTo(mean(result, other, Metric.LATENCY_MEAN));
      assertThat(mean(result, "colo", Metric.LATENCY_P99))
          .as("p99 latency of colo vs %s", other)
          .isLessThanOrEqualTo(mean(result, other, Metric.LATENCY_P99));
    }
    assertThat(mean(result, "colo", Metric.LATENCY_MEAN))
        .isLessThan(mean(result, "checkpoint", Metric.LATENCY_MEAN) / 5);
  }

  @Test
  void checkpointModeHasALowerDowntimeRatioThanColoOnVideo() throws InterruptedException {
    ComparisonResult result = compare(WorkloadProfile.VIDEO, List.of("checkpoint", "colo"));

    assertThat(mean(result, "checkpoint", Metric.DOWNTIME_RATIO))
        .isLessThan(mean(result, "colo", Metric.DOWNTIME_RATIO));
  }

  @Test
  void onPhasedTheHybridsBeatColoOnDowntimeAndCheckpointModeOnP99Latency()
      throws InterruptedException {
    ComparisonResult result =
        compare(WorkloadProfile.PHASED, List.of("checkpoint", "colo", "threshold", "pi"));

    for (String hybrid : List.of("threshold", "pi")) {
      assertThat(mean(result, hybrid, Metric.DOWNTIME_RATIO))
          .as("downtime ratio of %s vs colo", hybrid)
          .isLessThan(mean(result, "colo", Metric.DOWNTIME_RATIO));
      assertThat(mean(result, hybrid, Metric.LATENCY_P99))
          .as("p99 latency of %s vs checkpoint", hybrid)
          .isLessThan(mean(result, "checkpoint", Metric.LATENCY_P99));
    }
  }
}
