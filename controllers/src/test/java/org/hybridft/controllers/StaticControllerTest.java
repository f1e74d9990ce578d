package org.hybridft.controllers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.lists;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.DoubleStream;
import org.hybridft.core.ControlLoop;
import org.hybridft.core.Mode;
import org.hybridft.core.ModeController;
import org.hybridft.core.StabilityCheck;
import org.hybridft.testing.VirtualScheduler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The baselines answer the mode they were configured with, on inputs that make every hybrid
 * switch, and a ControlLoop applies that mode, with the baseline's checkpoint period, exactly once.
 */
class StaticControllerTest {
  private static final Duration PERIOD = Duration.ofMillis(200);

  /** 40 s idle, 40 s of non-deterministic work, 40 s of a storm, 40 s idle: hybrids switch on it. */
  private static final double[] PROVOCATIVE =
      DoubleStream.of(0, 50, 1e6, 0).flatMap(cps -> DoubleStream.generate(() -> cps).limit(40)).toArray();

  private static StaticController baseline(Mode mode) {
    return mode == Mode.COLO ? StaticController.colo() : StaticController.checkpoint(PERIOD);
  }

  @Test
  void theProvocativeRatesMakeTheHybridsSwitch() {
    // Without this, a baseline that never switches on them would prove nothing.
    List<ModeController> hybrids =
        List.of(new ThresholdController(), new PiController(), new OrbitHybridController(),
            new LearningController());
    for (ModeController hybrid : hybrids) {
      assertThat(StabilityCheck.builder().build().run(hybrid, PROVOCATIVE).switches())
          .as(hybrid.toString())
          .isPositive();
    }
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void everyUpdateAnswersTheConfiguredModeOnRatesThatMakeHybridsSwitch(Mode configured) {
    StaticController controller = baseline(configured);
    assertThat(controller.mode()).isEqualTo(configured);
    long now = 0;
    for (double cps : PROVOCATIVE) {
      assertThat(controller.update(now, cps)).isEqualTo(configured);
      assertThat(controller.mode()).isEqualTo(configured);
      now += 1_000_000_000L;
    }
    controller.reset();
    assertThat(controller.mode()).isEqualTo(configured);
    assertThat(controller.update(0, 1e6)).isEqualTo(configured);
  }

  @Test
  void anyRateSequenceLeavesEachBaselineInItsMode() {
    qt().forAll(lists().of(doubles().between(0, 5).mix(doubles().between(0, 1e7), 40)).ofSizeBetween(1, 300))
        .checkAssert(rates -> {
          double[] samples = Generators.toArray(rates);
          for (Mode configured : Mode.values()) {
            assertThat(StabilityCheck.builder().build().run(baseline(configured), samples).modes())
                .containsOnly(configured);
          }
        });
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void aControlLoopAppliesTheBaselineOnceWithItsCheckpointPeriod(Mode configured) {
    StaticController controller = baseline(configured);
    VirtualScheduler scheduler = new VirtualScheduler(1_000_000_000_000L);
    long[] checkpoints = {0};
    List<String> applied = new ArrayList<>();
    ControlLoop loop =
        ControlLoop.builder(controller, () -> checkpoints[0],
                (mode, checkpointPeriodNanos) -> applied.add(mode + " every " + checkpointPeriodNanos), scheduler)
            .clock(scheduler)
            .period(Duration.ofSeconds(1))
            .build();
    loop.start();
    for (double cps : PROVOCATIVE) {
      checkpoints[0] += (long) cps;
      scheduler.advance(Duration.ofSeconds(1));
    }
    loop.close();

    assertThat(applied).containsExactly(configured + " every " + controller.checkpointPeriodNanos());
    assertThat(loop.appliedMode()).isEqualTo(configured);
  }

  @Test
  void eachBaselineCarriesItsCheckpointPeriodAndSaysWhatItIs() {
    assertThat(StaticController.checkpoint(PERIOD).checkpointPeriodNanos()).isEqualTo(200_000_000L);
    assertThat(StaticController.colo().checkpointPeriodNanos())
        .isEqualTo(StaticController.DEFAULT_CHECKPOINT_PERIOD.toNanos());
    assertThat(StaticController.checkpoint(PERIOD))
        .hasToString("StaticController[CHECKPOINT every PT0.2S]");
    assertThat(StaticController.colo()).hasToString("StaticController[COLO]");
    assertThatThrownBy(() -> StaticController.checkpoint(Duration.ZERO)).hasMessageContaining("checkpointPeriod");
  }
}
