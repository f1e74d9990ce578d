package org.hybridft.cli;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.hybridft.core.Mode;
import org.hybridft.sim.ComparisonResult;
import org.hybridft.sim.Estimate;
import org.hybridft.sim.Metric;
import org.hybridft.sim.TimeSeries;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler.LegendPosition;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Draws one PNG per workload: the checkpoint rate and the mode over time of every controller
 * (their first run), and bar charts of the downtime ratio and the p99 latency (mean with 95 %
 * confidence interval over the runs).
 */
public final class ComparisonPlot {
  private static final int WIDTH = 1400;
  private static final int SERIES_HEIGHT = 380;
  private static final int MODE_HEIGHT = 300;
  private static final int BAR_HEIGHT = 380;
  private static final int MAX_POINTS = 600;

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
    List<String> controllers = result.controllers();
    List<Series> series = new ArrayList<>();
    for (String controller : controllers) {
      series.add(source.firstRun(workload, controller));
    }

    XYChart cps =
        new XYChartBuilder()
            .width(WIDTH)
            .height(SERIES_HEIGHT)
            .title(workload + ": checkpoints per second (run 0, per control period)")
            .xAxisTitle("minutes")
            .yAxisTitle("cps")
            .build();
    style(cps);
    for (int c = 0; c < controllers.size(); c++) {
      Series s = series.get(c);
      int n = s.size();
      if (n == 0) {
        continue;
      }
      // Average into at most MAX_POINTS buckets: long runs stay readable and quick to draw.
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
      XYSeries line = cps.addSeries(controllers.get(c), x, y);
      line.setMarker(SeriesMarkers.NONE);
    }

    XYChart modes =
        new XYChartBuilder()
            .width(WIDTH)
            .height(MODE_HEIGHT)
            .title(workload + ": mode over time (run 0; high = COLO, low = CHECKPOINT)")
            .xAxisTitle("minutes")
            .yAxisTitle("controller")
            .build();
    style(modes);
    modes.getStyler().setYAxisTicksVisible(false);
    for (int c = 0; c < controllers.size(); c++) {
      Series s = series.get(c);
      int n = s.size();
      if (n == 0) {
        continue;
      }
      double base = (controllers.size() - 1 - c) * 1.5;
      // A step line needs only the switches: two points per switch plus both ends.
      List<Double> x = new ArrayList<>();
      List<Double> y = new ArrayList<>();
      double level = s.mode(0) == Mode.COLO ? base + 1 : base;
      x.add(0.0);
      y.add(level);
      for (int i = 1; i < n; i++) {
        double next = s.mode(i) == Mode.COLO ? base + 1 : base;
        if (next != level) {
          double minutes = s.seconds(i - 1) / 60;
          x.add(minutes);
          y.add(level);
          x.add(minutes);
          y.add(next);
          level = next;
        }
      }
      x.add(s.seconds(n - 1) / 60);
      y.add(level);
      XYSeries line = modes.addSeries(controllers.get(c), x, y);
      line.setMarker(SeriesMarkers.NONE);
    }

    CategoryChart downtime = bars(result, workload, Metric.DOWNTIME_RATIO, "downtime ratio (mean ± 95% CI)", "ratio");
    CategoryChart p99 = bars(result, workload, Metric.LATENCY_P99, "p99 reply latency (mean ± 95% CI)", "ms");

    BufferedImage image =
        new BufferedImage(WIDTH, SERIES_HEIGHT + MODE_HEIGHT + BAR_HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, image.getWidth(), image.getHeight());
      g.drawImage(BitmapEncoder.getBufferedImage(cps), 0, 0, null);
      g.drawImage(BitmapEncoder.getBufferedImage(modes), 0, SERIES_HEIGHT, null);
      g.drawImage(BitmapEncoder.getBufferedImage(downtime), 0, SERIES_HEIGHT + MODE_HEIGHT, null);
      g.drawImage(BitmapEncoder.getBufferedImage(p99), WIDTH / 2, SERIES_HEIGHT + MODE_HEIGHT, null);
    } finally {
      g.dispose();
    }
    writePng(image, file);
  }

  /**
   * Writes the image with ImageIO at a light deflate level: chart images compress well anyway,
   * and the default level spends most of a plot's time compressing.
   */
  private static void writePng(BufferedImage image, Path file) throws IOException {
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

  private static CategoryChart bars(
      ComparisonResult result, String workload, Metric metric, String title, String unit) {
    CategoryChart chart =
        new CategoryChartBuilder()
            .width(WIDTH / 2)
            .height(BAR_HEIGHT)
            .title(workload + ": " + title)
            .yAxisTitle(unit)
            .build();
    chart.getStyler().setLegendVisible(false);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    List<String> names = new ArrayList<>();
    List<Double> means = new ArrayList<>();
    List<Double> errors = new ArrayList<>();
    for (String controller : result.controllers()) {
      Estimate estimate = result.estimate(workload, controller, metric);
      names.add(controller);
      means.add(estimate.mean());
      errors.add(estimate.halfWidth95());
    }
    chart.addSeries(metric.label(), names, means, errors);
    chart.getStyler().setErrorBarsColor(Color.BLACK);
    return chart;
  }

  /** Tableau's ten colours: distinct for the six built-in controllers and a few tuned ones. */
  private static final Color[] SERIES_COLORS = {
    new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x9467bd), new Color(0x2ca02c),
    new Color(0xd62728), new Color(0x17becf), new Color(0x8c564b), new Color(0xe377c2),
    new Color(0x7f7f7f), new Color(0xbcbd22)
  };

  private static void style(XYChart chart) {
    chart.getStyler().setSeriesColors(SERIES_COLORS);
    chart.getStyler().setLegendPosition(LegendPosition.OutsideE);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setXAxisDecimalPattern("0.##"); // whole minutes would round a 2-minute real run's ticks
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
