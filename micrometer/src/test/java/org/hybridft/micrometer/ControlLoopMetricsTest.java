package org.hybridft.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.hybridft.core.CheckpointCounter;
import org.hybridft.core.ControlLoop;
import org.hybridft.core.Mode;
import org.hybridft.core.ModeActuator;
import org.hybridft.core.testing.ScriptedController;
import org.hybridft.testing.VirtualScheduler;
import org.junit.jupiter.api.Test;

class ControlLoopMetricsTest {
  private static final long SECOND = 1_000_000_000L;
  private static final long ACTUATION_NANOS = 40_000_000L;

  // The scripted controllers' checkpoint period.
  private static final Duration PERIOD = Duration.ofMillis(100);
  private final VirtualScheduler scheduler = new VirtualScheduler(1_000 * SECOND);
  private final AtomicLong checkpoints = new AtomicLong();
  // The actuator takes 40 ms of loop time per call.
  private final AtomicLong actuationTime = new AtomicLong();
  private final MeterRegistry registry = new SimpleMeterRegistry();

  private final CheckpointCounter counter =
      new CheckpointCounter() {
        @Override
        public long checkpoints() {
          return checkpoints.addAndGet(20); // 20 cps at a 1 s period
        }

        @Override
        public long totalPauseNanos() {
          return checkpoints.get() * 2_000_000L; // 2 ms each: a downtime ratio of 0.04
        }
      };

  private ControlLoop loop(ScriptedController controller, ModeActuator actuator, ControlLoop.Listener listener) {
    return ControlLoop.builder(controller.withCheckpointPeriod(PERIOD), counter, actuator, scheduler)
        .name("vm-1")
        .clock(() -> scheduler.getAsLong() + actuationTime.get())
        .actuatorAttempts(2)
        .failSafeHold(Duration.ofSeconds(3))
        .addListener(listener)
        .build();
  }

  private ModeActuator slow(Mode refused) {
    return (mode, period) -> {
      actuationTime.addAndGet(ACTUATION_NANOS);
      if (mode == refused) {
        throw new IllegalStateException("QEMU said no");
      }
    };
  }

  @Test
  void gaugesShowTheAppliedModeTheRateTheDowntimeRatioAndTheStateOfTheVm() {
    ControlLoopMetrics metrics = new ControlLoopMetrics("vm-1");
    metrics.bindTo(registry);
    ControlLoop loop =
        loop(new ScriptedController(Mode.COLO, Mode.COLO, Mode.CHECKPOINT), slow(null), metrics.listener());

    assertThat(gauge("hybridft.state", "state", "new")).isEqualTo(1.0);
    loop.start();
    scheduler.advance(4 * SECOND);

    assertThat(gauge("hybridft.mode", "mode", "checkpoint")).isEqualTo(1.0);
    assertThat(gauge("hybridft.mode", "mode", "colo")).isEqualTo(0.0);
    assertThat(gauge("hybridft.state", "state", "running")).isEqualTo(1.0);
    assertThat(gauge("hybridft.state", "state", "new")).isEqualTo(0.0);
    assertThat(registry.get("hybridft.checkpoints.per.second").tag("vm", "vm-1").gauge().value())
        .isCloseTo(20.0, org.assertj.core.data.Offset.offset(1.0));
    assertThat(registry.get("hybridft.downtime.ratio").tag("vm", "vm-1").gauge().value())
        .isCloseTo(0.04, org.assertj.core.data.Offset.offset(0.005));
    loop.close();
  }

  @Test
  void countersAndTheActuationTimerCountSwitchesErrorsByKindAndFailSafeEntries() {
    ControlLoopMetrics metrics = new ControlLoopMetrics("vm-1");
    metrics.bindTo(registry);
    AtomicBoolean qemuRefusesColo = new AtomicBoolean(true);
    ModeActuator actuator =
        (mode, period) -> {
          actuationTime.addAndGet(ACTUATION_NANOS);
          if (mode == Mode.COLO && qemuRefusesColo.get()) {
            throw new IllegalStateException("QEMU said no");
          }
        };
    ControlLoop loop =
        loop(new ScriptedController(Mode.CHECKPOINT, Mode.COLO), actuator, metrics.listener());
    loop.start();
    scheduler.advance(2 * SECOND);

    // CHECKPOINT applied at start; COLO refused twice; fail-safe CHECKPOINT applied.
    assertThat(gauge("hybridft.state", "state", "fail_safe")).isEqualTo(1.0);
    assertThat(counter("hybridft.errors", "kind", "actuator_failed")).isEqualTo(1.0);
    assertThat(counter("hybridft.errors", "kind", "actuator_gave_up")).isEqualTo(1.0);
    assertThat(counter("hybridft.errors", "kind", "counter_unavailable")).isZero();
    assertThat(counter("hybridft.failsafe.entries", "cause", "actuator_gave_up")).isEqualTo(1.0);
    Timer failed = registry.get("hybridft.actuation").tags("vm", "vm-1", "mode", "colo",
        "outcome", "failure").timer();
    assertThat(failed.count()).isEqualTo(2);
    assertThat(failed.totalTime(TimeUnit.NANOSECONDS)).isEqualTo(2.0 * ACTUATION_NANOS);
    assertThat(registry.get("hybridft.actuation").tags("vm", "vm-1", "mode", "checkpoint",
        "outcome", "success").timer().count()).isEqualTo(2);
    assertThat(counter("hybridft.mode.switches", "to", "colo")).isZero();

    // QEMU recovers and the hold runs out: running again, and COLO is applied.
    qemuRefusesColo.set(false);
    scheduler.advance(4 * SECOND);
    assertThat(gauge("hybridft.state", "state", "running")).isEqualTo(1.0);
    assertThat(gauge("hybridft.state", "state", "fail_safe")).isZero();
    assertThat(gauge("hybridft.mode", "mode", "colo")).isEqualTo(1.0);
    assertThat(counter("hybridft.mode.switches", "to", "colo")).isEqualTo(1.0);
    loop.close();
  }

  @Test
  void modeSwitchesAreCountedByTargetMode() {
    ControlLoopMetrics metrics = new ControlLoopMetrics("vm-1");
    metrics.bindTo(registry);
    ControlLoop loop =
        loop(new ScriptedController(Mode.COLO, Mode.CHECKPOINT, Mode.COLO, Mode.CHECKPOINT), slow(null),
            metrics.listener());
    loop.start();
    scheduler.advance(5 * SECOND);

    assertThat(counter("hybridft.mode.switches", "to", "checkpoint")).isEqualTo(2.0);
    assertThat(counter("hybridft.mode.switches", "to", "colo")).isEqualTo(1.0);
    loop.close();
  }

  @Test
  void theMetricsListenerWorksBesideTheUsersOwnListener() {
    List<String> heard = new ArrayList<>();
    ControlLoopMetrics metrics = new ControlLoopMetrics("vm-1");
    metrics.bindTo(registry);
    ControlLoop loop =
        loop(new ScriptedController(Mode.COLO, Mode.CHECKPOINT), slow(null), metrics.listener());
    loop.addListener(new ControlLoop.Listener() {
      @Override
      public void onModeSwitch(long nowNanos, Mode from, Mode to, double cps) {
        heard.add(from + "->" + to);
      }
    });
    loop.start();
    scheduler.advance(3 * SECOND);

    assertThat(heard).containsExactly("COLO->CHECKPOINT");
    assertThat(counter("hybridft.mode.switches", "to", "checkpoint")).isEqualTo(1.0);
    loop.close();
  }

  @Test
  void theStateGaugeFollowsTheLoopFromStartToClose() {
    ControlLoopMetrics metrics = new ControlLoopMetrics("vm-1");
    metrics.bindTo(registry);
    ControlLoop loop = loop(new ScriptedController(Mode.COLO, Mode.COLO), slow(null), metrics.listener());
    loop.start();
    assertThat(gauge("hybridft.state", "state", "running")).isEqualTo(1.0);
    loop.close();

    assertThat(gauge("hybridft.state", "state", "closed")).isEqualTo(1.0);
    assertThat(gauge("hybridft.state", "state", "running")).isZero();
  }

  @Test
  void closeRemovesTheMetersOfTheVmFromTheRegistry() {
    ControlLoopMetrics metrics = new ControlLoopMetrics("vm-1");
    metrics.bindTo(registry);
    new ControlLoopMetrics("vm-2").bindTo(registry);

    metrics.close();

    assertThat(registry.find("hybridft.mode").tag("vm", "vm-1").meters()).isEmpty();
    assertThat(registry.find("hybridft.mode").tag("vm", "vm-2").meters()).isNotEmpty();
  }

  @Test
  void extraTagsAreAddedToEveryMeter() {
    new ControlLoopMetrics("vm-1", Tags.of("host", "node-a")).bindTo(registry);

    assertThat(registry.find("hybridft.errors").tag("host", "node-a").counters()).isNotEmpty();
    assertThat(registry.find("hybridft.actuation").tag("host", "node-a").timers()).hasSize(4);
    assertThat(registry.get("hybridft.downtime.ratio").tags("vm", "vm-1", "host", "node-a")
        .gauge().value()).isNaN();
  }

  @Test
  void aBlankVmNameIsRejected() {
    assertThatThrownBy(() -> new ControlLoopMetrics(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("vm");
  }

  @Test
  void aPrometheusScrapeHasTheHybridftMetricsOfTheVm() {
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    ControlLoopMetrics metrics = new ControlLoopMetrics("vm-1");
    metrics.bindTo(prometheus);
    ControlLoop loop =
        loop(new ScriptedController(Mode.COLO, Mode.COLO, Mode.CHECKPOINT), slow(null), metrics.listener());
    loop.start();
    scheduler.advance(4 * SECOND);

    String scrape = prometheus.scrape();

    assertThat(scrape)
        .contains("hybridft_mode{mode=\"checkpoint\",vm=\"vm-1\"} 1.0")
        .contains("hybridft_state{state=\"running\",vm=\"vm-1\"} 1.0")
        .contains("hybridft_checkpoints_per_second{vm=\"vm-1\"}")
        .contains("hybridft_downtime_ratio{vm=\"vm-1\"}")
        .contains("hybridft_mode_switches_total{to=\"checkpoint\",vm=\"vm-1\"} 1.0")
        .contains("hybridft_errors_total{kind=\"actuator_failed\",vm=\"vm-1\"} 0.0")
        .contains("hybridft_failsafe_entries_total{cause=\"actuator_gave_up\",vm=\"vm-1\"} 0.0")
        .contains("hybridft_actuation_seconds_count{mode=\"checkpoint\",outcome=\"success\",vm=\"vm-1\"} 1");
    loop.close();
  }

  private double gauge(String name, String tag, String value) {
    return registry.get(name).tags("vm", "vm-1", tag, value).gauge().value();
  }

  private double counter(String name, String tag, String value) {
    return registry.get(name).tags("vm", "vm-1", tag, value).counter().count();
  }
}
