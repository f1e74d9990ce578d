package org.hybridft.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RegretTest {
  private static final List<String> STATIC = List.of("checkpoint", "colo");

  static RunResult run(String workload, String controller, int index, double downtime, double p99) {
    double throughput = p99 > 0 ? 10 : 0;
    return new RunResult(workload, controller, index, 1, 60, downtime, 60 * downtime, 10, 0.2,
        p99 / 2, p99 / 3, p99, p99 * 1.5, throughput, 0, 1, 1, 0, 0.5, TimeSeries.empty());
  }

  private static ComparisonResult result(List<RunResult> runs) {
    List<String> controllers = new ArrayList<>();
    List<String> workloads = new ArrayList<>();
    for (RunResult r : runs) {
      if (!controllers.contains(r.controller())) {
        controllers.add(r.controller());
      }
      if (!workloads.contains(r.workload())) {
        workloads.add(r.workload());
      }
    }
    return new ComparisonResult(workloads, controllers, runs);
  }

  @Test
  void theBaselineIsTheStaticModeWithTheLowerMeanDowntimeAndBothRatiosAreOverIt() {
    ComparisonResult result = result(List.of(
        run("w", "checkpoint", 0, 0.20, 600), run("w", "checkpoint", 1, 0.30, 700),
        run("w", "colo", 0, 0.40, 300), run("w", "colo", 1, 0.20, 300),
        run("w", "pi", 0, 0.26, 650), run("w", "pi", 1, 0.29, 650)));

    Regret regret = Regret.of(result, "w", "pi", STATIC).orElseThrow();

    // checkpoint's mean 0.25 beats colo's 0.30, although colo's p99 is lower.
    assertThat(regret.baseline()).isEqualTo("checkpoint");
    assertThat(regret.downtime()).isCloseTo(0.275 / 0.25, within(1e-12));
    assertThat(regret.p99()).isCloseTo(650.0 / 650, within(1e-12));
    assertThat(regret.loses()).as("10 %% more downtime than the baseline").isTrue();
  }

  @Test
  void aControllerWithinTheToleranceDoesNotLoseAndOneBeyondEitherBoundDoes() {
    ComparisonResult result = result(List.of(
        run("w", "checkpoint", 0, 0.50, 100), run("w", "colo", 0, 0.90, 100),
        run("w", "close", 0, 0.50 * 1.019, 109.9),
        run("w", "slow", 0, 0.40, 111),
        run("w", "costly", 0, 0.50 * 1.021, 90)));

    assertThat(Regret.of(result, "w", "close", STATIC).orElseThrow().loses()).isFalse();
    assertThat(Regret.of(result, "w", "slow", STATIC).orElseThrow().loses()).isTrue();
    assertThat(Regret.of(result, "w", "costly", STATIC).orElseThrow().loses()).isTrue();
  }

  @Test
  void thePerRunRegretComparesWithTheBaselinesRunOfTheSameIndex() {
    ComparisonResult result = result(List.of(
        run("w", "checkpoint", 0, 0.20, 600), run("w", "checkpoint", 1, 0.40, 800),
        run("w", "colo", 0, 0.90, 300), run("w", "colo", 1, 0.90, 300),
        run("w", "pi", 0, 0.30, 900), run("w", "pi", 1, 0.30, 400)));

    RunResult second = result.runs("w", "pi").get(1);
    Regret regret = Regret.ofRun(result, second, STATIC).orElseThrow();

    assertThat(regret.baseline()).isEqualTo("checkpoint");
    assertThat(regret.downtime()).isCloseTo(0.30 / 0.40, within(1e-12));
    assertThat(regret.p99()).isCloseTo(400.0 / 800, within(1e-12));
  }

  @Test
  void withoutAnyStaticModeInTheComparisonThereIsNoRegret() {
    ComparisonResult result = result(List.of(run("w", "pi", 0, 0.3, 100), run("w", "threshold", 0, 0.2, 100)));

    assertThat(Regret.of(result, "w", "pi", STATIC)).isEmpty();
    assertThat(Regret.ofRun(result, result.runs().get(0), STATIC)).isEmpty();
  }

  @Test
  void aStaticModeThatServedNothingIsNotTheBaselineHoweverLowItsDowntime() {
    ComparisonResult result = result(List.of(
        run("w", "checkpoint", 0, 0.10, 0), run("w", "colo", 0, 0.50, 300), run("w", "pi", 0, 0.2, 200)));

    Regret regret = Regret.of(result, "w", "pi", STATIC).orElseThrow();

    assertThat(regret.baseline()).isEqualTo("colo");
    assertThat(regret.downtime()).isCloseTo(0.4, within(1e-12));
    assertThat(regret.p99()).isCloseTo(200.0 / 300, within(1e-12));
  }

  @Test
  void aControllerThatServedNothingHasNoP99RegretAndLoses() {
    ComparisonResult result = result(List.of(
        run("w", "checkpoint", 0, 0.30, 600), run("w", "colo", 0, 0.50, 300), run("w", "idle", 0, 0.01, 0)));

    Regret regret = Regret.of(result, "w", "idle", STATIC).orElseThrow();

    assertThat(regret.p99()).isNaN();
    assertThat(regret.loses()).isTrue();
  }

  @Test
  void equalZeroDowntimesAreNoRegret() {
    ComparisonResult result = result(List.of(
        run("w", "checkpoint", 0, 0.0, 600), run("w", "colo", 0, 0.0, 300), run("w", "pi", 0, 0.0, 300)));

    Regret regret = Regret.of(result, "w", "pi", STATIC).orElseThrow();

    assertThat(regret.baseline()).as("equal downtime: the lower p99 decides").isEqualTo("colo");
    assertThat(regret.downtime()).isEqualTo(1.0);
    assertThat(regret.loses()).isFalse();
  }

  @Test
  void anUnknownControllerOrWorkloadIsNamedInTheError() {
    ComparisonResult result = result(List.of(run("w", "checkpoint", 0, 0.1, 10)));

    assertThatThrownBy(() -> Regret.of(result, "w", "nope", STATIC))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nope");
  }

  @Test
  void aControllerClearlyBelowBothStaticModesIsHeldToTheSlowerStaticModesP99() {
    // colo: the lower downtime and the lower p99; a hybrid 30 % below colo's downtime, with a p99
    // between colo's and checkpoint's, wins; one slower than checkpoint mode loses.
    ComparisonResult result = result(List.of(
        run("w", "checkpoint", 0, 0.30, 600), run("w", "colo", 0, 0.20, 300),
        run("w", "hybrid", 0, 0.14, 590), run("w", "sluggish", 0, 0.14, 610)));

    Regret hybrid = Regret.of(result, "w", "hybrid", STATIC).orElseThrow();
    Regret sluggish = Regret.of(result, "w", "sluggish", STATIC).orElseThrow();

    assertThat(hybrid.baseline()).isEqualTo("colo");
    assertThat(hybrid.p99()).as("over colo's").isCloseTo(590.0 / 300, within(1e-12));
    assertThat(hybrid.p99OverSlowerStaticMode()).isCloseTo(590.0 / 600, within(1e-12));
    assertThat(hybrid.beatsBothStaticModes()).isTrue();
    assertThat(hybrid.loses()).isFalse();
    assertThat(sluggish.loses()).isTrue();
  }

  @Test
  void aDowntimeWithinTheNoiseOfTheBetterStaticModeIsHeldToItsP99() {
    // 1 % below checkpoint mode is not clearly ahead: colo's enormous p99 is no excuse.
    ComparisonResult result = result(List.of(
        run("w", "checkpoint", 0, 0.30, 600), run("w", "colo", 0, 0.90, 90_000),
        run("w", "hybrid", 0, 0.297, 700)));

    Regret regret = Regret.of(result, "w", "hybrid", STATIC).orElseThrow();

    assertThat(regret.beatsBothStaticModes()).isFalse();
    assertThat(regret.loses()).as("p99 1.17x checkpoint mode's").isTrue();
  }
}
