package org.hybridft.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Supplier;
import org.hybridft.controllers.LearningController;
import org.hybridft.controllers.OrbitHybridController;
import org.hybridft.controllers.PiController;
import org.hybridft.controllers.ThresholdController;
import org.hybridft.core.ControlLoop;
import org.hybridft.core.Mode;
import org.hybridft.core.ModeController;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The simulator drives a controller exactly as {@link ControlLoop} does: replaying the checkpoint
 * counts a simulated run measured through a real ControlLoop gives the same mode at every period.
 */
class ControlLoopEquivalenceTest {

  /** A scheduler that only captures the loop's periodic tick, so the test can run it by hand. */
  private static final class CapturedTick {
    Runnable tick;

    ScheduledExecutorService scheduler() {
      ScheduledFuture<?> future =
          (ScheduledFuture<?>) Proxy.newProxyInstance(
              getClass().getClassLoader(), new Class<?>[] {ScheduledFuture.class},
              (proxy, method, args) -> method.getReturnType() == boolean.class ? false : null);
      return (ScheduledExecutorService) Proxy.newProxyInstance(
          getClass().getClassLoader(), new Class<?>[] {ScheduledExecutorService.class},
          (proxy, method, args) -> {
            if (method.getName().equals("scheduleAtFixedRate")) {
              tick = (Runnable) args[0];
              return future;
            }
            throw new UnsupportedOperationException(method.getName());
          });
    }
  }

  @ParameterizedTest(name = "{0} on {1}")
  @CsvSource({
    "threshold, phased", "pi, phased", "orbit, phased", "learning, phased",
    "threshold, bugzilla", "pi, video", "learning, video"
  })
  void replayingTheMeasuredCountsThroughControlLoopGivesTheSameModes(String controller, String workload) {
    Supplier<ModeController> factory = switch (controller) {
      case "threshold" -> ThresholdController::new;
      case "pi" -> PiController::new;
      case "orbit" -> OrbitHybridController::new;
      default -> LearningController::new;
    };
    VmSimulator simulator = new VmSimulator();
    RunResult run =
        simulator.run(
            WorkloadProfile.byName(workload).orElseThrow().workload(), controller, factory.get(),
            Duration.ofMinutes(20), 42, 0);
    TimeSeries series = run.timeSeries();
    long period = series.periodNanos();
    assertThat(period).isEqualTo(simulator.model().controlPeriod().toNanos());

    long[] now = {0};
    long[] count = {0};
    List<Mode> applied = new ArrayList<>();
    CapturedTick captured = new CapturedTick();
    ControlLoop loop =
        ControlLoop.builder(factory.get(), () -> count[0], (mode, checkpointPeriod) -> {})
            .scheduler(captured.scheduler())
            .clock(() -> now[0])
            .period(Duration.ofNanos(period))
            .listener(new ControlLoop.Listener() {
              @Override
              public void onTick(long nowNanos, double cps, Mode mode, double downtimeRatio) {
                applied.add(mode);
              }
            })
            .build();
    loop.start();
    captured.tick.run(); // t = 0: the baseline
    for (int i = 0; i < series.size(); i++) {
      now[0] += period;
      count[0] += Math.round(series.checkpointsPerSecond(i) * period / 1e9);
      captured.tick.run();
    }

    List<Mode> simulated = new ArrayList<>();
    for (int i = 0; i < series.size(); i++) {
      simulated.add(series.mode(i));
    }
    assertThat(applied).hasSize(series.size()).isEqualTo(simulated);
    assertThat(run.switches()).isPositive();
  }
}
