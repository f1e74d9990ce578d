package org.hybridft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.hybridft.controllers.ControllerRegistry;
import org.hybridft.report.ResultsCsv;
import org.hybridft.sim.WorkloadProfile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HybridFtTest {
  @TempDir Path dir;



  @Test
  void compareWritesTheCsvThePlotsTheSummaryAndPrintsTheTables() throws IOException {
    CommandOutcome outcome =
        CommandOutcome.run("compare", "--minutes", "0.5", "--runs", "2", "--out", dir.toString(), "--threads", "2");

    assertThat(outcome.exitCode()).as(outcome.err()).isZero();
    List<String> lines = Files.readAllLines(dir.resolve("results.csv"));
    assertThat(lines.get(0)).isEqualTo(ResultsCsv.HEADER);
    int workloads = WorkloadProfile.values().length;
    assertThat(lines).hasSize(1 + workloads * ControllerRegistry.builtIn().names().size() * 2);
    for (String workload : WorkloadProfile.names()) {
      Path png = dir.resolve(workload + ".png");
      assertThat(png).exists();
      byte[] head = new byte[8];
      System.arraycopy(Files.readAllBytes(png), 0, head, 0, 8);
      assertThat(head).startsWith(0x89, 'P', 'N', 'G');
      assertThat(outcome.out()).contains(workload + ": ");
    }
    Path summary = dir.resolve("summary.png");
    assertThat(summary).isNotEmptyFile();
    assertThat(Files.readAllBytes(summary)).startsWith(0x89, 'P', 'N', 'G');
    assertThat(outcome.out()).contains((workloads + 1) + " plots");
    assertThat(outcome.out()).contains("controller", "downtime", "lat p99 ms", "threshold", "orbit", "*");
    int total = workloads * ControllerRegistry.builtIn().names().size() * 2;
    assertThat(outcome.err()).contains(total + "/" + total + " runs");
  }

  @Test
  void simulateReplaysATraceNamedAfterItsFile() throws IOException {
    Path trace = dir.resolve("myvm.csv");
    Files.writeString(trace, "seconds,divergences_per_second\n0,0\n10,6\n");
    Path out = dir.resolve("out");

    CommandOutcome outcome =
        CommandOutcome.run("simulate", "--trace", trace.toString(), "--controller", "threshold", "--alpha", "3",
            "--minutes", "0.5", "--runs", "1", "--out", out.toString(), "--no-plots");

    assertThat(outcome.exitCode()).as(outcome.err()).isZero();
    List<String> lines = Files.readAllLines(out.resolve("results.csv"));
    assertThat(lines).hasSize(4);
    assertThat(lines.get(1)).startsWith("myvm.csv,threshold,0,");
    // The static modes ran beside it on the same seed, for the regret columns.
    assertThat(lines.subList(2, 4)).satisfiesExactly(
        line -> assertThat(line).startsWith("myvm.csv,checkpoint,0,"),
        line -> assertThat(line).startsWith("myvm.csv,colo,0,"));
    assertThat(lines.get(1).split(",", -1)[12]).matches("\\d+\\.\\d{4}");
    assertThat(outcome.out()).contains("regret dt");
  }

  @Test
  void simulateWithoutBaselinesRunsTheControllerAloneAndShowsNoRegret() throws IOException {
    CommandOutcome outcome =
        CommandOutcome.run("simulate", "--workload", "rubis", "--controller", "pi", "--no-baselines",
            "--minutes", "0.2", "--runs", "1", "--out", dir.toString(), "--no-plots");

    assertThat(outcome.exitCode()).as(outcome.err()).isZero();
    List<String> lines = Files.readAllLines(dir.resolve("results.csv"));
    assertThat(lines).hasSize(2);
    assertThat(lines.get(1)).startsWith("rubis,pi,0,").endsWith(",,");
    assertThat(outcome.out()).doesNotContain("regret");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "compare --workloads nosuch",
        "compare --controllers colo,nosuch",
        "compare --controllers colo,colo",
        "compare --minutes -1",
        "compare --runs 0",
        "compare --minutes abc",
        "compare --nosuch-option",
        "simulate --controller threshold --alpha 0.5",
        "simulate --controller pi --ki -1",
        "simulate --controller orbit --passive-period 0ms",
        "simulate --controller checkpoint --checkpoint-period 10parsecs",
        "simulate --controller nosuch",
        "simulate --workload nosuch --controller colo",
        "simulate --controller colo --trace /no/such/trace.csv",
        "simulate --workload rubis --trace x.csv --controller colo",
      })
  void badArgumentsExitWithCodeTwoAndOneLine(String command) {
    StringBuilder line = new StringBuilder(command).append(" --out ").append(dir.resolve("x"));
    if (!command.contains("--minutes")) {
      line.append(" --minutes 0.05");
    }
    if (!command.contains("--runs")) {
      line.append(" --runs 1");
    }
    String[] ordered = line.toString().split(" ");

    CommandOutcome outcome = CommandOutcome.run(ordered);

    assertThat(outcome.exitCode()).isEqualTo(2);
    assertThat(outcome.err().strip()).startsWith("hybrid-ft: ").doesNotContain("\n");
    assertThat(outcome.err()).doesNotContain("Exception", "\tat ");
  }

  @Test
  void aBadTraceSaysFileLineAndReason() throws IOException {
    Path trace = dir.resolve("bad.csv");
    Files.writeString(trace, "seconds,divergences_per_second\n0,1\n5,-2\n");

    CommandOutcome outcome =
        CommandOutcome.run("simulate", "--trace", trace.toString(), "--controller", "colo", "--out", dir.toString());

    assertThat(outcome.exitCode()).isEqualTo(2);
    assertThat(outcome.err().strip())
        .isEqualTo("hybrid-ft: bad trace " + trace + ":3: negative rate: divergences_per_second must be >= 0, was -2");
  }

  @Test
  void anOptionNoSimulatedControllerReadsIsReported() {
    CommandOutcome outcome =
        CommandOutcome.run("simulate", "--controller", "pi", "--alpha", "3", "--minutes", "0.05", "--runs", "1",
            "--out", dir.toString(), "--no-plots");

    assertThat(outcome.exitCode()).isZero();
    assertThat(outcome.err())
        .contains("hybrid-ft: note: --alpha is ignored: only threshold reads it, and it is not simulated");
  }

  @Test
  void anOutputPathThatIsAFileIsAUsageError() throws IOException {
    Path file = Files.writeString(dir.resolve("taken"), "x");

    CommandOutcome outcome = CommandOutcome.run("compare", "--out", file.toString(), "--runs", "1", "--minutes", "0.05");

    assertThat(outcome.exitCode()).isEqualTo(2);
    assertThat(outcome.err().strip()).endsWith("a file of that name exists");
  }

  @Test
  void theReadmeExampleTraceReplays() {
    Path trace = Path.of(System.getProperty("user.dir")).resolveSibling("docs").resolve("example-trace.csv");

    CommandOutcome outcome =
        CommandOutcome.run("simulate", "--trace", trace.toString(), "--controller", "colo", "--minutes", "0.1",
            "--runs", "1", "--out", dir.toString(), "--no-plots");

    assertThat(outcome.exitCode()).as(outcome.err()).isZero();
    assertThat(outcome.out()).startsWith("example-trace.csv: ");
  }

  @Test
  void noSubcommandPrintsTheUsageAndExitsWithTwo() {
    CommandOutcome outcome = CommandOutcome.run();

    assertThat(outcome.exitCode()).isEqualTo(2);
    assertThat(outcome.err()).contains("compare", "simulate");
  }
}
