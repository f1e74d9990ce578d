package org.hybridft.sim;

import java.time.Duration;
import java.util.Objects;
import org.hybridft.core.Mode;
import org.hybridft.core.ParameterCheck;
import org.hybridft.report.RunResult;

/**
 * What a controller that only reacts to what it measures can reach at best: the {@link
 * ClairvoyantSchedule} seen through the delays no such controller avoids, run through the same
 * {@link VmSimulator} on the same seed.
 *
 * <p>Two schedules, both with an oracle's judgement (a period is "good for COLO" exactly when the
 * clairvoyant schedule runs it in COLO, with no noise and no threshold to tune):
 *
 * <ul>
 *   <li>{@link #delayed()}: every switch of the schedule one control period late. A controller in
 *       COLO learns that a stretch is non-deterministic only from the checkpoints of a period run
 *       in COLO, so it leaves COLO one period after the stretch starts at the earliest. The same
 *       delay in the other direction is a gift: in checkpoint mode a checkpoint falls every period
 *       whatever the workload does, and nothing tells a controller that COLO has become cheap.
 *       This is the floor of any controller that measures before it acts.
 *   <li>{@link #probing(Duration)}: the controller that must find out by running COLO. It leaves
 *       COLO one period after a period the schedule runs in checkpoint mode, as above; in
 *       checkpoint mode it probes COLO for one period every {@code probeInterval} (counted from
 *       entering checkpoint mode or from the last probe) and stays in COLO when the probed period
 *       is one the schedule runs in COLO. Each probe in a non-deterministic stretch pays the
 *       switch's synchronising checkpoint and one period of COLO there; each deterministic stretch
 *       pays the time until the next probe in checkpoint mode. The best interval with hindsight,
 *       per workload, is the floor of a controller that probes at a fixed interval, however well it
 *       judges; a controller whose probes follow a learnt rhythm of the workload can do better on a
 *       periodic workload, and no worse than {@link #delayed()}.
 * </ul>
 *
 * <p>Both follow a plan fixed before the run ({@link ScheduledController}), so their runs are
 * deterministic for a seed, like the schedule's.
 */
public final class CausalBound {
  /** The name of the delayed schedule's runs in results. */
  public static final String DELAYED = "clairvoyant-delayed";

  /** The name of the probing schedule's runs in results. */
  public static final String PROBING = "clairvoyant-probing";

  private final VmSimulator simulator;
  private final Workload workload;
  private final Duration length;
  private final long seed;
  private final int runIndex;
  private final boolean[] limit;
  private final long controlPeriodNanos;
  private final long checkpointPeriodNanos;

  /**
   * @param simulator the simulator the schedule was measured in
   * @param workload the schedule's workload
   * @param length the run's length, {@code > 0}
   * @param seed the schedule's seed
   * @param runIndex the index reported in the results
   * @param schedule the clairvoyant schedule of this workload, length and seed
   * @param checkpointPeriod checkpoint mode's interval between checkpoints, {@code > 0}
   */
  public CausalBound(VmSimulator simulator, Workload workload, Duration length, long seed, int runIndex,
      ClairvoyantSchedule schedule, Duration checkpointPeriod) {
    this.simulator = Objects.requireNonNull(simulator, "simulator");
    this.workload = Objects.requireNonNull(workload, "workload");
    Objects.requireNonNull(schedule, "schedule");
    this.length = ParameterCheck.positive("length", length);
    this.checkpointPeriodNanos = ParameterCheck.positive("checkpointPeriod", checkpointPeriod).toNanos();
    this.seed = seed;
    this.runIndex = runIndex;
    this.controlPeriodNanos = simulator.model().controlPeriod().toNanos();
    long periods = (length.toNanos() + controlPeriodNanos - 1) / controlPeriodNanos;
    this.limit = new boolean[(int) Math.min(Integer.MAX_VALUE - 8, periods)];
    for (int k = 0; k < limit.length; k++) {
      limit[k] = schedule.mode(k) == Mode.COLO;
    }
  }

  /** The schedule with every switch one control period late, measured on the seed. */
  public RunResult delayed() {
    return simulator.run(workload, DELAYED, new ScheduledController(delayed(limit), controlPeriodNanos,
        checkpointPeriodNanos), length, seed, runIndex, true);
  }

  /**
   * The probing schedule with one probe of COLO every {@code probeInterval} in checkpoint mode,
   * measured on the seed.
   *
   * @param probeInterval at least one control period
   */
  public RunResult probing(Duration probeInterval) {
    return probing(new long[0], probeInterval);
  }

  /**
   * The probing schedule whose probes fall at the given offsets after it enters checkpoint mode
   * (a failed probe does not restart the count), then every {@code probeInterval}: the probes of a
   * controller that has learnt how long the workload's checkpoint-mode stretches last, measured on
   * the seed.
   *
   * @param probeOffsets control periods from entering checkpoint mode to each probe, ascending, each
   *     {@code >= 1}
   * @param probeInterval at least one control period
   */
  public RunResult probing(long[] probeOffsets, Duration probeInterval) {
    ParameterCheck.positive("probeInterval", probeInterval);
    long every = probeInterval.toNanos() / controlPeriodNanos;
    if (every < 1) {
      throw new IllegalArgumentException(
          "probeInterval must be at least one control period (" + Duration.ofNanos(controlPeriodNanos) + "), was "
              + probeInterval);
    }
    for (int i = 0; i < probeOffsets.length; i++) {
      if (probeOffsets[i] < 1 || i > 0 && probeOffsets[i] <= probeOffsets[i - 1]) {
        throw new IllegalArgumentException("probeOffsets must be ascending and >= 1, was "
            + java.util.Arrays.toString(probeOffsets));
      }
    }
    return simulator.run(workload, PROBING, new ScheduledController(probing(limit, probeOffsets, every),
        controlPeriodNanos, checkpointPeriodNanos), length, seed, runIndex, true);
  }

  /**
   * The lengths, in control periods, of the clairvoyant schedule's stretches in checkpoint mode
   * (the last one included even if the run cuts it short).
   */
  public long[] checkpointStretches() {
    java.util.List<Long> lengths = new java.util.ArrayList<>();
    long run = 0;
    for (boolean colo : limit) {
      if (colo) {
        if (run > 0) {
          lengths.add(run);
        }
        run = 0;
      } else {
        run++;
      }
    }
    if (run > 0) {
      lengths.add(run);
    }
    return lengths.stream().mapToLong(Long::longValue).toArray();
  }

  /** {@code limit} (COLO per period) with every change one period late. */
  static boolean[] delayed(boolean[] limit) {
    boolean[] modes = new boolean[limit.length];
    for (int k = 0; k < limit.length; k++) {
      modes[k] = limit[Math.max(0, k - 1)];
    }
    return modes;
  }

  /**
   * The modes of a controller that leaves COLO one period after a period {@code limit} runs in
   * checkpoint mode, and in checkpoint mode runs COLO for one period at each of {@code offsets}
   * periods after entering it, then every {@code every} periods, staying in COLO when {@code
   * limit} runs the probed period in COLO.
   */
  static boolean[] probing(boolean[] limit, long[] offsets, long every) {
    boolean[] modes = new boolean[limit.length];
    modes[0] = limit[0];
    long inCheckpoint = 0;
    long sinceProbe = 0;
    int next = 0;
    for (int k = 1; k < limit.length; k++) {
      if (modes[k - 1] && (inCheckpoint == 0 || limit[k - 1])) {
        // In COLO (not a probe): leave one period after a period the schedule runs in checkpoint mode.
        modes[k] = limit[k - 1];
        inCheckpoint = 0;
        sinceProbe = 0;
        next = 0;
      } else if (modes[k - 1]) {
        // A failed probe: back to checkpoint mode, the count since entering it goes on.
        modes[k] = false;
        inCheckpoint++;
        sinceProbe = 0;
      } else {
        inCheckpoint++;
        sinceProbe++;
        boolean probe = next < offsets.length
            ? inCheckpoint >= offsets[next]
            : sinceProbe >= every;
        if (probe) {
          next++;
          modes[k] = true;
        }
      }
    }
    return modes;
  }
}
