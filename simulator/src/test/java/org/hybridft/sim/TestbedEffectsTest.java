package org.hybridft.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import org.hybridft.core.Mode;
import org.hybridft.core.testing.ScriptedController;
import org.hybridft.report.RunResult;
import org.junit.jupiter.api.Test;

/**
 * The three effects the TCG testbed showed and the research's model lacked: a late divergence
 * detection, colo-compare's stale-packet checkpoints, and a TCP connection per request in
 * checkpoint mode. Each is off by default; with it on, the simulator behaves as the real pair.
 */
class TestbedEffectsTest {
  private static final Duration PAUSE = Duration.ofMillis(85);
  private static final Duration HALF_SECOND = Duration.ofMillis(500);

  private static RunResult run(ReplicationModel model, Workload workload, ScriptedController controller, Duration length) {
    return new VmSimulator(model).run(workload, "test", controller, length, 17, 0);
  }

  @Test
  void aDetectionDelaySaturatesTheCheckpointRateNearOneOverDelayPlusPause() {
    // Every reply diverges, 200 per second: without a delay COLO checkpoints back to back.
    Workload everyReplyDiverges = TestWorkloads.steady(200, 1.0, 0, 64);
    ReplicationModel late = ReplicationModel.defaults().withDivergenceDetectionDelay(Duration.ofMillis(250));

    RunResult result = run(late, everyReplyDiverges, ScriptedController.always(Mode.COLO, HALF_SECOND), Duration.ofMinutes(2));

    assertThat(result.checkpointsPerSecond()).isCloseTo(1 / (0.250 + 0.085), within(0.1));
    assertThat(result.pauseSeconds() / result.checkpoints()).isCloseTo(PAUSE.toMillis() / 1e3, within(1e-6));
  }

  @Test
  void repliesDivergingDuringTheDelayShareOneCheckpoint() {
    // 20 diverging replies per second, detected 400 ms late: about one checkpoint per 0.05 + 0.4
    // + 0.085 s cycle, so each checkpoint flushes many replies (at once: one per reply, 20/s).
    Workload everyReplyDiverges = TestWorkloads.steady(20, 1.0, 0, 64);
    ReplicationModel late = ReplicationModel.defaults().withDivergenceDetectionDelay(Duration.ofMillis(400));

    RunResult result = run(late, everyReplyDiverges, ScriptedController.always(Mode.COLO, HALF_SECOND), Duration.ofMinutes(5));

    double perRequest = result.checkpointsPerSecond() / result.throughputRps();
    assertThat(perRequest).isCloseTo(1 / (1 + 20 * (0.4 + 0.085)), within(0.03));
    // A diverging reply waits for the detection and the pause, never for a later checkpoint.
    assertThat(result.latencyP50Ms()).isBetween(85.0, 400.0 + 85 + 50);
  }

  @Test
  void aDetectionDelayDoesNotChangeCheckpointMode() {
    Workload everyReplyDiverges = TestWorkloads.steady(100, 1.0, 0, 64);
    ReplicationModel late = ReplicationModel.defaults().withDivergenceDetectionDelay(Duration.ofMillis(250));

    RunResult result =
        run(late, everyReplyDiverges, ScriptedController.always(Mode.CHECKPOINT, Duration.ofSeconds(1)), Duration.ofMinutes(2));

    assertThat(result.checkpointsPerSecond()).isCloseTo(1.0, within(0.01));
  }

  @Test
  void deterministicColoTrafficCheckpointsWhenAPacketGoesStale() {
    // No divergence and a 20 s timer: only stale packets can checkpoint more often than every 20 s.
    Workload deterministic = TestWorkloads.steady(50, 0, 0, 64);
    ReplicationModel stale = ReplicationModel.defaults().withColoStaleCheckpointInterval(Duration.ofSeconds(4));

    RunResult result = run(stale, deterministic, ScriptedController.always(Mode.COLO, HALF_SECOND), Duration.ofMinutes(10));

    // Each cycle: 4 s from the first reply after a checkpoint, plus the pause and the short wait
    // for that reply (requests that arrived during the pause are served right after it).
    assertThat(result.checkpointsPerSecond()).isCloseTo(1 / 4.1, within(0.005));
  }

  @Test
  void withoutRepliesNothingGoesStale() {
    ReplicationModel stale = ReplicationModel.defaults().withColoStaleCheckpointInterval(Duration.ofSeconds(4));

    RunResult result = run(stale, TestWorkloads.steady(0, 0, 0, 64), ScriptedController.always(Mode.COLO, HALF_SECOND),
        Duration.ofMinutes(10));

    // Only the 20 s timer: 20 s, 40 s, ..., 580 s.
    assertThat(result.checkpoints()).isEqualTo(29);
  }

  @Test
  void staleCheckpointsDoNotHappenInCheckpointMode() {
    ReplicationModel stale = ReplicationModel.defaults().withColoStaleCheckpointInterval(Duration.ofMillis(300));

    RunResult result = run(stale, TestWorkloads.steady(50, 0, 0, 64),
        ScriptedController.always(Mode.CHECKPOINT, Duration.ofSeconds(1)), Duration.ofMinutes(2));

    assertThat(result.checkpointsPerSecond()).isCloseTo(1.0, within(0.01));
  }

  @Test
  void aConnectionPerRequestMakesCheckpointModeLatencyAboutOneAndAHalfPeriods() {
    Workload workload = TestWorkloads.steady(100, 0, 0, 64);
    ReplicationModel perRequest = ReplicationModel.defaults().withConnectionPerRequest(true);

    RunResult result =
        run(perRequest, workload, ScriptedController.always(Mode.CHECKPOINT, Duration.ofSeconds(1)), Duration.ofMinutes(2));

    // On average half a period until the SYN-ACK leaves at a commit, then a whole period from
    // that commit to the next; without the effect, half a period and a pause.
    assertThat(result.latencyMeanMs()).isCloseTo(1500, within(60.0));
    assertThat(result.latencyP50Ms()).isGreaterThan(1000);
    assertThat(result.checkpointsPerSecond()).isCloseTo(1.0, within(0.01));
  }

  @Test
  void aConnectionPerRequestChangesNothingInColo() {
    Workload workload = TestWorkloads.steady(100, 0.05, 10, 64);
    RunResult shared = run(ReplicationModel.defaults(), workload, ScriptedController.always(Mode.COLO, HALF_SECOND),
        Duration.ofMinutes(1));
    RunResult perRequest = run(ReplicationModel.defaults().withConnectionPerRequest(true), workload,
        ScriptedController.always(Mode.COLO, HALF_SECOND), Duration.ofMinutes(1));

    assertThat(perRequest.checkpoints()).isEqualTo(shared.checkpoints());
    assertThat(perRequest.latencyMeanMs()).isEqualTo(shared.latencyMeanMs());
  }

  @Test
  void connectionsWaitingInCheckpointModeAreServedWhenTheSwitchToColoCommits() {
    // 10 s of checkpoint mode with a 1 h period: no checkpoint commits until the switch to COLO.
    Workload workload = TestWorkloads.steady(50, 0, 0, 64);
    ReplicationModel perRequest =
        ReplicationModel.defaults().withConnectionPerRequest(true).withColoCheckpointDelay(Duration.ofHours(1));

    RunResult result = run(perRequest, workload,
        ScriptedController.switching(Mode.CHECKPOINT, Mode.COLO, Duration.ofSeconds(10), Duration.ofHours(1)),
        Duration.ofSeconds(30));

    // About 1,500 requests, the first 500 of them held by the switch: all answered by the end.
    assertThat(result.throughputRps() * result.wallSeconds()).isGreaterThan(1400);
    assertThat(result.dropped()).isZero();
    assertThat(result.latencyP99Ms()).isGreaterThan(5000);
  }

  @Test
  void aNegativeDetectionDelayOrStaleIntervalIsRefusedByName() {
    ReplicationModel defaults = ReplicationModel.defaults();

    assertThatThrownBy(() -> defaults.withDivergenceDetectionDelay(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("divergenceDetectionDelay");
    assertThatThrownBy(() -> defaults.withColoStaleCheckpointInterval(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("coloStaleCheckpointInterval");
  }

  @Test
  void theDefaultsAreTheResearchTestbedsWithNoneOfTheseEffects() {
    ReplicationModel defaults = ReplicationModel.defaults();

    assertThat(defaults.divergenceDetectionDelay()).isZero();
    assertThat(defaults.coloStaleCheckpointInterval()).isZero();
    assertThat(defaults.connectionPerRequest()).isFalse();
    assertThat(new ReplicationModel(defaults.checkpointFixedCost(), defaults.linkMbPerSecond(),
        defaults.deviceStateMb(), defaults.coloCheckpointDelay(), defaults.controlPeriod(),
        defaults.rateWindow(), defaults.backlogLimit())).isEqualTo(defaults);
  }
}
