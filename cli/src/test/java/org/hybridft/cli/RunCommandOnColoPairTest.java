package org.hybridft.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hybridft.qmp.QmpClient;
import org.hybridft.qmp.Testbed;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hybrid-ft run} end to end on a real COLO pair of the testbed ({@code testbed/start.sh},
 * the patched QEMU under TCG, BIOS-only guest). Skipped, with the reason printed, where the
 * testbed's QEMU is not built; under {@code CI=true} that fails instead.
 */
@Tag("real-qemu")
class RunCommandOnColoPairTest {
  private static final Pattern STATUS =
      Pattern.compile("^\\s*[0-9.]+s\\s+(COLO|CHECKPOINT)\\s+cps\\s+([0-9.]+)\\s+downtime\\s+([0-9.]+)%$");

  @TempDir Path dir;
  private Testbed pair;
  private Path primaryQmp;
  private Path secondaryQmp;

  @BeforeEach
  void startPair() throws Exception {
    pair = Testbed.start(dir, Testbed.Guest.BIOS);
    primaryQmp = pair.primarySocket();
    secondaryQmp = pair.secondarySocket();
  }

  @AfterEach
  void stopPair() throws Exception {
    if (pair != null) {
      pair.close();
    }
    assertThat(Files.exists(dir.resolve("primary.pid"))).isFalse();
    assertThat(Files.exists(dir.resolve("secondary.pid"))).isFalse();
  }

  @Test
  void checkpointModeAt200msPrintsFiveCheckpointsPerSecondAndASummary() {
    CommandOutcome outcome =
        CommandOutcome.run("run", "--qmp", primaryQmp.toString(), "--controller", "checkpoint",
            "--checkpoint-period", "200ms", "--duration", "6s");

    assertThat(outcome.exitCode()).as(outcome.err()).isZero();
    List<Matcher> status = outcome.out().lines().map(STATUS::matcher).filter(Matcher::matches).toList();
    assertThat(status).hasSizeGreaterThanOrEqualTo(4);
    Matcher last = status.get(status.size() - 1);
    assertThat(last.group(1)).isEqualTo("CHECKPOINT");
    assertThat(Double.parseDouble(last.group(2))).isBetween(4.0, 6.0);
    assertThat(Double.parseDouble(last.group(3))).isBetween(0.0, 100.0).isPositive();
    assertThat(outcome.out())
        .contains("summary:", "0 mode switches", "ended by the user", "checkpoint pauses");
  }

  @Test
  void failoverEndsTheRunWithTheColoExitReason() throws Exception {
    CompletableFuture<CommandOutcome> running =
        CompletableFuture.supplyAsync(() ->
            CommandOutcome.run("run", "--qmp", primaryQmp.toString(), "--controller", "checkpoint",
                "--checkpoint-period", "500ms", "--duration", "60s"));
    Thread.sleep(3_000);
    try (QmpClient secondary = QmpClient.unix(secondaryQmp).connect()) {
      secondary.call("nbd-server-stop", null);
      secondary.call("x-colo-lost-heartbeat", null);
    }
    CommandOutcome outcome = running.get(30, TimeUnit.SECONDS);

    assertThat(outcome.exitCode()).as(outcome.err()).isZero();
    assertThat(outcome.out()).contains("ended by the replication:", "COLO_EXIT");
  }
}
