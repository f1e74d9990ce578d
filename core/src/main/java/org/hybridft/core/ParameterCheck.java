package org.hybridft.core;

import java.time.Duration;
import java.util.Objects;

/**
 * Argument checks shared by hybrid-ft's configurations, so that every invalid value fails with a
 * message of one shape: {@code "<parameter> must be <allowed range>, was <value>"}.
 *
 * <p>Public so that users who write their own {@link ModeController} can validate their configs
 * the same way.
 */
public final class ParameterCheck {
  private ParameterCheck() {}

  /**
   * Requires a finite value in the closed range {@code [min, max]}.
   *
   * @return the value
   * @throws IllegalArgumentException naming the parameter, the range and the value
   */
  public static double inRange(String parameter, double value, double min, double max) {
    if (!(value >= min && value <= max)) {
      throw new IllegalArgumentException(
          parameter + " must be in [" + min + ", " + max + "], was " + value);
    }
    return value;
  }

  /** Requires a finite value strictly greater than {@code bound}. */
  public static double greaterThan(String parameter, double value, double bound) {
    if (!(value > bound) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(
          parameter + " must be finite and > " + bound + ", was " + value);
    }
    return value;
  }

  /** Requires a finite value {@code >= bound}. */
  public static double atLeast(String parameter, double value, double bound) {
    if (!(value >= bound) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(
          parameter + " must be finite and >= " + bound + ", was " + value);
    }
    return value;
  }

  /**
   * Requires a value {@code >= bound}, or {@code Double.POSITIVE_INFINITY} for a factor whose
   * infinite value switches its rule off.
   */
  public static double atLeastOrOff(String parameter, double value, double bound) {
    if (!(value >= bound)) {
      throw new IllegalArgumentException(
          parameter + " must be >= " + bound + ", or Infinity (off), was " + value);
    }
    return value;
  }

  /** Requires a finite value strictly inside the open interval {@code (low, high)}. */
  public static double openRange(String parameter, double value, double low, double high) {
    if (!(value > low && value < high)) {
      throw new IllegalArgumentException(
          parameter + " must be in (" + low + ", " + high + "), was " + value);
    }
    return value;
  }

  /** Requires a value in the half-open interval {@code (low, high]}. */
  public static double halfOpenRange(String parameter, double value, double low, double high) {
    if (!(value > low && value <= high)) {
      throw new IllegalArgumentException(
          parameter + " must be in (" + low + ", " + high + "], was " + value);
    }
    return value;
  }

  /** Requires an integer {@code >= bound}. */
  public static int atLeast(String parameter, int value, int bound) {
    if (value < bound) {
      throw new IllegalArgumentException(parameter + " must be >= " + bound + ", was " + value);
    }
    return value;
  }

  /**
   * The longest duration any parameter may take: ten years, so that durations and sums of two of
   * them still fit in a {@code long} of nanoseconds.
   */
  public static final Duration MAX_DURATION = Duration.ofDays(3650);

  /** Requires a non-null duration in {@code (0, MAX_DURATION]}. */
  public static Duration positive(String parameter, Duration value) {
    Objects.requireNonNull(value, parameter);
    if (value.isNegative() || value.isZero() || value.compareTo(MAX_DURATION) > 0) {
      throw new IllegalArgumentException(
          parameter + " must be > 0 and at most " + MAX_DURATION + ", was " + value);
    }
    return value;
  }

  /** Requires a non-null duration in {@code [0, MAX_DURATION]}. */
  public static Duration nonNegative(String parameter, Duration value) {
    Objects.requireNonNull(value, parameter);
    if (value.isNegative() || value.compareTo(MAX_DURATION) > 0) {
      throw new IllegalArgumentException(
          parameter + " must be >= 0 and at most " + MAX_DURATION + ", was " + value);
    }
    return value;
  }

  /** Requires a strictly positive number of nanoseconds. */
  public static long positiveNanos(String parameter, long nanos) {
    if (nanos <= 0) {
      throw new IllegalArgumentException(parameter + " must be > 0 ns, was " + nanos + " ns");
    }
    return nanos;
  }

  /** Requires {@code low <= high} for two durations that bound a range. */
  public static void ordered(String lowName, Duration low, String highName, Duration high) {
    if (low.compareTo(high) > 0) {
      throw new IllegalArgumentException(
          lowName + " (" + low + ") must be <= " + highName + " (" + high + ")");
    }
  }
}
