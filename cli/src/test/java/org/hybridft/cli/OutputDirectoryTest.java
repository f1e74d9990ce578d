package org.hybridft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --out is checked before any simulation runs, and its failures read as one plain line. */
class OutputDirectoryTest {
  @TempDir Path dir;

  @Test
  void anOutputPathThatIsAFileIsRefusedBeforeAnySimulationRuns() throws IOException {
    Path file = Files.writeString(dir.resolve("taken"), "x");

    CommandOutcome outcome =
        CommandOutcome.run("simulate", "--controller", "colo", "--out", file.toString(), "--runs", "3",
            "--minutes", "0.05");

    assertThat(outcome.exitCode()).isEqualTo(2);
    assertThat(outcome.err().strip()).isEqualTo(
        "hybrid-ft: cannot create the output directory " + file + ": a file of that name exists");
    assertThat(outcome.err()).doesNotContain("runs");
  }

  @Test
  void anOutputDirectoryThatCannotBeCreatedSaysWhyWithoutAnExceptionName() {
    Path impossible = Path.of("/proc/hybrid-ft-no-such-dir");

    CommandOutcome outcome =
        CommandOutcome.run("compare", "--workloads", "rubis", "--controllers", "colo", "--out", impossible.toString(),
            "--runs", "1", "--minutes", "0.05");

    assertThat(outcome.exitCode()).isEqualTo(2);
    assertThat(outcome.err().strip())
        .startsWith("hybrid-ft: cannot create the output directory " + impossible + ": ")
        .doesNotContain("Exception", "java.nio")
        .doesNotContain("\n");
    assertThat(outcome.err()).doesNotContain("runs");
  }

  @Test
  void anExistingOutputDirectoryThatCannotBeWrittenIsRefusedBeforeAnySimulationRuns() {
    CommandOutcome outcome =
        CommandOutcome.run("simulate", "--controller", "colo", "--out", "/proc", "--runs", "3", "--minutes", "0.05");

    assertThat(outcome.exitCode()).isEqualTo(2);
    assertThat(outcome.err().strip())
        .startsWith("hybrid-ft: cannot write in the output directory /proc: ")
        .doesNotContain("Exception", "java.nio")
        .doesNotContain("\n");
    assertThat(outcome.out()).as("no simulation ran").doesNotContain("downtime");
  }

  @Test
  void aRunWhoseDurationDoesNotFitIsAUsageErrorBeforeAnythingIsTouched() {
    CommandOutcome outcome = CommandOutcome.run(
        "run", "--qmp", dir.resolve("no-such.qmp").toString(), "--duration", "PT9999999999H");

    assertThat(outcome.exitCode()).isEqualTo(2);
    assertThat(outcome.err()).contains("--duration").contains("'PT9999999999H' is out of range")
        .doesNotContain("no such socket", "ArithmeticException");
  }

  @Test
  void tuneSaysWhyItsOutputDirectoryCannotBeCreated() {
    Path impossible = Path.of("/proc/hybrid-ft-no-such-dir");

    CommandOutcome outcome =
        CommandOutcome.run("tune", "--controller", "pi", "--workload", "rubis", "--budget", "1", "--runs", "1",
            "--minutes", "0.05", "--out", impossible.toString());

    assertThat(outcome.exitCode()).isEqualTo(2);
    assertThat(outcome.err().strip())
        .startsWith("hybrid-ft: cannot create the output directory " + impossible + ": ")
        .doesNotContain("Exception", "java.nio");
  }

  @Test
  void aTracePlotIsNamedAfterTheTraceWithoutItsCsvExtension() throws IOException {
    Path trace = Files.writeString(dir.resolve("myvm.csv"), "seconds,divergences_per_second\n0,0\n10,6\n");
    Path out = dir.resolve("out");

    CommandOutcome outcome =
        CommandOutcome.run("simulate", "--trace", trace.toString(), "--controller", "colo", "--minutes", "0.2",
            "--runs", "1", "--out", out.toString());

    assertThat(outcome.exitCode()).as(outcome.err()).isZero();
    assertThat(out.resolve("myvm.png")).isNotEmptyFile();
    assertThat(out.resolve("myvm.csv.png")).doesNotExist();
    assertThat(outcome.out()).contains("(2 stretches)");
  }

  @Test
  void aOneRowTraceIsOneStretch() throws IOException {
    Path trace = Files.writeString(dir.resolve("flat.csv"), "seconds,divergences_per_second\n0,1\n");

    CommandOutcome outcome =
        CommandOutcome.run("simulate", "--trace", trace.toString(), "--controller", "colo", "--minutes", "0.05",
            "--runs", "1", "--no-plots", "--out", dir.resolve("out").toString());

    assertThat(outcome.exitCode()).as(outcome.err()).isZero();
    assertThat(outcome.out()).contains("(1 stretch)").doesNotContain("1 stretches");
  }
}
