package org.hybridft.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.hybridft.controllers.ControllerConfiguration;
import org.hybridft.core.ControlLoop;
import org.hybridft.core.ControlLoopError;
import org.hybridft.core.Mode;
import org.hybridft.core.ModeController;
import org.hybridft.micrometer.ControlLoopMetrics;
import org.hybridft.qmp.ColoPrimaryControl;
import org.hybridft.qmp.ModeRecipe;
import org.hybridft.qmp.QmpCheckpointCounter;
import org.hybridft.qmp.QmpClient;
import org.hybridft.qmp.QmpException;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hybrid-ft run}: attaches a {@link ControlLoop} to a live QEMU COLO primary over QMP and
 * prints one status line per control period, until the duration ends, the replication ends
 * ({@code COLO_EXIT}, QEMU gone) or Ctrl-C; then a summary. Exits 0 then; exits {@value
 * #PROTOCOL_ERROR} when QEMU broke the QMP protocol (control stopped, no failover).
 *
 * <p>{@code --json} prints JSON lines instead, one object each, told apart by {@code event}:
 * {@code attached}, then {@code period} ({@code seconds}, {@code mode}, {@code
 * checkpointsPerSecond}, {@code downtimeRatio}: null while unknown) once per control period and
 * {@code switch} (plus {@code from}) at each mode switch, then {@code summary}. Modes read
 * {@code colo} and {@code checkpoint}, as in the metrics.
 *
 * <p>{@code --prometheus HOST:PORT} serves the loop's metrics ({@link ControlLoopMetrics}, tagged
 * {@code vm=--name}) in Prometheus' text format on {@code http://HOST:PORT/metrics} while it runs.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Drive a live QEMU COLO pair through the primary's QMP socket.",
      "Start one with testbed/start.sh.",
      "The default recipe, auto, uses mirror-passive where the primary has a filter-mirror",
      "(a true passive mode: the secondary gets no input, one checkpoint per period);",
      "checkpoint-delay steers only the periodic checkpoint rate: colo-compare still",
      "checkpoints on every divergence in both modes."
    })
public final class RunCommand implements Callable<Integer> {
  /**
   * Exit code when QEMU broke the QMP protocol: the client closed the connection and control
   * stopped, but that is no failover (the replication may go on unsteered).
   */
  public static final int PROTOCOL_ERROR = 3;

  @Spec CommandSpec spec;

  @Mixin ColoPrimaryOptions primary;

  @Mixin ControllerChoice controller;

  @Option(names = "--duration", converter = DurationConverter.class, paramLabel = "D",
      description = "stop after this long (default: until Ctrl-C or the end of the replication)")
  @Nullable Duration duration;

  @Option(names = "--period", converter = DurationConverter.class, paramLabel = "D", defaultValue = "1s",
      description = "the control period: one status line each (default 1s)")
  Duration period = Duration.ofSeconds(1);

  @Option(names = "--name", paramLabel = "VM",
      description = "the VM's name in the metrics' vm tag (default: the primary's -name, else the QMP socket's"
          + " file name)")
  @Nullable String name;

  @Option(names = "--prometheus", paramLabel = "[HOST:]PORT",
      description = "serve the loop's metrics in Prometheus' text format on http://HOST:PORT/metrics while it"
          + " runs (e.g. 9400 for loopback only; 0.0.0.0:9400 for every interface)")
  @Nullable String prometheus;

  @Option(names = "--json",
      description = "print one JSON object per line (attached, period, switch, summary) instead of the status"
          + " lines, for scripts")
  boolean json;

  @Mixin ControllerOptions parameters;

  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Override
  public Integer call() throws InterruptedException, IOException {
    if (period.isZero() || period.isNegative()) {
      throw new UsageException("--period must be > 0, was " + period);
    }
    if (duration != null && (duration.isZero() || duration.isNegative())) {
      throw new UsageException("--duration must be > 0, was " + duration);
    }
    ControllerConfiguration<?> controllerSpec = controller.resolve(parameters, "threshold");
    ModeController modeController = controllerSpec.create();
    primary.validateRecipe();
    if (name != null && name.isBlank()) {
      throw new UsageException("--name must not be blank");
    }
    InetSocketAddress metricsAddress = prometheus == null ? null : PrometheusEndpoint.parse(prometheus);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();

    // Bound before QEMU is touched: a port in use fails the command with nothing attached.
    PrometheusEndpoint endpoint =
        metricsAddress == null ? null : PrometheusEndpoint.start(metricsAddress, prometheus);
    QmpClient client;
    try {
      client = primary.connect();
    } catch (RuntimeException failed) {
      if (endpoint != null) {
        endpoint.close();
      }
      throw failed;
    }
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, "hybrid-ft-run");
      thread.setDaemon(true);
      return thread;
    });
    CountDownLatch stop = new CountDownLatch(1);
    // Ctrl-C: let the main thread stop the loop and print the summary before the JVM exits.
    CtrlC ctrlC = new CtrlC("hybrid-ft-run-interrupt", stop, Duration.ofSeconds(5));
    RunSummary summary = new RunSummary(System.nanoTime());
    // Status lines leave the tick's thread at once: a stalled stdout must never hold up control.
    TerminalWriter terminal = new TerminalWriter(out, err, STATUS_QUEUE_LINES);
    ControlLoopMetrics metrics = null;
    try (client; ColoPrimaryControl control = primary.attach(client)) {
      QmpCheckpointCounter counter = control.counter();
      ModeRecipe modeRecipe = control.recipe();
      String vm = name != null ? name : vmName(client, primary.qmp);
      ControlLoop.Listener listener = statusListener(summary, terminal, stop, json);
      ControlLoop.Builder builder = ControlLoop.builder(
              modeController, counter, control.actuator(), scheduler)
          .name(vm)
          .period(period);
      if (endpoint != null) {
        metrics = new ControlLoopMetrics(vm);
        metrics.bindTo(endpoint.registry());
        builder.addListener(metrics.listener());
      }
      // Events reach listeners in order, CLOSED last: once it has arrived, every period's line
      // has been handed to the terminal and counted in the summary.
      CountDownLatch closedDelivered = new CountDownLatch(1);
      ControlLoop loop = builder.addListener(listener)
          .addListener(new ControlLoop.Listener() {
            @Override
            public void onStateChanged(ControlLoop.StateChange change) {
              if (change.to() == ControlLoop.State.CLOSED) {
                closedDelivered.countDown();
              }
            }
          })
          .build();
      if (json) {
        ObjectNode attached = event("attached")
            .put("vm", vm)
            .put("qmp", primary.qmp)
            .put("qemu", client.greeting().version())
            .put("controller", controllerSpec.label())
            .put("recipe", modeRecipe.name())
            .put("periodSeconds", period.toNanos() / 1e9);
        attached.put("metrics", endpoint == null ? null : endpoint.url());
        out.println(jsonLine(attached));
      } else {
        out.printf("attached to %s (QEMU %s): vm %s, controller %s, recipe %s, period %s%s%n",
            primary.qmp, client.greeting().version(), vm, controllerSpec.label(), modeRecipe.name(), period,
            endpoint == null ? "" : "; metrics at " + endpoint.url());
      }
      out.flush();
      loop.start();
      if (duration == null) {
        stop.await();
      } else {
        stop.await(duration.toNanos(), TimeUnit.NANOSECONDS);
      }
      loop.close();
      closedDelivered.await(1, TimeUnit.SECONDS);
      terminal.close(Duration.ofSeconds(1));
      if (json) {
        summary.printJson(out, counter, loop, terminal.dropped());
      } else {
        summary.print(out, counter, loop);
        summary.printDropped(out, terminal.dropped());
      }
      if (counter.protocolError() != null) {
        // Not the end of the replication: QEMU may go on replicating, in the mode last applied.
        err.println("hybrid-ft run: " + counter.endReason() + "; control stopped, this is not a"
            + " failover: the replication may go on unsteered in mode " + loop.appliedMode());
        err.flush();
        return PROTOCOL_ERROR;
      }
    } finally {
      if (endpoint != null) {
        endpoint.close();
      }
      if (metrics != null) {
        metrics.close();
      }
      terminal.close(Duration.ZERO);
      scheduler.shutdownNow();
      scheduler.awaitTermination(5, TimeUnit.SECONDS);
      ctrlC.close();
    }
    return 0;
  }

  /**
   * The VM's name when {@code --name} is not given: the primary's {@code -name} (QMP {@code
   * query-name}), else the socket's file name without extension (or the {@code tcp:} address).
   */
  static String vmName(QmpClient client, String qmp) {
    if (qmp.startsWith("tcp:")) {
      return client.nameOr(qmp.substring(4));
    }
    Path file = Path.of(qmp).getFileName();
    String base = file == null ? qmp : file.toString();
    int dot = base.lastIndexOf('.');
    return client.nameOr(dot > 0 ? base.substring(0, dot) : base);
  }

  /** A mode as JSON and the metrics spell it: colo, checkpoint. */
  static String modeName(Mode mode) {
    return mode.name().toLowerCase(Locale.ROOT);
  }

  /** A JSON object with {@code event} set. */
  static ObjectNode event(String event) {
    return MAPPER.createObjectNode().put("event", event);
  }

  /** Puts {@code value}, or null when it is NaN (unknown) or infinite: JSON has no NaN. */
  static ObjectNode putFinite(ObjectNode node, String field, double value) {
    if (Double.isFinite(value)) {
      node.put(field, value);
    } else {
      node.putNull(field);
    }
    return node;
  }

  /** One line of JSON. */
  static String jsonLine(ObjectNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException impossible) {
      // A tree of strings and numbers always serializes.
      throw new IllegalStateException(impossible);
    }
  }

  /** A ratio as a percentage, or "unknown" (NaN: the pauses are not known yet). */
  static String percent(double ratio) {
    return Double.isNaN(ratio) ? "unknown" : String.format(Locale.ROOT, "%6.2f%%", 100 * ratio);
  }

  /** Status lines kept while the terminal does not read; more are dropped and counted. */
  static final int STATUS_QUEUE_LINES = 1024;

  /**
   * The loop's listener: adds each tick to {@code summary} and hands a status line (a JSON line
   * with {@code json}; errors stay text on stderr) to {@code terminal}, which never blocks; counts
   * {@code stop} down when the replication ends.
   */
  static ControlLoop.Listener statusListener(
      RunSummary summary, TerminalWriter terminal, CountDownLatch stop, boolean json) {
    return new ControlLoop.Listener() {
      @Override
      public void onTick(long nowNanos, Mode mode, double cps, double downtimeRatio) {
        summary.tick(mode, cps, downtimeRatio);
        double seconds = (nowNanos - summary.startNanos) / 1e9;
        terminal.out(json
            ? jsonLine(putFinite(putFinite(event("period").put("seconds", seconds).put("mode", modeName(mode)),
                "checkpointsPerSecond", cps), "downtimeRatio", downtimeRatio))
            : String.format(Locale.ROOT, "%8.1fs  %-10s  cps %6.2f  downtime %s", seconds, mode, cps,
                percent(downtimeRatio)));
      }

      @Override
      public void onModeSwitch(long nowNanos, Mode from, Mode to, double cps) {
        summary.switches++;
        double seconds = (nowNanos - summary.startNanos) / 1e9;
        terminal.out(json
            ? jsonLine(putFinite(event("switch").put("seconds", seconds).put("from", modeName(from))
                .put("mode", modeName(to)), "checkpointsPerSecond", cps))
            : String.format(Locale.ROOT, "%8.1fs  switch %s -> %s at cps %.2f", seconds, from, to, cps));
      }

      @Override
      public void onError(ControlLoopError error) {
        terminal.err("hybrid-ft run: " + error.describe());
      }

      @Override
      public void onStateChanged(ControlLoop.StateChange change) {
        if (change.to() == ControlLoop.State.ENDED) {
          summary.endReason = change.reason();
          stop.countDown();
        }
      }
    };
  }

  /** What the status lines add up to. */
  static final class RunSummary {
    final long startNanos;
    final long[] ticks = new long[Mode.values().length];
    final double[] cpsSum = new double[Mode.values().length];
    int switches;
    @Nullable String endReason;

    RunSummary(long startNanos) {
      this.startNanos = startNanos;
    }

    void tick(Mode mode, double cps, double downtimeRatio) {
      ticks[mode.ordinal()]++;
      cpsSum[mode.ordinal()] += cps;
    }

    void print(PrintWriter out, QmpCheckpointCounter counter, ControlLoop loop) {
      double seconds = (System.nanoTime() - startNanos) / 1e9;
      out.printf(Locale.ROOT, "summary: %.1f s, %d mode switches, ended by %s%n", seconds, switches,
          endReason == null ? "the user (duration or Ctrl-C)"
              : counter.protocolError() != null ? "a QMP protocol error, not by the replication"
              : "the replication: " + endReason);
      for (Mode mode : Mode.values()) {
        long n = ticks[mode.ordinal()];
        out.printf(Locale.ROOT, "  %-10s  %4d periods  mean cps %6.2f%n", mode, n,
            n == 0 ? 0.0 : cpsSum[mode.ordinal()] / n);
      }
      long pauses = counter.pauses();
      out.printf(Locale.ROOT, "  checkpoint pauses %d, mean %.1f ms; downtime ratio %s%n", pauses,
          pauses == 0 ? 0.0 : counter.totalPauseNanos() / 1e6 / pauses, percent(loop.downtimeRatio()).strip());
      out.flush();
    }

    /** The summary as one JSON line: what {@link #print} and {@link #printDropped} say. */
    void printJson(PrintWriter out, QmpCheckpointCounter counter, ControlLoop loop, long dropped) {
      ObjectNode summary = event("summary")
          .put("seconds", (System.nanoTime() - startNanos) / 1e9)
          .put("modeSwitches", switches)
          .put("endedBy", endReason == null ? "user"
              : counter.protocolError() != null ? "protocol-error" : "replication");
      summary.put("endReason", endReason);
      ObjectNode periods = summary.putObject("periods");
      ObjectNode meanCps = summary.putObject("meanCheckpointsPerSecond");
      for (Mode mode : Mode.values()) {
        long n = ticks[mode.ordinal()];
        periods.put(modeName(mode), n);
        putFinite(meanCps, modeName(mode), n == 0 ? Double.NaN : cpsSum[mode.ordinal()] / n);
      }
      long pauses = counter.pauses();
      summary.put("checkpointPauses", pauses);
      putFinite(summary, "meanPauseMillis", pauses == 0 ? Double.NaN : counter.totalPauseNanos() / 1e6 / pauses);
      putFinite(summary, "downtimeRatio", loop.downtimeRatio());
      summary.put("droppedLines", dropped);
      out.println(jsonLine(summary));
      out.flush();
    }

    /** Says how many status lines the terminal missed, if any. */
    void printDropped(PrintWriter out, long dropped) {
      if (dropped > 0) {
        out.printf(Locale.ROOT, "  %d status lines dropped: the terminal did not keep up (control was not held up)%n",
            dropped);
        out.flush();
      }
    }
  }
}
