package org.hybridft.bench;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.hybridft.controllers.ControllerRegistry;
import org.hybridft.sim.Comparison;
import org.hybridft.report.ComparisonResult;
import org.hybridft.sim.ControllerSpec;
import org.hybridft.sim.Workload;
import org.hybridft.sim.WorkloadProfile;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * The wall time of the full default comparison, what {@code hybrid-ft compare} simulates with no
 * options: every built-in workload × the command's six controllers (checkpoint every 500 ms,
 * COLO, threshold, PI, ORBIT, learning, all with their defaults; the {@code
 * ControllerRegistry}'s built-in ones) × 10 runs × 30 simulated minutes, seed 1, one worker thread per core. One operation is one whole comparison (single shot: it takes
 * seconds); the command's table, CSV and plots are left out, as they take milliseconds.
 *
 * <p>{@code runs} and {@code minutes} are parameters only so that the CI smoke run can shrink
 * the comparison ({@code -p runs=1 -p minutes=1}); the figures use the defaults.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ComparisonBenchmark {
  private static final List<ControllerSpec> COMMAND_CONTROLLERS =
      ControllerRegistry.builtIn().descriptors().stream()
          .map(descriptor -> new ControllerSpec(descriptor.name(), descriptor::createDefault))
          .toList();

  /** Runs per workload and controller: the command's default. */
  @Param({"10"})
  public int runs;

  /** Simulated minutes per run: the command's default. */
  @Param({"30"})
  public int minutes;

  /** One full comparison. */
  @Benchmark
  public ComparisonResult compare() throws InterruptedException {
    List<Workload> workloads =
        Arrays.stream(WorkloadProfile.values()).map(WorkloadProfile::workload).toList();
    return Comparison.builder()
        .workloads(workloads)
        .controllers(COMMAND_CONTROLLERS)
        .runs(runs)
        .length(Duration.ofMinutes(minutes))
        .seed(1)
        .threads(Runtime.getRuntime().availableProcessors())
        .build()
        .run();
  }
}
