package org.hybridft.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.hybridft.report.RunResult;
import org.junit.jupiter.api.Test;

class CausalBoundTest {
  private static final Duration PERIOD = Duration.ofMillis(500);
  private static final Phase DETERMINISTIC = new Phase(Duration.ofSeconds(60), 120, 6, 1.5, 0.0005, 12, 48);
  private static final Phase DIVERGENT = new Phase(Duration.ofSeconds(60), 15, 10, 1.0, 0.5, 8, 96);
  private static final Workload ALTERNATING = new Workload("alternating", "test", 8, 2,
      List.of(DETERMINISTIC.withDuration(Duration.ofSeconds(60)), DIVERGENT.withDuration(Duration.ofSeconds(40))),
      true);
  private final VmSimulator simulator = new VmSimulator();

  /** COLO (true) for {@code colo} periods, then checkpoint mode for {@code checkpoint}, {@code cycles} times. */
  private static boolean[] cycles(int colo, int checkpoint, int cycles) {
    boolean[] modes = new boolean[(colo + checkpoint) * cycles];
    for (int k = 0; k < modes.length; k++) {
      modes[k] = k % (colo + checkpoint) < colo;
    }
    return modes;
  }

  @Test
  void theDelayedScheduleMakesEverySwitchOnePeriodLate() {
    boolean[] limit = cycles(5, 3, 2);

    boolean[] delayed = CausalBound.delayed(limit);

    assertThat(delayed).containsExactly(
        true, true, true, true, true, true, false, false, false, true, true, true, true, true, false, false);
  }

  @Test
  void theProbingScheduleLeavesColoOnePeriodLateAndReturnsOnlyAtAProbeThatFindsColoGood() {
    // COLO 0-4, checkpoint mode 5-14, COLO 15-19.
    boolean[] limit = new boolean[20];
    for (int k = 0; k < 20; k++) {
      limit[k] = k < 5 || k >= 15;
    }

    boolean[] probing = CausalBound.probing(limit, new long[0], 4);

    // Period 5 still COLO (its checkpoints tell), checkpoint mode from 6; probes at 10 and 15
    // (four periods after entering, then after the failed probe); 15 finds COLO good and stays.
    boolean[] expected = new boolean[20];
    for (int k = 0; k < 20; k++) {
      expected[k] = k <= 5 || k == 10 || k >= 15;
    }
    assertThat(probing).containsExactly(expected);
  }

  @Test
  void probesAtLearntOffsetsComeBeforeTheFixedInterval() {
    boolean[] limit = new boolean[30];
    for (int k = 0; k < 30; k++) {
      limit[k] = k < 5 || k >= 15;
    }

    // Entered at 6: a probe at offset 9 is period 15, the stretch's first period in COLO.
    boolean[] probing = CausalBound.probing(limit, new long[] {9}, 100);

    for (int k = 0; k < 30; k++) {
      assertThat(probing[k]).as("period %d", k).isEqualTo(k <= 5 || k >= 15);
    }
  }

  @Test
  void noCausalScheduleBeatsTheClairvoyantOneAndProbingCostsMoreThanTheDelay() {
    Duration length = Duration.ofMinutes(10);
    ClairvoyantSchedule schedule = ClairvoyantSchedule.plan(simulator, ALTERNATING, length, 7, 0, PERIOD);
    CausalBound bound = new CausalBound(simulator, ALTERNATING, length, 7, 0, schedule, PERIOD);

    RunResult delayed = bound.delayed();
    RunResult probingOften = bound.probing(Duration.ofSeconds(5));
    RunResult probingRarely = bound.probing(Duration.ofSeconds(30));

    double limit = schedule.result().downtimeRatio();
    assertThat(delayed.downtimeRatio()).isGreaterThan(limit);
    assertThat(probingOften.downtimeRatio()).isGreaterThan(delayed.downtimeRatio());
    assertThat(probingRarely.downtimeRatio()).isGreaterThan(delayed.downtimeRatio());
    // 40 s stretches in checkpoint mode: the schedule's own lengths, learnt, put the probe on the stretch's end.
    assertThat(bound.checkpointStretches()).containsOnly(40L);
    RunResult learnt = bound.probing(new long[] {39}, Duration.ofSeconds(5));
    assertThat(learnt.downtimeRatio()).isLessThan(probingOften.downtimeRatio()).isLessThan(probingRarely.downtimeRatio());
  }

  @Test
  void aProbeIntervalShorterThanTheControlPeriodIsRejectedWithTheValue() {
    ClairvoyantSchedule schedule = ClairvoyantSchedule.plan(simulator, ALTERNATING, Duration.ofMinutes(2), 1, 0, PERIOD);
    CausalBound bound = new CausalBound(simulator, ALTERNATING, Duration.ofMinutes(2), 1, 0, schedule, PERIOD);

    assertThatThrownBy(() -> bound.probing(Duration.ofMillis(300)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("probeInterval").hasMessageContaining("PT0.3S");
    assertThatThrownBy(() -> bound.probing(new long[] {5, 5}, Duration.ofSeconds(5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("probeOffsets");
  }

  /** Mean downtime ratio over {@code runs} seeds of bursty, each run made by {@code run}. */
  private double burstyMean(int runs, java.util.function.Function<CausalBound, RunResult> run) {
    Workload bursty = WorkloadProfile.BURSTY.workload();
    Duration length = Duration.ofMinutes(30);
    double sum = 0;
    for (int r = 0; r < runs; r++) {
      long seed = Comparison.runSeed(1, bursty.name(), r);
      ClairvoyantSchedule schedule = ClairvoyantSchedule.plan(simulator, bursty, length, seed, r, PERIOD);
      sum += run == null
          ? schedule.result().downtimeRatio()
          : run.apply(new CausalBound(simulator, bursty, length, seed, r, schedule, PERIOD)).downtimeRatio();
    }
    return sum / runs;
  }

  @Test
  void onBurstyNoFixedProbeIntervalComesWithinTenPercentOfTheScheduleWhileTheDelayAndLearntLengthsDo() {
    double limit = burstyMean(3, null);

    assertThat(burstyMean(3, CausalBound::delayed) / limit).isLessThan(1.10);
    for (int seconds : new int[] {5, 10, 15, 20, 30, 60, 90}) {
      assertThat(burstyMean(3, bound -> bound.probing(Duration.ofSeconds(seconds))) / limit)
          .as("probing every %d s", seconds)
          .isGreaterThan(1.10);
    }
    // The bursts last 20, 30, 40 or 50 s: probes at exactly those lengths, judged without noise.
    assertThat(burstyMean(3, bound -> bound.probing(new long[] {19, 29, 39, 49}, Duration.ofSeconds(10))) / limit)
        .isLessThan(1.10);
  }
}
