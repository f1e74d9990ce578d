package org.hybridft.sim;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.hybridft.core.ModeController;
import org.hybridft.core.ParameterCheck;
import org.hybridft.report.ComparisonResult;
import org.hybridft.report.RunResult;
import org.hybridft.report.TimeSeries;

/**
 * Runs every controller on every workload a number of times, in parallel, and collects the
 * results.
 *
 * <p>Only run 0 of each workload and controller records its {@link TimeSeries} (the one plots
 * show); the others' are empty, which bounds memory for long runs.
 *
 * <p><b>The limit.</b> With {@link Builder#clairvoyant}, the result also holds the {@link
 * ClairvoyantSchedule}'s run on every workload and seed, under {@value ClairvoyantSchedule#NAME}:
 * a reference like the static modes, not a controller, so it is not among the result's
 * controllers.
 *
 * <p><b>Seeds.</b> Run r of workload w gets the seed derived from the comparison's seed, the
 * workload's name and r, and <em>not</em> from the controller: every controller faces the same
 * arrivals, service times and divergence draws (common random numbers), so their differences are
 * the controllers', not the dice's.
 */
public final class Comparison {

  /** Observes progress; called from worker threads, must be thread-safe and quick. */
  @FunctionalInterface
  public interface ProgressListener {
    /** One more run finished: {@code done} of {@code total}. */
    void onRunFinished(int done, int total);

    /**
     * One more clairvoyant schedule planned and measured, once every run has finished: {@code
     * done} of {@code total} (one per workload and seed).
     */
    default void onScheduleFinished(int done, int total) {}
  }

  private final List<Workload> workloads;
  private final List<ControllerSpec> controllers;
  private final int runs;
  private final Duration length;
  private final long seed;
  private final int threads;
  private final VmSimulator simulator;
  private final ProgressListener progress;
  private final Optional<Duration> clairvoyantCheckpointPeriod;

  private Comparison(Builder builder) {
    this.workloads = List.copyOf(builder.workloads);
    this.controllers = List.copyOf(builder.controllers);
    if (workloads.isEmpty()) {
      throw new IllegalArgumentException("workloads must hold at least one workload, was empty");
    }
    if (controllers.isEmpty()) {
      throw new IllegalArgumentException("controllers must hold at least one controller, was empty");
    }
    this.runs = builder.runs;
    this.length = builder.length;
    this.seed = builder.seed;
    this.threads = builder.threads;
    this.simulator = new VmSimulator(builder.model);
    this.progress = builder.progress;
    this.clairvoyantCheckpointPeriod = builder.clairvoyantCheckpointPeriod;
    if (clairvoyantCheckpointPeriod.isPresent()
        && controllers.stream().anyMatch(c -> c.name().equals(ClairvoyantSchedule.NAME))) {
      throw new IllegalArgumentException("a controller is named '" + ClairvoyantSchedule.NAME
          + "', the name of the clairvoyant schedule's runs; rename it or leave the schedule out");
    }
  }

  /** A builder with defaults: 10 runs of 30 simulated minutes, seed 1, one thread per core. */
  public static Builder builder() {
    return new Builder();
  }

  /** The seed of run {@code run} of {@code workload} under comparison seed {@code seed}. */
  public static long runSeed(long seed, String workload, int run) {
    long mixed = seed * 0x9E3779B97F4A7C15L + workload.hashCode() * 0xC2B2AE3D27D4EB4FL + run;
    return new SplittableRandom(mixed).nextLong();
  }

  /**
   * Runs everything and waits for it: every controller's runs, then, if asked for, the clairvoyant
   * schedule's run on every workload and seed.
   *
   * @throws InterruptedException if interrupted while waiting
   * @throws IllegalStateException if a run failed (a controller threw), with that failure as cause
   */
  public ComparisonResult run() throws InterruptedException {
    int total = workloads.size() * controllers.size() * runs;
    RunResult[] results = new RunResult[total];
    // Each controller's checkpoint period as the simulator read it, before the first period.
    long[] checkpointPeriods = new long[total];
    // The schedule reads a static mode's periods from its time series: then every run keeps one
    // until the schedules are planned.
    boolean everySeries = clairvoyantCheckpointPeriod.isPresent();
    AtomicInteger done = new AtomicInteger();
    AtomicInteger threadNumber = new AtomicInteger();
    ThreadFactory factory =
        task -> {
          Thread thread = new Thread(task, "hybridft-sim-" + threadNumber.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        };
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, total), factory);
    List<RunResult> schedules = new ArrayList<>();
    try {
      List<Future<?>> futures = new ArrayList<>(total);
      int index = 0;
      for (Workload workload : workloads) {
        for (ControllerSpec controller : controllers) {
          for (int r = 0; r < runs; r++) {
            int slot = index++;
            int run = r;
            futures.add(
                pool.submit(
                    () -> {
                      ModeController created = controller.create();
                      checkpointPeriods[slot] = created.checkpointPeriodNanos();
                      results[slot] =
                          simulator.run(
                              workload,
                              controller.name(),
                              created,
                              length,
                              runSeed(seed, workload.name(), run),
                              run,
                              run == 0 || everySeries);
                      progress.onRunFinished(done.incrementAndGet(), total);
                    }));
          }
        }
      }
      await(futures);
      if (clairvoyantCheckpointPeriod.isPresent()) {
        schedules.addAll(schedules(pool, results, checkpointPeriods, clairvoyantCheckpointPeriod.get()));
      }
    } finally {
      pool.shutdownNow();
    }
    List<RunResult> all = new ArrayList<>(Arrays.asList(results));
    all.addAll(schedules);
    for (int i = 0; i < all.size(); i++) {
      RunResult run = all.get(i);
      if (run.run() != 0 && run.timeSeries().size() > 0) {
        all.set(i, run.withTimeSeries(TimeSeries.empty()));
      }
    }
    return new ComparisonResult(
        workloads.stream().map(Workload::name).toList(),
        controllers.stream().map(ControllerSpec::name).toList(),
        all);
  }

  /**
   * The clairvoyant schedule's run on every workload and seed, in workload then run order. A
   * controller's run that held COLO throughout, or checkpoint mode throughout at the schedule's
   * checkpoint period, is the static mode's run on that seed (the simulator sees only the modes
   * and the period), so the schedule reuses it instead of running the static mode again.
   */
  private List<RunResult> schedules(
      ExecutorService pool, RunResult[] results, long[] checkpointPeriods, Duration checkpointPeriod)
      throws InterruptedException {
    int total = workloads.size() * runs;
    RunResult[] planned = new RunResult[total];
    AtomicInteger done = new AtomicInteger();
    List<Future<?>> futures = new ArrayList<>(total);
    for (int w = 0; w < workloads.size(); w++) {
      Workload workload = workloads.get(w);
      for (int r = 0; r < runs; r++) {
        Optional<RunResult> colo = Optional.empty();
        Optional<RunResult> checkpoint = Optional.empty();
        for (int c = 0; c < controllers.size(); c++) {
          int slot = (w * controllers.size() + c) * runs + r;
          RunResult run = results[slot];
          if (run.switches() == 0 && run.coloShare() == 1.0 && colo.isEmpty()) {
            colo = Optional.of(run);
          } else if (run.switches() == 0 && run.coloShare() == 0.0
              && checkpointPeriods[slot] == checkpointPeriod.toNanos() && checkpoint.isEmpty()) {
            checkpoint = Optional.of(run);
          }
        }
        int slot = w * runs + r;
        int run = r;
        Optional<RunResult> staticColo = colo;
        Optional<RunResult> staticCheckpoint = checkpoint;
        futures.add(pool.submit(() -> {
          planned[slot] = ClairvoyantSchedule.plan(
              simulator, workload, length, runSeed(seed, workload.name(), run), run, checkpointPeriod,
              staticColo, staticCheckpoint).result();
          progress.onScheduleFinished(done.incrementAndGet(), total);
        }));
      }
    }
    await(futures);
    return Arrays.asList(planned);
  }

  private static void await(List<Future<?>> futures) throws InterruptedException {
    for (Future<?> future : futures) {
      try {
        future.get();
      } catch (ExecutionException failed) {
        throw new IllegalStateException(
            "a simulated run failed: " + failed.getCause(), failed.getCause());
      }
    }
  }

  /** Builds a {@link Comparison}; setters validate their argument. Default: 10 runs per workload and controller. */
  public static final class Builder extends SimulationBuilder<Builder> {
    private List<Workload> workloads = List.of();
    private List<ControllerSpec> controllers = List.of();
    private ProgressListener progress = (done, total) -> {};
    private Optional<Duration> clairvoyantCheckpointPeriod = Optional.empty();

    private Builder() {
      super(10);
    }

    /** The workloads, at least one. */
    public Builder workloads(List<Workload> workloads) {
      this.workloads = List.copyOf(workloads);
      return this;
    }

    /** The controllers, at least one. */
    public Builder controllers(List<ControllerSpec> controllers) {
      this.controllers = List.copyOf(controllers);
      return this;
    }

    /** The progress listener; default none. */
    public Builder progress(ProgressListener progress) {
      this.progress = Objects.requireNonNull(progress, "progress");
      return this;
    }

    /**
     * Also plans and measures the {@link ClairvoyantSchedule} on every workload and seed, with
     * checkpoint mode at {@code checkpointPeriod} (the static checkpoint mode's): the limit the
     * controllers are measured against, in the result under {@value ClairvoyantSchedule#NAME} but
     * not among its controllers. A controller's run that held one static mode throughout stands
     * for that mode's run, so a comparison that includes the static modes pays about one more
     * run per workload and seed. Default: no schedule.
     *
     * @param checkpointPeriod checkpoint mode's interval between checkpoints, {@code > 0}
     */
    public Builder clairvoyant(Duration checkpointPeriod) {
      this.clairvoyantCheckpointPeriod = Optional.of(ParameterCheck.positive("checkpointPeriod", checkpointPeriod));
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws IllegalArgumentException if no workload or no controller was given, or a controller
     *     is named {@value ClairvoyantSchedule#NAME} while the schedule is asked for
     */
    public Comparison build() {
      return new Comparison(this);
    }
  }
}
