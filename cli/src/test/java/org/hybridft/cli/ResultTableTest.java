package org.hybridft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hybridft.report.ResultTable;
import org.hybridft.sim.Comparison;
import org.hybridft.report.ComparisonResult;
import org.hybridft.report.RunResult;
import org.hybridft.sim.WorkloadProfile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the tables of compare and simulate claim: a star is a strict best, an interval is one. */
class ResultTableTest {
  @TempDir Path dir;

  /** The table's rows by controller name, each cell stripped; the header row under "controller". */
  private static Map<String, List<String>> rows(String out) {
    Map<String, List<String>> rows = new LinkedHashMap<>();
    boolean inTable = false;
    for (String line : out.split("\n")) {
      if (line.startsWith("controller ")) {
        inTable = true;
      } else if (line.isBlank() || line.startsWith("regret: ") || line.startsWith("n/a: ")) {
        inTable = false;
      }
      if (inTable) {
        List<String> cells = new ArrayList<>(Arrays.asList(line.strip().split("\\s{2,}")));
        rows.put(cells.get(0), cells.subList(1, cells.size()));
      }
    }
    return rows;
  }

  @Test
  void aControllerThatCompletedNoRequestShowsNoLatencyIsNeverBestAndTheTableSaysWhy() {
    // A checkpoint period longer than the run: no checkpoint ever releases a reply.
    CommandOutcome outcome =
        CommandOutcome.run("compare", "--workloads", "rubis", "--controllers", "checkpoint,colo",
            "--checkpoint-period", "500s", "--minutes", "1", "--runs", "2", "--no-plots", "--out", dir.toString());

    assertThat(outcome.exitCode()).as(outcome.err()).isZero();
    Map<String, List<String>> rows = rows(outcome.out());
    List<String> header = rows.get("controller");
    List<String> checkpoint = rows.get("checkpoint");
    assertThat(checkpoint.get(header.indexOf("lat mean ms"))).isEqualTo("n/a");
    assertThat(checkpoint.get(header.indexOf("lat p99 ms"))).isEqualTo("n/a");
    assertThat(checkpoint).noneMatch(cell -> cell.endsWith("*"));
    assertThat(outcome.out()).contains("checkpoint completed no request");
  }

  @Test
  void onlyAStrictBestIsStarredAndSwitchesNever() {
    // colo and threshold run alike on rubis for a minute: every column ties between them.
    CommandOutcome outcome =
        CommandOutcome.run("compare", "--workloads", "rubis", "--controllers", "checkpoint,colo,threshold",
            "--minutes", "1", "--runs", "2", "--no-plots", "--out", dir.toString());

    assertThat(outcome.exitCode()).as(outcome.err()).isZero();
    Map<String, List<String>> rows = rows(outcome.out());
    List<String> header = rows.remove("controller");
    assertThat(rows.get("colo")).isEqualTo(rows.get("threshold"));
    for (int column = 0; column < header.size(); column++) {
      List<String> starred = new ArrayList<>();
      List<String> others = new ArrayList<>();
      for (List<String> row : rows.values()) {
        String cell = row.get(column);
        if (cell.endsWith("*")) {
          starred.add(cell.substring(0, cell.length() - 1).strip());
        } else {
          others.add(cell);
        }
      }
      assertThat(starred).as(header.get(column)).hasSizeLessThanOrEqualTo(1);
      if (!starred.isEmpty()) {
        assertThat(others).as(header.get(column)).doesNotContain(starred.get(0));
      }
    }
    int switches = header.indexOf("switches");
    assertThat(rows.values()).noneMatch(row -> row.get(switches).endsWith("*"));
    assertThat(outcome.out()).contains("*");
  }

  @Test
  void oneRunShowsNoConfidenceInterval() {
    CommandOutcome outcome =
        CommandOutcome.run("compare", "--workloads", "rubis", "--controllers", "checkpoint,colo",
            "--minutes", "0.5", "--runs", "1", "--no-plots", "--out", dir.toString());

    assertThat(outcome.exitCode()).as(outcome.err()).isZero();
    assertThat(outcome.out()).doesNotContain("±", "CI").contains("1 run x");
  }

  @Test
  void aMetricNotMeasuredShowsNotAvailableAndIsNeverBest() throws Exception {
    // A real pair measures no CPU or network: those cells read NaN and must say so, not "NaN".
    ComparisonResult simulated = Comparison.builder()
        .workloads(List.of(WorkloadProfile.byName("rubis").orElseThrow().workload()))
        .controllers(new ControllerOptions().specs(List.of("checkpoint", "colo"), List.of()))
        .runs(1)
        .length(java.time.Duration.ofSeconds(20))
        .build()
        .run();
    List<RunResult> unmeasured = new ArrayList<>();
    for (RunResult r : simulated.runs()) {
      unmeasured.add(new RunResult(r.workload(), r.controller(), r.run(), r.seed(), r.wallSeconds(),
          r.downtimeRatio(), r.pauseSeconds(), r.checkpoints(), r.checkpointsPerSecond(), r.latencyMeanMs(),
          r.latencyP50Ms(), r.latencyP99Ms(), r.latencyP999Ms(), r.throughputRps(), r.dropped(), Double.NaN,
          Double.NaN, r.switches(), r.coloShare(), r.timeSeries()));
    }
    ComparisonResult result = new ComparisonResult(simulated.workloads(), simulated.controllers(), unmeasured);

    Map<String, List<String>> rows = rows(ResultTable.format(result, "rubis", "rubis", "1 run"));

    List<String> header = rows.remove("controller");
    for (List<String> row : rows.values()) {
      assertThat(row.get(header.indexOf("cpu s"))).isEqualTo("n/a");
      assertThat(row.get(header.indexOf("network MB"))).isEqualTo("n/a");
    }
  }

  @Test
  void regretIsOverTheBetterStaticModeAndOnlyAnAdaptiveControllerBeyondTheBoundIsMarked() throws Exception {
    // A threshold no checkpoint rate reaches: the threshold controller stays in COLO on video,
    // where checkpoint mode is far better.
    CommandOutcome outcome =
        CommandOutcome.run("compare", "--workloads", "video", "--controllers", "checkpoint,colo,threshold",
            "--threshold-cps", "1000", "--minutes", "1", "--runs", "2", "--no-plots", "--out", dir.toString());

    assertThat(outcome.exitCode()).as(outcome.err()).isZero();
    Map<String, List<String>> rows = rows(outcome.out());
    List<String> header = rows.get("controller");
    int downtime = header.indexOf("regret dt");
    int p99 = header.indexOf("regret p99");
    assertThat(downtime).as("regret columns after the metrics").isEqualTo(header.size() - 2);
    assertThat(p99).isEqualTo(header.size() - 1);
    assertThat(rows.get("checkpoint").get(downtime)).isEqualTo("1.000");
    assertThat(rows.get("colo").get(downtime)).as("the worse static mode: shown, never marked")
        .doesNotEndWith("!");
    assertThat(Double.parseDouble(rows.get("colo").get(downtime))).isGreaterThan(1.02);
    assertThat(rows.get("threshold").get(downtime)).endsWith("!");
    assertThat(outcome.out()).contains("over the better static mode's (checkpoint)")
        .contains("! = an adaptive controller beyond 1.02x or 1.10x");

    // results.csv: each run over the baseline's run of the same seed.
    List<String> csv = java.nio.file.Files.readAllLines(dir.resolve("results.csv"));
    List<String> columns = List.of(csv.get(0).split(","));
    Map<String, String[]> byRun = new LinkedHashMap<>();
    for (String line : csv.subList(1, csv.size())) {
      String[] fields = line.split(",", -1);
      byRun.put(fields[1] + "/" + fields[2], fields);
    }
    for (String run : List.of("0", "1")) {
      String[] threshold = byRun.get("threshold/" + run);
      String[] checkpoint = byRun.get("checkpoint/" + run);
      double expected = Double.parseDouble(threshold[columns.indexOf("downtime_ratio")])
          / Double.parseDouble(checkpoint[columns.indexOf("downtime_ratio")]);
      assertThat(Double.parseDouble(threshold[columns.indexOf("regret_downtime")]))
          .isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-3));
    }
  }

  @Test
  void withoutAStaticModeThereIsNoRegretColumn() throws Exception {
    CommandOutcome outcome =
        CommandOutcome.run("compare", "--workloads", "rubis", "--controllers", "threshold,pi",
            "--minutes", "1", "--runs", "1", "--no-plots", "--out", dir.toString());

    assertThat(outcome.exitCode()).as(outcome.err()).isZero();
    assertThat(rows(outcome.out()).get("controller")).doesNotContain("regret dt", "regret p99");
    assertThat(outcome.out()).doesNotContain("regret:");
    String[] row = java.nio.file.Files.readAllLines(dir.resolve("results.csv")).get(1).split(",", -1);
    assertThat(row[row.length - 2]).isEmpty();
    assertThat(row[row.length - 1]).isEmpty();
  }
}
