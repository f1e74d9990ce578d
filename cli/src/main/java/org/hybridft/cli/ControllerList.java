package org.hybridft.cli;

import java.nio.file.Path;
import java.util.List;
import org.hybridft.controllers.ControllerRegistry;
import org.hybridft.sim.ControllerSpec;
import picocli.CommandLine.Option;

/**
 * The controllers to run side by side: {@code --controllers A,B,...} and any number of {@code
 * --config FILE}; for compare and evaluate, each with its own default list.
 */
public final class ControllerList {
  @Option(names = "--controllers", split = ",", paramLabel = "C",
      completionCandidates = ControllerOptions.Names.class,
      description = "controllers, of ${COMPLETION-CANDIDATES}, run in this order (default ${DEFAULT-VALUE})")
  List<String> names;

  @Option(names = "--config", paramLabel = "FILE",
      description = "also run the controller of this config file (as hybrid-ft tune writes it), under its name;"
          + " repeatable")
  List<Path> configs = List.of();

  /** Picocli's constructor: the built-in controllers by default. */
  public ControllerList() {
    this(ControllerRegistry.builtIn().names());
  }

  /** A command's own default list. */
  ControllerList(List<String> defaults) {
    this.names = defaults;
  }

  /**
   * The names given, stripped and lower-case.
   *
   * @throws UsageException for an empty name or one listed twice
   */
  List<String> names() {
    return CompareCommand.distinct("controller", names);
  }

  /**
   * The specs of the controllers named, then of each config file's.
   *
   * @throws UsageException for an unknown controller, a bad file or a name listed twice
   */
  List<ControllerSpec> specs(ControllerOptions parameters) {
    return parameters.specs(names(), configs);
  }
}
