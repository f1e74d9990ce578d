package org.hybridft.controllers;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Makes a config record from parameter values through its canonical constructor, matching the
 * record's components to the parameters by name: the record's constructor stays the one place that
 * validates, and the parameters need not be listed again in a hand-written factory.
 */
final class RecordFactory {
  private static final Map<Class<?>, ParameterType> TYPES =
      Map.of(Duration.class, ParameterType.DURATION, double.class, ParameterType.DECIMAL, int.class, ParameterType.INTEGER,
          boolean.class, ParameterType.BOOLEAN);

  private RecordFactory() {}

  /**
   * The factory of {@code type}.
   *
   * @throws IllegalArgumentException unless the record's components and the parameters have the
   *     same names and matching types
   */
  static <C extends Record> Function<ControllerDescriptor.Values, C> of(
      Class<C> type, List<ParameterDescriptor<C>> parameters) {
    RecordComponent[] components = type.getRecordComponents();
    Class<?>[] types = new Class<?>[components.length];
    for (int i = 0; i < components.length; i++) {
      types[i] = components[i].getType();
      String name = components[i].getName();
      ParameterDescriptor<C> parameter =
          parameters.stream()
              .filter(p -> p.name().equals(name))
              .findFirst()
              .orElseThrow(() -> new IllegalArgumentException(type.getName() + "." + name + " has no parameter descriptor"));
      if (TYPES.get(types[i]) != parameter.type()) {
        throw new IllegalArgumentException(
            type.getName() + "." + name + " is a " + types[i].getSimpleName() + ", described as " + parameter.type());
      }
    }
    if (parameters.size() != components.length) {
      throw new IllegalArgumentException(type.getName() + " has " + components.length + " components, described are "
          + parameters.stream().map(ParameterDescriptor::name).toList());
    }
    Constructor<C> constructor;
    try {
      constructor = type.getDeclaredConstructor(types);
    } catch (NoSuchMethodException impossible) {
      throw new IllegalStateException("a record without its canonical constructor: " + type.getName(), impossible);
    }
    return values -> {
      Object[] arguments = new Object[components.length];
      for (int i = 0; i < components.length; i++) {
        arguments[i] = values.get(components[i].getName());
      }
      try {
        return constructor.newInstance(arguments);
      } catch (InvocationTargetException refused) {
        if (refused.getCause() instanceof RuntimeException invalid) {
          throw invalid; // the record's own message: "alpha must be finite and > 1.0, was 0.5"
        }
        if (refused.getCause() instanceof Error error) {
          throw error;
        }
        throw new IllegalStateException(refused.getCause());
      } catch (ReflectiveOperationException | IllegalArgumentException inaccessible) {
        throw new IllegalStateException("cannot construct " + type.getName() + ": " + inaccessible, inaccessible);
      }
    };
  }
}
