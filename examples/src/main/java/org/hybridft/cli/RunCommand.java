package org.hybridft.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.hybridft.core.ControlLoop;
import org.hybridft.core.ControlLoopError;
import org.hybridft.core.Mode;
import org.hybridft.core.ModeController;
import org.hybridft.qmp.ModeRecipe;
import org.hybridft.qmp.QmpCheckpointCounter;
import org.hybridft.qmp.QmpClient;
import org.hybridft.qmp.QmpModeActuator;
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

  @Option(names = "--controller", paramLabel = "C",
      description = "checkpoint, colo, threshold, pi, orbit or learning (default threshold)")
  @Nullable String controller;

  @Option(names = "--config", paramLabel = "FILE",
      description = "a controller and its parameters, as hybrid-ft tune writes them; options given here override it")
  @Nullable Path config;

  @Option(names = "--duration", converter = DurationConverter.class, paramLabel = "D",
      description = "stop after this long (default: until Ctrl-C or the end of the replication)")
  @Nullable Duration duration;

  @Option(names = "--period", converter = DurationConverter.class, paramLabel = "D", defaultValue = "1s",
      description = "the control period: one status line each (default 1s)")
  Duration period = Duration.ofSeconds(1);

  @Mixin ControllerOptions parameters;

  @Override
  public Integer call() throws InterruptedException, IOException {
    if (period.isZero() || period.isNegative()) {
      throw new UsageException("--period must be > 0, was " + period);
    }
    if (duration != null && (duration.isZero() || duration.isNegative())) {
      throw new UsageException("--duration must be > 0, was " + duration);
    }
    org.hybridft.sim.ControllerSpec controllerSpec =
        ControllerConfigFile.resolve(controller, config, parameters, "threshold").spec();
    ModeController modeController = controllerSpec.create();
    primary.validateRecipe();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();

    QmpClient client = primary.connect();
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, "hybrid-ft-run");
      thread.setDaemon(true);
      return thread;
    });
    CountDownLatch stop = new CountDownLatch(1);
    CountDownLatch summaryPrinted = new CountDownLatch(1);
    // Ctrl-C: let the main thread stop the loop and print the summary before the JVM exits.
    Thread onCtrlC = new Thread(() -> {
      stop.countDown();
      try {
        summaryPrinted.await(5, TimeUnit.SECONDS);
      } catch (InterruptedException ignored) {
        Thread.currentThread().interrupt();
      }
    }, "hybrid-ft-run-interrupt");
    Runtime.getRuntime().addShutdownHook(onCtrlC);
    RunSummary summary = new RunSummary(System.nanoTime());
    // Status lines leave the tick's thread at once: a stalled stdout must never hold up control.
    TerminalWriter terminal = new TerminalWriter(out, err, STATUS_QUEUE_LINES);
    try (client; QmpCheckpointCounter counter = primary.attach(client)) {
      ModeRecipe modeRecipe = primary.recipe(client);
      ControlLoop loop = ControlLoop.builder(modeController, counter, new QmpModeActuator(client, modeRecipe))
          .scheduler(scheduler)
          .period(period)
          .listener(statusListener(summary, terminal, stop))
          .build();
      out.printf("attached to %s (QEMU %s): controller %s, recipe %s, period %s%n",
          primary.qmp, client.greeting().version(), controllerSpec.name(), modeRecipe.name(), period);
      out.flush();
      loop.start();
      if (duration == null) {
        stop.await();
      } else {
        stop.await(duration.toNanos(), TimeUnit.NANOSECONDS);
      }
      loop.close();
      terminal.close(Duration.ofSeconds(1));
      summary.print(out, counter, loop);
      summary.printDropped(out, terminal.dropped());
      if (counter.protocolError() != null) {
        // Not the end of the replication: QEMU may go on replicating, in the mode last applied.
        err.println("hybrid-ft run: " + counter.endReason() + "; control stopped, this is not a"
            + " failover: the replication may go on unsteered in mode " + loop.appliedMode());
        err.flush();
        return PROTOCOL_ERROR;
      }
    } finally {
      terminal.close(Duration.ZERO);
      scheduler.shutdownNow();
      scheduler.awaitTermination(5, TimeUnit.SECONDS);
      summaryPrinted.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(onCtrlC);
      } catch (IllegalStateException exiting) {
        // Ctrl-C: the hook is running and waits for the summary printed above.
      }
    }
    return 0;
  }

  /** A ratio as a percentage, or "unknown" (NaN: the pauses are not known yet). */
  static String percent(double ratio) {
    return Double.isNaN(ratio) ? "unknown" : String.format(Locale.ROOT, "%6.2f%%", 100 * ratio);
  }

  /** Status lines kept while the terminal does not read; more are dropped and counted. */
  static final int STATUS_QUEUE_LINES = 1024;

  /**
   * The loop's listener: adds each tick to {@code summary} and hands a status line to {@code
   * terminal}, which never blocks; counts {@code stop} down when the replication ends.
   */
  static ControlLoop.Listener statusListener(RunSummary summary, TerminalWriter terminal, CountDownLatch stop) {
    return new ControlLoop.Listener() {
      @Override
      public void onTick(long nowNanos, double cps, Mode mode, double downtimeRatio) {
        summary.tick(mode, cps, downtimeRatio);
        terminal.out(String.format(Locale.ROOT, "%8.1fs  %-10s  cps %6.2f  downtime %s",
            (nowNanos - summary.startNanos) / 1e9, mode, cps, percent(downtimeRatio)));
      }

      @Override
      public void onModeSwitch(Mode from, Mode to, double cps, long nowNanos) {
        summary.switches++;
        terminal.out(String.format(Locale.ROOT, "%8.1fs  switch %s -> %s at cps %.2f",
            (nowNanos - summary.startNanos) / 1e9, from, to, cps));
      }

      @Override
      public void onError(ControlLoopError error) {
        terminal.err("hybrid-ft run: " + error.kind() + ": " + error.message()
            + (error.cause() == null ? "" : " (" + error.cause().getMessage() + ")"));
      }

      @Override
      public void onReplicationEnded(String reason) {
        summary.endReason = reason;
        stop.countDown();
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
