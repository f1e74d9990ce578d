package org.hybridft.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.Locale;
import org.hybridft.core.Mode;
import org.hybridft.evaluation.HttpResource;
import org.hybridft.evaluation.LoadGenerator;
import org.hybridft.evaluation.LoadResult;
import org.hybridft.qmp.ColoPrimaryControl;
import org.hybridft.qmp.ModeRecipe;
import org.hybridft.qmp.QmpCheckpointCounter;
import org.hybridft.qmp.QmpClient;
import org.hybridft.qmp.QmpModeActuator;

/**
 * Measures, on a live testbed pair, the figures the simulator's model rests on: the checkpoint
 * pause against the memory dirtied between checkpoints, checkpoints per non-deterministic request
 * against the request rate in COLO, COLO's checkpoints on deterministic replies (colo-compare's
 * stale-packet checks), and reply latency in passive checkpoint mode against the period.
 *
 * <pre>
 *   testbed/start.sh                       # prints the primary's QMP socket and the guest's HTTP
 *   benchmarks/run.sh --calibrate --qmp DIR/primary.qmp --http http://127.0.0.1:PORT/ [--seconds S]
 *       [--experiments pause,divergence,stale,passive]
 * </pre>
 *
 * Writes one CSV row per measurement ({@code experiment,mode,period_ms,resource,rate,
 * dirty_mib,seconds,checkpoints,cps,pauses,pause_ms,requests,correct,latency_p50_ms,
 * latency_p99_ms}) to {@code --out} and a table to stdout.
 */
public final class TestbedCalibration {
  private static final Duration COLO_IDLE = Duration.ofSeconds(20);
  private static final Duration SETTLE = Duration.ofSeconds(4);

  private final QmpCheckpointCounter counter;
  private final QmpModeActuator actuator;
  private final InetSocketAddress http;
  private final Duration window;
  private final List<String> rows = new ArrayList<>();
  private final PrintStream out;
  private final Set<String> experiments;

  private TestbedCalibration(ColoPrimaryControl primary, InetSocketAddress http, Duration window, PrintStream out,
      Set<String> experiments) {
    this.experiments = experiments;
    this.counter = primary.counter();
    this.actuator = primary.actuator();
    this.http = http;
    this.window = window;
    this.out = out;
  }

  /** Entry point; see the class comment for the arguments. */
  public static void main(String[] args) throws Exception {
    Path qmp = null;
    URI http = null;
    Path csv = Path.of("benchmarks/results/testbed-calibration.csv");
    long seconds = 20;
    Set<String> experiments = EXPERIMENTS;
    for (int i = 0; i < args.length; i++) {
      String value = i + 1 < args.length ? args[i + 1] : null;
      switch (args[i]) {
        case "--qmp" -> qmp = Path.of(require(args[i], value));
        case "--http" -> http = URI.create(require(args[i], value));
        case "--out" -> csv = Path.of(require(args[i], value));
        case "--seconds" -> seconds = Long.parseLong(require(args[i], value));
        case "--experiments" -> experiments = experiments(require(args[i], value));
        default -> throw new IllegalArgumentException("unknown argument " + args[i]
            + " (expected --qmp SOCKET --http URL [--seconds S] [--out CSV] [--experiments LIST])");
      }
      i++;
    }
    if (qmp == null || http == null) {
      throw new IllegalArgumentException("--qmp SOCKET and --http URL are required");
    }
    try (QmpClient client = QmpClient.unix(qmp).connect();
        ColoPrimaryControl primary = ColoPrimaryControl.attach(client, c -> ModeRecipe.detect(c, COLO_IDLE))) {
      TestbedCalibration calibration = new TestbedCalibration(
          primary, new InetSocketAddress(http.getHost(), http.getPort()), Duration.ofSeconds(seconds), System.out,
          experiments);
      calibration.runAll();
      Files.createDirectories(csv.toAbsolutePath().getParent());
      Files.write(csv, calibration.rows, StandardCharsets.UTF_8);
      System.out.println("wrote " + csv);
    }
  }

  /** The experiments, in the order they run. */
  private static final Set<String> EXPERIMENTS = Set.of("pause", "divergence", "stale", "passive");

  private static Set<String> experiments(String list) {
    Set<String> chosen = Set.of(list.split(","));
    for (String name : chosen) {
      if (!EXPERIMENTS.contains(name)) {
        throw new IllegalArgumentException("--experiments: unknown experiment '" + name
            + "' (allowed: pause, divergence, stale, passive)");
      }
    }
    return chosen;
  }

  private static String require(String option, String value) {
    if (value == null) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return value;
  }

  private void runAll() throws Exception {
    rows.add("experiment,mode,period_ms,resource,rate,dirty_mib,seconds,checkpoints,cps,pauses,pause_ms,"
        + "requests,correct,latency_p50_ms,latency_p99_ms");
    out.printf("%-11s %-10s %6s %-17s %5s %5s %7s %6s %9s %8s %8s %8s%n", "experiment", "mode", "period",
        "resource", "rate", "MiB", "cps", "pauses", "pause ms", "correct", "p50 ms", "p99 ms");
    // Pause against dirty memory: one /dirty request per period in passive mode at 1 s.
    for (int mib : experiments.contains("pause") ? new int[] {0, 8, 16, 32} : new int[0]) {
      HttpResource dirty = new HttpResource("/cgi-bin/dirty?mib=" + mib, "hybrid-ft testbed: dirtied " + mib + " MiB");
      measure("pause", Mode.CHECKPOINT, 1000, dirty, 1.0, mib);
    }
    // Checkpoints per non-deterministic request in COLO, against the rate.
    for (double rate : experiments.contains("divergence") ? new double[] {1, 2, 5, 10} : new double[0]) {
      measure("divergence", Mode.COLO, 0, HttpResource.NONDETERMINISTIC, rate, 0);
    }
    // Deterministic replies in COLO: only colo-compare's stale-packet checks checkpoint.
    for (double rate : experiments.contains("stale") ? new double[] {1, 5} : new double[0]) {
      measure("stale", Mode.COLO, 0, HttpResource.DETERMINISTIC, rate, 0);
    }
    // Reply latency in passive checkpoint mode against the period.
    for (int period : experiments.contains("passive") ? new int[] {250, 500, 1000} : new int[0]) {
      measure("passive", Mode.CHECKPOINT, period, HttpResource.DETERMINISTIC, 2, 0);
    }
    actuator.apply(Mode.COLO, Duration.ofMillis(500).toNanos());
  }

  private void measure(String experiment, Mode mode, int periodMillis, HttpResource resource, double rate,
      int dirtyMib) throws InterruptedException, IOException {
    actuator.apply(mode, Duration.ofMillis(periodMillis == 0 ? 500 : periodMillis).toNanos());
    LoadGenerator load = LoadGenerator.to(http)
        .rate(rate)
        .duration(SETTLE.plus(window))
        .requestTimeout(Duration.ofSeconds(15))
        .resources(List.of(resource), elapsed -> 0)
        .start();
    Thread.sleep(SETTLE.toMillis());
    long checkpoints = counter.checkpoints();
    long pauses = counter.pauses();
    long pauseNanos = counter.totalPauseNanos();
    long start = System.nanoTime();
    Thread.sleep(window.toMillis());
    double seconds = (System.nanoTime() - start) / 1e9;
    long newCheckpoints = counter.checkpoints() - checkpoints;
    long newPauses = counter.pauses() - pauses;
    double pauseMs = newPauses == 0 ? Double.NaN : (counter.totalPauseNanos() - pauseNanos) / 1e6 / newPauses;
    load.await(Duration.ofSeconds(30));
    LoadResult result = load.result();
    load.close();
    double cps = newCheckpoints / seconds;
    rows.add(String.format(Locale.ROOT, "%s,%s,%d,%s,%.1f,%d,%.1f,%d,%.3f,%d,%.1f,%d,%d,%.1f,%.1f",
        experiment, mode, periodMillis, resource.path(), rate, dirtyMib, seconds, newCheckpoints, cps,
        newPauses, pauseMs, result.arrivals(), result.correct(), result.latencyP50Ms(), result.latencyP99Ms()));
    out.printf(Locale.ROOT, "%-11s %-10s %6s %-17s %5.1f %5d %7.3f %6d %9.1f %4d/%-4d %8.1f %8.1f%n",
        experiment, mode, periodMillis == 0 ? "-" : periodMillis + "ms", resource.path(), rate, dirtyMib, cps,
        newPauses, pauseMs, result.correct(), result.arrivals(), result.latencyP50Ms(), result.latencyP99Ms());
  }
}
