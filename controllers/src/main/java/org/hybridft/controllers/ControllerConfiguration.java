package org.hybridft.controllers;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.hybridft.core.ModeController;
import org.jspecify.annotations.Nullable;

/**
 * A registered controller with a validated config and the name tables show it under: what a
 * config file such as {@code tuned-pi.properties} describes.
 *
 * @param label the name in tables, such as {@code pi-tuned}
 * @param descriptor the controller
 * @param config its parameters
 * @param <C> the controller's config type
 */
public record ControllerConfiguration<C>(String label, ControllerDescriptor<C> descriptor, C config) {

  /** The config-file key that names the controller. */
  public static final String CONTROLLER_KEY = "controller";

  /** The config-file key that names the controller in tables. */
  public static final String LABEL_KEY = "name";

  /** Validates the components. */
  public ControllerConfiguration {
    Objects.requireNonNull(label, "label");
    Objects.requireNonNull(descriptor, "descriptor");
    Objects.requireNonNull(config, "config");
    if (label.isBlank()) {
      throw new IllegalArgumentException("label must not be blank");
    }
  }

  /** A new controller in its initial state; each call makes another one. */
  public ModeController create() {
    return descriptor.create(config);
  }

  /** The controller's name in the registry, such as {@code pi}. */
  public String controller() {
    return descriptor.name();
  }

  /**
   * As a config file writes it: {@code controller}, {@code name} and every parameter, which
   * {@link ControllerRegistry#load(Properties)} reads back to an equal value.
   */
  public Map<String, String> toProperties() {
    Map<String, String> properties = new LinkedHashMap<>();
    properties.put(CONTROLLER_KEY, descriptor.name());
    properties.put(LABEL_KEY, label);
    properties.putAll(descriptor.properties(config));
    return properties;
  }

  /**
   * The text of a config file naming the controller, its name and only the parameters {@code
   * keys} (the others keep their defaults when the file is read), one {@code key=value} a line.
   *
   * @param comment a first line saying where the file comes from, or null
   * @throws IllegalArgumentException if a key is none of the controller's parameters
   */
  public String toFileText(Iterable<String> keys, @Nullable String comment) {
    Map<String, String> all = toProperties();
    StringBuilder text = new StringBuilder();
    if (comment != null) {
      text.append("# ").append(comment.replace('\n', ' ')).append('\n');
    }
    text.append(CONTROLLER_KEY).append('=').append(all.get(CONTROLLER_KEY)).append('\n');
    text.append(LABEL_KEY).append('=').append(all.get(LABEL_KEY)).append('\n');
    for (String key : keys) {
      String value = all.get(key);
      if (value == null) {
        throw new IllegalArgumentException(
            "key '" + key + "' is none of " + descriptor.name() + "'s parameters " + descriptor.properties(config).keySet());
      }
      text.append(key).append('=').append(value).append('\n');
    }
    return text.toString();
  }
}
