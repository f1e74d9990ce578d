package org.hybridft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.hybridft.controllers.ControllerConfiguration;
import org.hybridft.controllers.ControllerRegistry;
import org.hybridft.core.ControlLoop;
import org.hybridft.core.Mode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A controller written outside the library, {@link ToyController}, registered by one line in a
 * service file, is a controller like the built-in ones: the command simulates and tunes it, and an
 * embedder runs it in a {@link ControlLoop}.
 */
class UserControllerTest {
  @TempDir Path dir;

  @Test
  void theRegistryOfTheClassPathHoldsTheToyAfterTheBuiltInControllers() {
    assertThat(ControllerRegistry.installed().names())
        .containsExactly("checkpoint", "colo", "threshold", "pi", "orbit", "learning", "toy");
    assertThat(ControllerRegistry.builtIn().names()).doesNotContain("toy");
  }

  @Test
  void simulateRunsTheToyWithItsParameterAsAnOption() throws IOException {
    CommandOutcome outcome =
        CommandOutcome.run("simulate", "--controller", "toy", "--limit-cps", "0", "--workload", "rubis",
            "--minutes", "0.5", "--runs", "1", "--no-plots", "--out", dir.toString());

    assertThat(outcome.exitCode()).as(outcome.err()).isZero();
    assertThat(outcome.err()).doesNotContain("is ignored");
    List<String> rows = Files.readAllLines(dir.resolve("results.csv"));
    assertThat(rows.get(1)).startsWith("rubis,toy,0,");
  }

  @Test
  void aToyOptionOutOfRangeFailsWithTheConfigsMessage() {
    CommandOutcome outcome =
        CommandOutcome.run("simulate", "--controller", "toy", "--limit-cps", "-1", "--minutes", "0.05",
            "--runs", "1", "--no-plots", "--out", dir.toString());

    assertThat(outcome.exitCode()).isEqualTo(2);
    assertThat(outcome.err()).contains("limitCps must be finite and >= 0.0, was -1.0");
  }

  @Test
  void tuneSearchesTheToysLimitAndTheRegistryReadsTheFileItWrites() throws IOException {
    CommandOutcome outcome =
        CommandOutcome.run("tune", "--controller", "toy", "--workload", "rubis", "--budget", "4", "--runs", "1",
            "--minutes", "0.5", "--out", dir.toString());

    assertThat(outcome.exitCode()).as(outcome.err()).isZero();
    assertThat(outcome.out()).contains("limit-cps");
    ControllerConfiguration<?> tuned = ControllerRegistry.installed().load(dir.resolve("tuned-toy.properties"));
    assertThat(tuned.label()).isEqualTo("toy-tuned");
    assertThat(tuned.create()).isInstanceOf(ToyController.class);
    assertThat(((ToyController.Config) tuned.config()).limitCps()).isBetween(0.5, 10.0);
  }

  @Test
  void aControlLoopRunsTheToyFromTheRegistryAndAppliesItsCheckpointPeriod() throws InterruptedException {
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    CountDownLatch checkpointMode = new CountDownLatch(1);
    AtomicReference<Long> appliedPeriod = new AtomicReference<>();
    AtomicLong checkpoints = new AtomicLong();
    try {
      ControlLoop loop =
          ControlLoop.builder(
                  ControllerRegistry.installed().create("toy", Map.of("limit-cps", "1", "checkpoint-period", "250ms")),
                  () -> checkpoints.addAndGet(1_000), // far above the limit at any tick rate
                  (mode, periodNanos) -> {
                    if (mode == Mode.CHECKPOINT) {
                      appliedPeriod.set(periodNanos);
                      checkpointMode.countDown();
                    }
                  },
                  scheduler)
              .period(Duration.ofMillis(1))
              .build();
      loop.start();

      assertThat(checkpointMode.await(30, TimeUnit.SECONDS)).as("the toy chose checkpoint mode").isTrue();
      loop.close();
      assertThat(appliedPeriod.get()).isEqualTo(Duration.ofMillis(250).toNanos());
    } finally {
      scheduler.shutdownNow();
    }
  }
}
