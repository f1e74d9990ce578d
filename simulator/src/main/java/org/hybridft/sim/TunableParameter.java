package org.hybridft.sim;

import org.hybridft.core.ParameterCheck;

/**
 * One parameter a {@link Tuner} may change, with the bounds it searches within (a subset of the
 * parameter's valid range) and its default.
 *
 * @param name the parameter's name, as in the controller's config and the properties file
 * @param min the lowest value searched, finite
 * @param max the highest value searched, finite, {@code > min}
 * @param defaultValue the config's default, within [min, max]
 * @param integer whether the parameter takes whole values (candidates are rounded)
 */
public record TunableParameter(String name, double min, double max, double defaultValue, boolean integer) {

  /** Validates the bounds. */
  public TunableParameter {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("name must not be blank, was " + name);
    }
    ParameterCheck.inRange(name + ".min", min, -Double.MAX_VALUE, Double.MAX_VALUE);
    ParameterCheck.greaterThan(name + ".max", max, min);
    ParameterCheck.inRange(name + ".defaultValue", defaultValue, min, max);
  }

  /** A continuous parameter. */
  public static TunableParameter continuous(String name, double min, double max, double defaultValue) {
    return new TunableParameter(name, min, max, defaultValue, false);
  }

  /** A whole-valued parameter. */
  public static TunableParameter whole(String name, double min, double max, double defaultValue) {
    return new TunableParameter(name, min, max, defaultValue, true);
  }

  /** Maps a point of [0, 1] to a value of this parameter, rounded if whole, always in bounds. */
  public double fromUnit(double unit) {
    double clamped = Double.isNaN(unit) ? 0 : Math.max(0, Math.min(1, unit));
    double value = min + clamped * (max - min);
    if (integer) {
      value = Math.rint(value);
    }
    return Math.max(min, Math.min(max, value));
  }

  /** Maps a value of this parameter to [0, 1]. */
  public double toUnit(double value) {
    return (value - min) / (max - min);
  }
}
