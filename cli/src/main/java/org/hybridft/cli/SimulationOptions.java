package org.hybridft.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import org.hybridft.sim.Comparison;
import org.hybridft.sim.ControllerSpec;
import org.hybridft.sim.Workload;
import picocli.CommandLine.Option;

/** How much to simulate and where to write it; shared by {@code compare} and {@code simulate}. */
public final class SimulationOptions {
  @Option(names = "--minutes", description = "simulated minutes per run (default ${DEFAULT-VALUE})")
  double minutes = 30;

  @Option(names = "--runs", description = "runs per workload and controller (default ${DEFAULT-VALUE})")
  int runs = 10;

  @Option(names = "--seed", description = "seed of the whole comparison (default ${DEFAULT-VALUE})")
  long seed = 1;

  @Option(names = "--out", description = "directory for results.csv and the plots (default ${DEFAULT-VALUE})")
  Path out = Paths.get("hybrid-ft-results");

  @Option(names = "--threads", description = "worker threads (default: one per core, ${DEFAULT-VALUE})")
  int threads = Runtime.getRuntime().availableProcessors();

  @Option(names = "--no-plots", description = "skip the PNG plots")
  boolean noPlots;

  @Option(names = "--no-clairvoyant",
      description = "skip the clairvoyant schedule (the limit: it knows the workload's stretches in advance)"
          + " and its columns")
  boolean noClairvoyant;

  /** Checks the values that picocli cannot. */
  void validate() {
    if (!(minutes > 0) || Double.isInfinite(minutes) || minutes > 7 * 24 * 60) {
      throw new UsageException("--minutes must be > 0 and at most a week (10080), was " + minutes);
    }
    if (runs < 1) {
      throw new UsageException("--runs must be >= 1, was " + runs);
    }
    if (threads < 1) {
      throw new UsageException("--threads must be >= 1, was " + threads);
    }
  }

  /**
   * A comparison of {@code workloads} and {@code controllers} with these options, the model of
   * {@code model} and a progress bar on {@code err}.
   */
  Comparison.Builder comparison(List<Workload> workloads, List<ControllerSpec> controllers, ModelOptions model,
      PrintWriter err) {
    return Comparison.builder().workloads(workloads).controllers(controllers).runs(runs).length(length())
        .seed(seed).threads(threads).model(model.model()).progress(new ProgressBar(err));
  }

  /** The simulated length of one run. */
  java.time.Duration length() {
    return java.time.Duration.ofNanos(Math.round(minutes * 60e9));
  }
}
