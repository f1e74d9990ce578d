package org.hybridft.sim;

import java.util.List;
import java.util.Map;
import org.hybridft.controllers.ControllerRegistry;

/** The registry's built-in controllers with their defaults, as {@code hybrid-ft compare} runs them. */
final class BuiltInControllers {
  private BuiltInControllers() {}

  static List<ControllerSpec> specs(List<String> names) {
    ControllerRegistry registry = ControllerRegistry.builtIn();
    return names.stream()
        .map(name -> new ControllerSpec(name, () -> registry.create(name, Map.of())))
        .toList();
  }
}
