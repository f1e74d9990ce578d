package org.hybridft.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import org.hybridft.report.ComparisonReport;
import org.hybridft.sim.Comparison;
import org.hybridft.report.ComparisonResult;
import org.hybridft.sim.ControllerSpec;
import org.hybridft.sim.Workload;
import org.hybridft.sim.WorkloadProfile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hybrid-ft compare}: every built-in workload × every controller × 10 runs × 30 simulated
 * minutes (by default), in parallel, with a table per workload, {@code results.csv} and a plot per
 * workload.
 */
@Command(
    name = "compare",
    mixinStandardHelpOptions = true,
    description = {
      "Simulate every controller on every built-in workload and compare them.",
      "Prints one table per workload (mean ± 95%% CI over the runs, * = the one best of a column) and writes"
          + " results.csv, one PNG per workload and summary.png (downtime ratio against p99 latency,"
          + " one scatter per workload) into --out.",
      "With a static mode among the controllers, the clairvoyant schedule (the limit) runs too, unless"
          + " --no-clairvoyant: its row and the vs-limit columns show how close each controller comes to it."
    })
public final class CompareCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--workloads",
      split = ",",
      paramLabel = "W",
      description = "workloads (default: all of rubis, bugzilla, video, phased, synthetic, bursty, drift)")
  List<String> workloads = WorkloadProfile.names();

  @Mixin ControllerList controllers;
  @Mixin SimulationOptions run;
  @Mixin ControllerOptions parameters;
  @Mixin ModelOptions model;

  @Override
  public Integer call() throws InterruptedException {
    run.validate();
    // Before any simulation: a bad --out should cost nothing.
    OutputDirectory.create(run.out);
    List<Workload> chosen = resolveWorkloads(workloads);
    List<ControllerSpec> specs = controllers.specs(parameters);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    for (String unused : parameters.unusedBy(controllers.names())) {
      err.println("hybrid-ft: note: " + unused);
    }
    Comparison.Builder comparison = run.comparison(chosen, specs, model, err);
    // The limit comes with the static modes: both are the references the regret columns need.
    if (!run.noClairvoyant
        && specs.stream().anyMatch(s -> ComparisonReport.STATIC_MODES.contains(s.name()))) {
      comparison.clairvoyant(parameters.staticCheckpointPeriod());
    }
    ComparisonResult result = comparison.build().run();
    Report.publish(result, chosen.stream().map(Workload::description).toList(), run, out, err);
    return 0;
  }

  static List<Workload> resolveWorkloads(List<String> names) {
    List<Workload> chosen = new ArrayList<>();
    for (String name : distinct("workload", names)) {
      chosen.add(
          WorkloadProfile.byName(name)
              .orElseThrow(
                  () ->
                      new UsageException(
                          "unknown workload '" + name + "' (known: "
                              + String.join(", ", WorkloadProfile.names()) + ")"))
              .workload());
    }
    return chosen;
  }

  static List<String> distinct(String what, List<String> names) {
    Set<String> seen = new HashSet<>();
    List<String> result = new ArrayList<>();
    for (String name : names) {
      String key = name.strip().toLowerCase(Locale.ROOT);
      if (key.isEmpty()) {
        throw new UsageException("empty " + what + " name in the list");
      }
      if (!seen.add(key)) {
        throw new UsageException(what + " '" + key + "' is listed twice");
      }
      result.add(key);
    }
    return result;
  }
}
