package org.hybridft.controllers;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.hybridft.core.ModeController;

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
}
