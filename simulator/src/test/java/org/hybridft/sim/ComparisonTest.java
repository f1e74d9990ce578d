package org.hybridft.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import org.hybridft.controllers.ThresholdController;
import org.hybridft.core.Mode;
import org.hybridft.core.testing.ScriptedController;
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
                new ControllerSpec("colo", () -> ScriptedController.always(Mode.COLO, Duration.ofMillis(500))),
                new ControllerSpec(
                    "checkpoint", () -> ScriptedController.always(Mode.CHECKPOINT, Duration.ofMillis(500)))))
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

  private static Comparison.Builder withSchedule(List<String> controllers) {
    return Comparison.builder()
        .workloads(List.of(WorkloadProfile.PHASED.workload()))
        .controllers(BuiltInControllers.specs(controllers))
        .runs(2)
        .length(Duration.ofMinutes(8))
        .seed(3)
        .threads(2)
        .clairvoyant(Duration.ofMillis(500));
  }

  @Test
  void theClairvoyantScheduleRunsOnEverySeedBesideTheControllersNotAsOne() throws InterruptedException {
    List<String> controllers = List.of("checkpoint", "colo", "threshold");
    int[] schedules = new int[2];
    ComparisonResult result = withSchedule(controllers)
        .progress(new Comparison.ProgressListener() {
          @Override
          public void onRunFinished(int done, int total) {}

          @Override
          public void onScheduleFinished(int done, int total) {
            synchronized (schedules) {
              schedules[0] = Math.max(schedules[0], done);
              schedules[1] = total;
            }
          }
        })
        .build().run();

    assertThat(result.controllers()).containsExactlyElementsOf(controllers);
    assertThat(result.runs()).hasSize(3 * 2 + 2);
    List<RunResult> limit = result.clairvoyant("phased");
    assertThat(limit).extracting(RunResult::run).containsExactly(0, 1);
    assertThat(limit).extracting(RunResult::seed)
        .containsExactly(Comparison.runSeed(3, "phased", 0), Comparison.runSeed(3, "phased", 1));
    assertThat(limit.get(0).switches()).as("phased changes: the schedule switches").isPositive();
    for (org.hybridft.report.Metric metric : org.hybridft.report.Metric.values()) {
      assertThat(result.best("phased", metric)).get().isNotEqualTo(ClairvoyantSchedule.NAME);
    }
    // Only run 0 keeps its periods, the schedule's as every controller's.
    for (RunResult run : result.runs()) {
      assertThat(run.timeSeries().size() > 0).as(run.controller() + " " + run.run()).isEqualTo(run.run() == 0);
    }
    assertThat(schedules).containsExactly(2, 2);
  }

  @Test
  void reusingTheStaticModesRunsGivesTheScheduleItWouldMeasureAlone() throws InterruptedException {
    // With the static modes among the controllers, the schedule reads their runs; without them it
    // runs its own; either way it must be the schedule ClairvoyantSchedule.plan measures.
    ComparisonResult reused = withSchedule(List.of("checkpoint", "colo", "pi")).build().run();
    ComparisonResult own = withSchedule(List.of("pi")).build().run();

    for (int r = 0; r < 2; r++) {
      RunResult alone = ClairvoyantSchedule.plan(new VmSimulator(), WorkloadProfile.PHASED.workload(),
          Duration.ofMinutes(8), Comparison.runSeed(3, "phased", r), r, Duration.ofMillis(500)).result();
      for (RunResult schedule : List.of(reused.clairvoyant("phased").get(r), own.clairvoyant("phased").get(r))) {
        assertThat(schedule.controller()).isEqualTo(ClairvoyantSchedule.NAME);
        assertThat(schedule.downtimeRatio()).isEqualTo(alone.downtimeRatio());
        assertThat(schedule.latencyP99Ms()).isEqualTo(alone.latencyP99Ms());
        assertThat(schedule.checkpoints()).isEqualTo(alone.checkpoints());
        assertThat(schedule.switches()).isEqualTo(alone.switches());
      }
    }
  }

  @Test
  void aControllerNamedLikeTheScheduleIsRefusedWhenTheScheduleRuns() {
    Comparison.Builder builder = small()
        .controllers(List.of(new ControllerSpec(ClairvoyantSchedule.NAME, ThresholdController::new)))
        .clairvoyant(Duration.ofMillis(500));

    org.assertj.core.api.Assertions.assertThatThrownBy(builder::build)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'clairvoyant'");
  }
}
