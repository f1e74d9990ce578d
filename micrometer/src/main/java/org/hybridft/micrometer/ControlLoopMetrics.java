package org.hybridft.micrometer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.hybridft.core.ControlLoop;
import org.hybridft.core.ControlLoopError;
import org.hybridft.core.Mode;
import org.jspecify.annotations.Nullable;

/**
 * The Micrometer metrics of one VM's {@link ControlLoop}, every meter tagged {@code vm=<name>}
 * (plus any extra tags given):
 *
 * <table>
 *   <caption>Meters (Prometheus names in brackets)</caption>
 *   <tr><th>Name</th><th>Type</th><th>Tags</th><th>Value</th></tr>
 *   <tr><td>{@code hybridft.mode} ({@code hybridft_mode})</td><td>gauge</td>
 *       <td>{@code mode}: colo, checkpoint</td><td>1 for the mode applied, 0 for the other</td></tr>
 *   <tr><td>{@code hybridft.state} ({@code hybridft_state})</td><td>gauge</td>
 *       <td>{@code state}: new, running, fail_safe, ended, closed</td><td>1 for the loop's state, else 0</td></tr>
 *   <tr><td>{@code hybridft.checkpoints.per.second} ({@code hybridft_checkpoints_per_second})</td>
 *       <td>gauge</td><td></td><td>checkpoints per second measured at the last tick</td></tr>
 *   <tr><td>{@code hybridft.downtime.ratio} ({@code hybridft_downtime_ratio})</td><td>gauge</td>
 *       <td></td><td>the loop's downtime ratio, 0..1; NaN while unknown</td></tr>
 *   <tr><td>{@code hybridft.mode.switches} ({@code hybridft_mode_switches_total})</td>
 *       <td>counter</td><td>{@code to}: colo, checkpoint</td><td>mode switches</td></tr>
 *   <tr><td>{@code hybridft.errors} ({@code hybridft_errors_total})</td><td>counter</td>
 *       <td>{@code kind}: the {@link ControlLoopError.Kind} in lower case</td><td>errors</td></tr>
 *   <tr><td>{@code hybridft.failsafe.entries} ({@code hybridft_failsafe_entries_total})</td>
 *       <td>counter</td><td>{@code cause}: actuator_gave_up, counter_unavailable</td>
 *       <td>fail-safe entries</td></tr>
 *   <tr><td>{@code hybridft.actuation} ({@code hybridft_actuation_seconds_count}, {@code _sum},
 *       {@code _max})</td><td>timer</td><td>{@code mode}: colo, checkpoint; {@code outcome}:
 *       success, failure</td><td>how long the actuator took to apply a mode</td></tr>
 * </table>
 *
 * <p>Every meter is registered in {@link #bindTo(MeterRegistry)}, counters at 0, so a dashboard
 * sees a VM's series before anything happens. The meters are fed by {@link #listener()}, one of
 * the loop's listeners (beside any of your own):
 *
 * <pre>{@code
 * ControlLoopMetrics metrics = new ControlLoopMetrics("vm-1");
 * metrics.bindTo(registry);
 * ControlLoop loop = ControlLoop.builder(controller, counter, actuator, scheduler)
 *     .name("vm-1")
 *     .addListener(metrics.listener())
 *     .addListener(myListener)
 *     .build();
 * loop.start();
 * // ... when the VM goes away:
 * loop.close();
 * metrics.close(); // removes the VM's meters
 * }</pre>
 *
 * <p>The gauges show what the loop last reported to its listeners (so they follow the listeners'
 * delivery, see {@link ControlLoop}): the state gauge follows {@link
 * ControlLoop.Listener#onStateChanged(ControlLoop.StateChange)}, {@code closed} included; {@link
 * #close()} removes the meters. Recording a
 * tick is a few volatile writes: no allocation, no registry lookup. Thread-safe.
 */
public final class ControlLoopMetrics implements MeterBinder, AutoCloseable {
  private static final Mode[] MODES = Mode.values();
  // Indexed by ControlLoop.State ordinal.
  private static final String[] STATES = {"new", "running", "fail_safe", "ended", "closed"};
  private static final int NEW = ControlLoop.State.NEW.ordinal();
  private static final ControlLoopError.Kind[] KINDS = ControlLoopError.Kind.values();
  private static final ControlLoopError.Kind[] FAIL_SAFE_CAUSES = {
    ControlLoopError.Kind.ACTUATOR_GAVE_UP, ControlLoopError.Kind.COUNTER_UNAVAILABLE
  };

  private final String vm;
  private final Tags tags;
  private final List<Meters> bound = new CopyOnWriteArrayList<>();

  private volatile @Nullable Mode mode;
  private volatile int state = NEW;
  private volatile double checkpointsPerSecond = Double.NaN;
  private volatile double downtimeRatio = Double.NaN;

  /** The meters registered in one registry, kept to feed and to remove them. */
  private static final class Meters {
    final MeterRegistry registry;
    final List<Meter> all = new ArrayList<>();
    final Counter[] switchesTo = new Counter[MODES.length];
    final Counter[] errors = new Counter[KINDS.length];
    final Counter[] failSafeEntries = new Counter[KINDS.length];
    // [mode][0 = success, 1 = failure]
    final Timer[][] actuations = new Timer[MODES.length][2];

    Meters(MeterRegistry registry) {
      this.registry = registry;
    }

    <M extends Meter> M keep(M meter) {
      all.add(meter);
      return meter;
    }
  }

  /**
   * Metrics for the VM named {@code vm}: the value of every meter's {@code vm} tag, normally the
   * loop's {@link ControlLoop#name()}.
   *
   * @throws IllegalArgumentException if {@code vm} is blank
   */
  public ControlLoopMetrics(String vm) {
    this(vm, Tags.empty());
  }

  /**
   * Metrics for the VM named {@code vm}, with {@code extraTags} (a host, a tenant) on every meter
   * besides {@code vm}.
   *
   * @throws IllegalArgumentException if {@code vm} is blank
   */
  public ControlLoopMetrics(String vm, Iterable<Tag> extraTags) {
    Objects.requireNonNull(vm, "vm");
    if (vm.isBlank()) {
      throw new IllegalArgumentException("vm must not be blank; it is the value of the vm tag");
    }
    this.vm = vm;
    this.tags = Tags.of(Objects.requireNonNull(extraTags, "extraTags")).and("vm", vm);
  }

  /** The VM's name, the value of the {@code vm} tag. */
  public String vm() {
    return vm;
  }

  /**
   * Registers the VM's meters in {@code registry}. May be called for several registries; each
   * gets every meter.
   */
  @Override
  public void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    Meters meters = new Meters(registry);
    for (Mode each : MODES) {
      String value = lower(each.name());
      meters.keep(Gauge.builder("hybridft.mode", this, metrics -> metrics.mode == each ? 1 : 0)
          .description("1 for the replication mode applied to the VM, 0 for the other")
          .tags(tags).tag("mode", value).strongReference(true).register(registry));
      meters.switchesTo[each.ordinal()] = meters.keep(Counter.builder("hybridft.mode.switches")
          .description("Mode switches applied, by the mode switched to")
          .tags(tags).tag("to", value).register(registry));
      for (int outcome = 0; outcome < 2; outcome++) {
        meters.actuations[each.ordinal()][outcome] = meters.keep(Timer.builder("hybridft.actuation")
            .description("How long the actuator took to apply a mode")
            .tags(tags).tag("mode", value).tag("outcome", outcome == 0 ? "success" : "failure")
            .register(registry));
      }
    }
    for (int each = 0; each < STATES.length; each++) {
      int which = each;
      meters.keep(Gauge.builder("hybridft.state", this, metrics -> metrics.state == which ? 1 : 0)
          .description("1 for the control loop's state, 0 for the others")
          .tags(tags).tag("state", STATES[each]).strongReference(true).register(registry));
    }
    meters.keep(Gauge.builder("hybridft.checkpoints.per.second", this,
            metrics -> metrics.checkpointsPerSecond)
        .description("Checkpoints per second measured over the last control period")
        .tags(tags).strongReference(true).register(registry));
    meters.keep(Gauge.builder("hybridft.downtime.ratio", this, metrics -> metrics.downtimeRatio)
        .description("Share of wall time the guest was paused for checkpoints; NaN while unknown")
        .tags(tags).strongReference(true).register(registry));
    for (ControlLoopError.Kind kind : KINDS) {
      meters.errors[kind.ordinal()] = meters.keep(Counter.builder("hybridft.errors")
          .description("Control loop errors, by kind")
          .tags(tags).tag("kind", lower(kind.name())).register(registry));
    }
    for (ControlLoopError.Kind cause : FAIL_SAFE_CAUSES) {
      meters.failSafeEntries[cause.ordinal()] = meters.keep(
          Counter.builder("hybridft.failsafe.entries")
              .description("Times the loop entered the fail-safe mode, by cause")
              .tags(tags).tag("cause", lower(cause.name())).register(registry));
    }
    bound.add(meters);
  }

  /** Removes the VM's meters from every registry it was bound to; idempotent. */
  @Override
  public void close() {
    for (Meters meters : bound) {
      for (Meter meter : meters.all) {
        meters.registry.remove(meter);
      }
    }
    bound.clear();
  }

  /**
   * A listener that feeds the meters: add it to the loop, with {@link
   * ControlLoop.Builder#addListener(ControlLoop.Listener)} or {@link
   * ControlLoop#addListener(ControlLoop.Listener)}.
   */
  public ControlLoop.Listener listener() {
    return new Recorder();
  }

  private static String lower(String name) {
    return name.toLowerCase(Locale.ROOT);
  }

  /** Records each event in the meters of every registry bound. */
  private final class Recorder implements ControlLoop.Listener {
    @Override
    public void onTick(long nowNanos, Mode applied, double cps, double ratio) {
      checkpointsPerSecond = cps;
      downtimeRatio = ratio;
      mode = applied;
    }

    @Override
    public void onModeSwitch(long nowNanos, Mode from, Mode to, double cps) {
      mode = to;
      for (Meters meters : bound) {
        meters.switchesTo[to.ordinal()].increment();
      }
    }

    @Override
    public void onActuation(long nowNanos, Mode applied, long durationNanos, boolean succeeded) {
      if (succeeded) {
        mode = applied;
      }
      for (Meters meters : bound) {
        meters.actuations[applied.ordinal()][succeeded ? 0 : 1]
            .record(durationNanos, TimeUnit.NANOSECONDS);
      }
    }

    @Override
    public void onStateChanged(ControlLoop.StateChange change) {
      state = change.to().ordinal();
      ControlLoopError.Kind cause = change.cause();
      if (change.to() == ControlLoop.State.FAIL_SAFE && cause != null) {
        for (Meters meters : bound) {
          Counter entries = meters.failSafeEntries[cause.ordinal()];
          if (entries != null) {
            entries.increment();
          }
        }
      }
    }

    @Override
    public void onError(ControlLoopError error) {
      for (Meters meters : bound) {
        meters.errors[error.kind().ordinal()].increment();
      }
    }
  }
}
