package org.hybridft.examples;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import org.hybridft.controllers.ThresholdConfig;
import org.hybridft.controllers.ThresholdController;
import org.hybridft.core.CheckpointCounter;
import org.hybridft.core.ControlLoop;
import org.hybridft.core.ControlLoopError;
import org.hybridft.core.Mode;
import org.hybridft.core.ModeActuator;

/**
 * The README's embedding example: a threshold controller driving one VM through your two ports,
 * with two listeners, a log of mode switches and errors and an alert when the loop enters its
 * fail-safe mode. {@code EmbeddingTest} runs it and checks that the README shows exactly this code.
 */
public final class Embedding {
  private Embedding() {}

  /**
   * Starts a control loop for one VM.
   *
   * @param counter reads the VM's checkpoint count (in production: {@code QmpCheckpointCounter})
   * @param actuator applies a mode (in production: {@code QmpModeActuator})
   * @param scheduler ticks the loop; share one among all your VMs
   * @return the started loop; close it when the VM goes away
   */
  public static ControlLoop embed(
      CheckpointCounter counter, ModeActuator actuator, ScheduledExecutorService scheduler) {
    // README example begin
    ThresholdController controller = new ThresholdController(
        ThresholdConfig.builder()
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
}
