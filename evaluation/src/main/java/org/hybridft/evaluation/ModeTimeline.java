package org.hybridft.evaluation;

import java.time.Duration;
import java.util.List;
import org.hybridft.core.Mode;
import org.hybridft.report.ComparisonPlot;
import org.hybridft.report.TimeSeries;

/**
 * The ticks of a control loop on a real pair, one per control period: the checkpoint rate it
 * measured and the mode applied after it; the plot's {@link ComparisonPlot.Series} for a real run.
 * Written by the loop's tick thread, read once the loop is closed. Holds a fixed number of
 * periods; later ones are not recorded.
 */
public final class ModeTimeline implements ComparisonPlot.Series {
  /** The simulator's series of a real run's {@link org.hybridft.report.RunResult}: its ticks live here. */
  public static final TimeSeries NO_SIMULATED_SERIES = TimeSeries.empty();

  private final double periodSeconds;
  private final float[] checkpointsPerSecond;
  private final boolean[] colo;
  private int size;
  private int coloPeriods;

  /**
   * @param period the control period
   * @param capacity the most periods recorded
   */
  public ModeTimeline(Duration period, int capacity) {
    this.periodSeconds = period.toNanos() / 1e9;
    this.checkpointsPerSecond = new float[capacity];
    this.colo = new boolean[capacity];
  }

  /** Records one tick; allocation-free. */
  public void add(double cps, Mode mode) {
    if (size < colo.length) {
      checkpointsPerSecond[size] = (float) cps;
      colo[size] = mode == Mode.COLO;
      coloPeriods += mode == Mode.COLO ? 1 : 0;
      size++;
    }
  }

  /** The share of the recorded periods spent in COLO mode, NaN if none was recorded. */
  public double coloShare() {
    return size == 0 ? Double.NaN : (double) coloPeriods / size;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public double seconds(int i) {
    check(i);
    return (i + 1) * periodSeconds;
  }

  @Override
  public double checkpointsPerSecond(int i) {
    check(i);
    return checkpointsPerSecond[i];
  }

  @Override
  public Mode mode(int i) {
    check(i);
    return colo[i] ? Mode.COLO : Mode.CHECKPOINT;
  }

  /**
   * Appends one CSV row per recorded period: {@code controller,run,seconds,mode,
   * checkpoints_per_second,resource}, the resource being the one the load asked for at the end
   * of the period.
   */
  public void appendCsv(String controller, int run, java.util.function.LongToIntFunction resourceAt,
      List<HttpResource> resources, StringBuilder csv) {
    for (int i = 0; i < size; i++) {
      long endNanos = Math.round(seconds(i) * 1e9);
      csv.append(controller).append(',').append(run).append(',')
          .append(String.format(java.util.Locale.ROOT, "%.1f,%s,%.3f", seconds(i), mode(i), checkpointsPerSecond[i]))
          .append(',').append(resources.get(resourceAt.applyAsInt(endNanos - 1)).path()).append('\n');
    }
  }

  private void check(int i) {
    if (i < 0 || i >= size) {
      throw new IndexOutOfBoundsException("index " + i + " outside [0, " + size + ")");
    }
  }
}
