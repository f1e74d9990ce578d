package org.hybridft.sim;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import org.hybridft.core.Mode;
import org.hybridft.core.ModeController;
import org.hybridft.core.ParameterCheck;
import org.hybridft.report.ClairvoyantRegret;
import org.hybridft.report.RunResult;
import org.hybridft.report.TimeSeries;

/**
 * The limit an adaptive controller can approach on a workload: a schedule that knows the
 * workload's {@link Stretch stretches} in advance and, with hindsight on the run's seed, runs
 * each in the mode that costs it the least downtime, switching exactly at the stretches'
 * boundaries and paying what each switch costs. Its downtime ratio and p99 are measured by
 * running it through the same {@link VmSimulator} on the same seed as the controllers it bounds.
 *
 * <p><b>How it is computed.</b> For one workload, run length and seed:
 *
 * <ol>
 *   <li>Both static modes run on the seed (checkpoint mode at the given period), and each control
 *       period's checkpoint count is read from their time series.
 *   <li>The run is cut into <em>decision units</em> at the control ticks nearest to the stretches'
 *       boundaries. A controller can only switch at a tick, so a stretch shorter than about half a
 *       control period disappears into the units around it, and a unit holds a mix of stretches
 *       when the workload changes faster than the control period: the schedule gives it one mode,
 *       costed on that mix as measured.
 *   <li>A unit's cost in a mode is the pause its checkpoints caused in that mode's run: its
 *       checkpoint count times the pause one of them takes there (the fixed cost plus the memory
 *       dirtied since the previous one, capped by the working set, over the link), scaled so that
 *       each mode's units add up to the pause its whole run measured. A switch from checkpoint
 *       mode to COLO costs one more checkpoint (the simulator's, and QEMU's, re-synchronisation on
 *       return to COLO); a switch to checkpoint mode costs no pause, its first checkpoint falls one
 *       period later, as in the mode's own cost.
 *   <li>A dynamic programme over the units picks the sequence of modes with the least total cost,
 *       switches included (staying, then COLO, wins a tie).
 *   <li>That schedule runs through the simulator on the seed; of it and the two static modes, the
 *       one with the lowest measured downtime ratio (then p99) is the clairvoyant schedule. So it is
 *       never worse than either static mode on the same seed.
 * </ol>
 *
 * <p><b>Why it is a fair bound.</b> It knows what no controller can: where every stretch starts
 * and ends, and what each stretch's checkpoints cost in either mode on this very seed. It needs
 * no measurement to notice a change and never probes. It is still a schedule a controller could
 * follow: one mode per control period, switched at ticks, through the same simulator, with every
 * switch's checkpoint and held output paid. It does not model what it leaves out: switching
 * inside a control period, latency in its choice (it minimises downtime, and p99 follows), and a
 * better mix than one mode per stretch (within a stretch of constant statistics a mix of the
 * modes costs about the time-weighted mix of their costs, so one mode is the better choice up to
 * noise). Its per-unit costs are estimates from the static runs, so a controller can come out a
 * little ahead of it on a seed; the bound is the best one-mode-per-stretch schedule, not a proof
 * of optimality.
 */
public final class ClairvoyantSchedule {
  /** The name of the schedule's runs, as a controller's, in results. */
  public static final String NAME = ClairvoyantRegret.SCHEDULE;

  private static final double NANOS_PER_SECOND = 1e9;

  private final boolean[] colo;
  private final long controlPeriodNanos;
  private final long checkpointPeriodNanos;
  private final int plannedSwitches;
  private final RunResult result;

  private ClairvoyantSchedule(
      boolean[] colo, long controlPeriodNanos, long checkpointPeriodNanos, int plannedSwitches, RunResult result) {
    this.colo = colo;
    this.controlPeriodNanos = controlPeriodNanos;
    this.checkpointPeriodNanos = checkpointPeriodNanos;
    this.plannedSwitches = plannedSwitches;
    this.result = result;
  }

  /**
   * Plans the schedule for one run and measures it.
   *
   * @param simulator the simulator (and replication model) the controllers run in
   * @param workload the workload
   * @param length the run's length, {@code > 0}
   * @param seed the run's seed, the same as the controllers'
   * @param runIndex the index reported in the result
   * @param checkpointPeriod checkpoint mode's interval between checkpoints (the static checkpoint
   *     mode's), {@code > 0}
   * @return the schedule, with its measured run under the name {@value #NAME}
   */
  public static ClairvoyantSchedule plan(
      VmSimulator simulator, Workload workload, Duration length, long seed, int runIndex, Duration checkpointPeriod) {
    return plan(simulator, workload, length, seed, runIndex, checkpointPeriod, Optional.empty(), Optional.empty());
  }

  /**
   * {@link #plan(VmSimulator, Workload, Duration, long, int, Duration)} that takes the static modes'
   * runs on the seed where they already ran, such as a comparison's (the caller vouches that each
   * held its mode throughout, checkpoint mode at {@code checkpointPeriod}): each is used only if
   * it ran on {@code seed} and recorded its time series and the model's rate window is one
   * control period (so that each period's rate is that period's checkpoint count); otherwise the
   * schedule runs its own.
   */
  static ClairvoyantSchedule plan(
      VmSimulator simulator, Workload workload, Duration length, long seed, int runIndex, Duration checkpointPeriod,
      Optional<RunResult> staticColo, Optional<RunResult> staticCheckpoint) {
    Objects.requireNonNull(simulator, "simulator");
    Objects.requireNonNull(workload, "workload");
    ParameterCheck.positive("length", length);
    ParameterCheck.positive("checkpointPeriod", checkpointPeriod);
    ReplicationModel model = simulator.model();
    long period = model.controlPeriod().toNanos();
    long checkpointNanos = checkpointPeriod.toNanos();
    long endNanos = length.toNanos();
    int periods = (int) Math.min(Integer.MAX_VALUE - 8, (endNanos + period - 1) / period);

    // With a window of one control period, each sample's rate is that period's checkpoint count;
    // the window changes nothing else, and a static mode ignores the rate.
    ReplicationModel counting = new ReplicationModel(
        model.checkpointFixedCost(), model.linkMbPerSecond(), model.deviceStateMb(),
        model.coloCheckpointDelay(), model.controlPeriod(), model.controlPeriod(),
        model.backlogLimit(), model.divergenceDetectionDelay(), model.coloStaleCheckpointInterval(),
        model.connectionPerRequest());
    VmSimulator counter = new VmSimulator(counting);
    boolean reusable = counting.equals(model);
    RunResult coloRun = staticColo
        .filter(run -> reusable && run.seed() == seed && run.timeSeries().size() > 0)
        .map(run -> run.withController(NAME))
        .orElseGet(() -> counter.run(
            workload, NAME, ScheduledController.always(Mode.COLO, period, checkpointNanos), length, seed, runIndex,
            true));
    RunResult checkpointRun = staticCheckpoint
        .filter(run -> reusable && run.seed() == seed && run.timeSeries().size() > 0)
        .map(run -> run.withController(NAME))
        .orElseGet(() -> counter.run(
            workload, NAME, ScheduledController.always(Mode.CHECKPOINT, period, checkpointNanos), length, seed,
            runIndex, true));

    int[] units = units(Stretch.of(workload, length), period, periods);
    UnitCosts costs = new UnitCosts(model, workload, length, period, checkpointNanos, periods, units);
    costs.measure(coloRun, checkpointRun);
    boolean[] planned = costs.cheapestSchedule();

    int switches = 0;
    for (int i = 1; i < planned.length; i++) {
      if (planned[i] != planned[i - 1]) {
        switches++;
      }
    }
    RunResult plannedRun = simulator.run(
        workload, NAME, new ScheduledController(planned, period, checkpointNanos), length, seed, runIndex, true);

    boolean[] chosen = planned;
    RunResult best = plannedRun;
    int chosenSwitches = switches;
    for (RunResult candidate : List.of(coloRun, checkpointRun)) {
      if (better(candidate, best)) {
        best = candidate;
        chosen = new boolean[] {candidate == coloRun};
        chosenSwitches = 0;
      }
    }
    if (best != plannedRun && !counting.equals(model)) {
      // Rerun under the caller's rate window, so the time series reads as the controllers' do.
      best = simulator.run(
          workload, NAME, new ScheduledController(chosen, period, checkpointNanos), length, seed, runIndex, true);
    }
    return new ClairvoyantSchedule(chosen, period, checkpointNanos, chosenSwitches, best);
  }

  /** What the schedule measured on its seed. */
  public RunResult result() {
    return result;
  }

  /** The mode of control period {@code index} (the last period's mode beyond the schedule). */
  public Mode mode(int index) {
    if (index < 0) {
      throw new IndexOutOfBoundsException("index must be >= 0, was " + index);
    }
    return colo[Math.min(colo.length - 1, index)] ? Mode.COLO : Mode.CHECKPOINT;
  }

  /** The switches the schedule makes. */
  public int switches() {
    return plannedSwitches;
  }

  /** A fresh controller that follows the schedule, for another run on the same workload. */
  public ModeController controller() {
    return new ScheduledController(colo.clone(), controlPeriodNanos, checkpointPeriodNanos);
  }

  private static boolean better(RunResult candidate, RunResult best) {
    if (candidate.completedNoRequest() != best.completedNoRequest()) {
      return best.completedNoRequest();
    }
    return candidate.downtimeRatio() < best.downtimeRatio()
        || candidate.downtimeRatio() == best.downtimeRatio() && candidate.latencyP99Ms() < best.latencyP99Ms();
  }

  /**
   * The first control period of each decision unit, ascending, from 0: every stretch starts a
   * unit at the tick nearest its start, unless that tick already starts one.
   */
  private static int[] units(List<Stretch> stretches, long period, int periods) {
    TreeSet<Integer> starts = new TreeSet<>();
    for (Stretch stretch : stretches) {
      long tick = (stretch.startNanos() + period / 2) / period;
      if (tick < periods) {
        starts.add((int) tick);
      }
    }
    starts.add(0);
    return starts.stream().mapToInt(Integer::intValue).toArray();
  }

  /** The cost of each decision unit in each mode, and the cheapest sequence of modes. */
  private static final class UnitCosts {
    private final double fixedSeconds;
    private final double linkMbPerSecond;
    private final double checkpointSeconds;
    private final long period;
    private final long endNanos;
    private final int periods;
    private final int[] units;
    private final double[] dirtyMbPerSecond;
    private final double[] workingSetMb;
    private final double[] coloCost;
    private final double[] checkpointCost;
    private final double[] checkpointPause;

    UnitCosts(ReplicationModel model, Workload workload, Duration length, long period, long checkpointNanos,
        int periods, int[] units) {
      this.fixedSeconds = model.checkpointFixedCost().toNanos() / NANOS_PER_SECOND;
      this.linkMbPerSecond = model.linkMbPerSecond();
      this.checkpointSeconds = checkpointNanos / NANOS_PER_SECOND;
      this.period = period;
      this.endNanos = length.toNanos();
      this.periods = periods;
      this.units = units;
      int count = units.length;
      this.dirtyMbPerSecond = new double[count];
      this.workingSetMb = new double[count];
      this.coloCost = new double[count];
      this.checkpointCost = new double[count];
      this.checkpointPause = new double[count];
      List<Stretch> stretches = Stretch.of(workload, length);
      for (int u = 0; u < count; u++) {
        // The unit's statistics: its stretches' weighted by the time each covers of it.
        long from = units[u] * period;
        long to = Math.min(endNanos, unitEnd(u) * period);
        double covered = 0;
        for (Stretch stretch : stretches) {
          long overlap = Math.min(to, stretch.endNanos()) - Math.max(from, stretch.startNanos());
          if (overlap > 0) {
            covered += overlap;
            dirtyMbPerSecond[u] += overlap * stretch.phase().dirtyMbPerSecond();
            workingSetMb[u] += overlap * stretch.phase().workingSetMb();
          }
        }
        if (covered > 0) {
          dirtyMbPerSecond[u] /= covered;
          workingSetMb[u] /= covered;
        }
      }
    }

    private int unitEnd(int u) {
      return u + 1 < units.length ? units[u + 1] : periods;
    }

    /** Fills each unit's cost in either mode from the static runs' checkpoint counts. */
    void measure(RunResult coloRun, RunResult checkpointRun) {
      double periodSeconds = period / NANOS_PER_SECOND;
      TimeSeries coloSeries = coloRun.timeSeries();
      TimeSeries checkpointSeries = checkpointRun.timeSeries();
      for (int u = 0; u < units.length; u++) {
        long coloCount = 0;
        long checkpointCount = 0;
        int end = Math.min(unitEnd(u), coloSeries.size());
        for (int k = units[u]; k < end; k++) {
          coloCount += Math.round(coloSeries.checkpointsPerSecond(k) * periodSeconds);
        }
        end = Math.min(unitEnd(u), checkpointSeries.size());
        for (int k = units[u]; k < end; k++) {
          checkpointCount += Math.round(checkpointSeries.checkpointsPerSecond(k) * periodSeconds);
        }
        double unitSeconds = (Math.min(endNanos, unitEnd(u) * period) - units[u] * period) / NANOS_PER_SECOND;
        double coloInterval = coloCount == 0 ? 0 : unitSeconds / coloCount;
        coloCost[u] = coloCount * pause(u, coloInterval);
        checkpointPause[u] = checkpointModePause(u);
        checkpointCost[u] = checkpointCount * checkpointPause[u];
      }
      scale(coloCost, coloRun.pauseSeconds(), null);
      scale(checkpointCost, checkpointRun.pauseSeconds(), checkpointPause);
    }

    /** Scales {@code costs} (and {@code alongside}) so that they add up to {@code total}. */
    private static void scale(double[] costs, double total, double[] alongside) {
      double sum = 0;
      for (double cost : costs) {
        sum += cost;
      }
      if (sum <= 0) {
        return;
      }
      double factor = total / sum;
      for (int i = 0; i < costs.length; i++) {
        costs[i] *= factor;
        if (alongside != null) {
          alongside[i] *= factor;
        }
      }
    }

    /** The pause of a checkpoint that follows the previous one by {@code intervalSeconds}. */
    private double pause(int u, double intervalSeconds) {
      return fixedSeconds + Math.min(workingSetMb[u], dirtyMbPerSecond[u] * intervalSeconds) / linkMbPerSecond;
    }

    /**
     * The pause of one checkpoint in checkpoint mode, where the guest runs {@code period - pause}
     * between two: the fixed point of {@code p = F + min(W, d·(T − p)) / B}.
     */
    private double checkpointModePause(int u) {
      if (fixedSeconds >= checkpointSeconds) {
        return fixedSeconds;
      }
      double d = dirtyMbPerSecond[u] / linkMbPerSecond;
      double uncapped = (fixedSeconds + d * checkpointSeconds) / (1 + d);
      return dirtyMbPerSecond[u] * (checkpointSeconds - uncapped) > workingSetMb[u]
          ? fixedSeconds + workingSetMb[u] / linkMbPerSecond
          : uncapped;
    }

    /** The least-cost mode per control period, switches paid, as a dynamic programme over units. */
    boolean[] cheapestSchedule() {
      int count = units.length;
      // total[u][m]: the least cost of units 0..u ending in mode m (0 checkpoint, 1 COLO);
      // switched[u][m]: whether unit u in mode m was entered from the other mode.
      double[][] total = new double[count][2];
      boolean[][] switched = new boolean[count][2];
      total[0][0] = checkpointCost[0];
      total[0][1] = coloCost[0];
      for (int u = 1; u < count; u++) {
        double intoColo = checkpointPause[u - 1];
        double stayColo = total[u - 1][1];
        double enterColo = total[u - 1][0] + intoColo;
        switched[u][1] = enterColo < stayColo;
        total[u][1] = coloCost[u] + Math.min(stayColo, enterColo);
        double stayCheckpoint = total[u - 1][0];
        double enterCheckpoint = total[u - 1][1];
        switched[u][0] = enterCheckpoint < stayCheckpoint;
        total[u][0] = checkpointCost[u] + Math.min(stayCheckpoint, enterCheckpoint);
      }
      boolean[] colo = new boolean[periods];
      int mode = total[count - 1][1] <= total[count - 1][0] ? 1 : 0;
      for (int u = count - 1; u >= 0; u--) {
        for (int k = units[u]; k < unitEnd(u); k++) {
          colo[k] = mode == 1;
        }
        if (switched[u][mode]) {
          mode = 1 - mode;
        }
      }
      return colo;
    }
  }
}
