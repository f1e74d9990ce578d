package org.hybridft.sim;

import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.time.Duration;
import java.util.List;
import org.hybridft.report.ComparisonResult;
import org.quicktheories.core.Gen;

/**
 * Random cyclic workloads that none of the controllers' defaults were chosen on: 2 to 6 stretches
 * of 20 to 240 s, each with its own divergence rate (log-uniform from 0.02 to 10 per second, from
 * nearly deterministic to highly non-deterministic), dirty rate (2 to 30 MB/s) and request rate
 * (20 to 150 per second), on 8 threads.
 */
final class PhaseSequences {
  private PhaseSequences() {}

  static Gen<Phase> phases() {
    Gen<double[]> rates = doubles().between(Math.log(0.02), Math.log(10))
        .zip(doubles().between(2, 30), doubles().between(20, 150),
            (logDivergences, dirty, requests) -> new double[] {Math.exp(logDivergences), dirty, requests});
    return integers().between(20, 240).zip(rates, (seconds, r) ->
        new Phase(Duration.ofSeconds(seconds), r[2], 6, 1.0, Math.min(1, r[0] / r[2]), r[1], 64));
  }

  static Gen<Workload> workloads() {
    return lists().of(phases()).ofSizeBetween(2, 6)
        .map(phases -> new Workload("random", "random phase sequence", 8, 2, phases, true))
        .describedAs(PhaseSequences::describe);
  }

  static String describe(Workload workload) {
    StringBuilder text = new StringBuilder();
    for (Phase phase : workload.phases()) {
      text.append(String.format(java.util.Locale.ROOT, "[%ds %.2f div/s %.0f rps %.1f MB/s] ",
          phase.duration().toSeconds(), phase.divergencesPerSecond(), phase.requestsPerSecond(),
          phase.dirtyMbPerSecond()));
    }
    return text.toString().strip();
  }

  /** Each listed controller's and the schedule's runs on {@code workload}, {@code runs} seeds. */
  static ComparisonResult compare(Workload workload, List<String> controllers, int runs, Duration length, long seed)
      throws InterruptedException {
    return ClairvoyantComparison.run(List.of(workload), controllers, runs, length, seed);
  }
}
