package org.hybridft.report;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.hybridft.core.Mode;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Draws one PNG per workload: one thin panel per controller with its checkpoint rate and its mode
 * over time (its first run), all on one time axis, and bar charts of the downtime ratio and the p99
 * latency (mean with 95 % confidence interval over the runs, or the one run's value).
 */
public final class ComparisonPlot {
  private static final int WIDTH = 1400;
  /** The height of one controller's panel, plus the title above the first and the axis below the last. */
  private static final int STRIP_HEIGHT = 104;
  private static final int TITLE_HEIGHT = 28;
  private static final int AXIS_HEIGHT = 44;
  private static final int BAR_HEIGHT = 380;
  private static final int MAX_POINTS = 600;
  /** Bars spanning more than this ratio from the smallest to the largest get a logarithmic axis. */
  static final double LOG_SPAN = 100;

  private ComparisonPlot() {}

  /**
   * One value per control period of a run, as the plot reads it: a simulated run's {@link
   * TimeSeries} or the ticks of a control loop on a real pair.
   */
  public interface Series {
    /** The number of control periods recorded. */
    int size();

    /** The time at the end of period {@code i}, in seconds from the start of the run. */
    double seconds(int i);

    /** The checkpoint rate measured at period {@code i}. */
    double checkpointsPerSecond(int i);

    /** The mode applied after period {@code i}. */
    Mode mode(int i);

    /** A simulated run's series. */
    static Series of(TimeSeries series) {
      return new Series() {
        @Override
        public int size() {
          return series.size();
        }

        @Override
        public double seconds(int i) {
          return series.seconds(i);
        }

        @Override
        public double checkpointsPerSecond(int i) {
          return series.checkpointsPerSecond(i);
        }

        @Override
        public Mode mode(int i) {
          return series.mode(i);
        }
      };
    }
  }

  /** Where the plot finds the series of a controller's first run on a workload. */
  @FunctionalInterface
  public interface SeriesSource {
    /** The series of {@code controller}'s first run on {@code workload}. */
    Series firstRun(String workload, String controller);

    /** The time series a simulated comparison recorded. */
    static SeriesSource simulated(ComparisonResult result) {
      return (workload, controller) -> Series.of(result.runs(workload, controller).get(0).timeSeries());
    }
  }

  /**
   * Writes the plot of {@code workload} as a PNG, with the time series the simulation recorded.
   *
   * @throws IOException if the file cannot be written
   */
  public static void write(ComparisonResult result, String workload, Path file) throws IOException {
    write(result, workload, SeriesSource.simulated(result), file);
  }

  /**
   * Writes the plot of {@code workload} as a PNG, with the time series {@code source} gives.
   *
   * @throws IOException if the file cannot be written
   */
  public static void write(ComparisonResult result, String workload, SeriesSource source, Path file)
      throws IOException {
    System.setProperty("java.awt.headless", "true");
    Panels panels = panels(result, workload, source);
    int height = BAR_HEIGHT;
    for (XYChart strip : panels.controllers()) {
      height += strip.getHeight();
    }
    BufferedImage image = new BufferedImage(WIDTH, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, image.getWidth(), image.getHeight());
      int y = 0;
      for (XYChart strip : panels.controllers()) {
        g.drawImage(BitmapEncoder.getBufferedImage(strip), 0, y, null);
        y += strip.getHeight();
      }
      g.drawImage(BitmapEncoder.getBufferedImage(panels.downtime()), 0, y, null);
      g.drawImage(BitmapEncoder.getBufferedImage(panels.p99()), WIDTH / 2, y, null);
    } finally {
      g.dispose();
    }
    writePng(image, file);
  }

  /**
   * The charts of one workload's picture, before they are drawn.
   *
   * @param controllers one thin panel per controller, sharing the time axis: its checkpoint rate
   *     over time, with a filled strip below the line where it was in COLO mode
   * @param downtime the downtime ratio per controller
   * @param p99 the p99 reply latency per controller
   */
  record Panels(List<XYChart> controllers, CategoryChart downtime, CategoryChart p99) {}

  static Panels panels(ComparisonResult result, String workload, SeriesSource source) {
    List<String> controllers = result.controllers();
    List<double[][]> rates = new ArrayList<>();
    double maxCps = 1;
    double maxMinutes = 0;
    for (String controller : controllers) {
      double[][] rate = bucketed(source.firstRun(workload, controller));
      rates.add(rate);
      for (int p = 0; p < rate[0].length; p++) {
        maxCps = Math.max(maxCps, rate[1][p]);
        maxMinutes = Math.max(maxMinutes, rate[0][p]);
      }
    }
    List<XYChart> strips = new ArrayList<>();
    for (int c = 0; c < controllers.size(); c++) {
      strips.add(
          strip(workload, controllers.get(c), c, c == 0, c == controllers.size() - 1, rates.get(c),
              source.firstRun(workload, controllers.get(c)), maxCps, maxMinutes));
    }
    return new Panels(
        strips,
        bars(result, workload, Metric.DOWNTIME_RATIO, "downtime ratio"),
        bars(result, workload, Metric.LATENCY_P99, "p99 reply latency"));
  }

  /**
   * The checkpoint rate averaged into at most {@link #MAX_POINTS} buckets (long runs stay readable
   * and quick to draw): {minutes[], cps[]}.
   */
  private static double[][] bucketed(Series s) {
    int n = s.size();
    if (n == 0) {
      return new double[][] {new double[0], new double[0]};
    }
    int bucket = (n + MAX_POINTS - 1) / MAX_POINTS;
    int points = (n + bucket - 1) / bucket;
    double[] x = new double[points];
    double[] y = new double[points];
    for (int p = 0; p < points; p++) {
      int from = p * bucket;
      int to = Math.min(n, from + bucket);
      double sum = 0;
      for (int i = from; i < to; i++) {
        sum += s.checkpointsPerSecond(i);
      }
      x[p] = s.seconds(to - 1) / 60;
      y[p] = sum / (to - from);
    }
    return new double[][] {x, y};
  }

  /**
   * One controller's panel: its cps line above zero and, below zero, a strip filled where the
   * mode was COLO and empty where it was CHECKPOINT. Every panel has the same axes, so their plot
   * areas line up and the strips read as one labelled lane per controller.
   */
  private static XYChart strip(
      String workload,
      String controller,
      int index,
      boolean first,
      boolean last,
      double[][] rate,
      Series series,
      double maxCps,
      double maxMinutes) {
    XYChart chart =
        new XYChartBuilder()
            .width(WIDTH)
            .height(STRIP_HEIGHT + (first ? TITLE_HEIGHT : 0) + (last ? AXIS_HEIGHT : 0))
            .title(first ? workload + ": checkpoints per second of each controller's run 0 (line),"
                + " its mode below the line (filled = COLO, empty = CHECKPOINT)" : "")
            .xAxisTitle(last ? "minutes" : "")
            .yAxisTitle(controller)
            .build();
    Color colour = colour(index);
    var styler = chart.getStyler();
    styler.setChartBackgroundColor(Color.WHITE);
    styler.setLegendVisible(false);
    styler.setChartTitleVisible(first);
    styler.setXAxisTitleVisible(last);
    styler.setXAxisTicksVisible(last);
    styler.setXAxisDecimalPattern("0.##"); // whole minutes would round a 2-minute real run's ticks
    styler.setYAxisTitleColor(colour);
    styler.setChartPadding(4);
    double top = maxCps * 1.08;
    // XChart fills an area series towards y = 0: the lane is the strip from `bottom` up to 0.
    double laneTop = 0;
    double bottom = -0.4 * maxCps;
    styler.setYAxisMin(bottom);
    styler.setYAxisMax(top);
    styler.setXAxisMin(0.0);
    styler.setXAxisMax(Math.max(maxMinutes, 1e-3));
    styler.setYAxisTickMarkSpacingHint(28);
    // The strip below zero is not a rate: no tick labels there.
    DecimalFormat rateFormat = new DecimalFormat("0.#", DecimalFormatSymbols.getInstance(Locale.ROOT));
    styler.setyAxisTickLabelsFormattingFunction(value -> value < -1e-9 ? " " : rateFormat.format(value));
    styler.setPlotGridHorizontalLinesVisible(false);

    double[] x = rate[0].length == 0 ? new double[] {0} : rate[0];
    double[] y = rate[1].length == 0 ? new double[] {Double.NaN} : rate[1];
    XYSeries line = chart.addSeries(controller, x, y);
    line.setMarker(SeriesMarkers.NONE);
    line.setLineColor(colour);
    line.setLineWidth(1.2f);

    double[][] colo = coloIntervals(series, bottom);
    XYSeries lane = chart.addSeries(COLO_SERIES, colo[0], colo[1]);
    lane.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Area);
    lane.setMarker(SeriesMarkers.NONE);
    lane.setLineColor(colour);
    lane.setFillColor(colour);
    lane.setLineWidth(0.5f);
    // The lane's outline, so an empty (all CHECKPOINT) lane still reads as a lane.
    XYSeries outline =
        chart.addSeries(LANE_SERIES, new double[] {0, maxMinutes, Double.NaN, 0, maxMinutes},
            new double[] {laneTop, laneTop, Double.NaN, bottom, bottom});
    outline.setMarker(SeriesMarkers.NONE);
    outline.setLineColor(Color.GRAY);
    outline.setLineWidth(0.8f);
    return chart;
  }

  /** The name of a controller panel's series holding its COLO periods. */
  static final String COLO_SERIES = "COLO";

  private static final String LANE_SERIES = "lane";

  /**
   * The COLO periods of a run as an area series at height {@code level}: a point at the start and
   * end of each period, NaN between periods (the area closes there).
   */
  static double[][] coloIntervals(Series s, double level) {
    List<Double> x = new ArrayList<>();
    List<Double> y = new ArrayList<>();
    int n = s.size();
    double start = Double.NaN;
    for (int i = 0; i < n; i++) {
      // The mode applied after period i holds until the end of period i + 1; the first period
      // is drawn in the mode the first tick kept or chose.
      boolean colo = s.mode(i) == Mode.COLO;
      double from = i == 0 ? 0 : s.seconds(i) / 60;
      if (colo && Double.isNaN(start)) {
        start = from;
      } else if (!colo && !Double.isNaN(start)) {
        addInterval(x, y, start, from, level);
        start = Double.NaN;
      }
    }
    if (!Double.isNaN(start)) {
      addInterval(x, y, start, s.seconds(n - 1) / 60, level);
    }
    if (x.isEmpty()) {
      x.add(0.0);
      y.add(Double.NaN);
    }
    return new double[][] {
      x.stream().mapToDouble(Double::doubleValue).toArray(), y.stream().mapToDouble(Double::doubleValue).toArray()
    };
  }

  private static void addInterval(List<Double> x, List<Double> y, double from, double to, double level) {
    if (!x.isEmpty()) {
      x.add((from + x.get(x.size() - 1)) / 2);
      y.add(Double.NaN);
    }
    x.add(from);
    y.add(level);
    x.add(to);
    y.add(level);
  }

  /**
   * Writes the image with ImageIO at a light deflate level: chart images compress well anyway,
   * and the default level spends most of a plot's time compressing.
   */
  static void writePng(BufferedImage image, Path file) throws IOException {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
    ImageWriteParam param = writer.getDefaultWriteParam();
    param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
    param.setCompressionQuality(0.8f); // the PNG writer maps higher quality to a faster deflate level
    try (OutputStream stream = Files.newOutputStream(file);
        ImageOutputStream out = ImageIO.createImageOutputStream(stream)) {
      writer.setOutput(out);
      writer.write(null, new IIOImage(image, null, null), param);
    } finally {
      writer.dispose();
    }
  }

  /**
   * A bar per controller. With one run there is no interval: the title says so
   * and no whisker is drawn. Where the bars span more than {@link #LOG_SPAN}× the axis is
   * logarithmic (one bar would otherwise flatten the rest), and latencies from 10 s up are shown
   * in seconds.
   */
  static CategoryChart bars(ComparisonResult result, String workload, Metric metric, String what) {
    List<String> names = result.controllers();
    List<Estimate> estimates = new ArrayList<>();
    int runs = Integer.MAX_VALUE;
    double min = Double.POSITIVE_INFINITY;
    double max = 0;
    for (String controller : names) {
      Estimate estimate = result.estimate(workload, controller, metric);
      estimates.add(estimate);
      runs = Math.min(runs, estimate.runs());
      min = Math.min(min, estimate.mean());
      max = Math.max(max, estimate.mean());
    }
    boolean oneRun = runs <= 1;
    String unit = metric.unit();
    double scale = 1;
    if (unit.equals("ms") && max >= 10_000) {
      unit = "s";
      scale = 1e-3;
    }
    boolean logarithmic = min > 0 && max / min > LOG_SPAN;
    String title = workload + ": " + what
        + (oneRun ? " (one run)" : " (mean ± 95% CI of " + runs + " runs)")
        + (logarithmic ? ", log scale" : "");
    CategoryChart chart =
        new CategoryChartBuilder()
            .width(WIDTH / 2)
            .height(BAR_HEIGHT)
            .title(title)
            .yAxisTitle(unit.isEmpty() ? "ratio" : unit)
            .build();
    var styler = chart.getStyler();
    styler.setLegendVisible(false);
    styler.setChartBackgroundColor(Color.WHITE);
    styler.setErrorBarsColor(Color.BLACK);
    styler.setYAxisLogarithmic(logarithmic);
    if (logarithmic) {
      // Bars start at the axis minimum, which must be above 0 on a log axis: the decade below.
      styler.setYAxisMin(Math.pow(10, Math.floor(Math.log10(min * scale))));
    }
    styler.setYAxisDecimalPattern(unit.isEmpty() ? "0.00" : scale == 1 ? "#,##0" : "#,##0.##");
    styler.setLabelsVisible(logarithmic); // a value is hard to read off a log axis
    styler.setLabelsFontColorAutomaticEnabled(false);
    styler.setLabelsFontColor(Color.BLACK);
    styler.setLabelsPosition(1.0);
    // A log axis draws a grid line at every minor tick; the decades' tick labels suffice.
    styler.setPlotGridHorizontalLinesVisible(!logarithmic);
    List<Double> values = new ArrayList<>();
    List<Double> errors = new ArrayList<>();
    for (Estimate estimate : estimates) {
      values.add(estimate.mean() * scale);
      // A whisker reaching 0 has no place on a log axis; it is clipped just above.
      errors.add((logarithmic ? Math.min(estimate.halfWidth95(), 0.99 * estimate.mean()) : estimate.halfWidth95()) * scale);
    }
    CategorySeries bar =
        oneRun ? chart.addSeries(metric.label(), names, values) : chart.addSeries(metric.label(), names, values, errors);
    bar.setFillColor(BAR_COLOUR);
    return chart;
  }

  /** Tableau's ten colours: distinct for the six built-in controllers and a few tuned ones. */
  private static final Color[] SERIES_COLORS = {
    new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x9467bd), new Color(0x2ca02c),
    new Color(0xd62728), new Color(0x17becf), new Color(0x8c564b), new Color(0xe377c2),
    new Color(0x7f7f7f), new Color(0xbcbd22)
  };

  private static final Color BAR_COLOUR = new Color(0x4c72b0);

  /** The colour of the controller at {@code index}: the same in every picture. */
  static Color colour(int index) {
    return SERIES_COLORS[index % SERIES_COLORS.length];
  }

  /**
   * A file name for the workload's plot: the workload name without a {@code .csv} extension (a
   * trace is named after its file) and with unsafe characters replaced.
   */
  public static String fileName(String workload) {
    String base = workload.regionMatches(true, Math.max(0, workload.length() - 4), ".csv", 0, 4)
            && workload.length() > 4
        ? workload.substring(0, workload.length() - 4)
        : workload;
    return base.replaceAll("[^A-Za-z0-9._-]", "_") + ".png";
  }
}
