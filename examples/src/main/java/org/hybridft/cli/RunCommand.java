package org.hybridft.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
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
import org.hybridft.qmp.ColoPrimaryCheck;
import org.hybridft.qmp.ModeRecipe;
import org.hybridft.qmp.QmpCheckpointCounter;
import org.hybridft.qmp.QmpClient;
import org.hybridft.qmp.QmpException;
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
      "On upstream QEMU the checkpoint-delay recipe steers the periodic checkpoint",
      "rate only: colo-compare still checkpoints on every divergence in both modes."
    })
public final class RunCommand implements Callable<Integer> {
  /**
   * Exit code when QEMU broke the QMP protocol: the client closed the connection and control
   * stopped, but that is no failover (the replication may go on unsteered).
   */
  public static final int PROTOCOL_ERROR = 3;

  @Spec CommandSpec spec;

  @Option(names = "--qmp", required = true, paramLabel = "SOCKET",
      description = "the COLO primary's QMP unix socket, or tcp:HOST:PORT (loopback only unless --allow-remote-qmp)")
  String qmp = "";

  @Option(names = "--allow-remote-qmp",
      description = "allow --qmp tcp: to a non-loopback address; QMP has no authentication, so only on a"
          + " trusted network")
  boolean allowRemoteQmp;

  @Option(names = "--controller", paramLabel = "C",
      description = "checkpoint, colo, threshold, pi, orbit or learning (default threshold)")
  @Nullable String controller;

  @Option(names = "--config", paramLabel = "FILE",
      description = "a controller and its parameters, as hybrid-ft tune writes them; options given here override it")
  @Nullable Path config;

  @Option(names = "--recipe", paramLabel = "R", defaultValue = "checkpoint-delay",
      description = "checkpoint-delay (any QEMU with x-colo) or a JSON recipe file for a patched QEMU")
  String recipe = "checkpoint-delay";

  @Option(names = "--colo-idle-period", converter = DurationConverter.class, paramLabel = "D",
      description = "checkpoint-delay recipe: COLO's timer period in COLO mode (default 10s)")
  @Nullable Duration coloIdlePeriod;

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
    ModeRecipe modeRecipe = recipe();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();

    QmpClient client;
    try {
      client = client().connect();
    } catch (QmpException unreachable) {
      throw new UsageException("cannot attach to QMP at " + qmp + ": " + unreachable.getMessage(), unreachable);
    }
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
    try (client; QmpCheckpointCounter counter = attach(client)) {
      ControlLoop loop = ControlLoop.builder(modeController, counter, new QmpModeActuator(client, modeRecipe))
          .scheduler(scheduler)
          .period(period)
          .listener(statusListener(summary, terminal, stop))
          .build();
      out.printf("attached to %s (QEMU %s): controller %s, recipe %s, period %s%n",
          qmp, client.greeting().version(), controllerSpec.name(), modeRecipe.name(), period);
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

  private QmpClient.Builder client() {
    if (qmp.startsWith("tcp:")) {
      String address = qmp.substring(4);
      int colon = address.lastIndexOf(':');
      if (colon < 1) {
        throw new UsageException("--qmp tcp:HOST:PORT expected, was '" + qmp + "'");
      }
      String host = address.substring(0, colon);
      int port;
      try {
        port = Integer.parseInt(address.substring(colon + 1));
      } catch (NumberFormatException notAPort) {
        throw new UsageException("--qmp tcp:HOST:PORT needs a numeric port, was '" + qmp + "'");
      }
      if (!allowRemoteQmp && !isLoopback(host)) {
        throw new UsageException("--qmp " + qmp + ": " + host + " is not a loopback address, and QMP has no"
            + " authentication: whoever reaches the port controls QEMU (and can run commands as its user);"
            + " tunnel it (e.g. ssh -L) or give --allow-remote-qmp on a trusted network");
      }
      return QmpClient.tcp(host, port);
    }
    Path socket = Path.of(qmp);
    if (!Files.exists(socket)) {
      throw new UsageException("--qmp " + qmp + ": no such socket (start a pair with testbed/start.sh)");
    }
    return QmpClient.unix(socket);
  }

  /** Whether every address {@code host} names is this machine's loopback. */
  private boolean isLoopback(String host) {
    try {
      for (InetAddress address : InetAddress.getAllByName(host)) {
        if (!address.isLoopbackAddress()) {
          return false;
        }
      }
      return true;
    } catch (UnknownHostException unknown) {
      throw new UsageException("--qmp " + qmp + ": cannot resolve host " + host, unknown);
    }
  }

  private ModeRecipe recipe() throws IOException {
    if (recipe.equals("checkpoint-delay")) {
      return coloIdlePeriod == null ? ModeRecipe.checkpointDelay() : ModeRecipe.checkpointDelay(coloIdlePeriod);
    }
    if (coloIdlePeriod != null) {
      throw new UsageException("--colo-idle-period applies to the checkpoint-delay recipe only");
    }
    Path file = Path.of(recipe);
    if (!Files.isReadable(file)) {
      throw new UsageException("--recipe " + recipe + ": neither checkpoint-delay nor a readable JSON file");
    }
    return ModeRecipe.fromFile(file);
  }

  private QmpCheckpointCounter attach(QmpClient client) {
    try {
      // Only a COLO primary counts checkpoints and obeys the recipes: anything else would tick
      // at 0 cps forever while the "applied" modes mean nothing.
      String mode = client.call("query-colo-status", null).path("mode").asText("unknown");
      if (!mode.equals("primary")) {
        String regression = ColoPrimaryCheck.migrationCompletedInsteadOfColo(client)
            .map(diagnosis -> "; " + diagnosis)
            .orElse("; attach to the primary of a pair in COLO state");
        throw new UsageException("--qmp " + qmp + " is not a COLO primary (query-colo-status mode: "
            + mode + ")" + regression);
      }
      return QmpCheckpointCounter.attach(client);
    } catch (IllegalStateException notColo) {
      throw new UsageException(notColo.getMessage(), notColo);
    } catch (QmpException failed) {
      throw new UsageException("attaching to QMP at " + qmp + " failed: " + failed.getMessage(), failed);
    }
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
