package org.hybridft.evaluation;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.hybridft.core.ControlLoop;
import org.hybridft.core.ControlLoopError;
import org.hybridft.core.Mode;
import org.hybridft.core.ModeController;
import org.hybridft.qmp.QmpCheckpointCounter;
import org.hybridft.qmp.QmpModeActuator;
import org.hybridft.report.RunResult;
import org.jspecify.annotations.Nullable;

/**
 * Runs controllers one at a time on a live COLO pair under load and measures each run from the
 * pair itself: checkpoints and pauses from the {@link QmpCheckpointCounter} (counted between the
 * run's start and end), switches and the COLO share from the {@link ControlLoop}'s ticks, replies
 * and client bytes from the {@link LoadGenerator}, CPU time and checkpoint bytes from the {@link
 * PairMeter} (read at the run's start and end). A run's {@link RunResult#cpuSeconds()} is the CPU
 * time of both QEMU processes; its {@link RunResult#networkMb()} is the checkpoint bytes plus the
 * client traffic, in 10^6 bytes (see {@link RunUsage}). Between runs the pair goes back to COLO
 * and settles, so every controller starts from the same state. Control-loop errors during a run go to a {@link
 * Listener}; the run goes on.
 */
public final class PairEvaluation {
  /** The checkpoint period passed with COLO when resetting: COLO mode does not read it. */
  private static final long RESET_PERIOD_NANOS = Duration.ofMillis(500).toNanos();
  /**
   * How long a run waits, once its loop is closed, for the loop's listeners (the {@link Listener}
   * among them) to have heard its last event.
   */
  public static final Duration DELIVERY_WAIT = Duration.ofSeconds(10);

  /**
   * The settings of every run.
   *
   * @param workload what the load asks for
   * @param stretch the length of each stretch of the phased workload
   * @param http the guest's HTTP service
   * @param rate mean requests per second (Poisson arrivals)
   * @param length how long each run lasts
   * @param period the control period
   * @param requestTimeout how long a request may wait for its reply
   * @param settle how long the pair rests in COLO before each run
   */
  public record Settings(
      RealWorkload workload,
      Duration stretch,
      InetSocketAddress http,
      double rate,
      Duration length,
      Duration period,
      Duration requestTimeout,
      Duration settle) {}

  /**
   * One controller's run on the pair.
   *
   * @param result what it measured, as a simulated run reports it
   * @param timeline its control periods, for the plot
   * @param load what the load generator saw
   * @param usage the run's CPU time and bytes, of which the result's CPU and network columns are
   *     made; {@link RunUsage#UNKNOWN} for a run the replication's end cut short
   * @param errors control-loop errors reported during the run (failed actuations and the like)
   * @param endReason why the replication ended during the run, null if it did not
   */
  public record RealRun(RunResult result, ModeTimeline timeline, LoadResult load, RunUsage usage, int errors,
      @Nullable String endReason) {}

  private final Settings settings;
  private final QmpCheckpointCounter counter;
  private final QmpModeActuator actuator;
  private final PairMeter meter;
  private final ScheduledExecutorService scheduler;
  private final Listener listener;

  /** Hears what goes wrong in a run without ending it; called on the control loop's thread. */
  @FunctionalInterface
  public interface Listener {
    /** {@code controller}'s control loop reported {@code error} (a failed actuation and the like). */
    void onLoopError(String controller, ControlLoopError error);
  }

  /**
   * @param settings the settings of every run
   * @param counter the primary's checkpoint counter
   * @param actuator the primary's mode actuator
   * @param meter the pair's CPU time and checkpoint bytes
   * @param scheduler where each run's control loop ticks
   * @param listener hears the control loops' errors
   */
  public PairEvaluation(Settings settings, QmpCheckpointCounter counter, QmpModeActuator actuator,
      PairMeter meter, ScheduledExecutorService scheduler, Listener listener) {
    this.settings = settings;
    this.counter = counter;
    this.actuator = actuator;
    this.meter = meter;
    this.scheduler = scheduler;
    this.listener = listener;
  }

  /**
   * Puts the pair into COLO mode and waits {@code settle} (or until {@code stop} opens).
   *
   * @throws RuntimeException from the actuator when QEMU refuses or the connection is gone
   */
  public void resetToColo(CountDownLatch stop) throws InterruptedException {
    actuator.apply(Mode.COLO, RESET_PERIOD_NANOS);
    stop.await(settings.settle().toNanos(), TimeUnit.NANOSECONDS);
  }

  /**
   * A controller to evaluate.
   *
   * @param name its name in the results
   * @param factory makes a fresh controller, in its initial state, for each run
   */
  public record Contender(String name, Supplier<ModeController> factory) {}

  /**
   * Runs every contender {@code runs} times on the pair, all of them in run 0 first, each run
   * after {@link #resetToColo} and with the arrivals of seed {@code seed + run}, so that in one
   * run every controller meets the same arrivals; then puts the pair back into COLO. Ends early
   * when {@code stop} opens (the pair put back into COLO) or when the replication ends.
   *
   * @param progress hears each completed run
   * @throws RuntimeException from the actuator when QEMU refuses or the connection is gone
   */
  public PairEvaluationResult evaluate(List<Contender> contenders, int runs, long seed, CountDownLatch stop,
      Consumer<RealRun> progress) throws InterruptedException {
    List<RealRun> done = new ArrayList<>();
    StringBuilder timelines = new StringBuilder("controller,run,seconds,mode,checkpoints_per_second,resource\n");
    for (int run = 0; run < runs; run++) {
      for (Contender contender : contenders) {
        resetToColo(stop);
        if (stop.getCount() == 0) {
          return interrupted(done, timelines);
        }
        RealRun real = run(contender.name(), contender.factory().get(), run, seed + run, stop);
        if (real.endReason() != null) {
          done.add(real);
          return new PairEvaluationResult(PairEvaluationResult.Outcome.REPLICATION_ENDED, done, timelines.toString(),
              null);
        }
        if (stop.getCount() == 0) {
          return interrupted(done, timelines);
        }
        done.add(real);
        real.timeline().appendCsv(contender.name(), run,
            settings.workload().resourceAt(settings.stretch().toNanos()), RealWorkload.RESOURCES, timelines);
        progress.accept(real);
      }
    }
    resetToColo(new CountDownLatch(0));
    return new PairEvaluationResult(PairEvaluationResult.Outcome.COMPLETED, done, timelines.toString(), null);
  }

  private PairEvaluationResult interrupted(List<RealRun> done, StringBuilder timelines) {
    String failure = null;
    try {
      // The pair must not stay in checkpoint mode with its mirror off because the evaluation stopped.
      resetToColo(new CountDownLatch(0));
    } catch (RuntimeException failed) {
      failure = String.valueOf(failed.getMessage());
    } catch (InterruptedException impossible) {
      // An open latch does not wait.
      Thread.currentThread().interrupt();
    }
    return new PairEvaluationResult(PairEvaluationResult.Outcome.INTERRUPTED, done, timelines.toString(), failure);
  }

  /**
   * Runs one controller for the run length (or until {@code stop} opens or the replication ends)
   * under the load, with arrivals seeded by {@code seed}. Returns once the loop's listeners have
   * heard its last event (at most {@link #DELIVERY_WAIT} after the run), so the switches, errors
   * and timeline it reports are those of the whole run.
   *
   * @param name the controller's name in the results
   * @param controller a fresh controller, in its initial state
   * @throws RuntimeException from the {@link PairMeter} when the pair cannot be read while the
   *     replication goes on
   */
  public RealRun run(String name, ModeController controller, int runIndex, long seed, CountDownLatch stop)
      throws InterruptedException {
    Duration period = settings.period();
    ModeTimeline timeline = new ModeTimeline(period,
        (int) Math.min(Integer.MAX_VALUE - 8, settings.length().toNanos() / period.toNanos() + 16));
    CountDownLatch ended = new CountDownLatch(1);
    Observer observer = new Observer(name, timeline, ended);
    // Read before the loop exists: a pair that cannot be read leaves nothing to close.
    PairUsage usageBefore = meter.read();
    ControlLoop loop = ControlLoop.builder(controller, counter, actuator, scheduler)
        .period(period)
        .addListener(observer)
        .build();
    long checkpointsBefore = counter.checkpoints();
    long pauseBefore = counter.totalPauseNanos();
    long start = System.nanoTime();
    loop.start();
    @Nullable LoadGenerator load = null;
    LoadResult replies;
    long end;
    long checkpointsAfter;
    long pauseAfter;
    @Nullable PairUsage usageAfter = null;
    @Nullable RuntimeException unmeasured = null;
    try {
      load = LoadGenerator.to(settings.http())
          .rate(settings.rate())
          .duration(settings.length())
          .requestTimeout(settings.requestTimeout())
          .seed(seed)
          .resources(RealWorkload.RESOURCES, settings.workload().resourceAt(settings.stretch().toNanos()))
          .start();
      long deadline = start + settings.length().toNanos();
      while (stop.getCount() > 0 && ended.getCount() > 0 && deadline - System.nanoTime() > 0) {
        // Wake for either latch: the replication's end or the user's.
        ended.await(Math.min(200_000_000L, Math.max(1, deadline - System.nanoTime())), TimeUnit.NANOSECONDS);
      }
    } finally {
      loop.close();
      end = System.nanoTime();
      checkpointsAfter = observer.endReason == null ? safeCheckpoints(checkpointsBefore) : checkpointsBefore;
      pauseAfter = observer.endReason == null ? counter.totalPauseNanos() : pauseBefore;
      if (observer.endReason == null) {
        try {
          usageAfter = meter.read();
        } catch (RuntimeException failed) {
          unmeasured = failed; // thrown once the load is closed
        }
      }
      if (load != null) {
        if (stop.getCount() > 0 && observer.endReason == null) {
          // Let the last arrivals finish within their timeout before collecting.
          load.await(settings.requestTimeout().plusSeconds(5));
        }
        load.close();
      }
      // close() does not wait for listeners: events of the last ticks may still be on their way.
      // The final state change is delivered last, so once it has arrived the counts are whole.
      observer.delivered.await(DELIVERY_WAIT.toNanos(), TimeUnit.NANOSECONDS);
    }
    if (unmeasured != null && observer.endReason == null) {
      throw unmeasured;
    }
    replies = load.result();
    // A run the replication's end cut short is never reported as a result: its usage is unknown.
    RunUsage usage = usageAfter == null
        ? RunUsage.UNKNOWN
        : new RunUsage(usageAfter.since(usageBefore), replies.clientBytes());
    double seconds = (end - start) / 1e9;
    long checkpoints = checkpointsAfter - checkpointsBefore;
    double pauseSeconds = pauseBefore < 0 || pauseAfter < 0 ? Double.NaN : (pauseAfter - pauseBefore) / 1e9;
    RunResult result = new RunResult(
        settings.workload().tableName(), name, runIndex, seed, seconds,
        pauseSeconds / seconds, pauseSeconds, checkpoints, checkpoints / seconds,
        replies.latencyMeanMs(), replies.latencyP50Ms(), replies.latencyP99Ms(), replies.latencyP999Ms(),
        replies.correct() / seconds, replies.arrivals() - replies.correct(),
        usage.cpuSeconds(), usage.networkMb(), observer.switches, timeline.coloShare(),
        ModeTimeline.NO_SIMULATED_SERIES);
    return new RealRun(result, timeline, replies, usage, observer.errors, observer.endReason);
  }

  private long safeCheckpoints(long fallback) {
    try {
      return counter.checkpoints();
    } catch (RuntimeException unreadable) {
      return fallback;
    }
  }

  /** The loop's listener: ticks into the timeline, switches and errors counted. */
  private final class Observer implements ControlLoop.Listener {
    private final String controller;
    private final ModeTimeline timeline;
    private final CountDownLatch ended;
    // Opens when the final state change (ENDED or CLOSED) was delivered, after every other event.
    final CountDownLatch delivered = new CountDownLatch(1);
    // Written by the loop's event delivery, one event at a time; read once delivered opened.
    int switches;
    int errors;
    volatile @Nullable String endReason;

    Observer(String controller, ModeTimeline timeline, CountDownLatch ended) {
      this.controller = controller;
      this.timeline = timeline;
      this.ended = ended;
    }

    @Override
    public void onTick(long nowNanos, Mode mode, double checkpointsPerSecond, double downtimeRatio) {
      timeline.add(checkpointsPerSecond, mode);
    }

    @Override
    public void onModeSwitch(long nowNanos, Mode from, Mode to, double checkpointsPerSecond) {
      switches++;
    }

    @Override
    public void onError(ControlLoopError error) {
      errors++;
      listener.onLoopError(controller, error);
    }

    @Override
    public void onStateChanged(ControlLoop.StateChange change) {
      if (change.to() == ControlLoop.State.ENDED) {
        endReason = change.reason();
        ended.countDown();
      }
      if (change.to() == ControlLoop.State.ENDED || change.to() == ControlLoop.State.CLOSED) {
        delivered.countDown();
      }
    }
  }
}
