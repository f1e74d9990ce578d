package org.hybridft.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.longs;

import java.time.Duration;
import org.hybridft.core.Mode;
import org.hybridft.core.testing.ScriptedController;
import org.hybridft.report.RunResult;
import org.hybridft.report.TimeSeries;
import org.junit.jupiter.api.Test;

class VmSimulatorTest {
  private static final Duration HALF_SECOND = Duration.ofMillis(500);
  private final VmSimulator simulator = new VmSimulator();

  private RunResult run(Workload workload, ScriptedController controller, Duration length, long seed) {
    return simulator.run(workload, "test", controller, length, seed, 0);
  }

  @Test
  void coloWithoutDivergenceTakesOnlyItsPeriodicCheckpoints() {
    Workload deterministic = TestWorkloads.steady(200, 0, 10, 64);
    RunResult result =
        run(deterministic, ScriptedController.always(Mode.COLO, HALF_SECOND), Duration.ofMinutes(10), 7);

    // The 20 s timer from t = 0: checkpoints at 20 s, 40 s, ..., 580 s (600 s is the end).
    assertThat(result.checkpoints()).isEqualTo(29);
    assertThat(result.throughputRps()).isGreaterThan(190);
  }

  @Test
  void coloCheckpointsOnDivergence() {
    Workload divergent = TestWorkloads.steady(200, 0.05, 10, 64);
    RunResult result =
        run(divergent, ScriptedController.always(Mode.COLO, HALF_SECOND), Duration.ofMinutes(2), 7);

    assertThat(result.checkpointsPerSecond()).isGreaterThan(2);
  }

  @Test
  void checkpointModeRateIsOneOverThePeriodWithinOnePercent() {
    Workload divergent = TestWorkloads.steady(200, 0.3, 10, 64);
    RunResult result =
        run(divergent, ScriptedController.always(Mode.CHECKPOINT, HALF_SECOND), Duration.ofMinutes(5), 7);

    assertThat(result.checkpointsPerSecond()).isCloseTo(2.0, within(0.02));
    TimeSeries series = result.timeSeries();
    for (int i = 1; i < series.size(); i++) {
      assertThat(series.checkpointsPerSecond(i)).isCloseTo(2.0, within(1e-6));
    }
  }

  @Test
  void downtimeRatioIsTotalPauseOverWallTime() {
    // Nothing dirty: every pause is exactly the fixed cost, 85 ms.
    Workload clean = TestWorkloads.steady(100, 0.05, 0, 64);
    RunResult result =
        run(clean, ScriptedController.always(Mode.COLO, HALF_SECOND), Duration.ofMinutes(3), 11);

    double pauses = result.checkpoints() * 0.085;
    assertThat(result.downtimeRatio() * result.wallSeconds()).isCloseTo(pauses, within(0.085));
    assertThat(result.downtimeRatio()).isCloseTo(result.pauseSeconds() / 180, within(1e-12));
  }

  @Test
  void downtimeRatioTimesWallTimeEqualsTheSumOfPausesForAnySeedAndDivergence() {
    qt().withExamples(15)
        .forAll(longs().all(), doubles().between(0, 1))
        .checkAssert(
            (seed, p) -> {
              RunResult result =
                  run(TestWorkloads.steady(50, p, 20, 64), ScriptedController.always(Mode.COLO, HALF_SECOND),
                      Duration.ofSeconds(30), seed);
              assertThat(result.downtimeRatio() * result.wallSeconds())
                  .isCloseTo(result.pauseSeconds(), within(1e-9));
              assertThat(result.downtimeRatio()).isBetween(0.0, 1.0);
              // Each checkpoint pauses at least the fixed cost (the last may be cut by the end).
              assertThat(result.pauseSeconds())
                  .isGreaterThanOrEqualTo((result.checkpoints() - 1) * 0.085 - 1e-9);
            });
  }

  @Test
  void aHigherDirtyingRateGivesLongerPauses() {
    qt().withExamples(10)
        .forAll(doubles().between(0, 60), doubles().between(1, 60))
        .checkAssert(
            (low, extra) -> {
              ScriptedController slow = ScriptedController.always(Mode.CHECKPOINT, HALF_SECOND);
              ScriptedController fast = ScriptedController.always(Mode.CHECKPOINT, HALF_SECOND);
              RunResult lowDirty = run(TestWorkloads.steady(20, 0, low, 1000), slow, Duration.ofSeconds(30), 3);
              RunResult highDirty =
                  run(TestWorkloads.steady(20, 0, low + extra, 1000), fast, Duration.ofSeconds(30), 3);
              assertThat(highDirty.pauseSeconds() / highDirty.checkpoints())
                  .isGreaterThan(lowDirty.pauseSeconds() / lowDirty.checkpoints());
            });
  }

  @Test
  void theWorkingSetCapsThePause() {
    // 100 MB/s for 20 s would be 2 GB; the 10 MB working set caps it: 85 ms + 10 MB / 125 MB/s.
    RunResult result =
        run(TestWorkloads.steady(0, 0, 100, 10), ScriptedController.always(Mode.COLO, HALF_SECOND),
            Duration.ofSeconds(61), 3);

    assertThat(result.checkpoints()).isEqualTo(3);
    assertThat(result.pauseSeconds() / 3).isCloseTo(0.085 + 0.08, within(1e-6));
  }

  @Test
  void theSameSeedGivesIdenticalResults() {
    Workload workload = WorkloadProfile.BUGZILLA.workload();
    RunResult first = run(workload, ScriptedController.always(Mode.COLO, HALF_SECOND), Duration.ofMinutes(1), 42);
    RunResult second = run(workload, ScriptedController.always(Mode.COLO, HALF_SECOND), Duration.ofMinutes(1), 42);

    assertThat(second).isEqualTo(first);
  }

  @Test
  void differentSeedsGiveDifferentResults() {
    Workload workload = WorkloadProfile.BUGZILLA.workload();
    RunResult first = run(workload, ScriptedController.always(Mode.COLO, HALF_SECOND), Duration.ofMinutes(1), 42);
    RunResult second = run(workload, ScriptedController.always(Mode.COLO, HALF_SECOND), Duration.ofMinutes(1), 43);

    assertThat(second.checkpoints()).isNotEqualTo(first.checkpoints());
    assertThat(second.latencyMeanMs()).isNotEqualTo(first.latencyMeanMs());
  }

  @Test
  void aSwitchFromCheckpointToColoCostsOneCheckpoint() {
    // Checkpoints at 1 s, ..., 9 s; the switch at the 10 s tick takes one more; then COLO is quiet.
    VmSimulator quietColo =
        new VmSimulator(ReplicationModel.defaults().withColoCheckpointDelay(Duration.ofHours(1)));
    RunResult result =
        quietColo.run(
            TestWorkloads.steady(50, 0, 10, 64),
            "test",
            ScriptedController.switching(Mode.CHECKPOINT, Mode.COLO, Duration.ofSeconds(10), Duration.ofSeconds(1)),
            Duration.ofSeconds(60),
            5,
            0);

    assertThat(result.switches()).isEqualTo(1);
    assertThat(result.checkpoints()).isEqualTo(10);
    assertThat(result.coloShare()).isCloseTo(50.0 / 60, within(1e-9));
  }

  @Test
  void checkpointModeHoldsRepliesUntilTheCommit() {
    Workload workload = TestWorkloads.steady(100, 0, 0, 64);
    RunResult checkpoint =
        run(workload, ScriptedController.always(Mode.CHECKPOINT, Duration.ofSeconds(1)), Duration.ofMinutes(2), 9);
    RunResult colo = run(workload, ScriptedController.always(Mode.COLO, HALF_SECOND), Duration.ofMinutes(2), 9);

    // Held on average half a period plus the 85 ms pause; COLO releases at once.
    assertThat(checkpoint.latencyMeanMs()).isBetween(500.0, 650.0);
    assertThat(checkpoint.latencyP50Ms()).isGreaterThanOrEqualTo(85);
    assertThat(colo.latencyMeanMs()).isLessThan(60);
  }

  @Test
  void divergingRepliesWaitForTheirCheckpoint() {
    RunResult result =
        run(TestWorkloads.steady(20, 1.0, 0, 64), ScriptedController.always(Mode.COLO, HALF_SECOND),
            Duration.ofMinutes(1), 9);

    assertThat(result.latencyP50Ms()).isGreaterThanOrEqualTo(85);
  }

  @Test
  void coloCostsTwiceTheCpuOfCheckpointModeForTheSameWork() {
    Workload workload = TestWorkloads.steady(100, 0, 0, 64);
    VmSimulator rare =
        new VmSimulator(ReplicationModel.defaults().withColoCheckpointDelay(Duration.ofHours(1)));
    RunResult colo = rare.run(workload, "colo", ScriptedController.always(Mode.COLO, HALF_SECOND), Duration.ofMinutes(2), 9, 0);
    RunResult checkpoint =
        rare.run(workload, "cp", ScriptedController.always(Mode.CHECKPOINT, Duration.ofHours(1)), Duration.ofMinutes(2), 9, 0);

    assertThat(colo.cpuSeconds()).isCloseTo(2 * checkpoint.cpuSeconds(), within(0.05 * colo.cpuSeconds()));
  }
}
