package org.hybridft.controllers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import java.time.Duration;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.hybridft.core.Mode;
import org.hybridft.core.StabilityCheck;
import org.hybridft.core.StabilityReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ThresholdControllerTest {
  private static final long SECOND = 1_000_000_000L;
  /** The defaults with the research's 10 s COLO window and 2 cps threshold. */
  private static final ThresholdConfig RESEARCH_WINDOW =
      ThresholdConfig.builder().coloWindow(Duration.ofSeconds(10)).coloThresholdCps(2.0).alpha(2.0).build();
  /** The defaults with the research's doubling back-off, for the stretch arithmetic below. */
  private static final ThresholdConfig DOUBLING = ThresholdConfig.builder().alpha(2.0).build();

  @Test
  void checkpointStretchStaysWithinMinAndMax() {
    qt().forAll(Generators.thresholdConfigs(), Generators.rates(1, 600), integers().between(100, 5_000))
        .checkAssert(
            (config, rates, periodMillis) -> {
              ThresholdController controller = new ThresholdController(config);
              long now = 0;
              for (double cps : rates) {
                controller.update(now, cps);
                assertThat(controller.checkpointStretchNanos())
                    .isBetween(
                        config.minCheckpointStretch().toNanos(),
                        config.maxCheckpointStretch().toNanos());
                now += periodMillis * 1_000_000L;
              }
            });
  }

  @Test
  void afterKBadColoStretchesInARowTheStretchIsInitialTimesAlphaToTheK() {
    qt().forAll(Generators.thresholdConfigs(), integers().between(200, 2_000))
        .checkAssert(
            (config, periodMillis) -> {
              ThresholdController controller = new ThresholdController(config);
              double bad = controller.thresholdCps() + 1;
              long period = periodMillis * 1_000_000L;
              int badStretches = 0;
              Mode previous = controller.mode();
              for (long now = 0; badStretches < 12 && now < 100_000 * SECOND; now += period) {
                Mode mode = controller.update(now, bad);
                if (previous == Mode.COLO && mode == Mode.CHECKPOINT) {
                  badStretches++;
                  double expected =
                      Math.min(
                          config.maxCheckpointStretch().toNanos(),
                          config.initialCheckpointStretch().toNanos()
                              * Math.pow(config.alpha(), badStretches));
                  assertThat((double) controller.checkpointStretchNanos())
                      .isCloseTo(expected, org.assertj.core.data.Offset.offset(badStretches + 1e-9 * expected));
                }
                previous = mode;
              }
              assertThat(badStretches).isEqualTo(12);
            });
  }

  @Test
  void neverTwoSwitchesCloserThanTheSmallestStretch() {
    qt().forAll(Generators.thresholdConfigs(), Generators.rates(1, 800), integers().between(100, 3_000))
        .checkAssert(
            (config, rates, periodMillis) -> {
              Duration smallest =
                  config.coloWindow().compareTo(config.minCheckpointStretch()) < 0
                      ? config.coloWindow()
                      : config.minCheckpointStretch();
              if (config.earlyJudgementFactor() != Double.POSITIVE_INFINITY
                  && smallest.toMillis() > periodMillis) {
                // An early judgement may end a COLO stretch after one update.
                smallest = Duration.ofMillis(periodMillis);
              }
              StabilityReport report =
                  StabilityCheck.builder()
                      .controlPeriod(Duration.ofMillis(periodMillis))
                      .minDwell(smallest)
                      .build()
                      .run(new ThresholdController(config), Generators.toArray(rates));
              report.assertStable();
            });
  }

  @Test
  void goodColoShortensTheNextCheckpointStretchByBeta() {
    ThresholdController controller = new ThresholdController(RESEARCH_WINDOW);
    long now = 0;
    controller.update(now, 0);
    for (int i = 0; i < 10; i++) {
      now += SECOND;
      controller.update(now, 5); // bad
    }
    assertThat(controller.mode()).isEqualTo(Mode.CHECKPOINT);
    assertThat(controller.checkpointStretchNanos()).isEqualTo(20 * SECOND);
    for (int i = 0; i < 20; i++) {
      now += SECOND;
      controller.update(now, 2);
    }
    assertThat(controller.mode()).isEqualTo(Mode.COLO);
    for (int i = 0; i < 10; i++) {
      now += SECOND;
      controller.update(now, 0.1); // good
    }
    assertThat(controller.mode()).isEqualTo(Mode.COLO);
    assertThat(controller.checkpointStretchNanos()).isEqualTo(10 * SECOND);
  }

  @Test
  void deterministicWorkloadStaysInColoAndNonDeterministicSettlesInCheckpointMode() {
    StabilityReport calm =
        StabilityCheck.builder()
            .expectConvergence(Mode.COLO, 0, 1.0)
            .build()
            .run(new ThresholdController(), (mode, period) -> mode == Mode.COLO ? 0.1 : 2, 3_600);
    calm.assertStable();

    StabilityReport stormy =
        StabilityCheck.builder()
            .expectConvergence(Mode.CHECKPOINT, 600, 0.9)
            .build()
            .run(new ThresholdController(), (mode, period) -> mode == Mode.COLO ? 11 : 2, 3_600);
    stormy.assertStable();
  }

  @Test
  void aColoPeriodFarAboveTheThresholdEndsTheStretchAtOnceAsBad() {
    ThresholdController controller = new ThresholdController(DOUBLING);
    controller.update(0, 0);
    Mode afterOnePeriod = controller.update(SECOND, 11);

    assertThat(afterOnePeriod).isEqualTo(Mode.CHECKPOINT);
    assertThat(controller.checkpointStretchNanos()).isEqualTo(20 * SECOND);
  }

  @Test
  void aBurstDuringAGoodColoStretchIsLeftAtItsFirstPeriod() {
    ThresholdController controller = new ThresholdController();
    long now = 0;
    controller.update(now, 0);
    for (int i = 0; i < 15; i++) {
      now += SECOND;
      assertThat(controller.update(now, 0.1)).isEqualTo(Mode.COLO);
    }
    now += SECOND;
    assertThat(controller.update(now, 9)).isEqualTo(Mode.CHECKPOINT);
  }

  @Test
  void aPeriodOnlyModeratelyAboveTheThresholdWaitsForTheWindow() {
    ThresholdController controller = new ThresholdController(RESEARCH_WINDOW);
    long now = 0;
    controller.update(now, 0);
    for (int i = 0; i < 9; i++) {
      now += SECOND;
      assertThat(controller.update(now, 3.9)).isEqualTo(Mode.COLO);
    }
    now += SECOND;
    assertThat(controller.update(now, 3.9)).isEqualTo(Mode.CHECKPOINT);
  }

  @Test
  void withEarlyJudgementOffAFarAbovePeriodWaitsForTheWindowAsInTheResearch() {
    ThresholdController controller =
        new ThresholdController(
            RESEARCH_WINDOW.toBuilder()
                .earlyJudgementFactor(Double.POSITIVE_INFINITY)
                .build());
    controller.update(0, 0);
    for (int i = 1; i < 10; i++) {
      assertThat(controller.update(i * SECOND, 11)).isEqualTo(Mode.COLO);
    }
    assertThat(controller.update(10 * SECOND, 11)).isEqualTo(Mode.CHECKPOINT);
  }

  static Stream<Arguments> invalidParameters() {
    return Stream.of(
        Arguments.of("earlyJudgementFactor", (UnaryOperator<ThresholdConfig.Builder>) b -> b.earlyJudgementFactor(0.5)),
        Arguments.of("earlyJudgementFactor", (UnaryOperator<ThresholdConfig.Builder>) b -> b.earlyJudgementFactor(Double.NaN)),
        Arguments.of("alpha", (UnaryOperator<ThresholdConfig.Builder>) b -> b.alpha(1.0)),
        Arguments.of("alpha", (UnaryOperator<ThresholdConfig.Builder>) b -> b.alpha(Double.NaN)),
        Arguments.of("beta", (UnaryOperator<ThresholdConfig.Builder>) b -> b.beta(1.0)),
        Arguments.of("beta", (UnaryOperator<ThresholdConfig.Builder>) b -> b.beta(0.0)),
        Arguments.of("coloThresholdCps", (UnaryOperator<ThresholdConfig.Builder>) b -> b.coloThresholdCps(-1)),
        Arguments.of("coloThresholdCps", (UnaryOperator<ThresholdConfig.Builder>) b -> b.coloThresholdCps(Double.POSITIVE_INFINITY)),
        Arguments.of("coloWindow", (UnaryOperator<ThresholdConfig.Builder>) b -> b.coloWindow(Duration.ZERO)),
        Arguments.of("checkpointPeriod", (UnaryOperator<ThresholdConfig.Builder>) b -> b.checkpointPeriod(Duration.ofMillis(-5))),
        Arguments.of("minCheckpointStretch", (UnaryOperator<ThresholdConfig.Builder>) b -> b.minCheckpointStretch(Duration.ZERO)),
        Arguments.of("maxCheckpointStretch", (UnaryOperator<ThresholdConfig.Builder>) b -> b.maxCheckpointStretch(Duration.ofSeconds(1))),
        Arguments.of("initialCheckpointStretch", (UnaryOperator<ThresholdConfig.Builder>) b -> b.initialCheckpointStretch(Duration.ofHours(1))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidParameters")
  void eachParameterOutOfRangeThrowsNamingIt(
      String parameter, UnaryOperator<ThresholdConfig.Builder> breakIt) {
    assertThatThrownBy(() -> breakIt.apply(ThresholdConfig.builder()).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(parameter);
  }

  @Test
  void defaultsAreValidAndDocumentedValues() {
    ThresholdConfig defaults = ThresholdConfig.defaults();
    assertThat(defaults.coloWindow()).isEqualTo(Duration.ofSeconds(3));
    assertThat(defaults.coloThresholdCps()).isZero();
    assertThat(defaults.initialCheckpointStretch()).isEqualTo(Duration.ofSeconds(10));
    assertThat(defaults.toBuilder().build()).isEqualTo(defaults);
  }

  @Test
  void theDefaultThresholdIsCheckpointModesRatePlusOneCheckpointPerShortestStretch() {
    ThresholdConfig defaults = ThresholdConfig.defaults();

    assertThat(new ThresholdController(defaults).thresholdCps()).isEqualTo(2.0 + 0.2, within(1e-12));
    assertThat(new ThresholdController(defaults.toBuilder().checkpointPeriod(Duration.ofSeconds(1)).build())
            .thresholdCps())
        .isEqualTo(1.0 + 0.2, within(1e-12));
    assertThat(new ThresholdController(defaults.toBuilder()
                .checkpointPeriod(Duration.ofMillis(250))
                .minCheckpointStretch(Duration.ofSeconds(2))
                .build())
            .thresholdCps())
        .isEqualTo(4.0 + 0.5, within(1e-12));
    assertThat(new ThresholdController(defaults.toBuilder().coloThresholdCps(1.5).build()).thresholdCps())
        .isEqualTo(1.5);
  }

  @Test
  void withTheDefaultThresholdAOneSecondPeriodLeavesAColoThatCheckpointsTwiceAsOften() {
    ThresholdController controller =
        new ThresholdController(ThresholdConfig.builder().checkpointPeriod(Duration.ofSeconds(1)).build());

    Mode mode = Mode.COLO;
    for (long second = 0; second <= 3; second++) {
      mode = controller.update(second * SECOND, 2.0);
    }

    // 2 cps was the fixed default threshold: a COLO at 2 cps was kept against checkpoint mode's 1.
    assertThat(mode).isEqualTo(Mode.CHECKPOINT);
  }

  /** The checkpoint stretches a controller picks while COLO keeps measuring {@code coloCps}. */
  private static java.util.List<Long> stretchesAtAConstantColoRate(ThresholdConfig config, double coloCps) {
    ThresholdController controller = new ThresholdController(config);
    java.util.List<Long> stretches = new java.util.ArrayList<>();
    Mode previous = controller.update(0, 0);
    for (long now = SECOND; stretches.size() < 8 && now < 10_000 * SECOND; now += SECOND / 2) {
      Mode mode = controller.update(now, previous == Mode.COLO ? coloCps : 2.0);
      if (previous == Mode.COLO && mode == Mode.CHECKPOINT) {
        stretches.add(controller.checkpointStretchNanos() / SECOND);
      }
      previous = mode;
    }
    return stretches;
  }

  @Test
  void withTheDefaultThresholdTheStretchIsWhatColosExcessOverCheckpointModeIsWorth() {
    // 500 ms: checkpoint mode costs 2 cps. COLO at 2.5 cps is 25 % dearer: at most 160 s * 0.25.
    assertThat(stretchesAtAConstantColoRate(DOUBLING, 2.5))
        .containsExactly(20L, 40L, 40L, 40L, 40L, 40L, 40L, 40L);
    // COLO at 2.3 cps, 15 % dearer: never more than the 24 s it is worth.
    assertThat(stretchesAtAConstantColoRate(DOUBLING, 2.3)).allMatch(stretch -> stretch <= 24);
    // COLO at twice checkpoint mode's rate or more: the stretch grows by alpha up to the maximum.
    assertThat(stretchesAtAConstantColoRate(DOUBLING, 4.0))
        .containsExactly(20L, 40L, 80L, 160L, 160L, 160L, 160L, 160L);
  }

  @Test
  void withAConfiguredThresholdTheStretchGrowsByAlphaWhateverTheExcess() {
    ThresholdConfig configured = DOUBLING.toBuilder().coloThresholdCps(2.2).build();

    assertThat(stretchesAtAConstantColoRate(configured, 2.5))
        .containsExactly(20L, 40L, 80L, 160L, 160L, 160L, 160L, 160L);
  }

  /**
   * Closed loop on episodes of {@code episodeSeconds} of non-determinism (COLO at 8 cps) each
   * followed by 90 s of deterministic work (COLO at 0.1 cps; checkpoint mode always 2 cps): how
   * many seconds after each deterministic stretch starts the controller is back in COLO, for the
   * 4th to 12th episodes.
   */
  private static java.util.List<Long> lateReturns(ThresholdConfig config, long episodeSeconds) {
    ThresholdController controller = new ThresholdController(config);
    long cycle = episodeSeconds + 90;
    java.util.List<Long> late = new java.util.ArrayList<>();
    Mode mode = controller.update(0, 0);
    long detStart = -1;
    for (long second = 1; second < 12 * cycle; second++) {
      // The period that just ended, (second - 1, second], ran in mode.
      boolean divergent = (second - 1) % cycle < episodeSeconds;
      double cps = mode == Mode.COLO ? (divergent ? 8 : 0.1) : 2;
      mode = controller.update(second * SECOND, cps);
      long inCycle = second % cycle;
      if (inCycle == episodeSeconds) {
        detStart = second;
      }
      if (detStart >= 0 && mode == Mode.COLO) {
        if (second / cycle >= 3) {
          late.add(second - detStart);
        }
        detStart = -1;
      }
    }
    return late;
  }

  @Test
  void learntEpisodesBringTheControllerBackToColoSoonAfterNonDeterministicEpisodesOfARepeatedLengthEnd() {
    ThresholdConfig backOffOnly = ThresholdConfig.builder().learnEpisodes(false).build();

    java.util.List<Long> learnt = lateReturns(ThresholdConfig.defaults(), 180);
    java.util.List<Long> backOff = lateReturns(backOffOnly, 180);

    assertThat(learnt).hasSize(9).allMatch(seconds -> seconds <= 15);
    assertThat(backOff).hasSize(9).allMatch(seconds -> seconds > 30);
  }

  @Test
  void anEpisodeFarLongerThanTheLearntOnesIsProbedByTheBackOffAgain() {
    // Learn 40 s episodes, then one that never ends: probes fall back to the back-off's intervals.
    ThresholdController controller = new ThresholdController();
    Mode mode = controller.update(0, 0);
    int probes = 0;
    long cycle = 130;
    for (long second = 1; second < 6 * cycle + 3_600; second++) {
      boolean divergent = second > 6 * cycle || (second - 1) % cycle < 40;
      Mode next = controller.update(second * SECOND, mode == Mode.COLO ? (divergent ? 8 : 0.1) : 2);
      if (second > 6 * cycle + 600 && mode == Mode.CHECKPOINT && next == Mode.COLO) {
        probes++;
      }
      mode = next;
    }
    // The last 50 minutes: the back-off's stretches reach 160 s, about 19 probes; a probe every
    // few seconds would make hundreds.
    assertThat(probes).isBetween(10, 25);
  }
}
