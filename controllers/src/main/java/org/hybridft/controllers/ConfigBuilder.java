package org.hybridft.controllers;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The base of the configs' builders: the values by parameter name, starting from the
 * parameters' defaults or from a config, built by the same factory as the {@link
 * ControllerDescriptor}'s, so that a builder and a config file validate alike. A config's builder
 * adds only its named setters ({@code alpha(2.0)}), each a call of {@link #set}.
 *
 * @param <C> the config type
 * @param <B> the builder type, returned by the setters
 */
public abstract class ConfigBuilder<C extends Record, B extends ConfigBuilder<C, B>> {
  private final Function<ControllerDescriptor.Values, C> factory;
  private final Map<String, @Nullable Object> values = new LinkedHashMap<>();

  /**
   * A builder of the given parameters.
   *
   * @param config the config record, built by its canonical constructor
   * @param parameters the config's parameters, whose defaults it starts from
   * @param from the config to start from instead of the defaults, or null
   */
  protected ConfigBuilder(Class<C> config, List<ParameterDescriptor<C>> parameters, @Nullable C from) {
    this.factory = RecordFactory.of(config, parameters);
    for (ParameterDescriptor<C> parameter : parameters) {
      values.put(parameter.name(), from == null ? parameter.defaultValue() : parameter.valueIn(from));
    }
  }

  /**
   * Sets the parameter {@code name}; the value is validated by {@link #build()}.
   *
   * @throws IllegalStateException if the config has no such parameter (a bug of the builder)
   */
  protected final B set(String name, @Nullable Object value) {
    if (!values.containsKey(name)) {
      throw new IllegalStateException("no parameter named " + name + " (declared: " + values.keySet() + ")");
    }
    values.put(name, value);
    @SuppressWarnings("unchecked")
    B self = (B) this;
    return self;
  }

  /**
   * Validates and builds.
   *
   * @throws IllegalArgumentException naming the first parameter out of range
   * @throws NullPointerException naming a parameter set to null
   */
  public C build() {
    return factory.apply(new ControllerDescriptor.Values(values));
  }
}
