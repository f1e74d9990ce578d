package org.hybridft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.hybridft.qmp.Testbed;
import org.hybridft.sim.ResultsCsv;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
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
@Tag("real-qemu")
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class EvaluateOnTestbedTest {
  private static final Pattern REQUESTS =
      Pattern.compile("^\\s+(\\S+) run 0: (\\d+) / (\\d+) / (\\d+) / (\\d+) of (\\d+)$", Pattern.MULTILINE);

  @TempDir Path dir;
  private Testbed pair;
  private String primaryQmp;
  private String guestHttp;

  @BeforeEach
  void startPair() throws Exception {
    pair = Testbed.start(dir, Testbed.Guest.LINUX);
    primaryQmp = pair.primarySocket().toString();
    guestHttp = pair.http().toString();
  }

  @AfterEach
  void stopPair() throws Exception {
    if (pair != null) {
      pair.close();
    }
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
}
