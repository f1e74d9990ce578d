package org.hybridft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.hybridft.report.ResultsCsv;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** compare and simulate put the clairvoyant schedule beside the static modes, as the limit. */
class LimitColumnsTest {
  @TempDir Path dir;

  /** The lines of the table of the workload that {@code out} prints first. */
  private static List<String> table(String out) {
    List<String> lines = List.of(out.split("\n"));
    int header = 0;
    while (!lines.get(header).startsWith("controller ")) {
      header++;
    }
    int end = header;
    while (end < lines.size() && !lines.get(end).isBlank() && !lines.get(end).startsWith("regret: ")) {
      end++;
    }
    return lines.subList(header, end);
  }

  @Test
  void compareShowsTheScheduleAsTheLastRowAndEachControllersRegretAgainstIt() throws IOException {
    CommandOutcome outcome =
        CommandOutcome.run("compare", "--workloads", "phased", "--controllers", "checkpoint,colo,threshold",
            "--minutes", "8", "--runs", "2", "--no-plots", "--out", dir.toString());

    assertThat(outcome.exitCode()).as(outcome.err()).isZero();
    List<String> table = table(outcome.out());
    assertThat(table.get(0)).contains("vs limit dt", "vs limit p99", "gap closed");
    assertThat(table.get(table.size() - 1)).startsWith("clairvoyant ").doesNotContain("*");
    assertThat(table).filteredOn(line -> line.startsWith("clairvoyant ")).hasSize(1);
    assertThat(outcome.out()).contains("clairvoyant: the limit");
    assertThat(outcome.err()).contains("2/2 clairvoyant schedules");

    List<String> csv = Files.readAllLines(dir.resolve("results.csv"));
    assertThat(csv.get(0)).isEqualTo(ResultsCsv.HEADER);
    assertThat(csv).hasSize(1 + 3 * 2).noneMatch(line -> line.startsWith("phased,clairvoyant,"));
    List<String> columns = List.of(csv.get(0).split(","));
    for (String line : csv.subList(1, csv.size())) {
      String[] fields = line.split(",", -1);
      // Phased changes, so the schedule beats both static modes: every ratio is at least 1.
      assertThat(Double.parseDouble(fields[columns.indexOf("regret_clairvoyant_downtime")])).isGreaterThan(1.0);
      assertThat(fields[columns.indexOf("regret_clairvoyant_p99")]).matches("\\d+\\.\\d{4}");
      assertThat(fields[columns.indexOf("clairvoyant_gap_closed")]).matches("-?\\d+\\.\\d{4}");
    }
  }

  @Test
  void simulateShowsTheLimitUnlessToldNotTo() throws IOException {
    CommandOutcome with =
        CommandOutcome.run("simulate", "--workload", "bursty", "--controller", "pi",
            "--minutes", "4", "--runs", "1", "--out", dir.resolve("with").toString(), "--no-plots");
    CommandOutcome without =
        CommandOutcome.run("simulate", "--workload", "bursty", "--controller", "pi", "--no-clairvoyant",
            "--minutes", "4", "--runs", "1", "--out", dir.resolve("without").toString(), "--no-plots");

    assertThat(with.exitCode()).as(with.err()).isZero();
    assertThat(table(with.out()).get(0)).contains("vs limit dt", "regret dt");
    assertThat(Files.readAllLines(dir.resolve("with/results.csv")).get(0)).isEqualTo(ResultsCsv.HEADER);
    assertThat(without.exitCode()).as(without.err()).isZero();
    assertThat(table(without.out()).get(0)).contains("regret dt").doesNotContain("vs limit");
    assertThat(without.out()).doesNotContain("clairvoyant");
    // Every results.csv has the same columns: the schedule's are empty.
    List<String> csv = Files.readAllLines(dir.resolve("without/results.csv"));
    assertThat(csv.get(0)).isEqualTo(ResultsCsv.HEADER);
    assertThat(csv.get(1)).endsWith(",,,");
  }
}
