package org.hybridft.report;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Formats one table per workload: a row per controller, a column per {@link Metric}, each cell
 * {@code mean ± 95 % CI} (just the mean for a single run).
 *
 * <p>A {@code *} marks the strict best of a column: one controller better than every other at the
 * precision shown, never a tie, and never in the {@code switches} column (fewer switches is not
 * better in itself). A controller that completed no request in some run shows {@code n/a} for
 * latency and is never marked best (its low downtime comes from serving nothing, unless no
 * controller served anything); a note under the table says so. A metric a run did not measure
 * (NaN) shows {@code n/a} and is never marked best.
 *
 * <p>When a static mode ran, two last columns give each controller's {@link Regret}: its downtime
 * ratio and p99 over the better static mode's; {@code !} marks an adaptive controller beyond the
 * bounds of {@link Regret#loses()}.
 *
 * <p>When the clairvoyant schedule ran on the workload, it is the table's last row, {@value
 * ClairvoyantRegret#SCHEDULE}: the limit, shown for reference and never marked best, and three
 * more columns, before the regret columns (which stay last), give each row's {@link
 * ClairvoyantRegret}: its downtime ratio and p99 over the schedule's, and the share of the gap
 * from the better static mode to the schedule it closes.
 */
public final class ResultTable {
  /** Latency is undefined for a run that released no reply. */
  private static final Set<Metric> LATENCY = EnumSet.of(Metric.LATENCY_MEAN, Metric.LATENCY_P99);

  /** Columns where "better" means something: all but the switch count. */
  private static final Set<Metric> RANKED = EnumSet.complementOf(EnumSet.of(Metric.SWITCHES));

  private ResultTable() {}

  /** The tables of every workload of {@code result}, separated by blank lines. */
  public static String format(ComparisonResult result, List<String> descriptions, String runsLine) {
    StringBuilder out = new StringBuilder();
    for (int w = 0; w < result.workloads().size(); w++) {
      if (w > 0) {
        out.append('\n');
      }
      out.append(format(result, result.workloads().get(w), descriptions.get(w), runsLine));
    }
    return out.toString();
  }

  /** The table of one workload. */
  public static String format(ComparisonResult result, String workload, String description, String runsLine) {
    Metric[] metrics = Metric.values();
    int ranked = result.controllers().size();
    List<String> controllers = new ArrayList<>(result.controllers());
    boolean limit = !result.controllers().contains(ClairvoyantRegret.SCHEDULE)
        && !result.clairvoyant(workload).isEmpty();
    if (limit) {
      // The reference row: not a controller, so past the ranked ones.
      controllers.add(ClairvoyantRegret.SCHEDULE);
    }
    int[] idleRuns = new int[controllers.size()];
    int[] allRuns = new int[controllers.size()];
    boolean anyServed = false;
    for (int c = 0; c < controllers.size(); c++) {
      for (RunResult run : result.runs(workload, controllers.get(c))) {
        allRuns[c]++;
        idleRuns[c] += run.completedNoRequest() ? 1 : 0;
      }
      anyServed |= c < ranked && idleRuns[c] == 0;
    }
    List<Optional<Regret>> regrets = new ArrayList<>();
    for (String controller : controllers) {
      regrets.add(Regret.of(result, workload, controller, ComparisonReport.STATIC_MODES));
    }
    boolean anyRegret = regrets.stream().anyMatch(Optional::isPresent);
    List<Optional<ClairvoyantRegret>> limitRegrets = new ArrayList<>();
    for (String controller : controllers) {
      limitRegrets.add(limit
          ? ClairvoyantRegret.of(result, workload, controller, ComparisonReport.STATIC_MODES)
          : Optional.empty());
    }
    String[][] cells =
        new String[controllers.size() + 1][metrics.length + 1 + (anyRegret ? 2 : 0) + (limit ? 3 : 0)];
    cells[0][0] = "controller";
    for (int m = 0; m < metrics.length; m++) {
      Metric metric = metrics[m];
      cells[0][m + 1] = metric.unit().isEmpty() ? metric.label() : metric.label() + " " + metric.unit();
    }
    for (int m = 0; m < metrics.length; m++) {
      Metric metric = metrics[m];
      Estimate[] estimates = new Estimate[controllers.size()];
      boolean[] shown = new boolean[controllers.size()];
      boolean[] eligible = new boolean[controllers.size()];
      List<Estimate> shownEstimates = new ArrayList<>();
      for (int c = 0; c < controllers.size(); c++) {
        estimates[c] = result.estimate(workload, controllers.get(c), metric);
        // NaN: not measured, never a value to rank.
        shown[c] = (idleRuns[c] == 0 || !LATENCY.contains(metric)) && !Double.isNaN(estimates[c].mean());
        // Serving nothing is not a way to win, unless nobody served anything; the limit is no
        // contender.
        eligible[c] = c < ranked && shown[c] && (idleRuns[c] == 0 || !anyServed);
        if (shown[c] && c < ranked) {
          shownEstimates.add(estimates[c]);
        }
      }
      int decimals = decimals(shownEstimates);
      if (metric == Metric.SWITCHES) {
        decimals = Math.min(1, decimals);
      }
      int best = RANKED.contains(metric) ? strictBest(metric, estimates, eligible, decimals) : -1;
      for (int c = 0; c < controllers.size(); c++) {
        Estimate e = estimates[c];
        String value;
        if (!shown[c]) {
          value = "n/a ";
        } else if (e.runs() == 1) {
          value = String.format(Locale.ROOT, "%." + decimals + "f", e.mean()) + (c == best ? "*" : " ");
        } else {
          value = String.format(Locale.ROOT, "%." + decimals + "f ± %." + decimals + "f",
              e.mean(), e.halfWidth95()) + (c == best ? "*" : " ");
        }
        cells[c + 1][m + 1] = value;
      }
    }
    for (int c = 0; c < controllers.size(); c++) {
      cells[c + 1][0] = controllers.get(c);
    }
    boolean anyLoss = false;
    if (anyRegret) {
      int column = metrics.length + 1 + (limit ? 3 : 0);
      cells[0][column] = "regret dt";
      cells[0][column + 1] = "regret p99";
      for (int c = 0; c < controllers.size(); c++) {
        Optional<Regret> regret = regrets.get(c);
        // Only an adaptive controller can lose to the better static mode; the worse static
        // mode's ratio is shown for scale.
        boolean adaptive = regret.isPresent() && c < ranked
            && !ComparisonReport.STATIC_MODES.contains(controllers.get(c));
        boolean downtimeLoses = adaptive && regret.get().downtimeBeyondBound();
        boolean p99Loses = adaptive && regret.get().p99BeyondBound();
        anyLoss |= downtimeLoses || p99Loses;
        cells[c + 1][column] = regret.map(r -> ratio(r.downtime())).orElse("n/a") + (downtimeLoses ? "!" : " ");
        cells[c + 1][column + 1] = regret.map(r -> ratio(r.p99())).orElse("n/a") + (p99Loses ? "!" : " ");
      }
    }
    if (limit) {
      int column = metrics.length + 1;
      cells[0][column] = "vs limit dt";
      cells[0][column + 1] = "vs limit p99";
      cells[0][column + 2] = "gap closed";
      for (int c = 0; c < controllers.size(); c++) {
        Optional<ClairvoyantRegret> regret = limitRegrets.get(c);
        cells[c + 1][column] = regret.map(r -> ratio(r.downtime())).orElse("n/a");
        cells[c + 1][column + 1] = regret.map(r -> ratio(r.p99())).orElse("n/a");
        cells[c + 1][column + 2] = regret.map(r -> Double.isFinite(r.gapClosed())
            ? String.format(Locale.ROOT, "%.2f", r.gapClosed()) : "-").orElse("n/a");
      }
    }
    int[] widths = new int[cells[0].length];
    for (String[] row : cells) {
      for (int i = 0; i < row.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    StringBuilder out = new StringBuilder();
    out.append(workload).append(": ").append(description).append('\n');
    out.append(runsLine).append('\n');
    List<String> lines = new ArrayList<>();
    for (String[] row : cells) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.length; i++) {
        if (i == 0) {
          line.append(String.format(Locale.ROOT, "%-" + widths[i] + "s", row[i]));
        } else {
          line.append("  ").append(String.format(Locale.ROOT, "%" + widths[i] + "s", row[i]));
        }
      }
      lines.add(line.toString().stripTrailing());
    }
    for (String line : lines) {
      out.append(line).append('\n');
    }
    if (anyRegret) {
      String baseline = regrets.stream().flatMap(Optional::stream).findFirst().orElseThrow().baseline();
      out.append(String.format(Locale.ROOT,
          "regret: downtime ratio and p99 over the better static mode's (%s) on the same seeds%s%n",
          baseline,
          anyLoss
              ? String.format(Locale.ROOT, "; ! = an adaptive controller beyond %.2fx or %.2fx"
                  + " (or, with a downtime ratio clearly below both static modes', a p99 above the slower one's)",
                  Regret.DOWNTIME_BOUND, Regret.P99_BOUND)
              : ""));
    }
    if (limit) {
      String baseline = regrets.stream().flatMap(Optional::stream).findFirst().map(Regret::baseline)
          .map(mode -> " (" + mode + ")").orElse("");
      out.append(String.format(Locale.ROOT,
          "%s: the limit, a schedule that knows the workload's stretches ahead (not ranked); vs limit:"
              + " downtime ratio and p99 over the limit's; gap closed: 0 at the better static mode%s, 1 at the"
              + " limit, - if they are one%n",
          ClairvoyantRegret.SCHEDULE, baseline));
    }
    for (int c = 0; c < controllers.size(); c++) {
      if (idleRuns[c] > 0) {
        out.append(String.format(Locale.ROOT,
            "n/a: %s completed no request in %d of %d run%s (e.g. a checkpoint period longer than the run holds every reply):"
                + " no latency to show%s%n",
            controllers.get(c), idleRuns[c], allRuns[c], allRuns[c] == 1 ? "" : "s",
            anyServed && c < ranked ? ", and never marked best" : ""));
      }
    }
    return out.toString();
  }

  /**
   * The index of the one eligible controller better than every other eligible one at the shown
   * precision, or -1 if there is none (a tie, or fewer than two to compare).
   */
  private static int strictBest(Metric metric, Estimate[] estimates, boolean[] eligible, int decimals) {
    int best = -1;
    int candidates = 0;
    for (int c = 0; c < estimates.length; c++) {
      if (!eligible[c]) {
        continue;
      }
      candidates++;
      if (best < 0 || metric.better(estimates[c].mean(), estimates[best].mean())) {
        best = c;
      }
    }
    if (candidates < 2) {
      return -1;
    }
    for (int c = 0; c < estimates.length; c++) {
      if (c != best && eligible[c] && sameAtPrecision(estimates[c].mean(), estimates[best].mean(), decimals)) {
        return -1;
      }
    }
    return best;
  }

  /** Decimals so that the largest mean of the column shows about four significant digits. */
  private static int decimals(List<Estimate> estimates) {
    double largest = 0;
    boolean allWhole = true;
    for (Estimate e : estimates) {
      largest = Math.max(largest, Math.abs(e.mean()));
      allWhole &= e.mean() == Math.rint(e.mean()) && e.halfWidth95() == 0;
    }
    if (allWhole) {
      return 0;
    }
    if (largest >= 1000) {
      return 0;
    }
    if (largest >= 100) {
      return 1;
    }
    if (largest >= 10) {
      return 2;
    }
    if (largest >= 1) {
      return 3;
    }
    return 4;
  }

  /** A regret ratio: three decimals, n/a when undefined (a run that served nothing). */
  private static String ratio(double value) {
    return Double.isFinite(value) ? String.format(Locale.ROOT, "%.3f", value) : "n/a";
  }

  private static boolean sameAtPrecision(double a, double b, int decimals) {
    double scale = Math.pow(10, decimals);
    return Math.round(a * scale) == Math.round(b * scale);
  }
}
