package org.hybridft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hybridft.controllers.ControllerRegistry;
import org.hybridft.controllers.PiController;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TuneCommandTest {
  @TempDir Path dir;

  /** The tuned column of tune's table ("parameter default tuned") for the given parameters. */
  private static Map<String, String> tunedColumn(String table, String... parameters) {
    Map<String, String> tuned = new LinkedHashMap<>();
    for (String parameter : parameters) {
      Matcher row = Pattern.compile("(?m)^" + Pattern.quote(parameter) + " +\\S+ +(\\S+)$").matcher(table);
      assertThat(row.find()).as("row of " + parameter + " in\n" + table).isTrue();
      tuned.put(parameter, row.group(1));
    }
    return tuned;
  }

  @Test
  void tuneWritesAConfigThatSimulateAndCompareAccept() throws IOException {
    CommandOutcome tuned =
        CommandOutcome.run("tune", "--controller", "pi", "--workload", "bugzilla", "--budget", "6", "--runs", "2",
            "--minutes", "2", "--threads", "2", "--out", dir.toString());

    assertThat(tuned.exitCode()).as(tuned.err()).isZero();
    assertThat(tuned.out()).contains("set-point", "kp", "ki", "duty-window", "min-dwell", "cost");
    assertThat(tuned.err()).contains("6/6 candidates");
    Path config = dir.resolve("tuned-pi.properties");
    assertThat(Files.readString(config)).contains("controller=pi", "name=pi-tuned", "set-point=");
    assertThat(dir.resolve("tune-pi.png")).isNotEmptyFile();
    assertThat(ControllerRegistry.builtIn().load(config).config())
        .as("the file, read without the command, holds the tuned column of the table")
        .isEqualTo(PiController.DESCRIPTOR.config(tunedColumn(tuned.out(), "set-point", "kp", "ki", "duty-window",
            "min-dwell")));

    Path simulated = dir.resolve("simulated");
    CommandOutcome simulate =
        CommandOutcome.run("simulate", "--config", config.toString(), "--workload", "bugzilla", "--minutes", "0.5",
            "--runs", "1", "--out", simulated.toString(), "--no-plots");
    assertThat(simulate.exitCode()).as(simulate.err()).isZero();
    assertThat(Files.readAllLines(simulated.resolve("results.csv")).get(1)).startsWith("bugzilla,pi-tuned,0,");

    Path compared = dir.resolve("compared");
    CommandOutcome compare =
        CommandOutcome.run("compare", "--workloads", "rubis", "--controllers", "pi", "--config", config.toString(),
            "--minutes", "0.5", "--runs", "1", "--out", compared.toString(), "--no-plots");
    assertThat(compare.exitCode()).as(compare.err()).isZero();
    List<String> rows = Files.readAllLines(compared.resolve("results.csv"));
    assertThat(rows).hasSize(3);
    assertThat(rows.get(2)).startsWith("rubis,pi-tuned,0,");
  }

  @ParameterizedTest
  @ValueSource(strings = {"threshold", "pi", "learning", "orbit"})
  void everyTunableControllerTunesFromItsDefaults(String controller) {
    // Defaults that follow the checkpoint period (threshold-cps 0, set-point 0) are points of the
    // search space too: the defaults are scored first, as they are.
    CommandOutcome outcome =
        CommandOutcome.run("tune", "--controller", controller, "--workload", "phased", "--budget", "2", "--runs", "1",
            "--minutes", "0.2", "--threads", "1", "--out", dir.toString());

    assertThat(outcome.exitCode()).as(outcome.err()).isZero();
    assertThat(dir.resolve("tuned-" + controller + ".properties")).isNotEmptyFile();
  }

  @Test
  void aBudgetTooSmallToMoveFromTheDefaultsSaysSo() {
    CommandOutcome outcome =
        CommandOutcome.run("tune", "--controller", "pi", "--workload", "rubis", "--budget", "1", "--runs", "1",
            "--minutes", "0.2", "--threads", "1", "--out", dir.toString());

    assertThat(outcome.exitCode()).as(outcome.err()).isZero();
    assertThat(outcome.out())
        .contains("no candidate beat the defaults")
        .contains("--budget 1 was too small to move from them")
        .contains("--budget 60")
        .doesNotContain("+0.0%");
  }

  @Test
  void commandLineOptionsOverrideTheConfigFile() throws IOException {
    Path config = dir.resolve("pi.properties");
    Files.writeString(config, "controller=pi\nname=mine\nkp=0.3\n");
    CommandOutcome overridden =
        CommandOutcome.run("simulate", "--config", config.toString(), "--kp", "-1", "--minutes", "0.05", "--runs", "1",
            "--out", dir.toString(), "--no-plots");
    assertThat(overridden.exitCode()).isEqualTo(2);
    assertThat(overridden.err()).contains("kp must be finite and >= 0.0, was -1.0");
  }

  @Test
  void aConfigUnderItsOwnNameStillCountsAsItsControllerForOptionNotes() throws IOException {
    Path config = dir.resolve("mine.properties");
    Files.writeString(config, "controller=pi\nname=mine\n");
    CommandOutcome outcome =
        CommandOutcome.run("simulate", "--config", config.toString(), "--kp", "0.2", "--minutes", "0.05",
            "--runs", "1", "--out", dir.toString(), "--no-plots");
    assertThat(outcome.exitCode()).as(outcome.err()).isZero();
    assertThat(outcome.err()).doesNotContain("--kp is ignored");
    assertThat(Files.readAllLines(dir.resolve("results.csv")).get(1)).contains(",mine,0,");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "controller=pi\nnosuch=1\n",
        "controller=pi\nkp=abc\n",
        "controller=pi\nki=0\n",
        "kp=0.1\n",
        "controller=nosuch\n",
      })
  void badConfigFilesExitWithCodeTwoAndOneLine(String text) throws IOException {
    Path config = dir.resolve("bad.properties");
    Files.writeString(config, text);
    CommandOutcome outcome =
        CommandOutcome.run("simulate", "--config", config.toString(), "--minutes", "0.05", "--runs", "1",
            "--out", dir.toString(), "--no-plots");
    assertThat(outcome.exitCode()).isEqualTo(2);
    assertThat(outcome.err().strip()).startsWith("hybrid-ft: ").doesNotContain("\n", "Exception");
  }

  @Test
  void aConfigContradictingTheControllerOptionIsRejected() throws IOException {
    Path config = dir.resolve("pi.properties");
    Files.writeString(config, "controller=pi\n");
    CommandOutcome outcome =
        CommandOutcome.run("simulate", "--config", config.toString(), "--controller", "threshold", "--minutes", "0.05",
            "--runs", "1", "--out", dir.toString(), "--no-plots");
    assertThat(outcome.exitCode()).isEqualTo(2);
    assertThat(outcome.err()).contains("contradicts controller=pi");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "tune --controller colo --workload rubis",
        "tune --controller pi",
        "tune --controller pi --workload rubis --trace x.csv",
        "tune --controller pi --workload nosuch",
        "tune --controller pi --workload rubis --objective speed",
        "tune --controller pi --workload rubis --budget 0",
        "tune --controller pi --workload rubis --runs 0",
        "tune --controller pi --workload rubis --minutes -3",
        "tune --controller pi --workload rubis --latency-weight -1",
        "tune --controller pi --trace /no/such/trace.csv",
      })
  void badTuneArgumentsExitWithCodeTwoAndOneLine(String command) {
    CommandOutcome outcome = CommandOutcome.run((command + " --out " + dir.resolve("x")).split(" "));
    assertThat(outcome.exitCode()).isEqualTo(2);
    assertThat(outcome.err().strip()).startsWith("hybrid-ft: ").doesNotContain("\n");
    assertThat(outcome.err()).doesNotContain("Exception", "\tat ");
  }
}
