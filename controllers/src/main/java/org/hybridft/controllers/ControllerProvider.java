package org.hybridft.controllers;

/**
 * Adds a controller to {@link ControllerRegistry#installed()}, and so to the {@code hybrid-ft}
 * command, from a jar on its class path: name the implementing class in {@code
 * META-INF/services/org.hybridft.controllers.ControllerProvider} (or {@code provides} in a
 * module-info). An embedder that builds its own registry needs none of this: {@link
 * ControllerRegistry#with} takes the descriptor directly.
 */
@FunctionalInterface
public interface ControllerProvider {
  /** The controller to register. */
  ControllerDescriptor<?> descriptor();
}
