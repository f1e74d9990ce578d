package org.hybridft.bench;

import java.time.Duration;
import java.util.function.Supplier;
import org.hybridft.controllers.LearningController;
import org.hybridft.controllers.OrbitHybridController;
import org.hybridft.controllers.PiController;
import org.hybridft.controllers.StaticController;
import org.hybridft.controllers.ThresholdController;
import org.hybridft.core.ModeController;

/**
 * The controllers the benchmarks measure, each with its documented defaults. A new controller
 * joins every controller benchmark by one constant here (its name is the JMH parameter value).
 */
public enum ControllerKind {
  /** Always COLO: the cost of the input checks alone. */
  STATIC_COLO(StaticController::colo),
  /** Always checkpoint mode, every 500 ms. */
  STATIC_CHECKPOINT(() -> StaticController.checkpoint(Duration.ofMillis(500))),
  /** The research's α/β threshold controller. */
  THRESHOLD(() -> new ThresholdController(ThresholdController.Config.defaults())),
  /** The research's PI controller with its duty cycle. */
  PI(() -> new PiController(PiController.Config.defaults())),
  /** The research prototype's QEMU patch rule. */
  ORBIT(() -> new OrbitHybridController(OrbitHybridController.Config.defaults())),
  /** The discounted-UCB learning controller. */
  LEARNING(() -> new LearningController(LearningController.Config.defaults()));

  private final Supplier<ModeController> factory;

  ControllerKind(Supplier<ModeController> factory) {
    this.factory = factory;
  }

  /** A new controller of this kind in its initial state. */
  public ModeController create() {
    return factory.get();
  }
}
