package org.hybridft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.hybridft.controllers.ThresholdConfig;
import org.hybridft.controllers.ThresholdController;
import org.hybridft.evaluation.faults.CampaignReport;
import org.hybridft.evaluation.faults.FaultKind;
import org.hybridft.evaluation.faults.FaultTry;
import org.hybridft.evaluation.faults.TryResult;
import org.hybridft.qmp.Testbed;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fault campaign once per kind of fault, on testbed pairs under a writing load with the
 * threshold controller switching modes: after every fault, no acknowledged write is lost, the
 * survivor answers, the failover is the one COLO's documentation calls for, the loop reported
 * what happened, and nothing is left running. {@code -Dfaults=primary-kill,link-cut} runs only
 * those kinds. The hundred-try campaign is {@code org.hybridft.bench.FaultCampaign}.
 */
@Tag("real-qemu")
@Timeout(value = 12, unit = TimeUnit.MINUTES)
class FaultCampaignOnTestbedTest {
  /** Base ports of this test's pairs: other tests use 19000 and 20000-60000 at random, none these. */
  private static final int BASE_PORT_FROM = 31_000;
  private static final int BASE_PORT_TO = 31_900;

  @TempDir Path dir;

  /**
   * Short stretches and a 0.2 cps threshold, which the try's non-deterministic reads exceed, so
   * that a try of a few seconds sees the loop switch modes.
   */
  static ThresholdController switchingController() {
    return new ThresholdController(ThresholdConfig.builder()
        .coloWindow(Duration.ofSeconds(2))
        .coloThresholdCps(0.2)
        .initialCheckpointStretch(Duration.ofSeconds(3))
        .minCheckpointStretch(Duration.ofSeconds(3))
        .maxCheckpointStretch(Duration.ofSeconds(6))
        .checkpointPeriod(Duration.ofMillis(500))
        .build());
  }

  @Test
  void everyFaultKeepsEveryAcknowledgedWriteAndIsReportedRight() throws Exception {
    Path qemu = Testbed.assumeBuilt();
    FaultTry tries = new FaultTry(FaultTry.Settings.defaults(Testbed.scripts(), qemu, dir.resolve("pairs"),
        BASE_PORT_FROM, BASE_PORT_TO, FaultCampaignOnTestbedTest::switchingController));
    List<FaultKind> kinds = System.getProperty("faults") == null ? List.of(FaultKind.values())
        : Arrays.stream(System.getProperty("faults").split(",")).map(FaultKind::parse).toList();
    List<TryResult> results = new ArrayList<>();
    for (FaultKind kind : kinds) {
      TryResult result = tries.run(results.size(), kind, 1000 + kind.ordinal());
      System.out.printf("%s: struck %s (%s), failover %s, %d acknowledged, %d lost, serve again %.0f ms,"
              + " loop %s / %s / fail-safe %s, left %s, %.0f s%n",
          kind.label(), result.injected(), result.moment(), result.failover(), result.acknowledged(),
          result.lost().size(), result.serveAgainMillis(), result.loopStates(), result.loopEndReason(),
          result.loopFailSafe(), result.leftovers(), result.seconds());
      results.add(result);
    }
    CampaignReport report = new CampaignReport(results);
    Path out = Path.of("target", "fault-campaign");
    report.write(out, "FaultCampaignOnTestbedTest");
    System.out.println(Files.readString(out.resolve("report.md")));

    for (TryResult result : results) {
      String what = result.kind().label() + " (" + result.moment() + ")";
      assertThat(result.problem()).as(what + ": the try ran").isNull();
      assertThat(result.injected()).as(what + ": the fault struck").isTrue();
      assertThat(result.acknowledged()).as(what + ": writes were acknowledged").isPositive();
      assertThat(result.lost()).as(what + ": acknowledged writes lost").isEmpty();
      assertThat(result.serviceAnswers()).as(what + ": the survivor answers").isTrue();
      assertThat(result.failover()).as(what + ": the failover (" + result.failoverReason() + ")")
          .isEqualTo(result.expectedFailover());
      assertThat(result.loopRight()).as(what + ": the loop reported " + result.loopStates() + " / "
          + result.loopEndReason() + " / fail-safe " + result.loopFailSafe() + ", expected " + result.loopExpected())
          .isTrue();
      assertThat(result.leftovers()).as(what + ": left running").isEmpty();
    }
  }
}
