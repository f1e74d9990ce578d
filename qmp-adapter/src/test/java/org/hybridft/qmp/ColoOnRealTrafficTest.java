package org.hybridft.qmp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.hybridft.controllers.StaticController;
import org.hybridft.core.ControlLoop;
import org.hybridft.core.Mode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real divergence on the testbed: a Linux guest in a COLO pair (patched QEMU under TCG) serving
 * HTTP, driven at 5 requests per second. Checkpoints are counted by {@link QmpCheckpointCounter}
 * from the primary's events, as a control loop would count them.
 */
@Tag("real-qemu")
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ColoOnRealTrafficTest {
  private static final double RATE = 5;
  /** Long enough that one checkpoint more or less moves a rate by under 0.1 cps. */
  private static final Duration WINDOW = Duration.ofSeconds(12);

  @TempDir Path dir;
  private Testbed pair;
  private QmpClient primary;
  private QmpCheckpointCounter counter;

  @BeforeEach
  void startPair() throws Exception {
    pair = Testbed.start(dir, Testbed.Guest.LINUX);
    primary = pair.primary();
    counter = QmpCheckpointCounter.attach(primary);
  }

  @AfterEach
  void stopPair() throws Exception {
    if (counter != null) {
      counter.close();
    }
    if (pair != null) {
      pair.close();
    }
  }

  @Test
  void theLinuxPairIsInColoAndServesHttpThroughThePrimary() throws Exception {
    assertThat(primary.call("query-colo-status", null).path("mode").asText()).isEqualTo("primary");
    try (GuestTraffic traffic = new GuestTraffic(pair.http(), GuestTraffic.DETERMINISTIC, RATE)) {
      Thread.sleep(2_000);
      traffic.close();
      assertThat(traffic.correct.get()).as(traffic.summary()).isGreaterThanOrEqualTo(8);
      assertThat(traffic.wrong.get() + traffic.failed.get()).as(traffic.summary()).isZero();
    }
  }

  @Test
  void deterministicRepliesCostAlmostNoCheckpointsAndNondeterministicOnesMany() throws Exception {
    try (GuestTraffic traffic = new GuestTraffic(pair.http(), GuestTraffic.DETERMINISTIC, RATE)) {
      Thread.sleep(3_000); // connections of the start settle
      double deterministic = measureCps();
      traffic.ask(GuestTraffic.NONDETERMINISTIC);
      Thread.sleep(2_000);
      double nondeterministic = measureCps();
      traffic.close();

      System.out.printf("real COLO at %.0f req/s: deterministic %.2f cps, non-deterministic %.2f cps; %s%n",
          RATE, deterministic, nondeterministic, traffic.summary());
      assertThat(deterministic).as("deterministic replies (colo-compare's stale checks only)").isLessThanOrEqualTo(0.5);
      // About 0.65 checkpoints a request on a quiet machine (3+ cps at 5 req/s); a TCG guest on a
      // loaded machine serves and checkpoints more slowly (1.7 cps seen at a load of 10 on 2 cores),
      // so the bound is the divergence itself: far above the deterministic rate, and 1 cps at least.
      assertThat(nondeterministic).as("non-deterministic replies diverge")
          .isGreaterThanOrEqualTo(Math.max(1.0, 4 * deterministic));
      assertThat(traffic.wrong.get() + traffic.failed.get()).as(traffic.summary()).isZero();
    }
  }

  @Test
  void mirrorPassiveAt500msCheckpointsTwiceASecondWhateverTheRepliesAndColoIsCheapAgainAfter() throws Exception {
    ModeRecipe recipe = ModeRecipe.detect(primary, Duration.ofSeconds(20));
    assertThat(recipe).isInstanceOf(MirrorPassiveRecipe.class);
    QmpModeActuator actuator = new QmpModeActuator(primary, recipe);
    try (GuestTraffic traffic = new GuestTraffic(pair.http(), GuestTraffic.NONDETERMINISTIC, RATE)) {
      actuator.apply(Mode.CHECKPOINT, Duration.ofMillis(500).toNanos());
      Thread.sleep(2_000);
      double passive = measureCps();
      long wrongInPassive = traffic.wrong.get() + traffic.failed.get();

      traffic.ask(GuestTraffic.DETERMINISTIC);
      actuator.apply(Mode.COLO, Duration.ofMillis(500).toNanos());
      Thread.sleep(5_000); // the switch's checkpoint and the replies held across it
      double colo = measureCps();
      traffic.close();

      System.out.printf("mirror-passive at 500 ms on non-deterministic replies: %.2f cps; back in COLO on"
          + " deterministic ones: %.2f cps; %s%n", passive, colo, traffic.summary());
      assertThat(passive).isBetween(1.7, 2.3);
      assertThat(wrongInPassive).as("every reply correct in passive mode: " + traffic.summary()).isZero();
      assertThat(colo).isLessThanOrEqualTo(0.5);
      assertThat(traffic.wrong.get() + traffic.failed.get()).as(traffic.summary()).isZero();
      assertThat(primary.call("qom-get", Map.of("path", "/objects/m0", "property", "status")).asText())
          .isEqualTo("on");
    }
  }

  @Test
  void failoverEndsTheLoopAndTheGuestAnswersThroughTheSecondary() throws Exception {
    QmpClient secondary = pair.secondary();
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    CountDownLatch ended = new CountDownLatch(1);
    List<String> reasons = new CopyOnWriteArrayList<>();
    ControlLoop loop = ControlLoop.builder(StaticController.colo(), counter,
            new QmpModeActuator(primary, ModeRecipe.detect(primary, Duration.ofSeconds(20))), scheduler)
        .period(Duration.ofSeconds(1))
        .addListener(new ControlLoop.Listener() {
          @Override
          public void onStateChanged(ControlLoop.StateChange change) {
            if (change.to() == ControlLoop.State.ENDED) {
              reasons.add(change.reason());
              ended.countDown();
            }
          }
        })
        .build();
    try (GuestTraffic traffic = new GuestTraffic(pair.http(), GuestTraffic.DETERMINISTIC, RATE)) {
      loop.start();
      Thread.sleep(3_000);
      traffic.close();
      assertThat(traffic.correct.get()).as(traffic.summary()).isPositive();

      long primaryPid = Long.parseLong(Files.readString(dir.resolve("primary.pid")).strip());
      ProcessHandle.of(primaryPid).orElseThrow().destroyForcibly();
      secondary.call("nbd-server-stop", null);
      secondary.call("x-colo-lost-heartbeat", null);
      secondary.call("object-del", Map.of("id", "f1"));
      secondary.call("object-del", Map.of("id", "f2"));

      assertThat(ended.await(20, TimeUnit.SECONDS)).as("the loop reports the end of the replication").isTrue();
      assertThat(loop.state()).isEqualTo(ControlLoop.State.ENDED);
      assertThat(reasons).singleElement().asString().contains("QMP connection lost");
    } finally {
      loop.close();
      scheduler.shutdownNow();
    }
    try (GuestTraffic afterFailover = new GuestTraffic(pair.secondaryHttp(), GuestTraffic.DETERMINISTIC, 2)) {
      Thread.sleep(3_000);
      afterFailover.close();
      assertThat(afterFailover.correct.get()).as(afterFailover.summary()).isGreaterThanOrEqualTo(4);
      assertThat(afterFailover.wrong.get() + afterFailover.failed.get()).as(afterFailover.summary()).isZero();
    }
    assertThat(secondary.call("query-colo-status", null).path("mode").asText()).isEqualTo("none");
  }

  private double measureCps() throws InterruptedException {
    long before = counter.checkpoints();
    long start = System.nanoTime();
    Thread.sleep(WINDOW.toMillis());
    return (counter.checkpoints() - before) / ((System.nanoTime() - start) / 1e9);
  }
}
