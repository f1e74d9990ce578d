package org.hybridft.controllers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;

import java.util.List;
import java.util.function.Supplier;
import org.hybridft.core.Mode;
import org.hybridft.core.ModeController;
import org.hybridft.core.StabilityCheck;
import org.junit.jupiter.api.Test;

/** For every controller: same inputs, same modes; reset() returns to the initial state exactly. */
class DeterminismTest {

  private static void sameInputsSameModesAndResetIsExact(Supplier<ModeController> factory, double[] rates) {
    StabilityCheck check = StabilityCheck.builder().build();
    ModeController first = factory.get();
    List<Mode> once = check.run(first, rates).modes();
    List<Mode> again = check.run(factory.get(), rates).modes();
    assertThat(again).isEqualTo(once);

    first.reset();
    assertThat(first.mode()).isEqualTo(factory.get().mode());
    assertThat(Double.valueOf(first.coloShare())).isEqualTo(Double.valueOf(factory.get().coloShare()));
    assertThat(check.run(first, rates).modes()).isEqualTo(once);
  }

  @Test
  void thresholdIsDeterministicAndResetIsExact() {
    qt().forAll(Generators.thresholdConfigs(), Generators.rates(1, 400))
        .checkAssert((config, rates) ->
            sameInputsSameModesAndResetIsExact(() -> new ThresholdController(config), Generators.toArray(rates)));
  }

  @Test
  void piIsDeterministicAndResetIsExact() {
    qt().forAll(Generators.piConfigs(), Generators.rates(1, 400))
        .checkAssert((config, rates) ->
            sameInputsSameModesAndResetIsExact(() -> new PiController(config), Generators.toArray(rates)));
  }

  @Test
  void orbitIsDeterministicAndResetIsExact() {
    qt().forAll(Generators.orbitConfigs(), Generators.rates(1, 400))
        .checkAssert((config, rates) ->
            sameInputsSameModesAndResetIsExact(() -> new OrbitHybridController(config), Generators.toArray(rates)));
  }
}
