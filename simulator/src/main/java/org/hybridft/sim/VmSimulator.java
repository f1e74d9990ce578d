package org.hybridft.sim;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import org.HdrHistogram.Histogram;
import org.apache.commons.math3.distribution.ExponentialDistribution;
import org.apache.commons.math3.distribution.LogNormalDistribution;
import org.apache.commons.math3.random.RandomGenerator;
import org.hybridft.core.CheckpointRateEstimator;
import org.hybridft.core.DowntimeMeter;
import org.hybridft.core.Mode;
import org.hybridft.core.ModeController;
import org.hybridft.core.ParameterCheck;
import org.hybridft.report.RunResult;
import org.hybridft.report.TimeSeries;

/**
 * An event-driven model of one VM replicated by COLO, driven by a {@link ModeController} the way
 * {@link org.hybridft.core.ControlLoop} drives it. Deterministic for a given seed.
 *
 * <p><b>Requests.</b> Requests arrive as a Poisson process at the phase's rate λ and are served
 * first come, first served by the workload's worker threads, each taking a log-normal service
 * time. Requests that find every thread busy wait in a backlog of {@link
 * ReplicationModel#backlogLimit()} places; beyond it they are dropped. While the guest is paused
 * for a checkpoint it serves nothing: services in progress are delayed by the pause.
 *
 * <p><b>Checkpoints.</b> A checkpoint pauses the guest for the model's fixed cost plus the memory
 * dirtied since the previous checkpoint (at the phase's dirtying rate while the guest runs, capped
 * by the phase's working set) divided by the link bandwidth.
 *
 * <ul>
 *   <li>In {@link Mode#COLO}, every reply diverges with the phase's probability p. A matching reply
 *       leaves at once. A diverging one is held until the next checkpoint commits and starts a
 *       checkpoint {@link ReplicationModel#divergenceDetectionDelay()} later (at once by default)
 *       unless one is due sooner; replies diverging meanwhile wait for the same checkpoint.
 *       Divergences cannot pile up during a pause, because the paused guest produces no output: a
 *       pause absorbs every divergence it would have caused. COLO's periodic timer also
 *       checkpoints, {@link ReplicationModel#coloCheckpointDelay()} after the previous checkpoint
 *       started (any checkpoint restarts the timer, as in QEMU). With {@link
 *       ReplicationModel#coloStaleCheckpointInterval()} set, the first reply released after a
 *       checkpoint starts colo-compare's stale-packet timer, which checkpoints when it expires
 *       unless a checkpoint started meanwhile.
 *   <li>In {@link Mode#CHECKPOINT}, a checkpoint starts every {@link
 *       ModeController#checkpointPeriodNanos()} (start to start; right after the previous commit
 *       if the pause outlasts the period), and every reply is held until the next checkpoint
 *       commits. With {@link ReplicationModel#connectionPerRequest()}, a request arriving in this
 *       mode is not served before the next checkpoint commits (its SYN-ACK is held too).
 *   <li>A switch from CHECKPOINT to COLO starts a checkpoint at once (the secondary must be in
 *       sync; a checkpoint in progress serves). A switch to CHECKPOINT schedules its first
 *       checkpoint one period later.
 * </ul>
 *
 * <p><b>Control.</b> Every {@link ReplicationModel#controlPeriod()}, from time 0, a tick reads the
 * number of checkpoints started and feeds {@link CheckpointRateEstimator#forCounter} exactly as
 * the control loop does: the first tick takes the baseline and applies the controller's initial
 * mode; each later tick estimates the rate over {@link ReplicationModel#rateWindow()}, calls
 * {@link ModeController#update}, and switches when the answer differs from the applied mode.
 *
 * <p><b>Costs.</b> CPU: each request's service time counts twice in COLO (both VMs execute) and
 * once in CHECKPOINT mode; each checkpoint counts its pause on both hosts. Network: each
 * checkpoint's dirty bytes plus {@link ReplicationModel#deviceStateMb()}, plus every request that
 * arrives in COLO mode (mirrored to the secondary).
 *
 * <p>The event loop works on primitives: no boxing or allocation per event. Instances are
 * immutable and thread-safe; each {@link #run} has its own state.
 */
public final class VmSimulator {
  private static final double NANOS_PER_SECOND = 1e9;
  private static final double BYTES_PER_MB = 1e6;
  private static final long NEVER = Long.MAX_VALUE;
  /** Latencies are recorded in microseconds up to one day. */
  private static final long MAX_LATENCY_MICROS = 86_400_000_000L;

  private final ReplicationModel model;

  /** A simulator with {@link ReplicationModel#defaults()}. */
  public VmSimulator() {
    this(ReplicationModel.defaults());
  }

  /** A simulator of the given replication costs. */
  public VmSimulator(ReplicationModel model) {
    this.model = Objects.requireNonNull(model, "model");
  }

  /** The replication model. */
  public ReplicationModel model() {
    return model;
  }

  /**
   * Simulates one run.
   *
   * @param workload what the VM runs
   * @param controllerName the name reported in the result
   * @param controller a controller in its initial state, used by this run only
   * @param length the simulated time, {@code > 0}
   * @param seed the seed of every random process of the run
   * @param runIndex the index reported in the result
   * @return what the run measured, with its time series
   */
  public RunResult run(
      Workload workload,
      String controllerName,
      ModeController controller,
      Duration length,
      long seed,
      int runIndex) {
    return run(workload, controllerName, controller, length, seed, runIndex, true);
  }

  /**
   * Simulates one run, optionally without recording its time series (which costs 9 bytes per
   * control period: a week-long run at 1 s holds 5 MB).
   *
   * @param workload what the VM runs
   * @param controllerName the name reported in the result
   * @param controller a controller in its initial state, used by this run only
   * @param length the simulated time, {@code > 0}
   * @param seed the seed of every random process of the run
   * @param runIndex the index reported in the result
   * @param recordTimeSeries whether to record the time series; if not, it is empty
   * @return what the run measured
   */
  public RunResult run(
      Workload workload,
      String controllerName,
      ModeController controller,
      Duration length,
      long seed,
      int runIndex,
      boolean recordTimeSeries) {
    Objects.requireNonNull(workload, "workload");
    Objects.requireNonNull(controllerName, "controllerName");
    Objects.requireNonNull(controller, "controller");
    ParameterCheck.positive("length", length);
    return new Run(model, workload, controller, length.toNanos(), seed, recordTimeSeries)
        .simulate(controllerName, runIndex);
  }

  /** The mutable state of one run. */
  private static final class Run {
    private final Workload workload;
    private final ModeController controller;
    private final long endNanos;
    private final long seed;

    // Model constants.
    private final long fixedCostNanos;
    private final double linkBytesPerNano;
    private final double deviceStateBytes;
    private final long coloDelayNanos;
    private final long detectionDelayNanos;
    private final long staleIntervalNanos;
    private final boolean connectionPerRequest;
    private final long controlPeriodNanos;
    private final int backlogLimit;
    private final double requestBytes;

    // Phases.
    private final List<Phase> phases;
    private final ExponentialDistribution[] interarrival;
    private final LogNormalDistribution[] service;
    private int phaseIndex;
    private long phaseEndNanos;
    private double lambda;
    private double divergenceProbability;
    private double meanServiceNanos;
    private double serviceCv;
    private double dirtyBytesPerNano;
    private double workingSetBytes;

    // Random streams.
    private final RandomGenerator arrivalRandom;
    private final RandomGenerator serviceRandom;
    private final SplittableRandom divergenceRandom;

    // Clock and events.
    private long now;
    private long nextArrivalNanos = NEVER;
    private long nextTickNanos;
    private long nextCheckpointNanos = NEVER;

    // Replication state.
    private Mode mode;
    private boolean paused;
    private long pauseStartNanos;
    private long pauseEndNanos;
    private long checkpoints;
    private long checkpointPeriodNanos;
    private double dirtyBytes;
    private long dirtySinceNanos;
    private final DowntimeMeter meter;

    // Worker threads and queues (arrival times), all primitives.
    private final long[] completionNanos;
    private final long[] servingArrivalNanos;
    private final long[] servingServiceNanos;
    private final int[] idleServers;
    private int idleCount;
    private int nextServer = -1;
    private long nextCompletionNanos = NEVER;
    private long[] backlog = new long[64];
    private int backlogHead;
    private int backlogSize;
    private long[] held = new long[256];
    private int heldSize;
    // Requests whose connection waits for the next commit (connection per request, CHECKPOINT).
    private long[] connecting = new long[64];
    private int connectingSize;
    // Whether the next reply released in COLO starts the stale-packet timer.
    private boolean staleTimerArmed = true;

    // Control.
    private final CheckpointRateEstimator estimator;
    private boolean baselineTaken;
    private final TimeSeries series;

    // Measurements.
    private final Histogram latencyMicros = new Histogram(MAX_LATENCY_MICROS, 3);
    private double latencySumNanos;
    private long released;
    private long dropped;
    private double cpuNanos;
    private double networkBytes;
    private int switches;

    Run(
        ReplicationModel model,
        Workload workload,
        ModeController controller,
        long endNanos,
        long seed,
        boolean recordTimeSeries) {
      this.workload = workload;
      this.controller = controller;
      this.endNanos = endNanos;
      this.seed = seed;
      this.fixedCostNanos = model.checkpointFixedCost().toNanos();
      this.linkBytesPerNano = model.linkMbPerSecond() * BYTES_PER_MB / NANOS_PER_SECOND;
      this.deviceStateBytes = model.deviceStateMb() * BYTES_PER_MB;
      this.coloDelayNanos = model.coloCheckpointDelay().toNanos();
      this.detectionDelayNanos = model.divergenceDetectionDelay().toNanos();
      this.staleIntervalNanos = model.coloStaleCheckpointInterval().toNanos();
      this.connectionPerRequest = model.connectionPerRequest();
      this.controlPeriodNanos = model.controlPeriod().toNanos();
      this.backlogLimit = model.backlogLimit();
      this.requestBytes = workload.requestKb() * 1e3;
      this.estimator = CheckpointRateEstimator.forCounter(model.rateWindow(), model.controlPeriod());

      SplittableRandom root = new SplittableRandom(seed);
      this.arrivalRandom = new SplittableRandomGenerator(root.split());
      this.serviceRandom = new SplittableRandomGenerator(root.split());
      this.divergenceRandom = root.split();

      this.phases = workload.phases();
      int phaseCount = phases.size();
      this.interarrival = new ExponentialDistribution[phaseCount];
      this.service = new LogNormalDistribution[phaseCount];
      for (int i = 0; i < phaseCount; i++) {
        Phase phase = phases.get(i);
        if (phase.requestsPerSecond() > 0) {
          interarrival[i] =
              new ExponentialDistribution(arrivalRandom, NANOS_PER_SECOND / phase.requestsPerSecond());
        }
        if (phase.serviceCv() > 0) {
          double shape = Math.sqrt(Math.log1p(phase.serviceCv() * phase.serviceCv()));
          double scale = Math.log(phase.meanServiceMillis() * 1e6) - shape * shape / 2;
          service[i] = new LogNormalDistribution(serviceRandom, scale, shape);
        }
      }

      int servers = workload.servers();
      this.completionNanos = new long[servers];
      this.servingArrivalNanos = new long[servers];
      this.servingServiceNanos = new long[servers];
      Arrays.fill(completionNanos, NEVER);
      this.idleServers = new int[servers];
      for (int i = 0; i < servers; i++) {
        idleServers[i] = servers - 1 - i;
      }
      this.idleCount = servers;

      long ticks = recordTimeSeries ? endNanos / controlPeriodNanos + 1 : 0;
      this.series = new TimeSeries(controlPeriodNanos, (int) Math.min(Integer.MAX_VALUE - 8, ticks));
      this.mode = controller.mode();
      this.meter = new DowntimeMeter(0, mode);
      this.checkpointPeriodNanos = controller.checkpointPeriodNanos();
    }

    RunResult simulate(String controllerName, int runIndex) {
      enterPhase(0, 0);
      nextTickNanos = 0;
      while (true) {
        // Tie order: commit, phase change, control tick, checkpoint timer, completion, arrival.
        long t = endNanos;
        int event = 0;
        if (paused && pauseEndNanos < t) {
          t = pauseEndNanos;
          event = 1;
        }
        if (phaseEndNanos < t) {
          t = phaseEndNanos;
          event = 2;
        }
        if (nextTickNanos < t) {
          t = nextTickNanos;
          event = 3;
        }
        if (!paused && nextCheckpointNanos < t) {
          // A timer that fell due during a pause fires right after the commit.
          t = Math.max(now, nextCheckpointNanos);
          event = 4;
        }
        int server = -1;
        if (!paused && nextCompletionNanos < t) {
          t = nextCompletionNanos;
          server = nextServer;
          event = 5;
        }
        if (nextArrivalNanos < t) {
          t = nextArrivalNanos;
          event = 6;
        }
        now = t;
        switch (event) {
          case 0:
            return finish(controllerName, runIndex);
          case 1:
            commit();
            break;
          case 2:
            nextPhase();
            break;
          case 3:
            tick();
            break;
          case 4:
            startCheckpoint();
            break;
          case 5:
            complete(server);
            break;
          default:
            arrive();
            break;
        }
      }
    }

    // ---- workload -------------------------------------------------------------------------

    private void enterPhase(int index, long startNanos) {
      phaseIndex = index;
      Phase phase = phases.get(index);
      boolean last = index == phases.size() - 1;
      long duration = phase.duration().toNanos();
      phaseEndNanos =
          last && !workload.cyclic() || duration >= NEVER - startNanos ? NEVER : startNanos + duration;
      lambda = phase.requestsPerSecond();
      divergenceProbability = phase.divergenceProbability();
      meanServiceNanos = phase.meanServiceMillis() * 1e6;
      serviceCv = phase.serviceCv();
      dirtyBytesPerNano = phase.dirtyMbPerSecond() * BYTES_PER_MB / NANOS_PER_SECOND;
      workingSetBytes = phase.workingSetMb() * BYTES_PER_MB;
      nextArrivalNanos = lambda > 0 ? startNanos + sampleInterarrival() : NEVER;
    }

    private void nextPhase() {
      accumulateDirty();
      int next = phaseIndex + 1 == phases.size() ? 0 : phaseIndex + 1;
      enterPhase(next, now);
    }

    private long sampleInterarrival() {
      // The phase's exponential law, sampled by inversion with the intrinsic Math.log.
      double u = arrivalRandom.nextDouble();
      return Math.max(1, (long) (-interarrival[phaseIndex].getMean() * Math.log(1 - u)));
    }

    private long sampleService() {
      if (serviceCv <= 0) {
        return Math.max(1, (long) meanServiceNanos);
      }
      // The phase's log-normal law, sampled with the intrinsic Math.exp (LogNormalDistribution's
      // own sample() uses the slower FastMath.exp).
      LogNormalDistribution law = service[phaseIndex];
      return Math.max(1, (long) Math.exp(law.getScale() + law.getShape() * serviceRandom.nextGaussian()));
    }

    private void accumulateDirty() {
      if (!paused) {
        dirtyBytes = Math.min(workingSetBytes, dirtyBytes + dirtyBytesPerNano * (now - dirtySinceNanos));
        dirtySinceNanos = now;
      }
    }

    // ---- requests -------------------------------------------------------------------------

    private void arrive() {
      if (mode == Mode.COLO) {
        networkBytes += requestBytes;
      }
      if (connectionPerRequest && mode == Mode.CHECKPOINT) {
        // The SYN-ACK is held to the next commit: the guest sees the request only after it.
        if (connectingSize == connecting.length) {
          connecting = Arrays.copyOf(connecting, connecting.length * 2);
        }
        connecting[connectingSize++] = now;
      } else {
        admit(now);
      }
      nextArrivalNanos = now + sampleInterarrival();
    }

    /** A request reaches the guest: a worker thread, the backlog, or dropped. */
    private void admit(long arrivalNanos) {
      if (idleCount > 0) {
        startService(idleServers[--idleCount], arrivalNanos);
      } else if (backlogSize >= backlogLimit) {
        dropped++;
      } else {
        pushBacklog(arrivalNanos);
      }
    }

    /** Finds the next completion; called when the earliest one finished. */
    private void rescanCompletions() {
      long earliest = NEVER;
      int server = -1;
      for (int i = 0; i < completionNanos.length; i++) {
        if (completionNanos[i] < earliest) {
          earliest = completionNanos[i];
          server = i;
        }
      }
      nextCompletionNanos = earliest;
      nextServer = server;
    }

    private void startService(int server, long arrivalNanos) {
      long serviceNanos = sampleService();
      long start = paused ? pauseEndNanos : now;
      long completion = start + serviceNanos;
      completionNanos[server] = completion;
      servingArrivalNanos[server] = arrivalNanos;
      servingServiceNanos[server] = serviceNanos;
      if (completion < nextCompletionNanos) {
        nextCompletionNanos = completion;
        nextServer = server;
      }
    }

    private void complete(int server) {
      long arrival = servingArrivalNanos[server];
      cpuNanos += servingServiceNanos[server] * (mode == Mode.COLO ? 2.0 : 1.0);
      completionNanos[server] = NEVER;
      if (backlogSize > 0) {
        rescanCompletions();
        startService(server, popBacklog());
      } else {
        idleServers[idleCount++] = server;
        rescanCompletions();
      }
      if (mode == Mode.CHECKPOINT) {
        hold(arrival);
      } else if (divergenceProbability > 0 && divergenceRandom.nextDouble() < divergenceProbability) {
        hold(arrival);
        if (detectionDelayNanos == 0) {
          startCheckpoint();
        } else {
          // colo-compare sees the divergence once the lagging secondary's packet arrives.
          nextCheckpointNanos = Math.min(nextCheckpointNanos, now + detectionDelayNanos);
        }
      } else {
        release(arrival);
        if (staleTimerArmed && staleIntervalNanos > 0) {
          // Some packet of this reply's connection stays unmatched and goes stale.
          staleTimerArmed = false;
          nextCheckpointNanos = Math.min(nextCheckpointNanos, now + staleIntervalNanos);
        }
      }
    }

    private void release(long arrivalNanos) {
      long latency = now - arrivalNanos;
      latencySumNanos += latency;
      released++;
      latencyMicros.recordValue(Math.min(MAX_LATENCY_MICROS, latency / 1000));
    }

    private void hold(long arrivalNanos) {
      if (heldSize == held.length) {
        held = Arrays.copyOf(held, held.length * 2);
      }
      held[heldSize++] = arrivalNanos;
    }

    private void pushBacklog(long arrivalNanos) {
      if (backlogSize == backlog.length) {
        long[] grown = new long[backlog.length * 2];
        for (int i = 0; i < backlogSize; i++) {
          grown[i] = backlog[(backlogHead + i) % backlog.length];
        }
        backlog = grown;
        backlogHead = 0;
      }
      int slot = backlogHead + backlogSize;
      if (slot >= backlog.length) {
        slot -= backlog.length;
      }
      backlog[slot] = arrivalNanos;
      backlogSize++;
    }

    private long popBacklog() {
      long arrival = backlog[backlogHead];
      backlogHead = backlogHead + 1 == backlog.length ? 0 : backlogHead + 1;
      backlogSize--;
      return arrival;
    }

    // ---- checkpoints ----------------------------------------------------------------------

    private void startCheckpoint() {
      if (paused) {
        return;
      }
      accumulateDirty();
      long pause = fixedCostNanos + (long) (dirtyBytes / linkBytesPerNano);
      networkBytes += dirtyBytes + deviceStateBytes;
      cpuNanos += 2.0 * pause;
      checkpoints++;
      paused = true;
      staleTimerArmed = true;
      pauseStartNanos = now;
      pauseEndNanos = now + pause;
      for (int i = 0; i < completionNanos.length; i++) {
        if (completionNanos[i] != NEVER) {
          completionNanos[i] += pause;
        }
      }
      if (nextCompletionNanos != NEVER) {
        nextCompletionNanos += pause;
      }
      nextCheckpointNanos = now + (mode == Mode.COLO ? coloDelayNanos : checkpointPeriodNanos);
    }

    private void commit() {
      paused = false;
      meter.onPause(now - pauseStartNanos);
      for (int i = 0; i < heldSize; i++) {
        release(held[i]);
      }
      heldSize = 0;
      dirtyBytes = 0;
      dirtySinceNanos = now;
      while (idleCount > 0 && backlogSize > 0) {
        startService(idleServers[--idleCount], popBacklog());
      }
      // Their SYN-ACKs leave now; the requests follow the ones already queued.
      for (int i = 0; i < connectingSize; i++) {
        admit(connecting[i]);
      }
      connectingSize = 0;
    }

    // ---- control --------------------------------------------------------------------------

    private void tick() {
      estimator.onCounter(now, checkpoints);
      if (!baselineTaken) {
        baselineTaken = true;
        apply(controller.mode(), false);
      } else {
        double cps = estimator.checkpointsPerSecond(now);
        Mode wanted = controller.update(now, cps);
        if (wanted != mode) {
          apply(wanted, true);
        }
        series.add(cps, mode);
      }
      nextTickNanos = now + controlPeriodNanos;
    }

    private void apply(Mode wanted, boolean isSwitch) {
      checkpointPeriodNanos = controller.checkpointPeriodNanos();
      if (isSwitch) {
        switches++;
        meter.switchMode(now, wanted);
      }
      Mode from = mode;
      mode = wanted;
      if (wanted == Mode.CHECKPOINT) {
        nextCheckpointNanos = now + checkpointPeriodNanos;
      } else if (isSwitch && from == Mode.CHECKPOINT) {
        if (paused) {
          nextCheckpointNanos = pauseStartNanos + coloDelayNanos;
        } else {
          startCheckpoint();
        }
      } else {
        nextCheckpointNanos = now + coloDelayNanos;
      }
    }

    // ---- result ---------------------------------------------------------------------------

    private RunResult finish(String controllerName, int runIndex) {
      if (paused) {
        meter.onPause(now - pauseStartNanos);
      }
      double wallSeconds = endNanos / NANOS_PER_SECOND;
      long pauseNanos = meter.pauseNanos();
      double latencyMeanMs = released == 0 ? 0 : latencySumNanos / released / 1e6;
      return new RunResult(
          workload.name(),
          controllerName,
          runIndex,
          seed,
          wallSeconds,
          meter.downtimeRatio(endNanos),
          pauseNanos / NANOS_PER_SECOND,
          checkpoints,
          checkpoints / wallSeconds,
          latencyMeanMs,
          percentileMs(50),
          percentileMs(99),
          percentileMs(99.9),
          released / wallSeconds,
          dropped,
          cpuNanos / NANOS_PER_SECOND,
          networkBytes / BYTES_PER_MB,
          switches,
          (double) meter.wallNanos(Mode.COLO, endNanos) / endNanos,
          series);
    }

    private double percentileMs(double percentile) {
      return latencyMicros.getTotalCount() == 0
          ? 0
          : latencyMicros.getValueAtPercentile(percentile) / 1e3;
    }
  }
}
