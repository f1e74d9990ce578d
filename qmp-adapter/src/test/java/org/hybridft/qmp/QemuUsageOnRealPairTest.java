package org.hybridft.qmp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link QemuProcess} and {@link MigrationTraffic} on a real COLO pair (the testbed's QEMU under
 * TCG, BIOS-only guest): both processes use CPU, and the primary's migration bytes grow with the
 * checkpoints its COLO timer drives, far more at 5 checkpoints/s than when COLO idles.
 */
@Tag("real-qemu")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class QemuUsageOnRealPairTest {
  private static final Duration WINDOW = Duration.ofSeconds(4);

  @TempDir Path dir;
  private Testbed pair;
  private QmpCheckpointCounter counter;

  @BeforeEach
  void startPair() throws Exception {
    pair = Testbed.start(dir, Testbed.Guest.BIOS, "tcg", 33_000, 33_900);
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
  void bothProcessesUseCpuAndTheCheckpointBytesGrowWithTheCheckpoints() throws Exception {
    QmpClient primary = pair.primary();
    QmpClient secondary = pair.secondary();
    counter = QmpCheckpointCounter.attach(primary);
    QemuProcess primaryProcess = QemuProcess.of(primary);
    QemuProcess secondaryProcess = QemuProcess.of(secondary);
    MigrationTraffic migration = MigrationTraffic.attach(primary);
    assertThat(primaryProcess.pid()).isNotEqualTo(secondaryProcess.pid());

    // COLO idling: no packet from the guest, the timer at 10 s.
    primary.call("migrate-set-parameters", Map.of("x-checkpoint-delay", 10_000));
    Thread.sleep(1000);
    Window idle = measure(primaryProcess, secondaryProcess, migration);
    // Checkpoints every 200 ms.
    primary.call("migrate-set-parameters", Map.of("x-checkpoint-delay", 200));
    Thread.sleep(500);
    Window busy = measure(primaryProcess, secondaryProcess, migration);

    System.out.printf("real COLO pair, %s s each: idle %s; at 200 ms %s%n", WINDOW.toSeconds(), idle, busy);
    // Since each started: booting and entering COLO. An idle BIOS guest may use under a tick in a window.
    assertThat(primaryProcess.cpuSeconds()).as("the primary's CPU seconds").isPositive();
    assertThat(secondaryProcess.cpuSeconds()).as("the secondary's CPU seconds").isPositive();
    // 20 at 200 ms; fewer where the machine is busy.
    assertThat(busy.checkpoints()).as("checkpoints at 200 ms").isGreaterThanOrEqualTo(5);
    assertThat(busy.bytes()).as("checkpoint bytes at 200 ms").isPositive();
    // Each checkpoint sends at least the device state, tens of KB with a VGA card.
    assertThat(busy.bytes() / busy.checkpoints()).as("bytes per checkpoint").isGreaterThan(10_000);
    assertThat(busy.bytes()).as("bytes with %d checkpoints against %d", busy.checkpoints(), idle.checkpoints())
        .isGreaterThan(idle.bytes() + (busy.checkpoints() - idle.checkpoints()) * 10_000L);
    assertThat(busy.primaryCpu() + busy.secondaryCpu()).as("CPU seconds while checkpointing")
        .isGreaterThan(idle.primaryCpu() + idle.secondaryCpu());
  }

  private Window measure(QemuProcess primaryProcess, QemuProcess secondaryProcess, MigrationTraffic migration)
      throws InterruptedException {
    double primaryBefore = primaryProcess.cpuSeconds();
    double secondaryBefore = secondaryProcess.cpuSeconds();
    long bytesBefore = migration.transferredBytes();
    long checkpointsBefore = counter.checkpoints();
    Thread.sleep(WINDOW.toMillis());
    return new Window(primaryProcess.cpuSeconds() - primaryBefore, secondaryProcess.cpuSeconds() - secondaryBefore,
        migration.transferredBytes() - bytesBefore, counter.checkpoints() - checkpointsBefore);
  }

  private record Window(double primaryCpu, double secondaryCpu, long bytes, long checkpoints) {}
}
