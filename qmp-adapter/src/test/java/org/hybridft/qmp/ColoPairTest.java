package org.hybridft.qmp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.hybridft.controllers.StaticController;
import org.hybridft.controllers.ThresholdConfig;
import org.hybridft.controllers.ThresholdController;
import org.hybridft.core.ControlLoop;
import org.hybridft.core.ControlLoopError;
import org.hybridft.core.Mode;
import org.hybridft.core.ModeController;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A control loop on a real COLO pair (the testbed's QEMU under TCG, BIOS-only guest). The guest
 * sends no packets, so every checkpoint here comes from COLO's timer, whose period the
 * checkpoint-delay recipe sets.
 */
@Tag("real-qemu")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ColoPairTest {
  private static final Duration SETTLE = Duration.ofMillis(700);

  @TempDir Path dir;
  private Testbed pair;
  private QmpClient primary;
  private QmpClient secondary;
  private ScheduledExecutorService scheduler;
  private ControlLoop loop;
  private QmpCheckpointCounter counter;
  private final List<String> errors = new CopyOnWriteArrayList<>();

  @BeforeEach
  void startPair() throws Exception {
    pair = Testbed.start(dir, Testbed.Guest.BIOS);
    primary = pair.primary();
    secondary = pair.secondary();
    scheduler = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "colo-pair-test-loop"));
    counter = QmpCheckpointCounter.attach(primary);
  }

  @AfterEach
  void stopPair() throws Exception {
    if (loop != null) {
      loop.close();
    }
    if (scheduler != null) {
      scheduler.shutdownNow();
      scheduler.awaitTermination(10, TimeUnit.SECONDS);
    }
    if (counter != null) {
      counter.close();
    }
    if (pair != null) {
      pair.close();
    }
  }

  @Test
  void reachesColoOnBothSides() {
    assertThat(primary.call("query-colo-status", null).path("mode").asText()).isEqualTo("primary");
    assertThat(secondary.call("query-colo-status", null).path("mode").asText()).isEqualTo("secondary");
    assertThat(primary.call("query-migrate", null).path("status").asText()).isEqualTo("colo");
  }

  @Test
  void checkpointModeAt200msMeasuresFiveCheckpointsPerSecond() throws Exception {
    startLoop(StaticController.checkpoint(Duration.ofMillis(200)), ModeRecipe.checkpointDelay(), List.of());
    awaitApplied(Mode.CHECKPOINT);

    double cps = measureCps(Duration.ofSeconds(5));

    System.out.printf("real COLO pair, CHECKPOINT mode at 200 ms: %.2f checkpoints/s%n", cps);
    assertThat(cps).isBetween(4.5, 5.5);
    assertThat(primary.call("query-migrate-parameters", null).path("x-checkpoint-delay").asLong())
        .isEqualTo(200);
    Thread.sleep(1100); // one more tick, so the loop has fed the pauses of the measured window
    assertThat(counter.pauses()).isPositive();
    assertThat(loop.downtimeRatio()).isGreaterThan(0).isLessThan(1);
    System.out.printf("downtime ratio %.4f over %d pauses, %.1f ms per pause%n",
        loop.downtimeRatio(), counter.pauses(), counter.totalPauseNanos() / 1e6 / counter.pauses());
    assertThat(errors).isEmpty();
  }

  @Test
  void coloModeWithATenSecondIdlePeriodTakesAlmostNoCheckpoints() throws Exception {
    primary.call("migrate-set-parameters", Map.of("x-checkpoint-delay", 200));
    Thread.sleep(1000);
    assertThat(counter.checkpoints()).as("checkpoints at 200 ms before the switch").isGreaterThan(2);

    startLoop(StaticController.colo(), ModeRecipe.checkpointDelay(Duration.ofSeconds(10)), List.of());
    awaitApplied(Mode.COLO);

    double cps = measureCps(Duration.ofSeconds(5));

    System.out.printf("real COLO pair, COLO mode with a 10 s idle period: %.2f checkpoints/s%n", cps);
    assertThat(cps).isLessThan(0.2);
    assertThat(errors).isEmpty();
  }

  @Test
  void thresholdControllerSwitchesBothWaysAndTheMeasuredRateFollows() throws Exception {
    // COLO's idle timer at 1 s gives 1 cps, over the 0.5 cps threshold: COLO always proves bad.
    ThresholdController controller = new ThresholdController(ThresholdConfig.builder()
        .coloWindow(Duration.ofSeconds(5))
        .coloThresholdCps(0.5)
        .initialCheckpointStretch(Duration.ofSeconds(5))
        .minCheckpointStretch(Duration.ofSeconds(5))
        .maxCheckpointStretch(Duration.ofSeconds(10))
        .checkpointPeriod(Duration.ofMillis(200))
        // The research's window: this test measures each mode's rate over whole stretches. Early
        // judgement would end a COLO stretch at its first period (1 cps is 2x the threshold, and
        // that period may still count checkpoint mode's last checkpoints at 5 cps).
        .earlyJudgementFactor(Double.POSITIVE_INFINITY)
        .build());
    List<Tick> ticks = new CopyOnWriteArrayList<>();
    List<Mode> switches = new CopyOnWriteArrayList<>();
    startLoop(controller, ModeRecipe.checkpointDelay(Duration.ofSeconds(1)), List.of(
        new ControlLoop.Listener() {
          @Override
          public void onTick(long nowNanos, Mode mode, double cps, double downtimeRatio) {
            ticks.add(new Tick(mode, cps));
          }

          @Override
          public void onModeSwitch(long nowNanos, Mode from, Mode to, double cps) {
            switches.add(to);
          }
        }));

    Thread.sleep(30_000);
    loop.close();

    System.out.println("threshold closed loop on the real pair, per tick (mode, cps): " + ticks);
    assertThat(switches).contains(Mode.CHECKPOINT, Mode.COLO);
    assertThat(errors).isEmpty();
    // The rate of each stretch, leaving out the two ticks after each switch while it settles.
    List<Double> coloRates = new ArrayList<>();
    List<Double> checkpointRates = new ArrayList<>();
    Mode previous = null;
    int sinceSwitch = 0;
    for (Tick tick : ticks) {
      sinceSwitch = tick.mode() == previous ? sinceSwitch + 1 : 0;
      previous = tick.mode();
      if (sinceSwitch >= 2) {
        (tick.mode() == Mode.COLO ? coloRates : checkpointRates).add(tick.cps());
      }
    }
    assertThat(coloRates).isNotEmpty();
    assertThat(checkpointRates).isNotEmpty();
    assertThat(mean(checkpointRates)).as("CHECKPOINT at 200 ms").isBetween(4.0, 6.0);
    assertThat(mean(coloRates)).as("COLO with a 1 s idle timer").isBetween(0.5, 1.5);
    assertThat(loop.downtimeRatio()).isGreaterThan(0).isLessThan(1);
  }

  @Test
  void failoverEndsTheLoopAndLeavesNoThread() throws Exception {
    CountDownLatch ended = new CountDownLatch(1);
    List<String> reasons = new CopyOnWriteArrayList<>();
    startLoop(StaticController.checkpoint(Duration.ofMillis(200)), ModeRecipe.checkpointDelay(), List.of(
        new ControlLoop.Listener() {
          @Override
          public void onStateChanged(ControlLoop.StateChange change) {
            if (change.to() == ControlLoop.State.ENDED) {
              reasons.add(change.reason());
              ended.countDown();
            }
          }
        }));
    awaitApplied(Mode.CHECKPOINT);

    secondary.call("nbd-server-stop", null);
    secondary.call("x-colo-lost-heartbeat", null);

    assertThat(ended.await(20, TimeUnit.SECONDS)).as("the loop reports the end of the replication").isTrue();
    assertThat(loop.state()).isEqualTo(ControlLoop.State.ENDED);
    assertThat(reasons).singleElement().asString().contains("COLO_EXIT");
    assertThat(secondary.call("query-colo-status", null).path("mode").asText()).isEqualTo("none");

    loop.close();
    scheduler.shutdown();
    assertThat(scheduler.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    counter.close();
    pair.close();
    assertThat(Threads.awaitNoneNamed(QmpReactor.THREAD_NAME, Duration.ofSeconds(5)))
        .as("the QMP I/O thread ends with the last connection")
        .isTrue();
  }

  private void startLoop(ModeController controller, ModeRecipe recipe, List<ControlLoop.Listener> more) {
    QmpModeActuator actuator = new QmpModeActuator(primary, recipe);
    ControlLoop.Builder builder = ControlLoop.builder(controller, counter, actuator, scheduler)
        .period(Duration.ofSeconds(1))
        .addListener(new ControlLoop.Listener() {
          @Override
          public void onError(ControlLoopError error) {
            errors.add(error.kind() + ": " + error.message() + " (" + error.cause() + ")");
          }
        });
    more.forEach(builder::addListener);
    loop = builder.build();
    loop.start();
  }

  private void awaitApplied(Mode mode) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (loop.appliedMode() != mode) {
      assertThat(System.nanoTime()).as("the loop applies " + mode + "; errors " + errors).isLessThan(deadline);
      Thread.sleep(20);
    }
    Thread.sleep(SETTLE.toMillis()); // the checkpoint in flight when the period changed
  }

  private double measureCps(Duration window) throws InterruptedException {
    long before = counter.checkpoints();
    long start = System.nanoTime();
    Thread.sleep(window.toMillis());
    long after = counter.checkpoints();
    return (after - before) / ((System.nanoTime() - start) / 1e9);
  }

  private static double mean(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
  }

  private record Tick(Mode mode, double cps) {
    @Override
    public String toString() {
      return String.format("%s %.1f", mode == Mode.COLO ? "C" : "K", cps);
    }
  }
}
