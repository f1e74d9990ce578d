package org.hybridft.report;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Draws {@code summary.png}: one small scatter per workload of every controller's downtime ratio
 * against its p99 reply latency (means over the runs), the static modes as squares with dashed
 * lines through them, so where a hybrid sits against checkpoint and COLO mode shows at a glance
 * (lower left is better on both). Where the clairvoyant schedule ran, it is a black diamond: the
 * limit, so where each controller sits between the static modes and it shows too.
 */
final class SummaryPlot {
  /** The file name {@code compare} writes the summary under, beside the per-workload plots. */
  static final String FILE_NAME = "summary.png";

  /** The controllers drawn as the static modes. */
  static final Set<String> STATIC_MODES = Set.of("checkpoint", "colo");

  /** Latencies spanning more than this ratio get a logarithmic axis (fewer would show no tick label). */
  static final double LOG_SPAN = 10;

  private static final int PANEL_WIDTH = 470;
  private static final int PANEL_HEIGHT = 380;
  private static final int MAX_COLUMNS = 3;
  private static final int HEADER_HEIGHT = 52;

  private SummaryPlot() {}

  /**
   * Writes the summary of every workload of {@code result} as a PNG.
   *
   * @throws IOException if the file cannot be written
   */
  static void write(ComparisonResult result, Path file) throws IOException {
    System.setProperty("java.awt.headless", "true");
    List<XYChart> panels = panels(result);
    int columns = Math.min(MAX_COLUMNS, panels.size());
    int rows = (panels.size() + columns - 1) / columns;
    BufferedImage image =
        // At least two panels wide: the heading needs it when there is one workload (evaluate).
        new BufferedImage(Math.max(2, columns) * PANEL_WIDTH, HEADER_HEIGHT + rows * PANEL_HEIGHT,
            BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, image.getWidth(), image.getHeight());
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.BLACK);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
      boolean oneRun = result.workloads().stream()
          .allMatch(w -> result.controllers().stream().allMatch(c -> result.runs(w, c).size() == 1));
      g.drawString("Downtime ratio against p99 reply latency, per workload ("
          + (oneRun ? "one run" : "means over the runs") + ")", 12, 22);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
      g.drawString("lower left is better on both; squares and dashed lines: the static modes (checkpoint, colo)"
          + (result.hasClairvoyant() ? "; black diamond: the clairvoyant schedule, the limit" : ""), 12, 42);
      for (int i = 0; i < panels.size(); i++) {
        g.drawImage(
            BitmapEncoder.getBufferedImage(panels.get(i)),
            (i % columns) * PANEL_WIDTH,
            HEADER_HEIGHT + (i / columns) * PANEL_HEIGHT,
            null);
      }
    } finally {
      g.dispose();
    }
    ComparisonPlot.writePng(image, file);
  }

  /** One scatter per workload, in the order of the result. */
  static List<XYChart> panels(ComparisonResult result) {
    List<XYChart> panels = new ArrayList<>();
    for (String workload : result.workloads()) {
      panels.add(panel(result, workload));
    }
    return panels;
  }

  private static XYChart panel(ComparisonResult result, String workload) {
    List<String> controllers = new ArrayList<>(result.controllers());
    boolean limit = !controllers.contains(ClairvoyantRegret.SCHEDULE) && !result.clairvoyant(workload).isEmpty();
    if (limit) {
      controllers.add(ClairvoyantRegret.SCHEDULE);
    }
    int n = controllers.size();
    double[] latency = new double[n];
    double[] downtime = new double[n];
    double minLatency = Double.POSITIVE_INFINITY;
    double maxLatency = 0;
    double minDowntime = Double.POSITIVE_INFINITY;
    double maxDowntime = 0;
    for (int c = 0; c < n; c++) {
      latency[c] = result.estimate(workload, controllers.get(c), Metric.LATENCY_P99).mean();
      downtime[c] = result.estimate(workload, controllers.get(c), Metric.DOWNTIME_RATIO).mean();
      minLatency = Math.min(minLatency, latency[c]);
      maxLatency = Math.max(maxLatency, latency[c]);
      minDowntime = Math.min(minDowntime, downtime[c]);
      maxDowntime = Math.max(maxDowntime, downtime[c]);
    }
    boolean logarithmic = minLatency > 0 && maxLatency / minLatency > LOG_SPAN;
    XYChart chart =
        new XYChartBuilder()
            .width(PANEL_WIDTH)
            .height(PANEL_HEIGHT)
            .title(workload)
            .xAxisTitle("p99 reply latency, ms" + (logarithmic ? " (log scale)" : ""))
            .yAxisTitle("downtime ratio")
            .build();
    var styler = chart.getStyler();
    styler.setChartBackgroundColor(Color.WHITE);
    styler.setLegendVisible(false);
    styler.setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    styler.setMarkerSize(11);
    styler.setPlotGridLinesVisible(false); // the dashed lines through the static modes are the reference
    styler.setXAxisLogarithmic(logarithmic);
    styler.setXAxisDecimalPattern("#,##0");
    styler.setYAxisDecimalPattern("0.00");
    styler.setAnnotationLineColor(Color.GRAY);
    styler.setAnnotationLineStroke(
        new java.awt.BasicStroke(1f, java.awt.BasicStroke.CAP_BUTT, java.awt.BasicStroke.JOIN_MITER, 10f,
            new float[] {5f, 4f}, 0f));
    styler.setAnnotationTextFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    styler.setAnnotationTextFontColor(Color.DARK_GRAY);

    // Room around the points for their names; on a log axis the margin is a factor.
    double xLow;
    double xHigh;
    if (logarithmic) {
      xLow = minLatency / 1.8;
      xHigh = maxLatency * 1.8;
    } else {
      double span = Math.max(maxLatency - minLatency, 0.1 * Math.max(maxLatency, 1));
      xLow = Math.max(0, minLatency - 0.3 * span);
      xHigh = maxLatency + 0.3 * span;
    }
    double ySpan = Math.max(maxDowntime - minDowntime, 0.05);
    double yLow = Math.max(0, minDowntime - 0.2 * ySpan);
    double yHigh = Math.min(maxDowntime + 0.3 * ySpan, 1.1);
    styler.setXAxisMin(xLow);
    styler.setXAxisMax(xHigh);
    styler.setYAxisMin(yLow);
    styler.setYAxisMax(yHigh);

    // The static modes after the hybrids, so a hybrid on the same spot does not hide their square,
    // and the limit last: its diamond, narrower than a square, shows on one.
    List<Integer> order = new ArrayList<>();
    int controllerCount = limit ? n - 1 : n;
    for (int pass = 0; pass < 2; pass++) {
      for (int c = 0; c < controllerCount; c++) {
        if (STATIC_MODES.contains(controllers.get(c)) == (pass == 1)) {
          order.add(c);
        }
      }
    }
    if (limit) {
      order.add(n - 1);
    }
    for (int c : order) {
      String controller = controllers.get(c);
      XYSeries point = chart.addSeries(controller, new double[] {latency[c]}, new double[] {downtime[c]});
      point.setMarkerColor(ComparisonPlot.colour(c));
      if (limit && c == n - 1) {
        point.setMarker(SeriesMarkers.DIAMOND);
        point.setMarkerColor(Color.BLACK);
      } else if (STATIC_MODES.contains(controller)) {
        point.setMarker(SeriesMarkers.SQUARE);
        chart.addAnnotation(new AnnotationLine(latency[c], true, false));
        chart.addAnnotation(new AnnotationLine(downtime[c], false, false));
      } else {
        point.setMarker(SeriesMarkers.CIRCLE);
      }
    }
    // Each tag goes where it is farthest from the other points and the tags placed before it:
    // above its point, below, right or left (in axis fractions; text is wider than tall).
    double[] nx = new double[n];
    double[] ny = new double[n];
    for (int c = 0; c < n; c++) {
      nx[c] = logarithmic
          ? (Math.log(latency[c]) - Math.log(xLow)) / (Math.log(xHigh) - Math.log(xLow))
          : (latency[c] - xLow) / (xHigh - xLow);
      ny[c] = (downtime[c] - yLow) / (yHigh - yLow);
    }
    List<double[]> placed = new ArrayList<>();
    tags(controllers, latency, downtime, xLow, xHigh, yLow, yHigh, logarithmic)
        .forEach(
            (c, tag) -> {
              double halfWidth = tag.length() * 3.2 / (PANEL_WIDTH - 80); // ~6.4 px a character
              double[][] offsets = {{0, 0.07}, {0, -0.07}, {halfWidth + 0.03, 0}, {-halfWidth - 0.03, 0}};
              double[] best = offsets[0];
              double bestScore = -1;
              for (double[] offset : offsets) {
                double x = nx[c] + offset[0];
                double y = ny[c] + offset[1];
                double score = Double.POSITIVE_INFINITY;
                for (int other = 0; other < n; other++) {
                  score = Math.min(score, spread(x - nx[other], y - ny[other]));
                }
                for (double[] label : placed) {
                  score = Math.min(score, spread(x - label[0], y - label[1]) / 1.5);
                }
                if (x - halfWidth < 0 || x + halfWidth > 1 || y > 0.97) {
                  score /= 4; // a tag off the plot's edge is hardly better than one on a point
                }
                if (score > bestScore + 1e-9) {
                  bestScore = score;
                  best = offset;
                }
              }
              double[] at = {nx[c] + best[0], ny[c] + best[1]};
              placed.add(at);
              double dataX = logarithmic
                  ? Math.exp(Math.log(xLow) + at[0] * (Math.log(xHigh) - Math.log(xLow)))
                  : xLow + at[0] * (xHigh - xLow);
              chart.addAnnotation(new AnnotationText(tag, dataX, yLow + at[1] * (yHigh - yLow), false));
            });
    return chart;
  }

  /**
   * The name tags of the points, by the index of the point each is drawn above: controllers that
   * land on the same spot (every hybrid staying in COLO, say) share one tag instead of printing
   * over each other.
   */
  static Map<Integer, String> tags(
      List<String> controllers,
      double[] latency,
      double[] downtime,
      double xLow,
      double xHigh,
      double yLow,
      double yHigh,
      boolean logarithmic) {
    int n = controllers.size();
    Map<Integer, String> tags = new LinkedHashMap<>();
    boolean[] tagged = new boolean[n];
    for (int c = 0; c < n; c++) {
      if (tagged[c]) {
        continue;
      }
      StringBuilder tag = new StringBuilder(controllers.get(c));
      for (int other = c + 1; other < n; other++) {
        if (!tagged[other]
            && close(latency[c], latency[other], xLow, xHigh, logarithmic)
            && close(downtime[c], downtime[other], yLow, yHigh, false)) {
          tag.append(", ").append(controllers.get(other));
          tagged[other] = true;
        }
      }
      tagged[c] = true;
      tags.put(c, tag.toString());
    }
    return tags;
  }

  /** A distance in axis fractions that counts a horizontal step as a third of a vertical one. */
  private static double spread(double dx, double dy) {
    return Math.hypot(dx / 3, dy);
  }

  /** Whether two values are within 2 % of the axis of each other (in log space on a log axis). */
  private static boolean close(double a, double b, double low, double high, boolean logarithmic) {
    if (logarithmic) {
      return Math.abs(Math.log(a) - Math.log(b)) < 0.02 * (Math.log(high) - Math.log(low));
    }
    return Math.abs(a - b) < 0.02 * (high - low);
  }
}
