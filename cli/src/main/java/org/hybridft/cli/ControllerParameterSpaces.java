package org.hybridft.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.hybridft.controllers.ControllerConfiguration;
import org.hybridft.controllers.ControllerDescriptor;
import org.hybridft.controllers.ParameterDescriptor;
import org.hybridft.controllers.ParameterType;
import org.hybridft.sim.ParameterSpace;
import org.hybridft.sim.TunableParameter;

/**
 * The parameters {@code hybrid-ft tune} searches for each controller: those the registry gives a
 * {@linkplain ParameterDescriptor#searchRange() search range}, named by their config-file keys, so
 * that a tuned point is written as a {@link ControllerConfigFile}; durations are searched in
 * seconds. A candidate is made from the same text the file gets, so the controller evaluated is
 * the controller the file describes.
 */
final class ControllerParameterSpaces {
  private ControllerParameterSpaces() {}

  /** The controllers that can be tuned: those with at least one searched parameter. */
  static List<String> tunable() {
    return ControllerOptions.REGISTRY.descriptors().stream()
        .filter(d -> d.parameters().stream().anyMatch(p -> p.searchRange() != null))
        .map(ControllerDescriptor::name)
        .toList();
  }

  /**
   * The search space of {@code controller}.
   *
   * @throws UsageException if it is unknown or cannot be tuned
   */
  static ParameterSpace of(String controller) {
    ControllerDescriptor<?> descriptor = ControllerOptions.descriptor(controller);
    List<TunableParameter> parameters = new ArrayList<>();
    for (ParameterDescriptor<?> parameter : descriptor.parameters()) {
      ParameterDescriptor.SearchRange range = parameter.searchRange();
      if (range == null) {
        continue;
      }
      double defaultValue = parameter.type().toNumber(parameter.defaultValue());
      parameters.add(
          parameter.type() == ParameterType.INTEGER
              ? TunableParameter.whole(parameter.key(), range.low(), range.high(), defaultValue)
              : TunableParameter.continuous(parameter.key(), range.low(), range.high(), defaultValue));
    }
    if (parameters.isEmpty()) {
      throw new UsageException(
          "cannot tune controller '" + controller + "' (tunable: " + String.join(", ", tunable()) + ")");
    }
    String name = descriptor.name();
    ParameterSpace[] space = new ParameterSpace[1];
    space[0] = new ParameterSpace(name, parameters, values -> configuration(space[0], values).create());
    return space[0];
  }

  /** The controller at the point {@code values} of {@code space}, named {@code <controller>-tuned}. */
  static ControllerConfiguration<?> configuration(ParameterSpace space, double[] values) {
    ControllerDescriptor<?> descriptor = ControllerOptions.descriptor(space.controller());
    return descriptor.configured(space.controller() + "-tuned", asOptions(space, values));
  }

  /** The values as config-file text, in the space's order. */
  static Map<String, String> asOptions(ParameterSpace space, double[] values) {
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 0; i < values.length; i++) {
      options.put(space.parameters().get(i).name(), format(space, i, values[i]));
    }
    return options;
  }

  /**
   * The value of the space's parameter {@code index} as the command line takes it: whole numbers
   * bare, others to six significant digits, durations in seconds with a unit.
   */
  static String format(ParameterSpace space, int index, double value) {
    TunableParameter parameter = space.parameters().get(index);
    if (parameter.integer()) {
      return Long.toString(Math.round(value));
    }
    String number = String.format(Locale.ROOT, "%.6g", value).replaceAll("(\\.\\d*?)0+$", "$1").replaceAll("\\.$", "");
    ParameterType type =
        ControllerOptions.descriptor(space.controller()).parameter(parameter.name()).orElseThrow().type();
    return type == ParameterType.DURATION ? number + "s" : number;
  }
}
