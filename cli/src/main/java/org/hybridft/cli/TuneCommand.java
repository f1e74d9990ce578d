package org.hybridft.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.hybridft.report.ComparisonReport;
import org.hybridft.report.ConvergencePlot;
import org.hybridft.sim.ControllerSearchSpace;
import org.hybridft.sim.ParameterSpace;
import org.hybridft.sim.TunableParameter;
import org.hybridft.sim.Tuner;
import org.hybridft.sim.TuningObjective;
import org.hybridft.sim.TuningResult;
import org.hybridft.sim.Workload;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hybrid-ft tune}: fits a controller's parameters to a built-in workload or a recorded
 * trace in the simulator (CMA-ES, bounded, common random numbers), prints the best parameters
 * beside the defaults with both scores, and writes the parameters as a config file that {@code
 * simulate}, {@code compare} and {@code run} accept with {@code --config}, and a convergence plot.
 */
@Command(
    name = "tune",
    mixinStandardHelpOptions = true,
    description = {
      "Fit a controller's parameters to a workload or a trace in the simulator.",
      "Writes tuned-<controller>.properties (for --config) and tune-<controller>.png into --out."
    })
public final class TuneCommand implements Callable<Integer> {
  /** The controllers that can be tuned, for {@code --controller}'s help. */
  static final class Tunable implements Iterable<String> {
    @Override
    public java.util.Iterator<String> iterator() {
      return ControllerSearchSpace.tunable(ControllerOptions.REGISTRY).iterator();
    }
  }

  @Spec CommandSpec spec;

  @Option(names = "--controller", required = true, paramLabel = "C",
      completionCandidates = Tunable.class, description = "one of ${COMPLETION-CANDIDATES}")
  String controller = "";

  @Mixin WorkloadChoice workload;

  @Option(names = "--objective", paramLabel = "O", defaultValue = "cost",
      description = "downtime, latency (p99) or cost (downtime + weight x checkpoint-mode share); default cost")
  String objective = "cost";

  @Option(names = "--latency-weight", defaultValue = "0.05",
      description = "cost objective: weight of the share of time in checkpoint mode (default 0.05)")
  double latencyWeight = 0.05;

  /** The default of {@code --budget}: enough CMA-ES generations to move from the defaults. */
  private static final int DEFAULT_BUDGET = 60;

  @Option(names = "--budget", defaultValue = "" + DEFAULT_BUDGET,
      description = "candidates to evaluate, the defaults included (default 60)")
  int budget = DEFAULT_BUDGET;

  @Option(names = "--runs", defaultValue = "3",
      description = "training runs per candidate, the same seeds for all (default 3)")
  int runs = 3;

  @Option(names = "--minutes", defaultValue = "30", description = "simulated minutes per run (default 30)")
  double minutes = 30;

  @Option(names = "--seed", defaultValue = "1", description = "seed of the training runs and the search (default 1)")
  long seed = 1;

  @Option(names = "--threads", description = "worker threads (default: one per core)")
  int threads = Runtime.getRuntime().availableProcessors();

  @Option(names = "--out", description = "directory for the config file and the plot (default hybrid-ft-results)")
  Path out = Paths.get("hybrid-ft-results");

  @Mixin ModelOptions model;

  @Override
  public Integer call() throws InterruptedException, IOException {
    workload.check(null);
    if (budget < 1) {
      throw new UsageException("--budget must be >= 1, was " + budget);
    }
    if (runs < 1) {
      throw new UsageException("--runs must be >= 1, was " + runs);
    }
    if (threads < 1) {
      throw new UsageException("--threads must be >= 1, was " + threads);
    }
    if (!(minutes > 0) || minutes > 7 * 24 * 60) {
      throw new UsageException("--minutes must be > 0 and at most a week (10080), was " + minutes);
    }
    if (!(latencyWeight >= 0) || Double.isInfinite(latencyWeight)) {
      throw new UsageException("--latency-weight must be finite and >= 0, was " + latencyWeight);
    }
    TuningObjective goal = objective(objective);
    ControllerSearchSpace search = searchSpace(controller);
    ParameterSpace space = search.space();
    Workload target = workload.resolve(null);
    PrintWriter stdout = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    OutputDirectory.create(out);
    long start = System.nanoTime();
    TuningResult result =
        Tuner.builder()
            .space(space)
            .workload(target)
            .objective(goal)
            .latencyWeight(latencyWeight)
            .budget(budget)
            .runs(runs)
            .length(Duration.ofNanos(Math.round(minutes * 60e9)))
            .seed(seed)
            .threads(threads)
            .model(model.model())
            .progress((evaluation, total, score, best) -> {
              err.printf(Locale.ROOT, "\rtuning %s on %s: %d/%d candidates, best %s %.4f   ",
                  space.controller(), target.name(), evaluation, total, goal.name().toLowerCase(Locale.ROOT), best);
              err.flush();
            })
            .build()
            .tune();
    err.println();
    double seconds = (System.nanoTime() - start) / 1e9;

    String objectiveName = goal.name().toLowerCase(Locale.ROOT);
    stdout.printf(Locale.ROOT, "%s tuned on %s for %s (%d candidates x %d runs x %s min, %.1f s)%n",
        space.controller(), target.name(), objectiveName, result.evaluations(), runs, ComparisonReport.trim(minutes), seconds);
    stdout.printf(Locale.ROOT, "%-18s %14s %14s%n", "parameter", "default", "tuned");
    double[] defaults = result.defaults();
    double[] best = result.best();
    for (int i = 0; i < best.length; i++) {
      TunableParameter parameter = space.parameters().get(i);
      stdout.printf(Locale.ROOT, "%-18s %14s %14s%n", parameter.name(),
          search.format(i, defaults[i]), search.format(i, best[i]));
    }
    boolean improved = result.bestScore() < result.defaultScore();
    stdout.printf(Locale.ROOT, "%-18s %14.4f %14.4f  %s%n", objectiveName,
        result.defaultScore(), result.bestScore(),
        improved
            ? String.format(Locale.ROOT, "(%+.1f%%)", 100 * (result.bestScore() - result.defaultScore())
                / result.defaultScore())
            : "(no change)");
    if (!improved) {
      // The Tuner keeps the defaults unless a candidate beats them: say which of the two reasons
      // is likely, so "tuned" parameters equal to the defaults are not mistaken for a finding.
      stdout.println(budget < DEFAULT_BUDGET
          ? String.format(Locale.ROOT,
              "no candidate beat the defaults: --budget %d was too small to move from them;"
                  + " try --budget %d or more", budget, DEFAULT_BUDGET)
          : String.format(Locale.ROOT,
              "no candidate beat the defaults in %d candidates: they may already suit %s;"
                  + " a larger --budget searches further", result.evaluations(), target.name()));
    }

    Map<String, String> parameters = search.asOptions(best);
    Path config = out.resolve("tuned-" + space.controller() + ".properties");
    java.nio.file.Files.writeString(config, search.configuration(best).toFileText(parameters.keySet(),
        String.format(Locale.ROOT, "hybrid-ft tune --controller %s %s --objective %s: %s %.4f (defaults %.4f)",
            space.controller(), workload.trace != null ? "--trace " + workload.trace.getFileName() : "--workload " + target.name(),
            objectiveName, objectiveName, result.bestScore(), result.defaultScore())));
    Path plot = out.resolve("tune-" + space.controller() + ".png");
    ConvergencePlot.write(plot, space.controller() + " tuned on " + target.name() + ": " + objectiveName
        + " of each candidate and the best so far", objectiveName, result.scoreByEvaluation(),
        result.bestScoreByEvaluation(), result.defaultScore());
    stdout.println("wrote " + config + " (use it with --config) and " + plot);
    stdout.flush();
    return 0;
  }

  private static ControllerSearchSpace searchSpace(String controller) {
    try {
      return ControllerSearchSpace.of(ControllerOptions.descriptor(controller));
    } catch (IllegalArgumentException untunable) {
      throw new UsageException("cannot tune controller '" + controller + "' (tunable: "
          + String.join(", ", ControllerSearchSpace.tunable(ControllerOptions.REGISTRY)) + ")", untunable);
    }
  }

  private static TuningObjective objective(String name) {
    try {
      return TuningObjective.valueOf(name.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException unknown) {
      throw new UsageException("unknown objective '" + name + "' (known: downtime, latency, cost)");
    }
  }
}
