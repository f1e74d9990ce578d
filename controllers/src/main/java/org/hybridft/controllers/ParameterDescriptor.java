package org.hybridft.controllers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.hybridft.core.ParameterCheck;
import org.jspecify.annotations.Nullable;

/**
 * One parameter of a controller's config, described once for every place that shows, reads,
 * writes or searches it: the command line ({@code --key}), config files ({@code key=value}), help
 * text, documentation tables and the tuner.
 *
 * <p>Declared next to the config record it describes, for example:
 *
 * <pre>{@code
 * ParameterDescriptor.decimal("kp", "kp", PiConfig::kp, DEFAULT_KP)
 *     .unit("ρ per cps").atLeast(0).meaning("proportional gain").searchedIn(0, 1)
 * }</pre>
 *
 * <p>The check ({@link #atLeast}, {@link #positive()}, ...) is the one declaration of the valid
 * range: the config's constructor applies it through {@link #validate}, help text shows it as
 * {@link #range()}, and the default and the tuner's {@linkplain #searchedIn search range} must
 * lie inside it (else declaring the parameter fails).
 *
 * <p>Immutable: each {@code unit}, {@code range}, ... returns a copy.
 *
 * @param <C> the config record the parameter belongs to
 */
public final class ParameterDescriptor<C> {
  /**
   * The interval the tuner searches, in the type's number ({@link ParameterType#DURATION} in
   * seconds).
   *
   * @param low the lowest value searched
   * @param high the highest value searched, {@code >= low}
   */
  public record SearchRange(double low, double high) {
    /** Validates the bounds. */
    public SearchRange {
      if (!(low <= high) || Double.isInfinite(low) || Double.isInfinite(high)) {
        throw new IllegalArgumentException("search range must be finite with low <= high, was [" + low + ", " + high + "]");
      }
    }
  }

  private final String key;
  private final String name;
  private final ParameterType type;
  private final Function<C, ?> getter;
  private final Object defaultValue;
  private final String unit;
  private final String range;
  private final String meaning;
  private final List<String> aliases;
  private final @Nullable SearchRange search;
  private final @Nullable Check check;

  /** Refuses a value out of range, naming the parameter: one of {@link ParameterCheck}'s checks. */
  @FunctionalInterface
  private interface Check {
    void accept(String name, Object value);
  }

  private ParameterDescriptor(
      String key, String name, ParameterType type, Function<C, ?> getter, Object defaultValue, String unit,
      String range, String meaning, List<String> aliases, @Nullable SearchRange search, @Nullable Check check) {
    this.key = requireKey(key);
    this.name = Objects.requireNonNull(name, "name");
    this.type = type;
    this.getter = Objects.requireNonNull(getter, "getter");
    this.defaultValue = Objects.requireNonNull(defaultValue, "defaultValue");
    this.unit = Objects.requireNonNull(unit, "unit");
    this.range = Objects.requireNonNull(range, "range");
    this.meaning = Objects.requireNonNull(meaning, "meaning");
    this.aliases = List.copyOf(aliases);
    this.search = search;
    this.check = check;
    if (check != null) {
      requireValid("default", defaultValue);
      if (search != null) {
        requireValid("tuner's search range", type.fromNumber(search.low()));
        requireValid("tuner's search range", type.fromNumber(search.high()));
      }
    }
  }

  private ParameterDescriptor<C> copy(
      String unit, String range, String meaning, List<String> aliases, @Nullable SearchRange search,
      @Nullable Check check) {
    return new ParameterDescriptor<>(key, name, type, getter, defaultValue, unit, range, meaning, aliases, search, check);
  }

  /**
   * A duration parameter.
   *
   * @param key its config-file key and command-line option without dashes, such as {@code
   *     colo-window}: lower case words joined by hyphens
   * @param name the config record's component, such as {@code coloWindow}; validation messages
   *     name it
   * @param getter reads the value from a config
   * @param defaultValue the builder's default
   */
  public static <C> ParameterDescriptor<C> duration(
      String key, String name, Function<C, Duration> getter, Duration defaultValue) {
    return new ParameterDescriptor<>(
        key, name, ParameterType.DURATION, getter, defaultValue, "duration", "", "", List.of(), null, null);
  }

  /** A {@code double} parameter; see {@link #duration} for the arguments. */
  public static <C> ParameterDescriptor<C> decimal(
      String key, String name, Function<C, Double> getter, double defaultValue) {
    return new ParameterDescriptor<>(
        key, name, ParameterType.DECIMAL, getter, defaultValue, "", "", "", List.of(), null, null);
  }

  /** An {@code int} parameter; see {@link #duration} for the arguments. */
  public static <C> ParameterDescriptor<C> integer(
      String key, String name, Function<C, Integer> getter, int defaultValue) {
    return new ParameterDescriptor<>(
        key, name, ParameterType.INTEGER, getter, defaultValue, "", "", "", List.of(), null, null);
  }

  /** A {@code boolean} switch; see {@link #duration} for the arguments. */
  public static <C> ParameterDescriptor<C> bool(
      String key, String name, Function<C, Boolean> getter, boolean defaultValue) {
    return new ParameterDescriptor<>(
        key, name, ParameterType.BOOLEAN, getter, defaultValue, "", "", "", List.of(), null, null);
  }

  /** A copy with the unit of a number, such as {@code cps} or {@code periods}. */
  public ParameterDescriptor<C> unit(String unit) {
    return copy(unit, range, meaning, aliases, search, check);
  }

  /**
   * A copy that shows {@code range} as the valid range without checking it: for a range that
   * depends on other parameters, such as {@code >= min-stretch}, which the config's constructor
   * checks. A check set before ({@link #positive()}, ...) is kept.
   */
  public ParameterDescriptor<C> range(String range) {
    return copy(unit, range, meaning, aliases, search, check);
  }

  /**
   * A copy that refuses a value that is not finite and greater than {@code bound}; shown as
   * {@code > bound}. For a decimal.
   */
  public ParameterDescriptor<C> greaterThan(double bound) {
    requireType(ParameterType.DECIMAL, "greaterThan");
    return checked("> " + number(bound), (n, value) -> ParameterCheck.greaterThan(n, (Double) value, bound));
  }

  /**
   * A copy that refuses a value below {@code bound} (and, for a decimal, an infinite one); shown as
   * {@code >= bound}. For a decimal or a whole number (then {@code bound} is whole).
   */
  public ParameterDescriptor<C> atLeast(double bound) {
    if (type == ParameterType.INTEGER) {
      if (bound != Math.rint(bound) || Math.abs(bound) > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(name + " is a whole number: its bound must be one, was " + bound);
      }
      int whole = (int) bound;
      return checked(">= " + whole, (n, value) -> ParameterCheck.atLeast(n, (Integer) value, whole));
    }
    requireType(ParameterType.DECIMAL, "atLeast");
    return checked(">= " + number(bound), (n, value) -> ParameterCheck.atLeast(n, (Double) value, bound));
  }

  /**
   * A copy that refuses a value below {@code bound} but takes {@code Infinity}, which turns the
   * parameter's rule off; shown as {@code >= bound, or Infinity (off)}. For a decimal.
   */
  public ParameterDescriptor<C> atLeastOrOff(double bound) {
    requireType(ParameterType.DECIMAL, "atLeastOrOff");
    return checked(
        ">= " + number(bound) + ", or Infinity (off)",
        (n, value) -> ParameterCheck.atLeastOrOff(n, (Double) value, bound));
  }

  /** A copy that refuses a value outside the open interval; shown as {@code in (low, high)}. For a decimal. */
  public ParameterDescriptor<C> inOpenRange(double low, double high) {
    requireType(ParameterType.DECIMAL, "inOpenRange");
    return checked(
        "in (" + number(low) + ", " + number(high) + ")",
        (n, value) -> ParameterCheck.openRange(n, (Double) value, low, high));
  }

  /** A copy that refuses a value outside {@code (low, high]}; shown as {@code in (low, high]}. For a decimal. */
  public ParameterDescriptor<C> inHalfOpenRange(double low, double high) {
    requireType(ParameterType.DECIMAL, "inHalfOpenRange");
    return checked(
        "in (" + number(low) + ", " + number(high) + "]",
        (n, value) -> ParameterCheck.halfOpenRange(n, (Double) value, low, high));
  }

  /**
   * A copy that refuses a duration that is not above zero (or above {@link
   * ParameterCheck#MAX_DURATION}); shown as {@code > 0}.
   */
  public ParameterDescriptor<C> positive() {
    requireType(ParameterType.DURATION, "positive");
    return checked("> 0", (n, value) -> ParameterCheck.positive(n, (Duration) value));
  }

  /**
   * A copy that refuses a negative duration (or one above {@link ParameterCheck#MAX_DURATION});
   * shown as {@code >= 0}.
   */
  public ParameterDescriptor<C> nonNegative() {
    requireType(ParameterType.DURATION, "nonNegative");
    return checked(">= 0", (n, value) -> ParameterCheck.nonNegative(n, (Duration) value));
  }

  /**
   * A copy whose shown range also says that {@code value} turns the parameter's rule off, such as
   * {@code >= 1 (1 = off)}; the check stays as it was.
   */
  public ParameterDescriptor<C> offAt(double value) {
    return copy(unit, range + " (" + number(value) + " = off)", meaning, aliases, search, check);
  }

  /** A copy with the one-line meaning shown in help text, such as {@code shortest time in one mode}. */
  public ParameterDescriptor<C> meaning(String meaning) {
    return copy(unit, range, meaning, aliases, search, check);
  }

  /**
   * A copy that also reads {@code alias}, a deprecated key kept so that older config files and
   * command lines keep working.
   */
  public ParameterDescriptor<C> alias(String alias) {
    List<String> more = new ArrayList<>(aliases);
    more.add(requireKey(alias));
    return copy(unit, range, meaning, more, search, check);
  }

  /**
   * A copy the tuner searches between {@code low} and {@code high} (seconds for a duration): a
   * range inside the valid one, around the default. Parameters without one keep their value
   * while tuning, because they state what the user wants rather than how the controller gets
   * there.
   *
   * @throws IllegalArgumentException if {@code low} or {@code high} is a value the parameter's
   *     check refuses
   */
  public ParameterDescriptor<C> searchedIn(double low, double high) {
    return copy(unit, range, meaning, aliases, new SearchRange(low, high), check);
  }

  /** The config-file key, also the command-line option without its leading dashes. */
  public String key() {
    return key;
  }

  /** The config record's component and builder method; validation messages name it. */
  public String name() {
    return name;
  }

  /** The value's type. */
  public ParameterType type() {
    return type;
  }

  /** The unit of a number ({@code cps}, {@code periods}), {@code duration} for durations, or empty. */
  public String unit() {
    return unit;
  }

  /** The builder's default: a {@link Duration}, {@link Double} or {@link Integer}. */
  public Object defaultValue() {
    return defaultValue;
  }

  /** The valid range as the config checks it, such as {@code > 1}; empty if any value is valid. */
  public String range() {
    return range;
  }

  /** What the parameter means, in one line. */
  public String meaning() {
    return meaning;
  }

  /** Deprecated keys that are read as this one. */
  public List<String> aliases() {
    return aliases;
  }

  /** The interval the tuner searches, or null if the tuner leaves the parameter alone. */
  public @Nullable SearchRange searchRange() {
    return search;
  }

  /**
   * Checks {@code value} as the parameter's range says; a parameter without a check takes any
   * value but null.
   *
   * @throws IllegalArgumentException naming the parameter, the allowed range and the value
   * @throws NullPointerException naming the parameter if the value is null
   */
  public void check(@Nullable Object value) {
    Objects.requireNonNull(value, name);
    if (check != null) {
      check.accept(name, value);
    }
  }

  /**
   * Checks each value against the parameter at the same position: what a config record's compact
   * constructor calls with its components, in the order of its parameters, such as {@code
   * ParameterDescriptor.validate(PARAMETERS, limitCps, checkpointPeriod)}.
   *
   * @throws IllegalArgumentException naming the first parameter out of range, or if the values
   *     do not match the parameters in number and type
   * @throws NullPointerException naming the first parameter that is null
   */
  public static <C> void validate(List<ParameterDescriptor<C>> parameters, @Nullable Object... values) {
    if (values.length != parameters.size()) {
      throw new IllegalArgumentException(
          values.length + " values for the " + parameters.size() + " parameters "
              + parameters.stream().map(ParameterDescriptor::name).toList());
    }
    for (int i = 0; i < values.length; i++) {
      ParameterDescriptor<C> parameter = parameters.get(i);
      Object value = values[i];
      if (value != null && !parameter.type.javaType().isInstance(value)) {
        throw new IllegalArgumentException(
            value.getClass().getSimpleName() + " given for the " + parameter.type + " parameter " + parameter.name
                + " (value " + i + ")");
      }
      parameter.check(value);
    }
  }

  /** The parameter's value in {@code config}. */
  public Object valueIn(C config) {
    return Objects.requireNonNull(getter.apply(config), name);
  }

  /**
   * Reads a value from its text as config files and the command line write it.
   *
   * @throws IllegalArgumentException naming the key and quoting the text
   */
  public Object parse(String text) {
    try {
      return type.parse(text);
    } catch (IllegalArgumentException invalid) {
      throw new IllegalArgumentException(key + ": " + invalid.getMessage(), invalid);
    }
  }

  /** Writes a value of this parameter so that {@link #parse} reads it back equal. */
  public String format(Object value) {
    return type.format(value);
  }

  /** The default as config files write it, such as {@code 500ms}. */
  public String formattedDefault() {
    return format(defaultValue);
  }

  @Override
  public String toString() {
    return key + " (" + name + ", default " + formattedDefault() + ")";
  }

  private ParameterDescriptor<C> checked(String shownRange, Check newCheck) {
    return copy(unit, shownRange, meaning, aliases, search, newCheck);
  }

  private void requireType(ParameterType expected, String check) {
    if (type != expected) {
      throw new IllegalArgumentException(check + " is a check of a " + expected + ", " + name + " is a " + type);
    }
  }

  private void requireValid(String what, Object value) {
    try {
      check(value);
    } catch (IllegalArgumentException outOfRange) {
      throw new IllegalArgumentException(
          "the " + what + " of " + name + " must lie in its valid range " + range + ": " + outOfRange.getMessage(),
          outOfRange);
    }
  }

  /** A bound as a range shows it: {@code 1} for 1.0, {@code 0.5} as it is. */
  private static String number(double bound) {
    return bound == Math.rint(bound) && Math.abs(bound) < 1e15 ? Long.toString((long) bound) : Double.toString(bound);
  }

  private static String requireKey(String key) {
    Objects.requireNonNull(key, "key");
    if (!key.matches("[a-z][a-z0-9]*(-[a-z0-9]+)*")) {
      throw new IllegalArgumentException(
          "parameter key must be lower case words joined by hyphens (such as min-dwell), was '" + key + "'");
    }
    return key;
  }
}
