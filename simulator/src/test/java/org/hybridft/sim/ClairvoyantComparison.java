package org.hybridft.sim;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.hybridft.report.ComparisonResult;
import org.hybridft.report.RunResult;

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
    ComparisonResult compared = Comparison.builder()
        .workloads(workloads)
        .controllers(BuiltInControllers.specs(controllers))
        .runs(runs)
        .length(length)
        .seed(seed)
        .build()
        .run();
    VmSimulator simulator = new VmSimulator();
    List<RunResult> all = new ArrayList<>(compared.runs());
    for (Workload workload : workloads) {
      all.addAll(IntStream.range(0, runs).parallel()
          .mapToObj(r -> ClairvoyantSchedule.plan(
              simulator, workload, length, Comparison.runSeed(seed, workload.name(), r), r, CHECKPOINT_PERIOD)
              .result())
          .toList());
    }
    List<String> names = new ArrayList<>(compared.controllers());
    names.add(ClairvoyantSchedule.NAME);
    return new ComparisonResult(compared.workloads(), names, all);
  }
}
