package org.hybridft.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.hybridft.controllers.ThresholdConfig;
import org.hybridft.controllers.ThresholdController;
import org.hybridft.evaluation.faults.CampaignReport;
import org.hybridft.evaluation.faults.FaultKind;
import org.hybridft.evaluation.faults.FaultTry;
import org.hybridft.evaluation.faults.TryResult;

/**
 * The fault campaign on the testbed: {@code --runs} tries, each a fresh pair under a writing load
 * with the threshold controller switching modes, broken by one fault at a random moment ({@link
 * FaultTry}); the kinds come round in a random order each round, so every kind gets its share.
 * The report ({@code report.md}, {@code tries.csv}, {@code report.json}) is rewritten after every
 * try, so an interrupted campaign keeps what it found.
 *
 * <pre>
 *   benchmarks/run.sh --faults --runs 100 --seed 1 --out benchmarks/results/faults-YYYYMMDD
 *       [--kinds primary-kill,link-cut] [--qemu PATH] [--work DIR]
 * </pre>
 *
 * About 30 s a try on 2 cores (a pair starts in about 14 s under TCG). Pairs take base ports
 * 31000-31900. Exits 1 when an acknowledged write was lost or a try failed a check.
 */
public final class FaultCampaign {
  private FaultCampaign() {}

  /** Entry point; see the class comment for the arguments. */
  public static void main(String[] args) throws Exception {
    int runs = 100;
    long seed = 1;
    Path out = null;
    Path qemu = null;
    Path work = null;
    List<FaultKind> kinds = List.of(FaultKind.values());
    for (int i = 0; i < args.length; i++) {
      String value = i + 1 < args.length ? args[i + 1] : null;
      switch (args[i]) {
        case "--runs" -> runs = Integer.parseInt(require(args[i], value));
        case "--seed" -> seed = Long.parseLong(require(args[i], value));
        case "--out" -> out = Path.of(require(args[i], value));
        case "--qemu" -> qemu = Path.of(require(args[i], value));
        case "--work" -> work = Path.of(require(args[i], value));
        case "--kinds" -> kinds = Arrays.stream(require(args[i], value).split(",")).map(FaultKind::parse).toList();
        default -> throw new IllegalArgumentException("unknown argument " + args[i]
            + " (expected --runs N --seed S --out DIR [--kinds K,...] [--qemu PATH] [--work DIR])");
      }
      i++;
    }
    if (out == null) {
      throw new IllegalArgumentException("--out DIR is required: the report's directory");
    }
    if (runs < 1 || runs > 10_000) {
      throw new IllegalArgumentException("--runs must be in [1, 10000], was " + runs);
    }
    Files.createDirectories(out);
    if (!Files.isWritable(out)) {
      throw new IllegalArgumentException("--out " + out + " is not writable");
    }
    if (work == null) {
      work = Files.createTempDirectory("hybrid-ft-faults");
    }
    String command = "benchmarks/run.sh --faults --runs " + runs + " --seed " + seed + " --out " + out
        + (kinds.size() == FaultKind.values().length ? ""
            : " --kinds " + String.join(",", kinds.stream().map(FaultKind::label).toList()));
    FaultTry tries = new FaultTry(FaultTry.Settings.defaults(testbedScripts(), qemu, work, 31_000, 31_900,
        FaultCampaign::switchingController));
    Random order = new Random(seed);
    List<FaultKind> round = new ArrayList<>();
    List<TryResult> results = new ArrayList<>();
    for (int i = 0; i < runs; i++) {
      if (round.isEmpty()) {
        round.addAll(kinds);
        Collections.shuffle(round, order);
      }
      FaultKind kind = round.remove(0);
      TryResult result = tries.run(i, kind, seed * 1_000_003L + i);
      results.add(result);
      System.out.printf(Locale.ROOT, "try %3d %-27s %s: failover %s, %d acknowledged, %d lost, serve again %.0f ms,"
              + " loop %s%s%n", i, kind.label(), result.passed() ? "passed" : "FAILED", result.failover(),
          result.acknowledged(), result.lost().size(), result.serveAgainMillis(), result.loopStates(),
          result.problem() == null ? "" : " (" + result.problem().lines().findFirst().orElse("") + ")");
      new CampaignReport(results).write(out, command);
    }
    CampaignReport report = new CampaignReport(results);
    System.out.println(report.markdown(command));
    System.exit(results.stream().allMatch(TryResult::passed) ? 0 : 1);
  }

  /**
   * The threshold controller with short stretches (2 s COLO window, 3-6 s in checkpoint mode at
   * 500 ms) and a 0.2 cps threshold, which the try's non-deterministic reads (1/s, about 0.65
   * checkpoints each) exceed: a try of a few seconds sees the loop switch modes.
   */
  static ThresholdController switchingController() {
    return new ThresholdController(ThresholdConfig.builder()
        .coloWindow(Duration.ofSeconds(2))
        .coloThresholdCps(0.2)
        .initialCheckpointStretch(Duration.ofSeconds(3))
        .minCheckpointStretch(Duration.ofSeconds(3))
        .maxCheckpointStretch(Duration.ofSeconds(6))
        .checkpointPeriod(Duration.ofMillis(500))
        .build());
  }

  private static Path testbedScripts() {
    String given = System.getProperty("hybridft.testbed");
    if (given != null) {
      return Path.of(given);
    }
    for (Path at = Path.of("").toAbsolutePath(); at != null; at = at.getParent()) {
      if (Files.isExecutable(at.resolve("testbed/start.sh"))) {
        return at.resolve("testbed");
      }
    }
    throw new IllegalStateException("no testbed/start.sh above " + Path.of("").toAbsolutePath()
        + ": run the campaign from the project's directory");
  }

  private static String require(String option, String value) {
    if (value == null) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return value;
  }
}
