package org.hybridft.controllers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * One parameter of a controller's config, described once for every place that shows, reads,
 * writes or searches it: the command line ({@code --key}), config files ({@code key=value}), help
 * text, documentation tables and the tuner.
 *
 * <p>Declared next to the config record it describes, for example:
 *
 * <pre>{@code
 * ParameterDescriptor.decimal("kp", "kp", Config::kp, DEFAULT_KP)
 *     .unit("ρ per cps").range(">= 0").meaning("proportional gain").searchedIn(0, 1)
 * }</pre>
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

  private ParameterDescriptor(
      String key, String name, ParameterType type, Function<C, ?> getter, Object defaultValue, String unit,
      String range, String meaning, List<String> aliases, @Nullable SearchRange search) {
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
        key, name, ParameterType.DURATION, getter, defaultValue, "duration", "", "", List.of(), null);
  }

  /** A {@code double} parameter; see {@link #duration} for the arguments. */
  public static <C> ParameterDescriptor<C> decimal(
      String key, String name, Function<C, Double> getter, double defaultValue) {
    return new ParameterDescriptor<>(
        key, name, ParameterType.DECIMAL, getter, defaultValue, "", "", "", List.of(), null);
  }

  /** An {@code int} parameter; see {@link #duration} for the arguments. */
  public static <C> ParameterDescriptor<C> integer(
      String key, String name, Function<C, Integer> getter, int defaultValue) {
    return new ParameterDescriptor<>(
        key, name, ParameterType.INTEGER, getter, defaultValue, "", "", "", List.of(), null);
  }

  /** A {@code boolean} switch; see {@link #duration} for the arguments. */
  public static <C> ParameterDescriptor<C> bool(
      String key, String name, Function<C, Boolean> getter, boolean defaultValue) {
    return new ParameterDescriptor<>(
        key, name, ParameterType.BOOLEAN, getter, defaultValue, "", "", "", List.of(), null);
  }

  /** A copy with the unit of a number, such as {@code cps} or {@code periods}. */
  public ParameterDescriptor<C> unit(String unit) {
    return new ParameterDescriptor<>(key, name, type, getter, defaultValue, unit, range, meaning, aliases, search);
  }

  /** A copy with the valid range as the config checks it, such as {@code > 1} or {@code (0, 1)}. */
  public ParameterDescriptor<C> range(String range) {
    return new ParameterDescriptor<>(key, name, type, getter, defaultValue, unit, range, meaning, aliases, search);
  }

  /** A copy with the one-line meaning shown in help text, such as {@code shortest time in one mode}. */
  public ParameterDescriptor<C> meaning(String meaning) {
    return new ParameterDescriptor<>(key, name, type, getter, defaultValue, unit, range, meaning, aliases, search);
  }

  /**
   * A copy that also reads {@code alias}, a deprecated key kept so that older config files and
   * command lines keep working.
   */
  public ParameterDescriptor<C> alias(String alias) {
    List<String> more = new ArrayList<>(aliases);
    more.add(requireKey(alias));
    return new ParameterDescriptor<>(key, name, type, getter, defaultValue, unit, range, meaning, more, search);
  }

  /**
   * A copy the tuner searches between {@code low} and {@code high} (seconds for a duration): a
   * range inside the valid one, around the default. Parameters without one keep their value
   * while tuning, because they state what the user wants rather than how the controller gets
   * there.
   */
  public ParameterDescriptor<C> searchedIn(double low, double high) {
    return new ParameterDescriptor<>(
        key, name, type, getter, defaultValue, unit, range, meaning, aliases, new SearchRange(low, high));
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

  private static String requireKey(String key) {
    Objects.requireNonNull(key, "key");
    if (!key.matches("[a-z][a-z0-9]*(-[a-z0-9]+)*")) {
      throw new IllegalArgumentException(
          "parameter key must be lower case words joined by hyphens (such as min-dwell), was '" + key + "'");
    }
    return key;
  }
}
