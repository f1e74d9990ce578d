package org.hybridft.sim;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.hybridft.core.ParameterCheck;

/**
 * One stretch of a run: an interval of simulated time over which the workload's statistics are
 * constant, and the {@link Phase} that holds them.
 *
 * @param startNanos the stretch's start, from the start of the run, {@code >= 0}
 * @param endNanos the stretch's end (exclusive), {@code > startNanos}
 * @param phase the statistics that hold throughout the stretch
 */
public record Stretch(long startNanos, long endNanos, Phase phase) {

  /** Validates the components. */
  public Stretch {
    Objects.requireNonNull(phase, "phase");
    if (startNanos < 0 || endNanos <= startNanos) {
      throw new IllegalArgumentException(
          "a stretch needs 0 <= startNanos < endNanos, was [" + startNanos + ", " + endNanos + ")");
    }
  }

  /** The stretch's length in nanoseconds. */
  public long lengthNanos() {
    return endNanos - startNanos;
  }

  /**
   * The stretches a run of {@code length} meets on {@code workload}, in time order, as {@link
   * VmSimulator} plays them: the phases one after another, repeated if the workload is cyclic, the
   * last one holding to the end of the run otherwise; the last stretch is cut at the end of the
   * run. Consecutive phases with equal statistics (durations aside) form one stretch, since
   * nothing changes at their boundary.
   *
   * @param workload the workload
   * @param length the length of the run, {@code > 0}
   * @return at least one stretch; together they cover {@code [0, length)} without gap or overlap
   */
  public static List<Stretch> of(Workload workload, Duration length) {
    Objects.requireNonNull(workload, "workload");
    long end = ParameterCheck.positive("length", length).toNanos();
    List<Phase> phases = workload.phases();
    List<Stretch> stretches = new ArrayList<>();
    long start = 0;
    int index = 0;
    while (start < end) {
      Phase phase = phases.get(index);
      boolean last = index == phases.size() - 1;
      long duration = phase.duration().toNanos();
      long stop = last && !workload.cyclic() || duration >= end - start ? end : start + duration;
      Stretch previous = stretches.isEmpty() ? null : stretches.get(stretches.size() - 1);
      if (previous != null && sameStatistics(previous.phase(), phase)) {
        stretches.set(stretches.size() - 1, new Stretch(previous.startNanos(), stop, previous.phase()));
      } else {
        stretches.add(new Stretch(start, stop, phase));
      }
      start = stop;
      index = index + 1 == phases.size() ? 0 : index + 1;
    }
    return List.copyOf(stretches);
  }

  private static boolean sameStatistics(Phase a, Phase b) {
    return a.withDuration(b.duration()).equals(b);
  }
}
