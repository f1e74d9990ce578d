package org.hybridft.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The clairvoyant schedule in the table and in results.csv: a reference, never a controller. */
class ClairvoyantColumnsTest {
  private static final List<String> STATIC = ComparisonReport.STATIC_MODES;
  private static final String LIMIT = ClairvoyantRegret.SCHEDULE;

  /** Two seeds; the schedule beats every controller on downtime, pi is halfway to it. */
  private static ComparisonResult result() {
    List<RunResult> runs = List.of(
        RegretTest.run("w", "checkpoint", 0, 0.20, 600), RegretTest.run("w", "checkpoint", 1, 0.20, 600),
        RegretTest.run("w", "colo", 0, 0.30, 300), RegretTest.run("w", "colo", 1, 0.30, 300),
        RegretTest.run("w", "pi", 0, 0.14, 550), RegretTest.run("w", "pi", 1, 0.16, 550),
        RegretTest.run("w", LIMIT, 0, 0.08, 500), RegretTest.run("w", LIMIT, 1, 0.12, 500));
    return new ComparisonResult(List.of("w"), List.of("checkpoint", "colo", "pi"), runs);
  }

  /** The table's rows by first cell, each cell stripped; the header row under "controller". */
  private static Map<String, List<String>> rows(String table) {
    Map<String, List<String>> rows = new LinkedHashMap<>();
    boolean inTable = false;
    for (String line : table.split("\n")) {
      if (line.startsWith("controller ")) {
        inTable = true;
      } else if (line.contains(": ")) {
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
  void theTableShowsTheScheduleLastUnrankedAndEachControllersRegretAgainstIt() {
    String table = ResultTable.format(result(), "w", "a workload", "2 runs");
    Map<String, List<String>> rows = rows(table);
    List<String> header = rows.get("controller");

    assertThat(List.copyOf(rows.keySet())).containsExactly("controller", "checkpoint", "colo", "pi", LIMIT);
    int downtime = header.indexOf("vs limit dt");
    assertThat(header.subList(downtime, header.size()))
        .containsExactly("vs limit dt", "vs limit p99", "gap closed", "regret dt", "regret p99");
    assertThat(rows.get("pi").get(downtime)).isEqualTo(String.format("%.3f", 0.15 / 0.10));
    assertThat(rows.get("pi").get(downtime + 1)).isEqualTo(String.format("%.3f", 550.0 / 500));
    assertThat(rows.get("pi").get(downtime + 2)).isEqualTo("0.50");
    assertThat(rows.get(LIMIT).get(downtime)).isEqualTo("1.000");
    // The schedule has the lowest downtime ratio and cps, yet pi, the best controller, is starred.
    assertThat(rows.get(LIMIT)).noneMatch(cell -> cell.endsWith("*"));
    assertThat(rows.get("pi").get(header.indexOf("downtime"))).endsWith("*");
    assertThat(table).contains("clairvoyant: the limit");
  }

  @Test
  void withoutTheScheduleTheTableHasNeitherItsRowNorItsColumns() {
    ComparisonResult result = result();
    ComparisonResult without = new ComparisonResult(result.workloads(), result.controllers(),
        result.runs().stream().filter(run -> !run.controller().equals(LIMIT)).toList());

    String table = ResultTable.format(without, "w", "a workload", "2 runs");

    assertThat(rows(table)).doesNotContainKey(LIMIT);
    assertThat(rows(table).get("controller")).doesNotContain("vs limit dt", "vs limit p99", "gap closed");
    assertThat(table).doesNotContain("clairvoyant");
  }

  @Test
  void theCsvAppendsEachRunsRegretAgainstTheSchedulesRunOfTheSameSeedAndHasNoRowOfItsOwn()
      throws IOException {
    StringWriter out = new StringWriter();
    ResultsCsv.write(out, result(), STATIC);
    String[] lines = out.toString().split("\n");

    assertThat(lines[0]).isEqualTo(ResultsCsv.HEADER).startsWith(ResultsCsv.HEADER_WITHOUT_CLAIRVOYANT + ",");
    assertThat(lines).hasSize(1 + 6);
    List<String> columns = List.of(lines[0].split(","));
    Map<String, String[]> byRun = new LinkedHashMap<>();
    for (String line : Arrays.asList(lines).subList(1, lines.length)) {
      String[] fields = line.split(",", -1);
      assertThat(fields).hasSize(columns.size());
      byRun.put(fields[1] + "/" + fields[2], fields);
    }
    assertThat(byRun.keySet()).noneMatch(key -> key.startsWith(LIMIT + "/"));
    String[] pi0 = byRun.get("pi/0");
    assertThat(Double.parseDouble(pi0[columns.indexOf("regret_clairvoyant_downtime")]))
        .isCloseTo(0.14 / 0.08, within(1e-4));
    assertThat(Double.parseDouble(pi0[columns.indexOf("regret_clairvoyant_p99")]))
        .isCloseTo(550.0 / 500, within(1e-4));
    // Seed 0: checkpoint at 0.20, the schedule at 0.08, pi at 0.14: halfway.
    assertThat(Double.parseDouble(pi0[columns.indexOf("clairvoyant_gap_closed")])).isCloseTo(0.5, within(1e-4));
    assertThat(Double.parseDouble(byRun.get("pi/1")[columns.indexOf("clairvoyant_gap_closed")]))
        .isCloseTo((0.20 - 0.16) / (0.20 - 0.12), within(1e-4));
  }

  @Test
  void theResultTellsTheScheduleFromItsControllers() {
    ComparisonResult result = result();

    assertThat(result.controllers()).doesNotContain(LIMIT);
    assertThat(result.hasClairvoyant()).isTrue();
    assertThat(result.clairvoyant("w")).extracting(RunResult::run).containsExactly(0, 1);
    for (Metric metric : Metric.values()) {
      assertThat(result.best("w", metric)).isPresent().get().isNotEqualTo(LIMIT);
    }
  }
}
