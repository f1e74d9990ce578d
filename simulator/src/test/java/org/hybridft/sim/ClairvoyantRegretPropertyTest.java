package org.hybridft.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.time.Duration;
import java.util.List;
import org.hybridft.report.ClairvoyantRegret;
import org.hybridft.report.ComparisonResult;
import org.junit.jupiter.api.Test;

/**
 * The adaptive controllers' regret against the {@link ClairvoyantSchedule} on random phase
 * sequences, which their defaults were not chosen on ({@link PhaseSequences}).
 *
 * <p>The stated bounds are what a controller that learns COLO's cost only by running COLO keeps
 * on such sequences, not the 1.10x the built-in workloads aim at. In checkpoint mode nothing
 * measures how COLO would do, so a controller probes COLO (about 0.7-1 s of extra pause a probe
 * with the default model) and returns to COLO only at a probe after a non-deterministic stretch
 * ends (at its back-off's or its learnt episodes' probes; {@link CausalBound} measures what the
 * best such prober reaches); near the rate where the two modes cost the same it may also keep
 * checkpoint mode where the schedule keeps COLO, and then its p99 is checkpoint mode's, two to
 * three times COLO's. Measured on 150 draws of two 12-minute runs each (PhaseSequenceRegrets): the
 * worst downtime ratio over the schedule's was 1.71x (threshold 1.32, PI 1.45, learning 1.71), the
 * worst p99 1.56x. ORBIT is left out: its rule is the prototype's, and it already loses to the
 * static modes.
 */
class ClairvoyantRegretPropertyTest {
  /** The downtime ratio each adaptive controller keeps on every draw, over the schedule's. */
  static final double DOWNTIME_BOUND = 2.0;

  /** The p99 each adaptive controller keeps on every draw, over the schedule's. */
  static final double P99_BOUND = 3.0;

  private static final List<String> ADAPTIVE = List.of("threshold", "pi", "learning");

  @Test
  void everyAdaptiveControllerStaysWithinTheStatedRegretOfTheScheduleOnEveryRandomPhaseSequence() {
    List<String> controllers = List.of("checkpoint", "colo", "threshold", "pi", "learning");
    // A bound on performance, not an invariant: seeded, so CI judges the same draws every time.
    qt().withFixedSeed(20_261_202L).withExamples(25).withShrinkCycles(0)
        .forAll(PhaseSequences.workloads(), longs().all())
        .checkAssert((workload, seed) -> {
          ComparisonResult result;
          try {
            result = PhaseSequences.compare(workload, controllers, 2, Duration.ofMinutes(12), seed);
          } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new AssertionError(interrupted);
          }
          for (String controller : ADAPTIVE) {
            ClairvoyantRegret regret =
                ClairvoyantRegret.of(result, workload.name(), controller, ClairvoyantComparison.STATIC).orElseThrow();
            assertThat(regret.downtime())
                .as("%s's downtime ratio over the schedule's on %s, seed %d", controller,
                    PhaseSequences.describe(workload), seed)
                .isLessThanOrEqualTo(DOWNTIME_BOUND);
            assertThat(regret.p99())
                .as("%s's p99 over the schedule's on %s, seed %d", controller, PhaseSequences.describe(workload), seed)
                .isLessThanOrEqualTo(P99_BOUND);
          }
        });
  }
}
