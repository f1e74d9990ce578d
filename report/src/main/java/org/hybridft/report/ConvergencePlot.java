package org.hybridft.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * A search's convergence as a PNG: each candidate's score, the best score so far and the
 * defaults' score, by candidates evaluated. Scores that are not finite (a candidate its config
 * refused) are left out.
 */
public final class ConvergencePlot {
  private ConvergencePlot() {}

  /**
   * Writes the plot.
   *
   * @param file the PNG to write, its name ending in {@code .png}
   * @param title the chart's title
   * @param score the score's name, for the y axis
   * @param scores each candidate's score, in the order evaluated
   * @param bestSoFar the best score after each candidate
   * @param defaultScore the defaults' score
   * @throws IOException if the file cannot be written
   */
  public static void write(Path file, String title, String score, List<Double> scores, List<Double> bestSoFar,
      double defaultScore) throws IOException {
    XYChart chart = new XYChartBuilder().width(900).height(500).title(title)
        .xAxisTitle("candidates evaluated").yAxisTitle(score).build();
    List<Double> x = new ArrayList<>();
    List<Double> best = new ArrayList<>();
    List<Double> candidates = new ArrayList<>();
    List<Double> candidateX = new ArrayList<>();
    List<Double> defaults = new ArrayList<>();
    for (int i = 0; i < Math.min(scores.size(), bestSoFar.size()); i++) {
      if (Double.isFinite(bestSoFar.get(i))) {
        x.add(i + 1.0);
        best.add(bestSoFar.get(i));
        defaults.add(defaultScore);
      }
      if (Double.isFinite(scores.get(i))) {
        candidateX.add(i + 1.0);
        candidates.add(scores.get(i));
      }
    }
    if (!candidates.isEmpty()) {
      XYSeries tried = chart.addSeries("candidate", candidateX, candidates);
      tried.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
      tried.setMarker(SeriesMarkers.CIRCLE);
    }
    if (!x.isEmpty()) {
      chart.addSeries("best so far", x, best).setMarker(SeriesMarkers.NONE);
      chart.addSeries("defaults", x, defaults).setMarker(SeriesMarkers.NONE);
    }
    chart.getStyler().setYAxisDecimalPattern("0.0###");
    chart.getStyler().setXAxisDecimalPattern("0");
    chart.getStyler().setMarkerSize(5);
    chart.getStyler().setLegendVisible(true);
    String path = file.toString();
    BitmapEncoder.saveBitmap(chart, path.substring(0, path.length() - ".png".length()), BitmapEncoder.BitmapFormat.PNG);
  }
}
