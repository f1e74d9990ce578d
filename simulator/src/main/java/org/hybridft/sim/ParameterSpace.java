package org.hybridft.sim;

import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.hybridft.core.ModeController;

/**
 * The parameters of one controller that a {@link Tuner} searches, and how to build the
 * controller from a point of the space.
 *
 * @param controller the controller's name, such as {@code pi}
 * @param parameters the searched parameters, in the order of the value arrays
 * @param factory builds a controller in its initial state from one value per parameter; it may
 *     throw {@link IllegalArgumentException} for a combination its config rejects
 */
public record ParameterSpace(
    String controller, List<TunableParameter> parameters, Function<double[], ModeController> factory) {

  /** Validates and copies the components. */
  public ParameterSpace {
    Objects.requireNonNull(controller, "controller");
    Objects.requireNonNull(factory, "factory");
    parameters = List.copyOf(parameters);
    if (parameters.isEmpty()) {
      throw new IllegalArgumentException("parameters must name at least one parameter, was empty");
    }
  }

  /** The number of parameters. */
  public int dimension() {
    return parameters.size();
  }

  /** The default of every parameter. */
  public double[] defaults() {
    return parameters.stream().mapToDouble(TunableParameter::defaultValue).toArray();
  }

  /** Maps a point of the unit cube to parameter values (rounded where whole, within bounds). */
  public double[] fromUnit(double[] unit) {
    double[] values = new double[parameters.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = parameters.get(i).fromUnit(unit[i]);
    }
    return values;
  }

  /** Maps parameter values to the unit cube. */
  public double[] toUnit(double[] values) {
    double[] unit = new double[parameters.size()];
    for (int i = 0; i < unit.length; i++) {
      unit[i] = parameters.get(i).toUnit(values[i]);
    }
    return unit;
  }

  /** A new controller for {@code values}. */
  public ModeController create(double[] values) {
    return factory.apply(values.clone());
  }
}
