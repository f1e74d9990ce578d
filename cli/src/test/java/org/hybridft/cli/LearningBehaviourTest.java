package org.hybridft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.hybridft.sim.Comparison;
import org.hybridft.sim.ComparisonResult;
import org.hybridft.sim.TuningObjective;
import org.hybridft.sim.Workload;
import org.hybridft.sim.WorkloadProfile;
import org.junit.jupiter.api.Test;

/**
 * The learning controller, with its defaults, on every built-in workload: its cost (downtime
 * ratio + 0.05 × share of time in checkpoint mode, the cost it is told to minimise) is within 10 %
 * of the best of checkpoint, colo, threshold and pi, and on {@code phased} it beats both static
 * modes. 5 runs of 30 minutes, common random numbers.
 */
class LearningBehaviourTest {
  private static final double LATENCY_WEIGHT = 0.05;
  private static final List<String> RIVALS = List.of("checkpoint", "colo", "threshold", "pi");

  @Test
  void costIsWithinTenPercentOfTheBestOnEveryWorkloadAndBeatsStaticModesOnPhased()
      throws InterruptedException {
    List<Workload> workloads = java.util.Arrays.stream(WorkloadProfile.values()).map(WorkloadProfile::workload).toList();
    List<String> controllers = List.of("checkpoint", "colo", "threshold", "pi", "learning");
    ComparisonResult result =
        Comparison.builder()
            .workloads(workloads)
            .controllers(new ControllerOptions().specs(controllers, List.of()))
            .runs(5)
            .length(Duration.ofMinutes(30))
            .seed(77)
            .build()
            .run();

    for (Workload workload : workloads) {
      double learning = cost(result, workload.name(), "learning");
      double best = RIVALS.stream().mapToDouble(rival -> cost(result, workload.name(), rival)).min().orElseThrow();
      assertThat(learning).as("learning's cost on %s vs the best rival's %s", workload.name(), best)
          .isLessThanOrEqualTo(best * 1.10);
    }
    double phased = cost(result, "phased", "learning");
    assertThat(phased).isLessThan(cost(result, "phased", "checkpoint"));
    assertThat(phased).isLessThan(cost(result, "phased", "colo"));
  }

  private static double cost(ComparisonResult result, String workload, String controller) {
    return TuningObjective.COST.score(result.runs(workload, controller), LATENCY_WEIGHT);
  }
}
