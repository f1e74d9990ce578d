package org.hybridft.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.hybridft.sim.ResultsCsv;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hybrid-ft evaluate} end to end on the real testbed: {@code testbed/start.sh} starts a
 * COLO pair of the patched QEMU under TCG with the Linux guest, the command evaluates two
 * controllers on it, {@code stop.sh} ends it. Skipped, with the reason, where {@code
 * testbed/build-qemu.sh} has not cached its QEMU (building it takes minutes); under {@code
 * CI=true} a missing testbed fails instead.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class EvaluateOnTestbedTest {
  private static final Path TESTBED = Path.of("..", "testbed").toAbsolutePath().normalize();
  /** In the range kept for this test: 24100..24108. */
  private static final int BASE_PORT = 24100;
  private static final Pattern REQUESTS =
      Pattern.compile("^\\s+(\\S+) run 0: (\\d+) / (\\d+) / (\\d+) / (\\d+) of (\\d+)$", Pattern.MULTILINE);

  @TempDir Path dir;
  private boolean started;
  private String primaryQmp;
  private String guestHttp;

  @BeforeEach
  void startPair() throws Exception {
    String missing = missingTestbed();
    if (missing != null) {
      if ("true".equals(System.getenv("CI"))) {
        fail("CI=true but " + missing);
      }
      System.err.println("EvaluateOnTestbedTest skipped: " + missing);
      Assumptions.abort(missing);
    }
    Process start = new ProcessBuilder(TESTBED.resolve("start.sh").toString(), "--dir", dir.toString(),
            "--base-port", Integer.toString(BASE_PORT), "--timeout", "120")
        .redirectErrorStream(true)
        .start();
    started = true;
    if (!start.waitFor(150, TimeUnit.SECONDS)) {
      start.destroyForcibly();
      fail("testbed/start.sh did not finish in 150 s");
    }
    String output = new String(start.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(start.exitValue()).as(output).isZero();
    primaryQmp = field(output, "primary QMP:");
    guestHttp = field(output, "guest HTTP:");
  }

  @AfterEach
  void stopPair() throws Exception {
    if (!started) {
      return;
    }
    Process stop = new ProcessBuilder(TESTBED.resolve("stop.sh").toString(), "--dir", dir.toString())
        .redirectErrorStream(true)
        .start();
    assertThat(stop.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(dir.resolve("primary.pid")).doesNotExist();
    assertThat(dir.resolve("secondary.pid")).doesNotExist();
  }

  @Test
  void checkpointHoldsItsPeriodAndColoCheckpointsPerDivergingReplyOnTheRealPair() throws IOException {
    Path out = dir.resolve("evaluation");

    CommandOutcome outcome = CommandOutcome.run("evaluate", "--qmp", primaryQmp, "--http", guestHttp,
        "--controllers", "checkpoint,colo", "--workload", "nondeterministic", "--minutes", "0.5",
        "--checkpoint-period", "500ms", "--settle", "3s", "--out", out.toString());

    assertThat(outcome.exitCode()).as(outcome.out() + outcome.err()).isZero();
    List<String> csv = Files.readAllLines(out.resolve("results.csv"));
    assertThat(csv.get(0)).isEqualTo(ResultsCsv.HEADER);
    assertThat(csv.subList(1, csv.size())).hasSize(2).allMatch(row -> row.startsWith("real-nondeterministic,"));
    Map<String, String[]> rows = csv.subList(1, csv.size()).stream()
        .map(row -> row.split(","))
        .collect(Collectors.toMap(cells -> cells[1], cells -> cells));
    int cps = List.of(ResultsCsv.HEADER.split(",")).indexOf("checkpoints_per_second");
    // Passive mode: one checkpoint per 500 ms period, whatever the replies.
    assertThat(Double.parseDouble(rows.get("checkpoint")[cps])).isBetween(1.6, 2.4);
    // COLO: about 0.65 checkpoints per diverging reply at 5 requests/s.
    assertThat(Double.parseDouble(rows.get("colo")[cps])).isGreaterThanOrEqualTo(1.5);
    assertThat(out.resolve("real-nondeterministic.png")).isNotEmptyFile();

    Matcher requests = REQUESTS.matcher(outcome.out());
    int controllers = 0;
    while (requests.find()) {
      controllers++;
      String line = requests.group();
      long arrivals = Long.parseLong(requests.group(6));
      assertThat(arrivals).as(line).isPositive();
      assertThat(Long.parseLong(requests.group(3))).as("no wrong reply: " + line).isZero();
      assertThat(Long.parseLong(requests.group(4))).as("no error: " + line).isZero();
      // Every reply correct in both modes (the guest's server accepts bursts of connections).
      assertThat(Long.parseLong(requests.group(2))).as("every reply correct: " + line).isEqualTo(arrivals);
    }
    assertThat(controllers).as(outcome.out()).isEqualTo(2);
  }

  private static String field(String output, String label) {
    return output.lines()
        .filter(line -> line.startsWith(label))
        .map(line -> line.substring(label.length()).strip())
        .findFirst()
        .orElseThrow(() -> new AssertionError("start.sh printed no '" + label + "' line: " + output));
  }

  /** Why the testbed cannot run here, or null: the scripts or build-qemu.sh's cached QEMU missing. */
  private static @Nullable String missingTestbed() throws IOException {
    if (!Files.isExecutable(TESTBED.resolve("start.sh"))) {
      return TESTBED.resolve("start.sh") + " is missing";
    }
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path cache = (xdg == null || xdg.isBlank() ? Path.of(System.getProperty("user.home"), ".cache") : Path.of(xdg))
        .resolve("hybrid-ft");
    if (Files.isDirectory(cache)) {
      try (DirectoryStream<Path> builds = Files.newDirectoryStream(cache, "qemu-*")) {
        for (Path build : builds) {
          if (Files.isExecutable(build.resolve("bin/qemu-system-x86_64"))) {
            return null;
          }
        }
      }
    }
    return "no QEMU built by testbed/build-qemu.sh under " + cache + " (run testbed/build-qemu.sh, about 5 minutes)";
  }
}
