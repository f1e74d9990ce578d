package org.hybridft.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import org.hybridft.controllers.ThresholdController;
import org.hybridft.core.Mode;
import org.hybridft.report.ComparisonResult;
import org.hybridft.report.Regret;
import org.hybridft.report.ResultsCsv;
import org.hybridft.report.RunResult;
import org.hybridft.report.TimeSeries;
import org.junit.jupiter.api.Test;

class ComparisonTest {
  private static Comparison.Builder small() {
    return Comparison.builder()
        .workloads(List.of(WorkloadProfile.SYNTHETIC.workload(), WorkloadProfile.VIDEO.workload()))
        .controllers(
            List.of(
                new ControllerSpec("colo", () -> Scripted.always(Mode.COLO, Duration.ofMillis(500))),
                new ControllerSpec(
                    "checkpoint", () -> Scripted.always(Mode.CHECKPOINT, Duration.ofMillis(500)))))
        .runs(3)
        .length(Duration.ofSeconds(30));
  }

  @Test
  void resultsDoNotDependOnTheNumberOfThreads() throws InterruptedException {
    ComparisonResult one = small().threads(1).build().run();
    ComparisonResult two = small().threads(2).build().run();

    assertThat(two.runs()).hasSize(2 * 2 * 3);
    assertThat(two).isEqualTo(one);
  }

  @Test
  void controllersThatDecideAlikeMeasureAlikeBecauseTheyFaceTheSameRandomDraws()
      throws InterruptedException {
    // Two names for one behaviour (a threshold controller, which switches on video):
    // whatever differs between their runs can only come from the random draws they were given.
    ComparisonResult result =
        Comparison.builder()
            .workloads(List.of(WorkloadProfile.VIDEO.workload(), WorkloadProfile.PHASED.workload()))
            .controllers(
                List.of(
                    new ControllerSpec("first", ThresholdController::new),
                    new ControllerSpec("second", ThresholdController::new)))
            .runs(3)
            .length(Duration.ofMinutes(2))
            .threads(2)
            .build()
            .run();

    for (String workload : List.of("video", "phased")) {
      List<RunResult> first = result.runs(workload, "first");
      List<RunResult> second = result.runs(workload, "second");
      for (int r = 0; r < 3; r++) {
        assertThat(second.get(r))
            .as("%s run %d", workload, r)
            .usingRecursiveComparison()
            .ignoringFields("controller")
            .withEqualsForType(TimeSeries::equals, TimeSeries.class)
            .isEqualTo(first.get(r));
      }
      // The draws matter: another run of the same controller measures something else.
      assertThat(first.get(1).latencyMeanMs()).isNotEqualTo(first.get(0).latencyMeanMs());
    }
    assertThat(result.runs("video", "first").get(0).switches()).as("the controller switches").isPositive();
  }

  @Test
  void progressIsReportedForEveryRun() throws InterruptedException {
    int[] last = new int[2];
    small().progress((done, total) -> {
      synchronized (last) {
        last[0] = Math.max(last[0], done);
        last[1] = total;
      }
    }).build().run();

    assertThat(last).containsExactly(12, 12);
  }

  @Test
  void theCsvHasTheDocumentedHeaderAndOneRowPerRun() throws InterruptedException, IOException {
    ComparisonResult result = small().build().run();
    StringWriter out = new StringWriter();
    ResultsCsv.write(out, result, List.of("colo", "checkpoint"));
    String[] lines = out.toString().split("\n");

    // The regret columns come after the original ones, which keep their order.
    assertThat(lines[0])
        .isEqualTo(
            "workload,controller,run,downtime_ratio,checkpoints_per_second,latency_mean_ms,"
                + "latency_p99_ms,throughput_rps,cpu_seconds,network_mb,switches,colo_share,"
                + "regret_downtime,regret_p99");
    assertThat(lines).hasSize(13);
    assertThat(lines[1]).startsWith("synthetic,colo,0,");
    assertThat(lines[1].split(",", -1)).hasSize(14);
    String baseline = Regret.of(result, "video", "colo", List.of("colo", "checkpoint")).orElseThrow().baseline();
    for (String line : lines) {
      String[] fields = line.split(",", -1);
      if (fields[0].equals("video") && fields[1].equals(baseline)) {
        assertThat(fields[12]).as("the baseline over itself").isEqualTo("1.0000");
      }
    }
  }
}
