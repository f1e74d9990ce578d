package org.hybridft.sim;

import java.util.Objects;
import java.util.function.Supplier;
import org.hybridft.core.ModeController;

/**
 * A named way to make fresh controllers: a {@link Comparison} asks for one per run.
 *
 * @param name the name in tables and the CSV {@code controller} column
 * @param factory makes a new controller in its initial state each time it is called
 */
public record ControllerSpec(String name, Supplier<? extends ModeController> factory) {

  /** Validates the components. */
  public ControllerSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(factory, "factory");
    if (name.isBlank()) {
      throw new IllegalArgumentException("name must not be blank");
    }
  }

  /** A new controller. */
  public ModeController create() {
    return Objects.requireNonNull(factory.get(), () -> "the factory of " + name + " returned null");
  }
}
