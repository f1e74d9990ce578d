package org.hybridft.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.hybridft.evaluation.HttpResource;
import org.hybridft.evaluation.LoadResult;
import org.hybridft.evaluation.ModeTimeline;
import org.hybridft.evaluation.PairEvaluation;
import org.hybridft.evaluation.PairEvaluationResult;
import org.hybridft.evaluation.PairMeter;
import org.hybridft.evaluation.RunUsage;
import org.hybridft.evaluation.RealWorkload;
import org.hybridft.qmp.ColoPrimaryControl;
import org.hybridft.qmp.ModeRecipe;
import org.hybridft.qmp.QemuProcessException;
import org.hybridft.qmp.QmpClient;
import org.hybridft.qmp.QmpException;
import org.hybridft.report.ComparisonReport;
import org.hybridft.report.ComparisonResult;
import org.hybridft.sim.ControllerSpec;
import org.hybridft.report.RunResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hybrid-ft evaluate}: the research's comparison on a real COLO pair. Each controller in
 * turn drives the live pair (through {@link ColoPrimaryOptions}, as {@code run} does) for the run
 * length while a built-in open-loop {@link org.hybridft.evaluation.LoadGenerator} sends the workload to the guest's HTTP
 * service at a Poisson rate; between controllers the pair goes back to COLO and settles. Prints
 * the same table as {@code compare}, writes {@code results.csv} with the same header (workload {@code real-<workload>}),
 * {@code timeline.csv} (each control period's mode and cps, and the resource then asked for) and a
 * plot, and lists every controller's replies: correct, wrong, errors, timeouts.
 *
 * <p>The metrics come from the pair: downtime ratio = the sum of the guest's checkpoint pauses
 * ({@code STOP}/{@code RESUME} pairs) over the run's wall time; cps = checkpoints ({@code
 * MIGRATION_PASS}) over wall time; latency of the correct replies from each request's scheduled
 * arrival; throughput = correct replies over wall time; switches and COLO share from the control
 * loop's periods; cpu = the CPU seconds of both QEMU processes over the run ({@code /proc} of the
 * processes {@code --qmp} and {@code --secondary-qmp} lead to, so both must run on this host);
 * network = the bytes the primary's migration stream sent over the run ({@code ram.transferred},
 * which needs the testbed's QEMU patch in COLO state) plus the load generator's request and reply
 * bytes, in MB. A pair that cannot be measured so is refused before any run.
 *
 * <p>Exit codes: 0 when every run completed (wrong replies are reported, not fatal); 2 for a user
 * error (an invalid option, an unreachable QMP socket or HTTP service); 1 when the replication
 * ended or QEMU failed during the evaluation, or on Ctrl-C, after putting the pair back into COLO
 * where it still can.
 */
@Command(
    name = "evaluate",
    mixinStandardHelpOptions = true,
    description = {
      "Compare controllers on a live QEMU COLO pair under real load.",
      "Each controller drives the pair in turn for --minutes while an open-loop load generator sends HTTP"
          + " requests at a Poisson --rate to the guest of testbed/start.sh (its /cgi-bin/deterministic and"
          + " /cgi-bin/nondeterministic resources); between controllers the pair goes back to COLO and settles.",
      "Measured on the pair: downtime ratio (checkpoint pauses / wall time), cps, reply latency, throughput,"
          + " switches, COLO share, cpu (CPU seconds of both QEMU processes, from /proc: both must run on this"
          + " host) and network (MB: the primary's checkpoint bytes, query-migrate ram.transferred, plus the"
          + " client's requests and replies). Prints the table of compare, writes results.csv (workload"
          + " real-<workload>), timeline.csv (mode and cps per control period) and a plot into --out, and counts correct and wrong replies, errors and"
          + " timeouts per controller.",
      "Example: hybrid-ft evaluate --qmp DIR/primary.qmp --secondary-qmp DIR/secondary.qmp"
          + " --http http://127.0.0.1:19007/"
    })
public final class EvaluateCommand implements Callable<Integer> {
  /** The controllers evaluated by default: the baselines, the research's two and the learning one. */
  static final List<String> DEFAULT_CONTROLLERS = List.of("checkpoint", "colo", "threshold", "pi", "learning");

  /** The highest --rate accepted: far above what a pair under TCG serves. */
  static final double MAX_RATE = 1000;

  @Spec CommandSpec spec;

  @Mixin ColoPrimaryOptions primary;

  @Option(names = "--secondary-qmp", required = true, paramLabel = "SOCKET",
      description = "the COLO secondary's QMP unix socket (DIR/secondary.qmp of testbed/start.sh), or"
          + " tcp:HOST:PORT on this host: its QEMU's CPU time counts in the cpu column with the primary's")
  String secondaryQmp = "";

  @Option(names = "--http", required = true, paramLabel = "URL",
      description = "the guest's HTTP service through the primary, as testbed/start.sh prints it (http://HOST:PORT/)")
  String http = "";

  @Mixin ControllerList controllers = new ControllerList(DEFAULT_CONTROLLERS);

  @Option(names = "--workload", paramLabel = "W", defaultValue = "phased",
      description = "phased (default: deterministic and non-deterministic stretches alternating), deterministic"
          + " or nondeterministic")
  String workload = "phased";

  @Option(names = "--stretch", converter = DurationConverter.class, paramLabel = "D", defaultValue = "30s",
      description = "phased: the length of each stretch (default 30s, so 2 minutes hold two of each)")
  Duration stretch = Duration.ofSeconds(30);

  @Option(names = "--rate", paramLabel = "R", defaultValue = "5",
      description = "mean requests per second, Poisson arrivals that never wait for replies (default 5)")
  double rate = 5;

  @Option(names = "--minutes", paramLabel = "M", defaultValue = "2",
      description = "real minutes per controller and run (default 2; fractions allowed, e.g. 0.5)")
  double minutes = 2;

  @Option(names = "--runs", paramLabel = "N", defaultValue = "1",
      description = "runs per controller; with more than one the table gives confidence intervals (default 1)")
  int runs = 1;

  @Option(names = "--seed", paramLabel = "S", defaultValue = "1",
      description = "seed of the arrivals: every controller meets the same arrivals in a run (default 1)")
  long seed = 1;

  @Option(names = "--period", converter = DurationConverter.class, paramLabel = "D", defaultValue = "1s",
      description = "the control period (default 1s)")
  Duration period = Duration.ofSeconds(1);

  @Option(names = "--settle", converter = DurationConverter.class, paramLabel = "D", defaultValue = "5s",
      description = "how long the pair rests in COLO before each controller (default 5s)")
  Duration settle = Duration.ofSeconds(5);

  // 30 s: the testbed's user networking accepts one pending connection at a time, so in a burst
  // of arrivals a connection attempt can lose its SYN four times (retried after 1+2+4+8 s).
  @Option(names = "--request-timeout", converter = DurationConverter.class, paramLabel = "D", defaultValue = "30s",
      description = "how long a request may wait for its reply before it counts as a timeout (default 30s)")
  Duration requestTimeout = Duration.ofSeconds(30);

  @Option(names = "--out", paramLabel = "DIR", defaultValue = "hybrid-ft-evaluation",
      description = "directory for results.csv and the plot (default hybrid-ft-evaluation)")
  Path out = Paths.get("hybrid-ft-evaluation");

  @Option(names = "--no-plots", description = "skip the PNG plot")
  boolean noPlots;

  @Mixin ControllerOptions parameters;

  @Override
  public Integer call() throws InterruptedException, IOException {
    validate();
    RealWorkload chosen = RealWorkload.byName(workload);
    InetSocketAddress target = httpAddress();
    List<String> names = controllers.names();
    List<ControllerSpec> specs = controllers.specs(parameters);
    primary.validateRecipe();
    OutputDirectory.create(out);
    PrintWriter stdout = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    for (String unused : parameters.unusedBy(names)) {
      err.println("hybrid-ft: note: " + unused);
    }

    QmpClient client = primary.connect();
    QmpClient secondary;
    try {
      secondary = primary.connect("--secondary-qmp", secondaryQmp);
    } catch (RuntimeException refused) {
      client.close();
      throw refused;
    }
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, "hybrid-ft-evaluate");
      thread.setDaemon(true);
      return thread;
    });
    TerminalWriter terminal = new TerminalWriter(stdout, err, RunCommand.STATUS_QUEUE_LINES);
    CountDownLatch stop = new CountDownLatch(1);
    // Ctrl-C: stop the current run and let the main thread put the pair back into COLO first.
    CtrlC ctrlC = new CtrlC("hybrid-ft-evaluate-interrupt", stop, requestTimeout.plusSeconds(10));
    try (client; secondary; ColoPrimaryControl control = primary.attach(client)) {
      ModeRecipe recipe = control.recipe();
      probe(target);
      PairMeter meter = meter(client, secondary);
      PairEvaluation evaluation = new PairEvaluation(
          new PairEvaluation.Settings(chosen, stretch, target, rate, length(), period, requestTimeout, settle),
          control.counter(), control.actuator(), meter, scheduler,
          (controller, error) -> terminal.err("hybrid-ft evaluate: " + controller + ": " + error.describe()));
      terminal.err(String.format(Locale.ROOT,
          "evaluating on %s (QEMU %s, recipe %s): %d controller%s x %d run%s x %s min of %s at %s req/s to %s",
          primary.qmp, client.greeting().version(), recipe.name(), specs.size(), specs.size() == 1 ? "" : "s",
          runs, runs == 1 ? "" : "s", ComparisonReport.trim(minutes), chosen.tableName(), ComparisonReport.trim(rate), http));
      List<PairEvaluation.Contender> contenders = specs.stream()
          .map(controller -> new PairEvaluation.Contender(controller.name(), controller::create)).toList();
      PairEvaluationResult evaluated;
      try {
        evaluated = evaluation.evaluate(contenders, runs, seed, stop, real -> terminal.err(progressLine(real)));
      } catch (RuntimeException qemuFailed) {
        terminal.err("hybrid-ft evaluate: the pair failed during the evaluation: " + qemuFailed.getMessage()
            + "; no results written");
        return 1;
      }
      if (evaluated.outcome() == PairEvaluationResult.Outcome.INTERRUPTED) {
        terminal.err("hybrid-ft evaluate: interrupted; " + (evaluated.resetFailure() == null
            ? "the pair is back in COLO" : "putting the pair back into COLO failed: " + evaluated.resetFailure())
            + "; no results written");
        return 1;
      }
      if (evaluated.outcome() == PairEvaluationResult.Outcome.REPLICATION_ENDED) {
        PairEvaluation.RealRun last = evaluated.runs().get(evaluated.runs().size() - 1);
        terminal.err("hybrid-ft evaluate: the replication ended while " + last.result().controller() + " ran: "
            + last.endReason() + "; no results written");
        return 1;
      }
      terminal.close(Duration.ofSeconds(1));
      ComparisonResult result = new ComparisonResult(
          List.of(chosen.tableName()), specs.stream().map(ControllerSpec::name).toList(), evaluated.results());
      Map<String, ModeTimeline> firstRuns = evaluated.firstTimelines();
      String runsLine = String.format(Locale.ROOT,
          "%d run%s x %s real min per controller on a live pair, %s req/s, seed %d; %s, * = the one best of a"
              + " column; cpu = CPU s of both QEMU processes, network = MB of checkpoints and client traffic",
          runs, runs == 1 ? "" : "s", ComparisonReport.trim(minutes), ComparisonReport.trim(rate), seed,
          runs == 1 ? "one run, so no confidence interval" : "mean ± 95% CI");
      Report.publish(result, List.of(chosen.description(stretch.toNanos())), runsLine, out, noPlots ? 0 : 1,
          (w, c) -> firstRuns.get(c), stdout, err);
      java.nio.file.Files.writeString(out.resolve("timeline.csv"), evaluated.timelineCsv());
      stdout.println();
      stdout.println("requests (correct / wrong replies / errors / timeouts of all arrivals):");
      evaluated.runs().forEach(real -> stdout.println("  " + requestLine(real)));
      stdout.println("usage (CPU s of the primary + the secondary; MB of checkpoints + client traffic):");
      evaluated.runs().forEach(real -> stdout.println("  " + usageLine(real)));
      stdout.flush();
      return 0;
    } finally {
      // Drains the progress and error lines, so a failure's explanation is never lost.
      terminal.close(Duration.ofSeconds(1));
      scheduler.shutdownNow();
      scheduler.awaitTermination(5, TimeUnit.SECONDS);
      ctrlC.close();
    }
  }

  /**
   * The meter of the pair's CPU time and checkpoint bytes.
   *
   * @throws UsageException when the pair cannot be measured: a QEMU on another host, an unreadable
   *     process, a primary whose query-migrate has no ram.transferred
   */
  private PairMeter meter(QmpClient primaryClient, QmpClient secondaryClient) {
    try {
      return PairMeter.of(primaryClient, secondaryClient);
    } catch (QemuProcessException | QmpException unmeasurable) {
      throw new UsageException("cannot measure the pair's cpu and network (--qmp " + primary.qmp
          + ", --secondary-qmp " + secondaryQmp + "): " + unmeasurable.getMessage(), unmeasurable);
    }
  }

  /** Checks the values picocli cannot. */
  private void validate() {
    if (!(rate > 0) || rate > MAX_RATE) {
      throw new UsageException("--rate must be > 0 and at most " + ComparisonReport.trim(MAX_RATE)
          + " requests per second, was " + rate);
    }
    if (!(minutes > 0) || minutes > 7 * 24 * 60) {
      throw new UsageException("--minutes must be > 0 and at most a week (10080), was " + minutes);
    }
    if (runs < 1) {
      throw new UsageException("--runs must be >= 1, was " + runs);
    }
    positive("--stretch", stretch);
    positive("--period", period);
    positive("--request-timeout", requestTimeout);
    if (settle.isNegative()) {
      throw new UsageException("--settle must be >= 0, was " + settle);
    }
    if (length().compareTo(period) < 0) {
      throw new UsageException("--minutes " + minutes + " is shorter than one control period (--period " + period
          + ")");
    }
  }

  private static void positive(String option, Duration value) {
    if (value.isZero() || value.isNegative()) {
      throw new UsageException(option + " must be > 0, was " + value);
    }
  }

  private Duration length() {
    return Duration.ofNanos(Math.round(minutes * 60e9));
  }

  /** The guest's address from {@code --http}: {@code http://HOST[:PORT][/]} only. */
  private InetSocketAddress httpAddress() {
    URI uri;
    try {
      uri = new URI(http.strip());
    } catch (URISyntaxException malformed) {
      throw new UsageException("--http " + http + " is not a URL such as http://127.0.0.1:19007/");
    }
    if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
      throw new UsageException("--http " + http + " must be http://HOST:PORT/ (plain HTTP, as testbed/start.sh"
          + " prints it)");
    }
    String path = uri.getRawPath();
    if ((path != null && !path.isEmpty() && !path.equals("/")) || uri.getRawQuery() != null) {
      throw new UsageException("--http " + http + " must name the service's root (http://HOST:PORT/): the workload"
          + " chooses the paths");
    }
    try {
      return new InetSocketAddress(InetAddress.getByName(uri.getHost()), uri.getPort() < 0 ? 80 : uri.getPort());
    } catch (UnknownHostException unknown) {
      throw new UsageException("--http " + http + ": cannot resolve host " + uri.getHost(), unknown);
    }
  }

  /** One request to the deterministic resource, so a wrong --http fails before any run. */
  private void probe(InetSocketAddress target) {
    HttpResource resource = HttpResource.DETERMINISTIC;
    try {
      resource.probe(target, requestTimeout).ifPresent(first -> {
        throw new UsageException("--http " + http + ": GET " + resource.path() + " answered '" + first
            + "', not the testbed guest's reply ('" + resource.expectedBodyPrefix() + "')");
      });
    } catch (IOException unreachable) {
      throw new UsageException("--http " + http + ": no HTTP reply from " + target.getHostString() + ":"
          + target.getPort() + " (" + unreachable.getMessage() + "); is the guest up (testbed/start.sh)?",
          unreachable);
    }
  }

  private static String requestLine(PairEvaluation.RealRun real) {
    LoadResult load = real.load();
    return String.format(Locale.ROOT, "%s run %d: %d / %d / %d / %d of %d%s", real.result().controller(),
        real.result().run(), load.correct(),
        load.wrongReplies(), load.errors(), load.timeouts(), load.arrivals(),
        real.errors() == 0 ? "" : "; " + real.errors() + " control-loop errors (see above)");
  }

  private static String usageLine(PairEvaluation.RealRun real) {
    RunUsage usage = real.usage();
    return String.format(Locale.ROOT, "%s run %d: cpu %.2f + %.2f s; network %.3f + %.3f MB",
        real.result().controller(), real.result().run(), usage.pair().primaryCpuSeconds(),
        usage.pair().secondaryCpuSeconds(), usage.pair().checkpointBytes() / 1e6, usage.clientBytes() / 1e6);
  }

  private static String progressLine(PairEvaluation.RealRun real) {
    String requests = requestLine(real);
    RunResult r = real.result();
    return String.format(Locale.ROOT, "  %s: %.1f s, cps %.2f, downtime %.2f%%, %d switches, COLO %.0f%%,"
        + " cpu %.1f s, network %.1f MB; requests %s", r.controller(), r.wallSeconds(), r.checkpointsPerSecond(),
        100 * r.downtimeRatio(), r.switches(), 100 * r.coloShare(), r.cpuSeconds(), r.networkMb(),
        requests.substring(requests.indexOf(':') + 2));
  }
}
