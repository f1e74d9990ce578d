package org.hybridft.sim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.hybridft.controllers.ControllerConfiguration;
import org.hybridft.controllers.ControllerDescriptor;
import org.hybridft.controllers.ControllerRegistry;
import org.hybridft.controllers.ParameterDescriptor;
import org.hybridft.controllers.ParameterType;

/**
 * What a {@link Tuner} searches for a controller of a {@link ControllerRegistry}: the parameters
 * its descriptor gives a {@linkplain ParameterDescriptor#searchRange() search range}, named by
 * their config-file keys; durations are searched in seconds. A candidate is made from the same
 * text a config file gets ({@link #asOptions}), so the controller evaluated is the controller the
 * file describes.
 */
public final class ControllerSearchSpace {
  private final ControllerDescriptor<?> descriptor;
  private final ParameterSpace space;

  private ControllerSearchSpace(ControllerDescriptor<?> descriptor) {
    this.descriptor = descriptor;
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
      throw new IllegalArgumentException("controller '" + descriptor.name() + "' has no searched parameter");
    }
    this.space = new ParameterSpace(descriptor.name(), parameters, values -> configuration(values).create());
  }

  /**
   * The search space of {@code descriptor}'s controller.
   *
   * @throws IllegalArgumentException if none of its parameters has a search range
   */
  public static ControllerSearchSpace of(ControllerDescriptor<?> descriptor) {
    return new ControllerSearchSpace(Objects.requireNonNull(descriptor, "descriptor"));
  }

  /** The controllers of {@code registry} that can be tuned: those with a searched parameter. */
  public static List<String> tunable(ControllerRegistry registry) {
    return registry.descriptors().stream()
        .filter(d -> d.parameters().stream().anyMatch(p -> p.searchRange() != null))
        .map(ControllerDescriptor::name)
        .toList();
  }

  /** The space the tuner searches. */
  public ParameterSpace space() {
    return space;
  }

  /** The controller at the point {@code values}, named {@code <controller>-tuned}. */
  public ControllerConfiguration<?> configuration(double[] values) {
    return descriptor.configured(descriptor.name() + "-tuned", asOptions(values));
  }

  /** The values as config-file text, keyed by parameter, in the space's order. */
  public Map<String, String> asOptions(double[] values) {
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 0; i < values.length; i++) {
      options.put(space.parameters().get(i).name(), format(i, values[i]));
    }
    return options;
  }

  /**
   * The value of parameter {@code index} as a config file or the command line takes it: whole
   * numbers bare, others to six significant digits, durations in seconds with a unit.
   */
  public String format(int index, double value) {
    TunableParameter parameter = space.parameters().get(index);
    if (parameter.integer()) {
      return Long.toString(Math.round(value));
    }
    String number = String.format(Locale.ROOT, "%.6g", value).replaceAll("(\\.\\d*?)0+$", "$1").replaceAll("\\.$", "");
    ParameterType type = descriptor.parameter(parameter.name()).orElseThrow().type();
    return type == ParameterType.DURATION ? number + "s" : number;
  }
}
