package org.hybridft.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.hybridft.core.Mode;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

class ComparisonPlotTest {
  private static final List<String> CONTROLLERS = List.of("checkpoint", "colo", "threshold");

  /** A run with the given downtime ratio and p99 latency; the rest does not reach the plots. */
  private static RunResult run(String workload, String controller, int run, double downtime, double p99Ms) {
    return new RunResult(workload, controller, run, run, 60, downtime, 0, 0, 2, p99Ms / 2, p99Ms / 2, p99Ms,
        p99Ms, 10, 0, 0, 0, 0, 0, TimeSeries.empty());
  }

  /** {downtime, p99 ms} per controller, {@code runs} runs each differing a little. */
  private static ComparisonResult result(String workload, int runs, double[][] values) {
    List<RunResult> all = new ArrayList<>();
    for (int r = 0; r < runs; r++) {
      for (int c = 0; c < CONTROLLERS.size(); c++) {
        all.add(run(workload, CONTROLLERS.get(c), r, values[c][0] * (1 + 0.01 * r), values[c][1] * (1 + 0.01 * r)));
      }
    }
    return new ComparisonResult(List.of(workload), CONTROLLERS, all);
  }

  /** A recorded run: one period a minute, in the given modes. */
  private static ComparisonPlot.Series series(Mode... modes) {
    return new ComparisonPlot.Series() {
      @Override
      public int size() {
        return modes.length;
      }

      @Override
      public double seconds(int i) {
        return 60.0 * (i + 1);
      }

      @Override
      public double checkpointsPerSecond(int i) {
        return modes[i] == Mode.COLO ? 5 : 2;
      }

      @Override
      public Mode mode(int i) {
        return modes[i];
      }
    };
  }

  private static ComparisonPlot.Panels panels(ComparisonResult result) {
    return ComparisonPlot.panels(result, result.workloads().get(0), (w, c) -> series(Mode.COLO, Mode.CHECKPOINT));
  }

  @Test
  void latencySpanningOrdersOfMagnitudeIsDrawnInSecondsOnALogAxis() {
    ComparisonResult video = result("video", 2, new double[][] {{0.33, 665}, {0.99, 266_718}, {0.38, 6969}});

    CategoryChart p99 = panels(video).p99();

    assertThat(p99.getStyler().isYAxisLogarithmic()).isTrue();
    assertThat(p99.getYAxisTitle()).isEqualTo("s");
    assertThat(p99.getTitle()).contains("log scale");
    List<? extends Number> seconds = new ArrayList<>(p99.getSeriesMap().values().iterator().next().getYData());
    assertThat(seconds.get(1).doubleValue()).isCloseTo(266.718 * 1.005, within(1e-9));
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2})
  void aWorkloadsPictureAndTheSummaryAreDrawnWithOneOrSeveralRuns(int runs, @TempDir Path dir) throws IOException {
    ComparisonResult video = result("video", runs, new double[][] {{0.33, 665}, {0.99, 266_718}, {0.38, 6969}});

    ComparisonPlot.write(video, "video", (w, c) -> series(Mode.COLO, Mode.CHECKPOINT, Mode.COLO), dir.resolve("video.png"));
    SummaryPlot.write(video, dir.resolve("summary.png"));

    assertThat(ImageIO.read(dir.resolve("video.png").toFile()).getHeight()).isGreaterThan(400);
    assertThat(ImageIO.read(dir.resolve("summary.png").toFile()).getWidth()).isGreaterThan(400);
  }

  @Test
  void closeValuesKeepALinearAxisInMilliseconds() {
    ComparisonResult phased = result("phased", 2, new double[][] {{0.23, 622}, {0.35, 428}, {0.18, 588}});

    ComparisonPlot.Panels panels = panels(phased);

    assertThat(panels.p99().getStyler().isYAxisLogarithmic()).isFalse();
    assertThat(panels.p99().getYAxisTitle()).isEqualTo("ms");
    assertThat(panels.downtime().getStyler().isYAxisLogarithmic()).isFalse();
  }

  @Test
  void oneRunSaysSoAndDrawsNoWhisker() {
    ComparisonResult real = result("real-phased", 1, new double[][] {{0.23, 622}, {0.35, 428}, {0.18, 588}});

    ComparisonPlot.Panels panels = panels(real);

    for (CategoryChart bars : List.of(panels.downtime(), panels.p99())) {
      assertThat(bars.getTitle()).contains("one run").doesNotContain("CI");
      assertThat(bars.getSeriesMap().values()).singleElement().satisfies(bar -> assertThat(bar.getExtraValues()).isNull());
    }
  }

  @Test
  void severalRunsDrawTheConfidenceIntervalAsWhiskers() {
    ComparisonResult simulated = result("phased", 3, new double[][] {{0.23, 622}, {0.35, 428}, {0.18, 588}});

    CategoryChart downtime = panels(simulated).downtime();

    assertThat(downtime.getTitle()).contains("95% CI of 3 runs");
    CategorySeries bars = downtime.getSeriesMap().values().iterator().next();
    assertThat(bars.getExtraValues()).hasSize(3).allMatch(halfWidth -> halfWidth.doubleValue() > 0);
  }

  @Test
  void everyControllerHasItsOwnPanelNamedAfterIt() {
    ComparisonResult phased = result("phased", 2, new double[][] {{0.23, 622}, {0.35, 428}, {0.18, 588}});

    List<XYChart> strips = panels(phased).controllers();

    assertThat(strips).extracting(XYChart::getYAxisTitle).containsExactlyElementsOf(CONTROLLERS);
    assertThat(strips.get(0).getTitle()).contains("phased", "COLO", "CHECKPOINT");
    assertThat(strips).allSatisfy(strip -> assertThat(strip.getSeriesMap()).containsKey(ComparisonPlot.COLO_SERIES));
  }

  @Test
  void theColoLaneCoversExactlyTheColoPeriods() {
    // Modes applied after minutes 1..6: COLO holds from the start to the switch after minute 3,
    // and again from the switch after minute 5 to the end.
    ComparisonPlot.Series run =
        series(Mode.COLO, Mode.COLO, Mode.CHECKPOINT, Mode.CHECKPOINT, Mode.COLO, Mode.COLO);

    double[][] lane = ComparisonPlot.coloIntervals(run, -1);

    assertThat(lane[0]).containsExactly(0, 3, 4, 5, 6);
    assertThat(lane[1]).containsExactly(-1, -1, Double.NaN, -1, -1);
  }

  @Test
  void aRunThatNeverLeftCheckpointModeHasAnEmptyLane() {
    double[][] lane = ComparisonPlot.coloIntervals(series(Mode.CHECKPOINT, Mode.CHECKPOINT), -1);

    assertThat(java.util.Arrays.stream(lane[1]).allMatch(Double::isNaN)).isTrue();
  }

  @Test
  void theSummaryHasAScatterPerWorkloadWithTheStaticModesAsSquares() {
    List<RunResult> runs = new ArrayList<>();
    for (String workload : List.of("rubis", "video")) {
      for (int c = 0; c < CONTROLLERS.size(); c++) {
        runs.add(run(workload, CONTROLLERS.get(c), 0, 0.1 + 0.1 * c, 400 + 1000 * c));
      }
    }
    ComparisonResult result = new ComparisonResult(List.of("rubis", "video"), CONTROLLERS, runs);

    List<XYChart> panels = SummaryPlot.panels(result);

    assertThat(panels).extracting(XYChart::getTitle).containsExactly("rubis", "video");
    XYChart rubis = panels.get(0);
    assertThat(rubis.getXAxisTitle()).contains("p99");
    assertThat(rubis.getYAxisTitle()).contains("downtime");
    Map<String, XYSeries> points = rubis.getSeriesMap();
    assertThat(points.keySet()).containsExactlyInAnyOrderElementsOf(CONTROLLERS);
    assertThat(points.get("checkpoint").getMarker()).isEqualTo(SeriesMarkers.SQUARE);
    assertThat(points.get("colo").getMarker()).isEqualTo(SeriesMarkers.SQUARE);
    assertThat(points.get("threshold").getMarker()).isEqualTo(SeriesMarkers.CIRCLE);
    assertThat(points.get("threshold").getXMax()).isEqualTo(2400);
    assertThat(points.get("threshold").getYMax()).isEqualTo(Metric.DOWNTIME_RATIO.of(runs.get(2)));
  }

  @Test
  void controllersOnTheSameSpotShareOneTag() {
    Map<Integer, String> tags =
        SummaryPlot.tags(
            List.of("checkpoint", "colo", "threshold", "pi"),
            new double[] {622, 338.6, 338.6, 900},
            new double[] {0.24, 0.0334, 0.0334, 0.1},
            0, 1000, 0, 0.3, false);

    assertThat(tags).containsExactly(Map.entry(0, "checkpoint"), Map.entry(1, "colo, threshold"), Map.entry(3, "pi"));
  }
}
