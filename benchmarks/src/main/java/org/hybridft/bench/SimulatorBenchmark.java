package org.hybridft.bench;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.hybridft.controllers.ThresholdConfig;
import org.hybridft.controllers.ThresholdController;
import org.hybridft.report.RunResult;
import org.hybridft.sim.VmSimulator;
import org.hybridft.sim.WorkloadProfile;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * How fast the simulator runs: one simulated run of {@code minutes} simulated minutes of a
 * built-in workload under the threshold controller per operation, on one thread. The secondary
 * figure {@code events} is simulated events per second of wall time; the primary one, runs per
 * second, is 1 / the wall time of one run.
 *
 * <p><b>What an event is.</b> The simulator dispatches request arrivals, request completions,
 * checkpoint starts, checkpoint commits, control ticks and phase changes. {@link RunResult} does
 * not count them, so they are counted from what it reports: {@code 2·(served + dropped)} (an
 * arrival, and a completion for a served one) {@code + 2·checkpoints + control periods}, phase
 * changes left out (a handful per run). Served is {@code throughput · simulated seconds}.
 *
 * <p>Each operation uses a new seed, so no two runs are the same and nothing can be cached.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SimulatorBenchmark {

  /** Simulated events of the runs of an iteration; JMH reports their rate per second. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class SimulatedEvents {
    /** Events simulated in this iteration. */
    public long events;

    /** Starts each iteration's count from zero. */
    @Setup(Level.Iteration)
    public void clear() {
      events = 0;
    }
  }

  // No values listed: every built-in workload, so a new profile needs no edit here.
  @Param public WorkloadProfile workload;

  /** Simulated minutes per run; short enough that a 1 s iteration holds several runs. */
  @Param({"5"})
  public int minutes;

  private final VmSimulator simulator = new VmSimulator();
  private final ThresholdConfig config = ThresholdConfig.defaults();
  private long seed;
  private int run;

  /** One simulated run; its event count goes to {@code events}. */
  @Benchmark
  public RunResult simulate(SimulatedEvents counter) {
    RunResult result =
        simulator.run(
            workload.workload(),
            "threshold",
            new ThresholdController(config),
            Duration.ofMinutes(minutes),
            ++seed,
            run++);
    counter.events += events(result);
    return result;
  }

  /** Events dispatched by a run, counted as the class comment says. */
  static long events(RunResult result) {
    double served = result.throughputRps() * result.wallSeconds();
    double ticks = result.wallSeconds(); // the default control period is 1 s
    return Math.round(2 * (served + result.dropped()) + 2 * result.checkpoints() + ticks);
  }
}
