package org.hybridft.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.List;
import org.hybridft.core.Mode;
import org.hybridft.core.testing.ScriptedController;
import org.hybridft.report.RunResult;
import org.junit.jupiter.api.Test;

/**
 * The simulator with the TCG testbed's measured parameters reproduces the testbed's figures within
 * 15 %. The figures were measured on the real pair (testbed/: QEMU 10.0.13 patched, TCG, a 128 MiB
 * Linux guest with one vCPU, busybox httpd CGI, a TCP connection per request, Poisson arrivals),
 * each over a 20 s window: benchmarks/results/testbed-calibration-20261130T183802Z.csv.
 *
 * <p>Not reproduced, on purpose: at 10 requests/s the TCG guest is saturated (median latency 523
 * ms against 271-278 ms at 1-5 requests/s) and the secondary falls further behind, so the real
 * pair takes 0.195 checkpoints per request where the constant delay gives about 0.33. The model's
 * delay does not grow with load; the fit uses 1-5 requests/s only. Passive mode at a 250 ms period
 * has a median of 1.85 periods on the pair against the model's 1.5 (at 500 and 1000 ms: 1.61
 * against 1.5).
 */
class TestbedCalibrationTest {
  // ---- measured on the testbed -------------------------------------------------------------
  /** Pause of a checkpoint with nothing dirty (63-76 ms measured). */
  private static final double PAUSE_FIXED_MS = 70;
  /**
   * Extra pause per MiB dirtied between checkpoints on loopback: 0.38 ms, fitted to 8.9 / 12.7 /
   * 14.6 / 21.5 ms at 0 / 8 / 16 / 32 MiB of non-zero pages (docs/real-qemu.md).
   */
  private static final double PAUSE_MS_PER_MIB = 0.38;
  /** Request rates of the non-deterministic resource (every reply diverges), in COLO. */
  private static final double[] RATES = {1, 2, 5};
  /** Checkpoints per request (cps / rate) at those rates. */
  private static final double[] CPS_PER_REQUEST = {0.950, 0.725, 0.450};
  /** Median latency of the non-deterministic resource in COLO at 1-5 requests/s (271-278 ms). */
  private static final double COLO_P50_MS_NONDETERMINISTIC = 271;
  /** Checkpoints of the deterministic resource at 1 request/s in COLO: 4 in 20 s. */
  private static final double STALE_CPS_AT_1 = 0.200;
  /**
   * Checkpoints of the deterministic resource at 5 requests/s in COLO: 4 counted in the 20 s
   * window, 5 pauses in the same run; the measurement cannot tell 0.20 from 0.25.
   */
  private static final double STALE_CPS_AT_5_LOW = 4 / 20.0;
  private static final double STALE_CPS_AT_5_HIGH = 5 / 20.0;
  /** Median latency in passive mode, in checkpoint periods, at 500 ms and 1000 ms. */
  private static final double PASSIVE_P50_PERIODS = 1.61;
  private static final double PASSIVE_RATE = 2;
  /** The guest's service time: the median latency of the deterministic resource in COLO. */
  private static final double SERVICE_MS = 18;
  /** colo-compare's compare_timeout (3000 ms) + expired_scan_cycle (1000 ms). */
  private static final Duration STALE_INTERVAL = Duration.ofSeconds(4);

  // ---- fitted -------------------------------------------------------------------------------
  /**
   * The divergence detection delay that fits {@link #CPS_PER_REQUEST} best on a 20 ms grid (worst
   * error 12 %): checkpoints per request -11 %, -1 %, +12 % at 1, 2, 5 requests/s.
   */
  static final Duration FITTED_DETECTION_DELAY = Duration.ofMillis(180);

  private static final double TOLERANCE = 0.15;
  private static final Duration LENGTH = Duration.ofMinutes(20);
  private static final Duration COLO_PERIOD = Duration.ofMillis(500);

  /** The testbed as a replication model: measured pause, fitted delay, stale packets, connections. */
  static ReplicationModel testbed(Duration detectionDelay) {
    return ReplicationModel.defaults()
        .withCheckpointFixedCost(Duration.ofNanos(Math.round(PAUSE_FIXED_MS * 1e6)))
        // ms per MiB to MB per second.
        .withLinkMbPerSecond(1.048576 * 1e3 / PAUSE_MS_PER_MIB)
        .withDivergenceDetectionDelay(detectionDelay)
        .withColoStaleCheckpointInterval(STALE_INTERVAL)
        .withConnectionPerRequest(true);
  }

  /** One resource of the testbed guest at a rate: one vCPU serves it, nothing much is dirtied. */
  private static Workload guest(double rate, double divergenceProbability) {
    return new Workload("testbed", "testbed guest", 1, 0.2,
        List.of(new Phase(Duration.ofMinutes(30), rate, SERVICE_MS, 0.5, divergenceProbability, 0, 64)), true);
  }

  private static RunResult run(ReplicationModel model, Workload workload, Mode mode, Duration period) {
    return new VmSimulator(model).run(workload, "testbed", ScriptedController.always(mode, period), LENGTH, 2026, 0);
  }

  private static double cpsPerRequest(ReplicationModel model, double rate) {
    return run(model, guest(rate, 1.0), Mode.COLO, COLO_PERIOD).checkpointsPerSecond() / rate;
  }

  /** The largest relative error of the model's cps-per-request curve against the measured one. */
  private static double worstCurveError(ReplicationModel model) {
    double worst = 0;
    for (int i = 0; i < RATES.length; i++) {
      worst = Math.max(worst, Math.abs(cpsPerRequest(model, RATES[i]) / CPS_PER_REQUEST[i] - 1));
    }
    return worst;
  }

  @Test
  void thePauseGrowsWithDirtyMemoryAsMeasured() {
    // 32 MiB dirtied per 1 s period, in a working set large enough not to cap it.
    double dirtyMbPerSecond = 32 * 1.048576;
    Workload dirtying = new Workload("dirty", "dirty", 1, 0.2,
        List.of(new Phase(Duration.ofMinutes(30), 0, SERVICE_MS, 0, 0, dirtyMbPerSecond, 1000)), true);

    RunResult result = run(testbed(FITTED_DETECTION_DELAY), dirtying, Mode.CHECKPOINT, Duration.ofSeconds(1));

    // The guest dirties only while it runs: pause = fixed + 32 MiB/s * (1 s - pause) * cost.
    double perSecond = 32 * PAUSE_MS_PER_MIB / 1e3;
    double expectedMs = (PAUSE_FIXED_MS / 1e3 + perSecond) / (1 + perSecond) * 1e3;
    double pauseMs = result.pauseSeconds() / result.checkpoints() * 1e3;
    assertThat(pauseMs).isCloseTo(expectedMs, within(0.01));
  }

  @Test
  void checkpointsPerNonDeterministicRequestFollowTheMeasuredCurve() {
    ReplicationModel model = testbed(FITTED_DETECTION_DELAY);
    for (int i = 0; i < RATES.length; i++) {
      assertThat(cpsPerRequest(model, RATES[i])).as("checkpoints per request at %s requests/s", RATES[i])
          .isCloseTo(CPS_PER_REQUEST[i], within(TOLERANCE * CPS_PER_REQUEST[i]));
    }
  }

  @Test
  void theFittedDetectionDelayIsTheBestOnAGrid() {
    long bestMillis = -1;
    double bestError = Double.MAX_VALUE;
    for (long millis = 0; millis <= 400; millis += 20) {
      double error = worstCurveError(testbed(Duration.ofMillis(millis)));
      if (error < bestError) {
        bestError = error;
        bestMillis = millis;
      }
    }

    assertThat(bestMillis).isEqualTo(FITTED_DETECTION_DELAY.toMillis());
    assertThat(bestError).isLessThan(TOLERANCE);
  }

  @Test
  void withoutADetectionDelayTheCurveIsMissed() {
    assertThat(worstCurveError(testbed(Duration.ZERO))).isGreaterThan(TOLERANCE);
  }

  @Test
  void theFittedDelayAlsoGivesTheMeasuredLatencyOfDivergingReplies() {
    // Not fitted: the delay came from checkpoint counts only.
    for (double rate : RATES) {
      RunResult result = run(testbed(FITTED_DETECTION_DELAY), guest(rate, 1.0), Mode.COLO, COLO_PERIOD);
      assertThat(result.latencyP50Ms()).as("median latency at %s requests/s", rate)
          .isCloseTo(COLO_P50_MS_NONDETERMINISTIC, within(TOLERANCE * COLO_P50_MS_NONDETERMINISTIC));
    }
  }

  @Test
  void deterministicTrafficCheckpointsForStalePacketsAsMeasured() {
    ReplicationModel model = testbed(FITTED_DETECTION_DELAY);
    RunResult atOne = run(model, guest(1, 0), Mode.COLO, COLO_PERIOD);
    RunResult atFive = run(model, guest(5, 0), Mode.COLO, COLO_PERIOD);
    RunResult withoutStale =
        run(model.withColoStaleCheckpointInterval(Duration.ZERO), guest(5, 0), Mode.COLO, COLO_PERIOD);

    assertThat(atOne.checkpointsPerSecond()).isCloseTo(STALE_CPS_AT_1, within(TOLERANCE * STALE_CPS_AT_1));
    assertThat(atFive.checkpointsPerSecond()).isBetween(STALE_CPS_AT_5_LOW, STALE_CPS_AT_5_HIGH);
    assertThat(withoutStale.checkpointsPerSecond()).isLessThan((1 - TOLERANCE) * STALE_CPS_AT_5_LOW);
  }

  @Test
  void passiveModeLatencyIsAsMeasured() {
    for (Duration period : List.of(Duration.ofMillis(500), Duration.ofSeconds(1))) {
      RunResult result = run(testbed(FITTED_DETECTION_DELAY), guest(PASSIVE_RATE, 0), Mode.CHECKPOINT, period);
      RunResult sharedConnection = run(testbed(FITTED_DETECTION_DELAY).withConnectionPerRequest(false),
          guest(PASSIVE_RATE, 0), Mode.CHECKPOINT, period);

      assertThat(result.latencyP50Ms() / period.toMillis()).as("median latency at %s", period)
          .isCloseTo(PASSIVE_P50_PERIODS, within(TOLERANCE * PASSIVE_P50_PERIODS));
      assertThat(sharedConnection.latencyP50Ms() / period.toMillis())
          .isLessThan((1 - TOLERANCE) * PASSIVE_P50_PERIODS);
    }
  }
}
