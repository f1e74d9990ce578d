package org.hybridft.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.hybridft.controllers.ControllerRegistry;
import org.hybridft.core.ControlLoop;
import org.hybridft.core.Mode;
import org.hybridft.core.ModeController;
import org.hybridft.report.RunResult;
import org.hybridft.report.TimeSeries;
import org.hybridft.testing.VirtualScheduler;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The simulator drives a controller exactly as {@link ControlLoop} does: replaying the checkpoint
 * counts a simulated run measured through a real ControlLoop gives the same mode at every period.
 */
class ControlLoopEquivalenceTest {

  @ParameterizedTest(name = "{0} on {1}")
  @CsvSource({
    "threshold, phased", "pi, phased", "orbit, phased", "learning, phased",
    "threshold, bugzilla", "pi, video", "learning, video"
  })
  void replayingTheMeasuredCountsThroughControlLoopGivesTheSameModes(String controller, String workload) {
    Supplier<ModeController> factory = ControllerRegistry.builtIn().descriptor(controller)::createDefault;
    VmSimulator simulator = new VmSimulator();
    RunResult run =
        simulator.run(
            WorkloadProfile.byName(workload).orElseThrow().workload(), controller, factory.get(),
            Duration.ofMinutes(20), 42, 0);
    TimeSeries series = run.timeSeries();
    long period = series.periodNanos();
    assertThat(period).isEqualTo(simulator.model().controlPeriod().toNanos());

    VirtualScheduler scheduler = new VirtualScheduler();
    long[] count = {0};
    List<Mode> applied = new ArrayList<>();
    ControlLoop loop =
        ControlLoop.builder(factory.get(), () -> count[0], (mode, checkpointPeriod) -> {}, scheduler)
            .clock(scheduler)
            .period(Duration.ofNanos(period))
            .addListener(new ControlLoop.Listener() {
              @Override
              public void onTick(long nowNanos, Mode mode, double cps, double downtimeRatio) {
                applied.add(mode);
              }
            })
            .build();
    loop.start();
    scheduler.advance(0); // t = 0: the baseline
    for (int i = 0; i < series.size(); i++) {
      count[0] += Math.round(series.checkpointsPerSecond(i) * period / 1e9);
      scheduler.advance(period); // exactly one tick, at the end of period i
    }
    loop.close();
    assertThat(scheduler.pendingTasks()).isZero();

    List<Mode> simulated = new ArrayList<>();
    for (int i = 0; i < series.size(); i++) {
      simulated.add(series.mode(i));
    }
    assertThat(applied).hasSize(series.size()).isEqualTo(simulated);
    assertThat(run.switches()).isPositive();
  }
}
