package org.hybridft.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.hybridft.core.Mode;
import org.hybridft.core.testing.ScriptedController;
import org.hybridft.report.ClairvoyantRegret;
import org.hybridft.report.ComparisonResult;
import org.hybridft.report.RunResult;
import org.hybridft.report.TimeSeries;
import org.junit.jupiter.api.Test;

class ClairvoyantScheduleTest {
  private static final Duration PERIOD = Duration.ofMillis(500);
  private static final Phase DETERMINISTIC = new Phase(Duration.ofSeconds(60), 120, 6, 1.5, 0.0005, 12, 48);
  private static final Phase DIVERGENT = new Phase(Duration.ofSeconds(60), 15, 10, 1.0, 0.5, 8, 96);
  private final VmSimulator simulator = new VmSimulator();

  private static Workload alternating(Duration deterministic, Duration divergent) {
    return new Workload("alternating", "test", 8, 2,
        List.of(DETERMINISTIC.withDuration(deterministic), DIVERGENT.withDuration(divergent)), true);
  }

  @Test
  void theScheduleIsNeverWorseThanEitherStaticModeOnTheSameSeed() {
    for (WorkloadProfile profile : WorkloadProfile.values()) {
      for (long seed = 1; seed <= 2; seed++) {
        Workload workload = profile.workload();
        Duration length = Duration.ofMinutes(6);
        RunResult colo = simulator.run(workload, "colo", ScriptedController.always(Mode.COLO, PERIOD), length, seed, 0);
        RunResult checkpoint =
            simulator.run(workload, "checkpoint", ScriptedController.always(Mode.CHECKPOINT, PERIOD), length, seed, 0);

        RunResult limit = ClairvoyantSchedule.plan(simulator, workload, length, seed, 0, PERIOD).result();

        assertThat(limit.downtimeRatio())
            .as("%s seed %d", profile, seed)
            .isLessThanOrEqualTo(colo.downtimeRatio())
            .isLessThanOrEqualTo(checkpoint.downtimeRatio());
      }
    }
  }

  @Test
  void itRunsColoInDeterministicStretchesAndCheckpointModeInDivergentOnesSwitchingAtTheirBoundaries() {
    Workload workload = alternating(Duration.ofSeconds(60), Duration.ofSeconds(40));

    ClairvoyantSchedule schedule =
        ClairvoyantSchedule.plan(simulator, workload, Duration.ofSeconds(300), 3, 0, PERIOD);

    // Stretches: [0, 60) deterministic, [60, 100) divergent, [100, 160), [160, 200), [200, 260), [260, 300).
    for (int k = 0; k < 300; k++) {
      boolean divergent = k % 100 >= 60;
      assertThat(schedule.mode(k)).as("period %d", k).isEqualTo(divergent ? Mode.CHECKPOINT : Mode.COLO);
    }
    assertThat(schedule.switches()).isEqualTo(5);
    assertThat(schedule.result().switches()).isEqualTo(5);
    assertThat(schedule.result().controller()).isEqualTo(ClairvoyantSchedule.NAME);
  }

  @Test
  void aBoundaryBetweenStretchesThatColoSuitsIsNoReasonToSwitch() {
    Phase quiet = new Phase(Duration.ofSeconds(10), 40, 6, 1.5, 0.0, 4, 32);
    Workload workload = new Workload("deterministic", "test", 8, 2, List.of(DETERMINISTIC.withDuration(
        Duration.ofSeconds(10)), quiet), true);
    Duration length = Duration.ofMinutes(3);
    RunResult colo = simulator.run(workload, "colo", ScriptedController.always(Mode.COLO, PERIOD), length, 5, 0);

    ClairvoyantSchedule schedule = ClairvoyantSchedule.plan(simulator, workload, length, 5, 0, PERIOD);

    assertThat(schedule.switches()).isZero();
    assertThat(schedule.mode(0)).isEqualTo(Mode.COLO);
    assertThat(schedule.result().downtimeRatio()).isEqualTo(colo.downtimeRatio());
  }

  @Test
  void aWorkloadThatChangesFasterThanTheControlPeriodGetsOneModeForEachPeriod() {
    // 0.3 s divergent, 0.7 s deterministic: every 1 s control period holds the same mix, so
    // there is nothing to switch for, and the schedule is the better static mode.
    Workload workload = alternating(Duration.ofMillis(700), Duration.ofMillis(300));
    Duration length = Duration.ofMinutes(2);
    RunResult colo = simulator.run(workload, "colo", ScriptedController.always(Mode.COLO, PERIOD), length, 9, 0);
    RunResult checkpoint =
        simulator.run(workload, "checkpoint", ScriptedController.always(Mode.CHECKPOINT, PERIOD), length, 9, 0);

    ClairvoyantSchedule schedule = ClairvoyantSchedule.plan(simulator, workload, length, 9, 0, PERIOD);

    assertThat(schedule.switches()).isZero();
    assertThat(schedule.result().downtimeRatio())
        .isEqualTo(Math.min(colo.downtimeRatio(), checkpoint.downtimeRatio()));
  }

  @Test
  void itsControllerReplaysTheMeasuredRunOnTheSameSeed() {
    Workload workload = WorkloadProfile.BURSTY.workload();
    Duration length = Duration.ofMinutes(5);
    ClairvoyantSchedule schedule = ClairvoyantSchedule.plan(simulator, workload, length, 17, 2, PERIOD);

    RunResult replay = simulator.run(workload, ClairvoyantSchedule.NAME, schedule.controller(), length, 17, 2);

    assertThat(replay).usingRecursiveComparison()
        .withEqualsForType(TimeSeries::equals, TimeSeries.class)
        .isEqualTo(schedule.result());
    assertThat(replay.switches()).isEqualTo(schedule.switches()).isPositive();
  }

  @Test
  void onPhasedNoBuiltInAdaptiveControllerBeatsTheSchedule() throws InterruptedException {
    ComparisonResult result = ClairvoyantComparison.run(
        List.of(WorkloadProfile.PHASED.workload()),
        List.of("checkpoint", "colo", "threshold", "pi", "learning", "orbit"),
        3, Duration.ofMinutes(12), 5);

    for (String controller : List.of("threshold", "pi", "learning", "orbit")) {
      ClairvoyantRegret regret =
          ClairvoyantRegret.of(result, "phased", controller, ClairvoyantComparison.STATIC).orElseThrow();
      assertThat(regret.downtime()).as(controller).isGreaterThanOrEqualTo(1.0);
      assertThat(regret.gapClosed()).as(controller).isLessThanOrEqualTo(1.0);
    }
  }
}
