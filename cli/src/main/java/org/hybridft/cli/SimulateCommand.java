package org.hybridft.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.hybridft.report.ComparisonReport;
import org.hybridft.sim.Comparison;
import org.hybridft.report.ComparisonResult;
import org.hybridft.controllers.ControllerConfiguration;
import org.hybridft.sim.ControllerSpec;
import org.hybridft.sim.Workload;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hybrid-ft simulate}: one controller, with its parameters as options, on one built-in
 * workload or a recorded trace. Same table, {@code results.csv} and plot as {@code compare}.
 */
@Command(
    name = "simulate",
    mixinStandardHelpOptions = true,
    description = {
      "Simulate one controller on one workload (built-in or a trace CSV).",
      "Controller parameters are options; those left out keep their documented defaults.",
      "Both static modes run beside it on the same seeds (unless --no-baselines), for the regret columns,"
          + " and the clairvoyant schedule (the limit; unless --no-clairvoyant) for the vs-limit columns."
    })
public final class SimulateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin WorkloadChoice workload;

  @Mixin ControllerChoice controller;

  @Option(names = "--no-baselines",
      description = "skip the static modes' runs and the clairvoyant schedule, and with them the regret columns")
  boolean noBaselines;

  @Mixin SimulationOptions run;
  @Mixin ControllerOptions parameters;
  @Mixin ModelOptions model;

  @Override
  public Integer call() throws InterruptedException {
    run.validate();
    // Before any simulation: a bad --out should cost nothing.
    OutputDirectory.create(run.out);
    Workload chosen = workload.resolve("synthetic");
    ControllerConfiguration<?> resolved = controller.resolve(parameters, "threshold");
    ControllerSpec controllerSpec = ControllerOptions.spec(resolved);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    for (String unused : parameters.unusedBy(List.of(resolved.controller()))) {
      err.println("hybrid-ft: note: " + unused);
    }
    Comparison.Builder comparison = run.comparison(List.of(chosen), controllers(controllerSpec), model, err);
    if (!noBaselines && !run.noClairvoyant) {
      comparison.clairvoyant(parameters.staticCheckpointPeriod());
    }
    ComparisonResult result = comparison.build().run();
    Report.publish(result, List.of(chosen.description()), run, out, err);
    return 0;
  }

  /** The chosen controller, then the static modes it is measured against (named as in compare). */
  private List<ControllerSpec> controllers(ControllerSpec chosen) {
    List<ControllerSpec> all = new ArrayList<>();
    all.add(chosen);
    if (!noBaselines) {
      for (String mode : ComparisonReport.STATIC_MODES) {
        if (!mode.equals(chosen.name())) {
          all.add(ControllerOptions.spec(parameters.configured(mode)));
        }
      }
    }
    return all;
  }
}
