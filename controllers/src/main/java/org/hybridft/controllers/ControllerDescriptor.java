package org.hybridft.controllers;

import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.hybridft.core.ModeController;
import org.jspecify.annotations.Nullable;

/**
 * A controller as the {@link ControllerRegistry} knows it: its name, its config's parameters, how
 * a config is made from text (config files, the command line) and written back, and how a
 * controller is made from a config.
 *
 * <p>A controller declares its descriptor once, in its own class; {@link
 * ThresholdController#DESCRIPTOR} is the model:
 *
 * <pre>{@code
 * public static final ControllerDescriptor<ThresholdConfig> DESCRIPTOR =
 *     ControllerDescriptor.ofRecord("threshold", "the research's α/β threshold hybrid", ThresholdConfig.class,
 *         ThresholdConfig.PARAMETERS, ThresholdController::new);
 * }</pre>
 *
 * <p>The config is made by the config record's own constructor, so text values are validated
 * exactly as the builder validates them, with the same messages.
 *
 * @param <C> the controller's config type
 */
public final class ControllerDescriptor<C> {

  /**
   * The typed values of a controller's parameters, each the given one or its default, by the
   * config record's component name; what a descriptor's config factory builds the config from.
   */
  public static final class Values {
    private final Map<String, ? extends @Nullable Object> byName;

    Values(Map<String, ? extends @Nullable Object> byName) {
      this.byName = byName;
    }

    /** The duration parameter {@code name}; null only if a builder was given null. */
    public Duration duration(String name) {
      return (Duration) get(name);
    }

    /** The {@code double} parameter {@code name}. */
    public double decimal(String name) {
      return (Double) get(name);
    }

    /** The {@code int} parameter {@code name}. */
    public int integer(String name) {
      return (Integer) get(name);
    }

    Object get(String name) {
      if (!byName.containsKey(name)) {
        throw new IllegalStateException("no parameter named " + name + " (declared: " + byName.keySet() + ")");
      }
      return byName.get(name);
    }
  }

  private final String name;
  private final String summary;
  private final List<ParameterDescriptor<C>> parameters;
  private final Function<Values, C> configFactory;
  private final Function<? super C, ? extends ModeController> controllerFactory;

  private ControllerDescriptor(
      String name, String summary, List<ParameterDescriptor<C>> parameters, Function<Values, C> configFactory,
      Function<? super C, ? extends ModeController> controllerFactory) {
    if (!Objects.requireNonNull(name, "name").matches("[a-z][a-z0-9-]*")) {
      throw new IllegalArgumentException("controller name must be lower case, such as pi, was '" + name + "'");
    }
    this.name = name;
    this.summary = Objects.requireNonNull(summary, "summary");
    this.parameters = List.copyOf(parameters);
    this.configFactory = Objects.requireNonNull(configFactory, "configFactory");
    this.controllerFactory = Objects.requireNonNull(controllerFactory, "controllerFactory");
    Set<String> keys = new HashSet<>();
    for (ParameterDescriptor<C> parameter : this.parameters) {
      for (String key : keysOf(parameter)) {
        if (!keys.add(key)) {
          throw new IllegalArgumentException(name + " declares the parameter key '" + key + "' twice");
        }
      }
    }
  }

  /**
   * Describes a controller.
   *
   * @param name its name in the registry, on the command line and in config files ({@code
   *     controller=name}): lower case
   * @param summary what it does, in one line
   * @param parameters its config's parameters, in the order help and config files list them
   * @param configFactory makes a validated config from the parameters' values (the config
   *     record's constructor)
   * @param controllerFactory makes a new controller in its initial state from a config
   * @throws IllegalArgumentException for a name that is not lower case or a key declared twice
   */
  public static <C> ControllerDescriptor<C> of(
      String name, String summary, List<ParameterDescriptor<C>> parameters, Function<Values, C> configFactory,
      Function<? super C, ? extends ModeController> controllerFactory) {
    return new ControllerDescriptor<>(name, summary, parameters, configFactory, controllerFactory);
  }

  /**
   * Describes a controller whose config is a record: each record component is made from the
   * parameter of the same name, through the record's canonical constructor (public, in a package
   * this module can read), which validates. {@link ThresholdController#DESCRIPTOR} is the model.
   *
   * @throws IllegalArgumentException as {@link #of}, or unless the record's components and the
   *     parameters have the same names and matching types
   */
  public static <C extends Record> ControllerDescriptor<C> ofRecord(
      String name, String summary, Class<C> config, List<ParameterDescriptor<C>> parameters,
      Function<? super C, ? extends ModeController> controllerFactory) {
    return of(name, summary, parameters, RecordFactory.of(config, parameters), controllerFactory);
  }

  /** The controller's name, such as {@code pi}. */
  public String name() {
    return name;
  }

  /** What the controller does, in one line. */
  public String summary() {
    return summary;
  }

  /** The config's parameters, in declaration order. */
  public List<ParameterDescriptor<C>> parameters() {
    return parameters;
  }

  /** The parameter read under {@code key} (its own key or a deprecated alias), if any. */
  public Optional<ParameterDescriptor<C>> parameter(String key) {
    for (ParameterDescriptor<C> parameter : parameters) {
      if (keysOf(parameter).contains(key)) {
        return Optional.of(parameter);
      }
    }
    return Optional.empty();
  }

  /** The config with every parameter at its default. */
  public C defaults() {
    return config(Map.of());
  }

  /**
   * A config from text values keyed as config files key them ({@code min-dwell=2s}); parameters
   * left out keep their defaults.
   *
   * @throws IllegalArgumentException for a key this controller does not read (naming the ones it
   *     does), a key given twice through an alias, text that is not a value of the parameter's
   *     type, or a value the config refuses (with the builder's message)
   */
  public C config(Map<String, String> values) {
    Map<String, Object> byName = new LinkedHashMap<>();
    Map<String, String> givenAs = new LinkedHashMap<>();
    for (Map.Entry<String, String> entry : values.entrySet()) {
      String key = entry.getKey().strip().toLowerCase(Locale.ROOT);
      ParameterDescriptor<C> parameter =
          parameter(key)
              .orElseThrow(
                  () -> new IllegalArgumentException(
                      "controller " + name + " has no parameter '" + entry.getKey() + "' (it reads: "
                          + String.join(", ", parameters.stream().map(ParameterDescriptor::key).toList()) + ")"));
      String previous = givenAs.put(parameter.name(), key);
      if (previous != null) {
        throw new IllegalArgumentException(
            "give " + parameter.key() + " once, was given as " + previous + " and " + key);
      }
      byName.put(parameter.name(), parameter.parse(Objects.requireNonNull(entry.getValue(), key)));
    }
    for (ParameterDescriptor<C> parameter : parameters) {
      byName.putIfAbsent(parameter.name(), parameter.defaultValue());
    }
    return Objects.requireNonNull(configFactory.apply(new Values(byName)), "config factory of " + name);
  }

  /**
   * Every parameter of {@code config} as text that {@link #config(Map)} reads back to an equal
   * config, keyed by the parameters' keys, in declaration order.
   */
  public Map<String, String> properties(C config) {
    Map<String, String> properties = new LinkedHashMap<>();
    for (ParameterDescriptor<C> parameter : parameters) {
      properties.put(parameter.key(), parameter.format(parameter.valueIn(config)));
    }
    return properties;
  }

  /** A new controller in its initial state. */
  public ModeController create(C config) {
    return Objects.requireNonNull(
        controllerFactory.apply(Objects.requireNonNull(config, "config")), "controller factory of " + name);
  }

  /** A new controller with every parameter at its default. */
  public ModeController createDefault() {
    return create(defaults());
  }

  /**
   * The controller with {@code values} as {@link #config(Map)} reads them, named {@code label} in
   * tables.
   *
   * @throws IllegalArgumentException as {@link #config(Map)}
   */
  public ControllerConfiguration<C> configured(String label, Map<String, String> values) {
    return new ControllerConfiguration<>(label, this, config(values));
  }

  @Override
  public String toString() {
    return "ControllerDescriptor[" + name + ", " + parameters + "]";
  }

  private static List<String> keysOf(ParameterDescriptor<?> parameter) {
    if (parameter.aliases().isEmpty()) {
      return List.of(parameter.key());
    }
    return java.util.stream.Stream.concat(java.util.stream.Stream.of(parameter.key()), parameter.aliases().stream())
        .toList();
  }
}
