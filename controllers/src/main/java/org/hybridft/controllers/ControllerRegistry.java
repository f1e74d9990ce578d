package org.hybridft.controllers;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.ServiceLoader;
import org.hybridft.core.ModeController;
import org.jspecify.annotations.Nullable;

/**
 * The controllers by name, each described once by a {@link ControllerDescriptor}: what the
 * {@code hybrid-ft} command's options, help, config files and tuner are derived from, and how an
 * embedder reads a config file without the command:
 *
 * <pre>{@code
 * ControllerConfiguration<?> tuned = ControllerRegistry.builtIn().load(Path.of("tuned-pi.properties"));
 * ModeController controller = tuned.create();
 * }</pre>
 *
 * <p>A config file is a properties file: {@code controller} names the controller, {@code name}
 * is the name in tables (default {@code <controller>-tuned}), every other key is one of the
 * controller's {@linkplain ParameterDescriptor#key() parameter keys}.
 *
 * <p>Immutable; {@link #with} returns a new registry.
 */
public final class ControllerRegistry {
  private static final ControllerRegistry BUILT_IN =
      new ControllerRegistry(List.of())
          .with(StaticController.CHECKPOINT)
          .with(StaticController.COLO)
          .with(ThresholdController.DESCRIPTOR)
          .with(PiController.DESCRIPTOR)
          .with(OrbitHybridController.DESCRIPTOR)
          .with(LearningController.DESCRIPTOR);

  private final List<ControllerDescriptor<?>> descriptors;

  private ControllerRegistry(List<ControllerDescriptor<?>> descriptors) {
    this.descriptors = List.copyOf(descriptors);
  }

  /**
   * The controllers of this library: {@code checkpoint}, {@code colo}, {@code threshold}, {@code
   * pi}, {@code orbit} and {@code learning}, in that order.
   */
  public static ControllerRegistry builtIn() {
    return BUILT_IN;
  }

  /**
   * The built-in controllers and, after them, every {@link ControllerProvider} the {@link
   * ServiceLoader} finds, in its order.
   *
   * @throws IllegalArgumentException if a provided controller takes a name already registered
   */
  public static ControllerRegistry installed() {
    ControllerRegistry registry = BUILT_IN;
    for (ControllerProvider provider : ServiceLoader.load(ControllerProvider.class)) {
      registry = registry.with(provider.descriptor());
    }
    return registry;
  }

  /**
   * This registry and {@code descriptor}.
   *
   * @throws IllegalArgumentException if its name is taken
   */
  public ControllerRegistry with(ControllerDescriptor<?> descriptor) {
    Objects.requireNonNull(descriptor, "descriptor");
    if (find(descriptor.name()) != null) {
      throw new IllegalArgumentException("a controller named '" + descriptor.name() + "' is already registered");
    }
    List<ControllerDescriptor<?>> more = new ArrayList<>(descriptors);
    more.add(descriptor);
    return new ControllerRegistry(more);
  }

  /** Every controller, in registration order. */
  public List<ControllerDescriptor<?>> descriptors() {
    return descriptors;
  }

  /** Every controller's name, in registration order. */
  public List<String> names() {
    return descriptors.stream().map(ControllerDescriptor::name).toList();
  }

  /** Every parameter key and alias of every controller, in registration order, each once. */
  public List<String> parameterKeys() {
    List<String> keys = new ArrayList<>();
    for (ControllerDescriptor<?> descriptor : descriptors) {
      for (ParameterDescriptor<?> parameter : descriptor.parameters()) {
        if (!keys.contains(parameter.key())) {
          keys.add(parameter.key());
        }
        for (String alias : parameter.aliases()) {
          if (!keys.contains(alias)) {
            keys.add(alias);
          }
        }
      }
    }
    return keys;
  }

  /** The controllers that read {@code key} as a parameter key or alias, in registration order. */
  public List<ControllerDescriptor<?>> readers(String key) {
    return descriptors.stream().filter(d -> d.parameter(key).isPresent()).toList();
  }

  /**
   * What the parameter {@code key} is, for help and docs: the controllers that read it, what it
   * means (each different meaning named with its controllers), its unit and range, and its
   * defaults, such as {@code threshold: stretch factor after bad COLO, > 1 (default 2.0)}.
   *
   * @throws IllegalArgumentException if no controller reads {@code key}
   */
  public String describe(String key) {
    List<ControllerDescriptor<?>> readers = readers(key);
    if (readers.isEmpty()) {
      throw new IllegalArgumentException("no controller reads '" + key + "' (known: " + parameterKeys() + ")");
    }
    String names = String.join(", ", readers.stream().map(ControllerDescriptor::name).toList());
    Map<String, List<String>> byDefault = new LinkedHashMap<>();
    for (ControllerDescriptor<?> reader : readers) {
      ParameterDescriptor<?> parameter = reader.parameter(key).orElseThrow();
      byDefault.computeIfAbsent(parameter.formattedDefault(), d -> new ArrayList<>()).add(reader.name());
    }
    List<String> defaults = new ArrayList<>();
    byDefault.forEach(
        (value, controllers) ->
            defaults.add(defaults.isEmpty() || byDefault.size() == 1 ? value : String.join(", ", controllers) + " " + value));
    // Controllers that share a key may give it different meanings (PI's early exit is relative to
    // its set point, learning's to checkpoint mode's cost): each different one is named.
    Map<String, List<String>> byMeaning = new LinkedHashMap<>();
    for (ControllerDescriptor<?> reader : readers) {
      byMeaning.computeIfAbsent(meaning(reader.parameter(key).orElseThrow()), m -> new ArrayList<>())
          .add(reader.name());
    }
    String meanings = byMeaning.size() == 1
        ? names + ": " + byMeaning.keySet().iterator().next()
        : String.join("; ", byMeaning.entrySet().stream()
            .map(entry -> String.join(", ", entry.getValue()) + ": " + entry.getKey()).toList());
    return meanings + " (default " + String.join("; ", defaults) + ")";
  }

  /** What a parameter means, with its unit and range: {@code a COLO period ... [x set-point], >= 1}. */
  private static String meaning(ParameterDescriptor<?> parameter) {
    String unit = parameter.unit().isEmpty() || parameter.type() == ParameterType.DURATION
        ? "" : " [" + parameter.unit() + "]";
    String range = parameter.range().isEmpty() ? "" : ", " + parameter.range();
    return parameter.meaning() + unit + range;
  }

  /**
   * The controller named {@code name} (case and surrounding blanks ignored).
   *
   * @throws IllegalArgumentException naming the known controllers if there is none
   */
  public ControllerDescriptor<?> descriptor(String name) {
    ControllerDescriptor<?> descriptor = find(name);
    if (descriptor == null) {
      throw new IllegalArgumentException(
          "unknown controller '" + name + "' (known: " + String.join(", ", names()) + ")");
    }
    return descriptor;
  }

  /**
   * A new controller named {@code name} with {@code parameters} (config-file keys to text values;
   * the others at their defaults).
   *
   * @throws IllegalArgumentException for an unknown controller or as {@link
   *     ControllerDescriptor#config(Map)}
   */
  public ModeController create(String name, Map<String, String> parameters) {
    return configured(name, name, parameters).create();
  }

  /**
   * The controller named {@code name} with {@code parameters}, shown as {@code label}.
   *
   * @throws IllegalArgumentException for an unknown controller or as {@link
   *     ControllerDescriptor#config(Map)}
   */
  public ControllerConfiguration<?> configured(String name, String label, Map<String, String> parameters) {
    return descriptor(name).configured(label, parameters);
  }

  /**
   * The controller a config file's properties describe.
   *
   * @throws IllegalArgumentException if {@code controller} is missing or unknown, or as {@link
   *     ControllerDescriptor#config(Map)}
   */
  public ControllerConfiguration<?> load(Properties properties) {
    String controller = properties.getProperty(ControllerConfiguration.CONTROLLER_KEY);
    if (controller == null || controller.isBlank()) {
      throw new IllegalArgumentException("no 'controller' key (e.g. controller=pi)");
    }
    controller = controller.strip().toLowerCase(Locale.ROOT);
    String label = properties.getProperty(ControllerConfiguration.LABEL_KEY, controller + "-tuned").strip();
    Map<String, String> parameters = new LinkedHashMap<>();
    for (String key : properties.stringPropertyNames()) {
      if (!key.equals(ControllerConfiguration.CONTROLLER_KEY) && !key.equals(ControllerConfiguration.LABEL_KEY)) {
        parameters.put(key, properties.getProperty(key).strip());
      }
    }
    return configured(controller, label, parameters);
  }

  /**
   * The controller a config file describes.
   *
   * @throws IOException if the file cannot be read
   * @throws IllegalArgumentException as {@link #load(Properties)}, or for a malformed file
   */
  public ControllerConfiguration<?> load(Path file) throws IOException {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      properties.load(reader);
    }
    return load(properties);
  }

  private @Nullable ControllerDescriptor<?> find(String name) {
    String key = name.strip().toLowerCase(Locale.ROOT);
    for (ControllerDescriptor<?> descriptor : descriptors) {
      if (descriptor.name().equals(key)) {
        return descriptor;
      }
    }
    return null;
  }
}
