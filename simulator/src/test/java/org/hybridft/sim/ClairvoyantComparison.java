package org.hybridft.sim;

import java.time.Duration;
import java.util.List;
import org.hybridft.report.ComparisonResult;

/**
 * A {@link Comparison} of the built-in controllers with their defaults, as {@code hybrid-ft
 * compare} runs them, and the {@link ClairvoyantSchedule} on every workload and seed, in one
 * result.
 */
final class ClairvoyantComparison {
  static final List<String> STATIC = List.of("checkpoint", "colo");
  static final Duration CHECKPOINT_PERIOD = Duration.ofMillis(500);

  private ClairvoyantComparison() {}

  static ComparisonResult run(
      List<Workload> workloads, List<String> controllers, int runs, Duration length, long seed)
      throws InterruptedException {
    return Comparison.builder()
        .workloads(workloads)
        .controllers(BuiltInControllers.specs(controllers))
        .runs(runs)
        .length(length)
        .seed(seed)
        .clairvoyant(CHECKPOINT_PERIOD)
        .build()
        .run();
  }
}
