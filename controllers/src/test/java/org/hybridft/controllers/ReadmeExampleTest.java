package org.hybridft.controllers;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.time.Duration;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.hybridft.core.CheckpointCounter;
import org.hybridft.core.ControlLoop;
import org.hybridft.core.ControlLoopError;
import org.hybridft.core.ModeActuator;
import org.hybridft.core.Mode;
import org.junit.jupiter.api.Test;

/** The README's embedding example, compiled and run here so that it cannot rot. */
class ReadmeExampleTest {

  static ControlLoop embed(
      CheckpointCounter counter, ModeActuator actuator, ScheduledExecutorService scheduler) {
    // README example begin
    ThresholdController controller = new ThresholdController(
        ThresholdController.Config.builder()
            .coloThresholdCps(2.0)                       // COLO is bad above 2 checkpoints/s
            .alpha(2.0).beta(0.5)                        // back off x2, recover /2
            .checkpointPeriod(Duration.ofMillis(500))
            .build());
    ControlLoop loop = ControlLoop
        .builder(controller, counter, actuator, scheduler)  // your two ports; one scheduler for all VMs
        .period(Duration.ofSeconds(1))
        .addListener(new ControlLoop.Listener() {           // a log of switches and errors
          @Override
          public void onModeSwitch(long nanos, Mode from, Mode to, double cps) {
            System.err.printf("%s -> %s at %.1f checkpoints/s%n", from, to, cps);
          }
          @Override
          public void onError(ControlLoopError error) {
            System.err.println(error.kind() + ": " + error.message());
          }
        })
        .addListener(new ControlLoop.Listener() {           // and, say, an alert on fail-safe
          @Override
          public void onStateChanged(ControlLoop.StateChange change) {
            if (change.to() == ControlLoop.State.FAIL_SAFE) {
              System.err.println("ALERT: VM in fail-safe: " + change.reason());
            }
          }
        })
        .build();
    loop.start();                                        // ... and loop.close() when done
    // README example end
    return loop;
  }

  @Test
  void exampleRunsAndAppliesTheControllersMode() throws Exception {
    ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
    List<Mode> applied = new CopyOnWriteArrayList<>();
    AtomicLong checkpoints = new AtomicLong();
    try (ControlLoop loop =
        embed(checkpoints::get, (mode, periodNanos) -> applied.add(mode), scheduler)) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (applied.isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(applied).containsExactly(Mode.COLO);
      assertThat(loop.appliedMode()).isEqualTo(Mode.COLO);
    } finally {
      scheduler.shutdownNow();
    }
  }

  @Test
  void readmeShowsExactlyThisExample() throws Exception {
    String source =
        Files.readString(Path.of("src/test/java/org/hybridft/controllers/ReadmeExampleTest.java"));
    String example =
        source.substring(
            source.indexOf("// README example begin\n") + "// README example begin\n".length(),
            source.indexOf("    // README example end"));
    String readme = Files.readString(Path.of("../README.md"));
    assertThat(normalise(readme)).contains(normalise(example));
  }

  private static String normalise(String code) {
    return code.lines().map(String::strip).filter(line -> !line.isEmpty()).reduce("", (a, b) -> a + b + "\n");
  }
}
