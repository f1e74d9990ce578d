package org.hybridft.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.hybridft.sim.ComparisonResult;
import org.hybridft.sim.Estimate;
import org.hybridft.sim.Metric;

/**
 * Formats one table per workload: a row per controller, a column per {@link Metric}, each cell
 * {@code mean ± 95 % CI}, the best mean of each column marked with {@code *}.
 */
public final class ResultTable {
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
    List<String> controllers = result.controllers();
    String[][] cells = new String[controllers.size() + 1][metrics.length + 1];
    cells[0][0] = "controller";
    for (int m = 0; m < metrics.length; m++) {
      Metric metric = metrics[m];
      cells[0][m + 1] = metric.unit().isEmpty() ? metric.label() : metric.label() + " " + metric.unit();
    }
    for (int m = 0; m < metrics.length; m++) {
      Metric metric = metrics[m];
      Estimate[] estimates = new Estimate[controllers.size()];
      double best = Double.NaN;
      for (int c = 0; c < controllers.size(); c++) {
        estimates[c] = result.estimate(workload, controllers.get(c), metric);
        double mean = estimates[c].mean();
        if (Double.isNaN(best) || metric.better(mean, best)) {
          best = mean;
        }
      }
      int decimals = metric == Metric.SWITCHES ? Math.min(1, decimals(estimates)) : decimals(estimates);
      for (int c = 0; c < controllers.size(); c++) {
        Estimate e = estimates[c];
        boolean isBest = controllers.size() > 1 && sameAtPrecision(e.mean(), best, decimals);
        cells[c + 1][m + 1] =
            String.format(Locale.ROOT, "%." + decimals + "f ± %." + decimals + "f%s",
                e.mean(), e.halfWidth95(), isBest ? "*" : " ");
      }
    }
    for (int c = 0; c < controllers.size(); c++) {
      cells[c + 1][0] = controllers.get(c);
    }
    int[] widths = new int[metrics.length + 1];
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
    return out.toString();
  }

  /** Decimals so that the largest mean of the column shows about four significant digits. */
  private static int decimals(Estimate[] estimates) {
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

  private static boolean sameAtPrecision(double a, double b, int decimals) {
    double scale = Math.pow(10, decimals);
    return Math.round(a * scale) == Math.round(b * scale);
  }
}
