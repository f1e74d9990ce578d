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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hybrid-ft run} end to end: {@code examples/colo-pair/start.sh} starts a real KVM COLO
 * pair, the command drives it, {@code stop.sh} ends it. Skipped, with the reason printed, where
 * KVM, QEMU or python3 (for the scripts) is missing; under {@code CI=true} with a usable
 * {@code /dev/kvm} a missing tool fails the test instead.
 */
class RunCommandOnColoPairTest {
  private static final Path SCRIPTS = Path.of("colo-pair").toAbsolutePath();
  private static final Pattern STATUS =
      Pattern.compile("^\\s*[0-9.]+s\\s+(COLO|CHECKPOINT)\\s+cps\\s+([0-9.]+)\\s+downtime\\s+([0-9.]+)%$");

  @TempDir Path dir;
  private Path primaryQmp;
  private Path secondaryQmp;


  @BeforeEach
  void startPair() throws Exception {
    String missing = missingPrerequisite();
    if (missing != null) {
      if ("true".equals(System.getenv("CI")) && kvmUsable()) {
        fail("/dev/kvm is usable under CI but " + missing);
      }
      System.err.println("RunCommandOnColoPairTest skipped: " + missing);
      Assumptions.abort(missing);
    }
    Process start = new ProcessBuilder(
            SCRIPTS.resolve("start.sh").toString(), "--dir", dir.toString(), "--base-port", "21000")
        .redirectErrorStream(true)
        .start();
    if (!start.waitFor(60, TimeUnit.SECONDS)) {
      start.destroyForcibly();
      fail("start.sh did not finish in 60 s");
    }
    String output = new String(start.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(start.exitValue()).as(output).isZero();
    primaryQmp = dir.resolve("primary.qmp");
    secondaryQmp = dir.resolve("secondary.qmp");
    assertThat(output).contains("primary QMP:   " + primaryQmp);
  }

  @AfterEach
  void stopPair() throws Exception {
    if (primaryQmp == null) {
      return;
    }
    Process stop = new ProcessBuilder(SCRIPTS.resolve("stop.sh").toString(), "--dir", dir.toString())
        .redirectErrorStream(true)
        .start();
    assertThat(stop.waitFor(30, TimeUnit.SECONDS)).isTrue();
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

  private static String missingPrerequisite() {
    if (!kvmUsable()) {
      return "/dev/kvm cannot be opened (the COLO pair needs KVM)";
    }
    for (String tool : List.of("qemu-system-x86_64", "qemu-img", "python3")) {
      if (!onPath(tool)) {
        return tool + " is not on PATH";
      }
    }
    return null;
  }

  /** A character device that opens read-write without creating anything (never "rw" mode). */
  private static boolean kvmUsable() {
    Path device = Path.of("/dev/kvm");
    try {
      int mode = (Integer) Files.getAttribute(device, "unix:mode");
      if ((mode & 0170000) != 0020000) {
        return false;
      }
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return false;
    }
    try (var channel = Files.newByteChannel(device, java.nio.file.StandardOpenOption.READ,
        java.nio.file.StandardOpenOption.WRITE)) {
      return channel.isOpen();
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return false;
    }
  }

  private static boolean onPath(String tool) {
    for (String directory : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(directory, tool))) {
        return true;
      }
    }
    return false;
  }
}
