package org.hybridft.qmp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.hybridft.controllers.StaticController;
import org.hybridft.core.ControlLoop;
import org.hybridft.core.ControlLoopError;
import org.hybridft.core.Mode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The counter's liveness check on a real QEMU (TCG, {@code -S}) that is sent SIGSTOP: without it a
 * hung QEMU reads as 0 checkpoints/s forever and the loop never meets its fail-safe.
 */
@Tag("real-qemu")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class QmpCheckpointCounterOnRealQemuTest {
  private static final Duration COUNTER_TIMEOUT = Duration.ofSeconds(2);

  @TempDir Path dir;
  private BareQemu qemu;
  private QmpClient client;
  private ControlLoop loop;
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void stop() throws Exception {
    if (loop != null) {
      loop.close();
    }
    scheduler.shutdownNow();
    if (qemu != null) {
      qemu.signal("CONT");
    }
    if (client != null) {
      client.close();
    }
    if (qemu != null) {
      qemu.close();
    }
  }

  @Test
  void aStoppedQemuMakesTheCounterUnavailableWithinTheCounterTimeoutAndTheLoopRecoversAfterCont()
      throws Exception {
    qemu = BareQemu.start(dir);
    client = BareQemu.connectWhenListening(qemu.client().commandTimeout(Duration.ofSeconds(2)));
    client.call("migrate-set-capabilities", Map.of("capabilities",
        List.of(Map.of("capability", "events", "state", true))));
    QmpCheckpointCounter counter = QmpCheckpointCounter.attach(client, Duration.ofMillis(500));
    CountDownLatch firstTick = new CountDownLatch(1);
    CountDownLatch readFailed = new CountDownLatch(1);
    CountDownLatch unavailable = new CountDownLatch(1);
    CountDownLatch tickAfterCont = new CountDownLatch(1);
    AtomicBoolean continued = new AtomicBoolean();
    loop = ControlLoop.builder(StaticController.checkpoint(Duration.ofMillis(200)), counter,
            new QmpModeActuator(client, ModeRecipe.checkpointDelay()), scheduler)
        .period(Duration.ofMillis(100))
        .counterTimeout(COUNTER_TIMEOUT)
        .failSafeHold(Duration.ZERO)
        .addListener(new ControlLoop.Listener() {
          @Override
          public void onTick(long nowNanos, Mode mode, double cps, double downtimeRatio) {
            firstTick.countDown();
            if (continued.get()) {
              tickAfterCont.countDown();
            }
          }

          @Override
          public void onError(ControlLoopError error) {
            if (error.kind() == ControlLoopError.Kind.COUNTER_READ_FAILED) {
              readFailed.countDown();
            } else if (error.kind() == ControlLoopError.Kind.COUNTER_UNAVAILABLE) {
              unavailable.countDown();
            }
          }
        })
        .build();
    loop.start();
    assertThat(firstTick.await(10, TimeUnit.SECONDS)).isTrue();

    qemu.signal("STOP");

    assertThat(readFailed.await(COUNTER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
        .as("the loop reports the hung QEMU within the counter timeout").isTrue();
    assertThat(unavailable.await(10, TimeUnit.SECONDS))
        .as("and meets it with its fail-safe").isTrue();

    continued.set(true);
    qemu.signal("CONT");

    assertThat(tickAfterCont.await(10, TimeUnit.SECONDS)).as("measuring again after SIGCONT").isTrue();
    assertThat(counter.endReason()).isNull();
  }
}
