package org.hybridft.cli;

import java.nio.file.Path;
import org.hybridft.controllers.ControllerConfiguration;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/** One controller to run: {@code --controller NAME} or {@code --config FILE}; for simulate and run. */
public final class ControllerChoice {
  @Option(names = "--controller", paramLabel = "C", completionCandidates = ControllerOptions.Names.class,
      description = "one of ${COMPLETION-CANDIDATES} (default threshold)")
  @Nullable String controller;

  @Option(names = "--config", paramLabel = "FILE",
      description = "a controller and its parameters, as hybrid-ft tune writes them; options given here override it")
  @Nullable Path config;

  /**
   * The controller chosen, with the command line's parameters; {@code fallback} if none is named.
   *
   * @throws UsageException if the two options disagree or the file is invalid
   */
  ControllerConfiguration<?> resolve(ControllerOptions parameters, String fallback) {
    return ControllerConfigFile.resolve(controller, config, parameters, fallback);
  }
}
