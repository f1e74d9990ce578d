package org.hybridft.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.hybridft.core.Mode;
import org.hybridft.core.testing.ScriptedController;
import org.hybridft.report.RunResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The built-in workloads keep the shape their documentation promises. */
class WorkloadProfileTest {
  private static final ReplicationModel MODEL = ReplicationModel.defaults();
  private static final double CHECKPOINT_PERIOD_SECONDS = 0.5;

  /**
   * The share of the worker threads' time a phase needs, over the share checkpoint mode (500 ms)
   * leaves them: a pause of the fixed cost plus the memory dirtied in one period over the link.
   */
  private static double utilisationInCheckpointMode(Workload workload, Phase phase) {
    double dirtyMb =
        Math.min(phase.workingSetMb(), phase.dirtyMbPerSecond() * CHECKPOINT_PERIOD_SECONDS);
    double pauseSeconds =
        MODEL.checkpointFixedCost().toNanos() / 1e9 + dirtyMb / MODEL.linkMbPerSecond();
    double running = 1 - pauseSeconds / CHECKPOINT_PERIOD_SECONDS;
    double busy = phase.requestsPerSecond() * phase.meanServiceMillis() / 1e3 / workload.servers();
    return busy / running;
  }

  @ParameterizedTest
  @EnumSource(
      value = WorkloadProfile.class,
      names = {"BURSTY", "DRIFT"})
  void changingWorkloadsStayBelowSeventyPercentUtilisationInCheckpointMode(WorkloadProfile profile) {
    Workload workload = profile.workload();
    for (Phase phase : workload.phases()) {
      assertThat(utilisationInCheckpointMode(workload, phase)).as("%s", phase).isLessThan(0.7);
    }
  }

  @Test
  void burstyAlternatesCalmStretchesWithNonDeterministicBurstsOfTensOfSeconds() {
    List<Phase> phases = WorkloadProfile.BURSTY.workload().phases();
    assertThat(phases).hasSizeGreaterThanOrEqualTo(6);
    for (int i = 0; i < phases.size(); i += 2) {
      Phase calm = phases.get(i);
      Phase burst = phases.get(i + 1);
      // Calm: COLO checkpoints on its 20 s timer; burst: far more often than checkpoint mode.
      assertThat(calm.divergencesPerSecond()).isLessThan(0.1);
      assertThat(burst.divergencesPerSecond()).isGreaterThan(4);
      assertThat(burst.duration()).isBetween(Duration.ofSeconds(10), Duration.ofSeconds(60));
      assertThat(calm.duration()).isGreaterThan(burst.duration());
    }
    // Irregular: not one rhythm a controller could lock onto.
    assertThat(phases.stream().map(Phase::duration).distinct().count()).isGreaterThan(4);
  }

  @Test
  void driftChangesTheDivergenceRateByLessThanHalfPerStepAcrossCheckpointModesRate() {
    Workload drift = WorkloadProfile.DRIFT.workload();
    List<Phase> phases = drift.phases();
    Duration cycle = phases.stream().map(Phase::duration).reduce(Duration.ZERO, Duration::plus);
    assertThat(cycle).isGreaterThanOrEqualTo(Duration.ofMinutes(10));
    for (int i = 0; i < phases.size(); i++) {
      Phase phase = phases.get(i);
      Phase next = phases.get((i + 1) % phases.size());
      double ratio = next.divergencesPerSecond() / phase.divergencesPerSecond();
      assertThat(Math.max(ratio, 1 / ratio)).as("step %d", i).isLessThan(1.5);
      assertThat(phase.duration()).isGreaterThanOrEqualTo(Duration.ofSeconds(30));
      assertThat(next.requestsPerSecond()).isEqualTo(phase.requestsPerSecond());
    }
    // Both sides of checkpoint mode's 2 cps: the better mode changes during the cycle.
    assertThat(phases.stream().mapToDouble(Phase::divergencesPerSecond).min().orElseThrow())
        .isLessThan(0.5);
    assertThat(phases.stream().mapToDouble(Phase::divergencesPerSecond).max().orElseThrow())
        .isGreaterThan(6);
  }

  @Test
  void inABurstColoCheckpointsMoreThanTwiceAsOftenAsCheckpointMode() {
    Phase burst = WorkloadProfile.BURSTY.workload().phases().get(1);
    Workload onlyBursts =
        new Workload("burst", "one burst, held", 8, 2.0, List.of(burst), false);
    RunResult colo =
        new VmSimulator()
            .run(onlyBursts, "colo", ScriptedController.always(Mode.COLO, Duration.ofMillis(500)),
                Duration.ofMinutes(2), 3, 0);

    assertThat(colo.checkpointsPerSecond()).isGreaterThan(4);
    assertThat(colo.dropped()).isZero();
  }
}
