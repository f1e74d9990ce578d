package org.hybridft.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClairvoyantRegretTest {
  private static final List<String> STATIC = List.of("checkpoint", "colo");
  private static final String LIMIT = ClairvoyantRegret.SCHEDULE;

  private static ComparisonResult result(List<RunResult> runs) {
    List<String> controllers = runs.stream().map(RunResult::controller).distinct().toList();
    return new ComparisonResult(List.of("w"), controllers, runs);
  }

  @Test
  void bothRatiosAreOverTheSchedulesMeansAndTheGapRunsFromTheBetterStaticModeToTheSchedule() {
    ComparisonResult result = result(List.of(
        RegretTest.run("w", "checkpoint", 0, 0.20, 600), RegretTest.run("w", "checkpoint", 1, 0.20, 600),
        RegretTest.run("w", "colo", 0, 0.30, 300), RegretTest.run("w", "colo", 1, 0.30, 300),
        RegretTest.run("w", LIMIT, 0, 0.09, 500), RegretTest.run("w", LIMIT, 1, 0.11, 500),
        RegretTest.run("w", "pi", 0, 0.14, 550), RegretTest.run("w", "pi", 1, 0.16, 550)));

    ClairvoyantRegret regret = ClairvoyantRegret.of(result, "w", "pi", STATIC).orElseThrow();

    assertThat(regret.downtime()).isCloseTo(0.15 / 0.10, within(1e-12));
    assertThat(regret.p99()).isCloseTo(550.0 / 500, within(1e-12));
    // checkpoint, the better static mode, is at 0.20; the schedule at 0.10; pi halfway.
    assertThat(regret.gapClosed()).isCloseTo(0.5, within(1e-12));
    assertThat(regret.beyondBound()).isTrue();
  }

  @Test
  void withinTenPercentOfTheScheduleOnBothIsWithinTheBound() {
    ComparisonResult result = result(List.of(
        RegretTest.run("w", "checkpoint", 0, 0.20, 600), RegretTest.run("w", "colo", 0, 0.30, 300),
        RegretTest.run("w", LIMIT, 0, 0.10, 500),
        RegretTest.run("w", "close", 0, 0.1099, 549), RegretTest.run("w", "slow", 0, 0.10, 551)));

    assertThat(ClairvoyantRegret.of(result, "w", "close", STATIC).orElseThrow().beyondBound()).isFalse();
    assertThat(ClairvoyantRegret.of(result, "w", "slow", STATIC).orElseThrow().beyondBound()).isTrue();
  }

  @Test
  void whereTheScheduleIsTheBetterStaticModeThereIsNoGapToClose() {
    ComparisonResult result = result(List.of(
        RegretTest.run("w", "checkpoint", 0, 0.20, 600), RegretTest.run("w", "colo", 0, 0.30, 300),
        RegretTest.run("w", LIMIT, 0, 0.20, 600), RegretTest.run("w", "pi", 0, 0.202, 600)));

    ClairvoyantRegret regret = ClairvoyantRegret.of(result, "w", "pi", STATIC).orElseThrow();

    assertThat(regret.downtime()).isCloseTo(1.01, within(1e-12));
    assertThat(regret.gapClosed()).isNaN();
  }

  @Test
  void withoutTheScheduleThereIsNoRegretAndAnUnknownControllerIsNamed() {
    ComparisonResult result = result(List.of(
        RegretTest.run("w", "checkpoint", 0, 0.20, 600), RegretTest.run("w", "pi", 0, 0.2, 600)));

    assertThat(ClairvoyantRegret.of(result, "w", "pi", STATIC)).isEmpty();
    assertThatThrownBy(() -> ClairvoyantRegret.of(result, "w", "nope", STATIC))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'nope'");
  }
}
