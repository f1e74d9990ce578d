package org.hybridft.controllers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.hybridft.core.Mode;
import org.hybridft.core.ModeController;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * For every controller, the two ways its state could leak: {@code reset()} after any history gives
 * exactly a new controller (same modes and ρ at every step on any later input, with time starting
 * over), and two instances driven in turn each behave as if alone (no shared, static state).
 *
 * <p>"Same inputs, same modes" alone would hold for any controller without randomness, whatever
 * its state bugs; these compare a controller with a history against a fresh one.
 */
class DeterminismTest {
  private static final long SECOND = 1_000_000_000L;
  /** The history runs on a nanoTime-like clock far from 0; after reset, time starts over at 0. */
  private static final long HISTORY_START = 9_000 * SECOND;

  /** What a caller can observe after each update: the mode and ρ. */
  private static String step(ModeController controller, long now, double cps) {
    Mode mode = controller.update(now, cps);
    return controller instanceof PiController pi ? mode + " rho=" + pi.coloShare() : mode.name();
  }

  private static List<String> fresh(Supplier<ModeController> factory, double[] probe) {
    ModeController controller = factory.get();
    List<String> steps = new ArrayList<>();
    for (int i = 0; i < probe.length; i++) {
      steps.add(step(controller, i * SECOND, probe[i]));
    }
    return steps;
  }

  private static void resetForgetsTheHistoryAndInstancesShareNoState(
      Supplier<ModeController> factory, double[] history, double[] probe) {
    List<String> expected = fresh(factory, probe);

    ModeController reused = factory.get();
    for (int i = 0; i < history.length; i++) {
      reused.update(HISTORY_START + i * SECOND, history[i]);
    }
    reused.reset();
    assertThat(reused.mode()).isEqualTo(factory.get().mode());
    List<String> afterReset = new ArrayList<>();
    for (int i = 0; i < probe.length; i++) {
      afterReset.add(step(reused, i * SECOND, probe[i]));
    }
    assertThat(afterReset).as("after reset()").isEqualTo(expected);

    // Another VM's controller ticks between this one's ticks, as on a shared scheduler.
    ModeController other = factory.get();
    ModeController alone = factory.get();
    List<String> interleaved = new ArrayList<>();
    for (int i = 0; i < probe.length; i++) {
      other.update(HISTORY_START + i * SECOND, history[i % history.length]);
      interleaved.add(step(alone, i * SECOND, probe[i]));
    }
    assertThat(interleaved).as("driven beside another instance").isEqualTo(expected);
  }

  private static Gen<LearningConfig> learningConfigs() {
    return doubles().between(0.5, 0.999)
        .zip(doubles().between(0, 0.1), Generators.millis(0, 5_000), doubles().between(0, 0.5),
            (discount, exploration, minDwell, latencyWeight) ->
                LearningConfig.builder()
                    .discount(discount)
                    .exploration(exploration)
                    .minDwell(minDwell)
                    .latencyWeight(latencyWeight)
                    .build());
  }

  @Test
  void threshold() {
    qt().forAll(Generators.thresholdConfigs(), Generators.rates(1, 300), Generators.rates(1, 300))
        .checkAssert((config, history, probe) -> resetForgetsTheHistoryAndInstancesShareNoState(
            () -> new ThresholdController(config), Generators.toArray(history), Generators.toArray(probe)));
  }

  @Test
  void pi() {
    qt().forAll(Generators.piConfigs(), Generators.rates(1, 300), Generators.rates(1, 300))
        .checkAssert((config, history, probe) -> resetForgetsTheHistoryAndInstancesShareNoState(
            () -> new PiController(config), Generators.toArray(history), Generators.toArray(probe)));
  }

  @Test
  void orbit() {
    qt().forAll(Generators.orbitConfigs(), Generators.rates(1, 300), Generators.rates(1, 300))
        .checkAssert((config, history, probe) -> resetForgetsTheHistoryAndInstancesShareNoState(
            () -> new OrbitHybridController(config), Generators.toArray(history), Generators.toArray(probe)));
  }

  @Test
  void learning() {
    qt().forAll(learningConfigs(), Generators.rates(1, 300), Generators.rates(1, 300))
        .checkAssert((config, history, probe) -> resetForgetsTheHistoryAndInstancesShareNoState(
            () -> new LearningController(config), Generators.toArray(history), Generators.toArray(probe)));
  }

  @Test
  void everyRegisteredControllerAtAnyPointOfItsSearchSpace() {
    qt().forAll(Generators.registered(), Generators.rates(1, 300), Generators.rates(1, 300))
        .checkAssert((configured, history, probe) -> resetForgetsTheHistoryAndInstancesShareNoState(
            configured::create, Generators.toArray(history), Generators.toArray(probe)));
  }
}
