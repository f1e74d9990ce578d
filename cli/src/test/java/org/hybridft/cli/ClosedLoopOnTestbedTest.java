package org.hybridft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.hybridft.qmp.Testbed;
import org.hybridft.report.ResultsCsv;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The research's claim on a real pair: on a workload whose replies turn non-deterministic and back,
 * the threshold controller runs checkpoint mode (mirror-passive, a true passive mode) in the
 * non-deterministic stretches and COLO in the deterministic ones, and its measured downtime ratio
 * is below both static modes' on the same workload. Real divergence, real checkpoints, real
 * pauses: {@code hybrid-ft evaluate} on the testbed's Linux pair, end to end (its table,
 * results.csv, timeline.csv and plot).
 */
@Tag("real-qemu")
@Timeout(value = 12, unit = TimeUnit.MINUTES)
class ClosedLoopOnTestbedTest {
  private static final Pattern REQUESTS =
      Pattern.compile("^\\s+(\\S+) run 0: (\\d+) / (\\d+) / (\\d+) / (\\d+) of (\\d+)$", Pattern.MULTILINE);
  private static final double STRETCH_SECONDS = 30;
  /** Deterministic, non-deterministic, deterministic: a change each way, judged. */
  private static final int STRETCHES = 3;
  /** Time the controller is given to react at the start of each stretch before it is judged. */
  private static final double REACTION_SECONDS = 10;

  @TempDir Path dir;
  private Testbed pair;

  @BeforeEach
  void startPair() throws Exception {
    pair = Testbed.start(dir, Testbed.Guest.LINUX);
  }

  @AfterEach
  void stopPair() throws Exception {
    if (pair != null) {
      pair.close();
    }
  }

  @Test
  void thresholdFollowsThePhasesAndBeatsBothStaticModesOnTheirDowntimeRatio() throws Exception {
    Path out = dir.resolve("evaluation");

    // A 1 s checkpoint period (passive mode: 1 cps) between deterministic COLO (about 0.1 cps) and
    // non-deterministic COLO (about 2.5-3 cps at 5 requests/s); short COLO probes and stretches so
    // that 90 s hold a deterministic, a non-deterministic and again a deterministic stretch. 1 s probes: in the calibrated model
    // (docs/real-qemu.md) they keep threshold 29 % below checkpoint mode, 2 s probes 21 %.
    CommandOutcome outcome = CommandOutcome.run("evaluate", "--qmp", pair.primarySocket().toString(),
        "--secondary-qmp", pair.secondarySocket().toString(),
        "--http", pair.http().toString(), "--controllers", "checkpoint,colo,threshold",
        "--workload", "phased", "--stretch", "30s", "--minutes", "1.5", "--rate", "5", "--settle", "3s",
        "--checkpoint-period", "1s", "--threshold-cps", "1", "--colo-window", "1s",
        "--initial-stretch", "10s", "--min-stretch", "5s", "--max-stretch", "10s",
        // The research's rule (α 2, no learnt episodes): 90 s hold too few episodes to learn.
        "--alpha", "2", "--learn-episodes", "false",
        "--out", out.toString());

    assertThat(outcome.exitCode()).as(outcome.out() + outcome.err()).isZero();
    System.out.println(outcome.out());
    // The outputs of compare: results.csv with its header and one real-phased row per controller, a plot.
    List<String> csv = Files.readAllLines(out.resolve("results.csv"));
    assertThat(csv.get(0)).isEqualTo(ResultsCsv.HEADER);
    assertThat(csv.subList(1, csv.size())).hasSize(3).allMatch(row -> row.startsWith("real-phased,"));
    assertThat(out.resolve("real-phased.png")).isNotEmptyFile();
    int downtimeColumn = List.of(ResultsCsv.HEADER.split(",")).indexOf("downtime_ratio");
    int cpsColumn = List.of(ResultsCsv.HEADER.split(",")).indexOf("checkpoints_per_second");
    Map<String, String[]> rows = csv.subList(1, csv.size()).stream()
        .map(row -> row.split(","))
        .collect(Collectors.toMap(cells -> cells[1], cells -> cells));
    Map<String, Double> downtime = rows.entrySet().stream()
        .collect(Collectors.toMap(Map.Entry::getKey, e -> Double.parseDouble(e.getValue()[downtimeColumn])));
    // Measured on the pair, never NaN: CPU of both QEMUs, checkpoint and client bytes.
    int cpuColumn = List.of(ResultsCsv.HEADER.split(",")).indexOf("cpu_seconds");
    int networkColumn = List.of(ResultsCsv.HEADER.split(",")).indexOf("network_mb");
    rows.forEach((controller, cells) -> {
      assertThat(Double.parseDouble(cells[cpuColumn])).as("cpu of " + controller).isPositive();
      assertThat(Double.parseDouble(cells[networkColumn])).as("network of " + controller).isPositive();
    });
    // Passive mode: one checkpoint per 1 s period whatever the replies.
    assertThat(Double.parseDouble(rows.get("checkpoint")[cpsColumn])).isBetween(0.9, 1.1);
    // No wrong reply and no error, in every mode. A request that gets no reply within the 30 s
    // timeout is tolerated up to 1 % of the arrivals: in checkpoint mode on the testbed about one
    // connection in 500 stalls that long now and then (docs/real-qemu.md, "hybrid-ft evaluate").
    Matcher requests = REQUESTS.matcher(outcome.out());
    int controllers = 0;
    while (requests.find()) {
      controllers++;
      long arrivals = Long.parseLong(requests.group(6));
      assertThat(Long.parseLong(requests.group(3)) + Long.parseLong(requests.group(4)))
          .as("no wrong reply and no error: " + requests.group()).isZero();
      assertThat(Long.parseLong(requests.group(5))).as("timeouts: " + requests.group())
          .isLessThanOrEqualTo(arrivals / 100);
      assertThat(Long.parseLong(requests.group(2))).as("correct replies: " + requests.group())
          .isEqualTo(arrivals - Long.parseLong(requests.group(5))).isPositive();
    }
    assertThat(controllers).as(outcome.out()).isEqualTo(3);
    assertThat(downtime.get("threshold")).as("threshold against static checkpoint mode: " + downtime)
        .isLessThan(downtime.get("checkpoint"));
    assertThat(downtime.get("threshold")).as("threshold against static COLO: " + downtime)
        .isLessThan(downtime.get("colo"));

    List<String[]> ticks = Files.readAllLines(out.resolve("timeline.csv")).stream().skip(1)
        .map(row -> row.split(","))
        .filter(cells -> cells[0].equals("threshold"))
        .toList();
    for (int stretch = 0; stretch < STRETCHES; stretch++) {
      double from = stretch * STRETCH_SECONDS + REACTION_SECONDS;
      double to = (stretch + 1) * STRETCH_SECONDS;
      boolean nondeterministic = stretch % 2 == 1;
      List<String[]> judged = ticks.stream()
          .filter(cells -> Double.parseDouble(cells[2]) > from && Double.parseDouble(cells[2]) <= to)
          .toList();
      long expectedMode = judged.stream()
          .filter(cells -> cells[3].equals(nondeterministic ? "CHECKPOINT" : "COLO"))
          .count();
      assertThat(judged).as("ticks of stretch %d", stretch).isNotEmpty();
      assertThat((double) expectedMode / judged.size())
          .as("share of %s in the %s stretch %d (%.0f-%.0f s): %s", nondeterministic ? "CHECKPOINT" : "COLO",
              nondeterministic ? "non-deterministic" : "deterministic", stretch, from, to,
              judged.stream().map(cells -> (cells[3].equals("COLO") ? "C " : "K ") + cells[4]).toList())
          .isGreaterThanOrEqualTo(0.6);
    }
  }
}
