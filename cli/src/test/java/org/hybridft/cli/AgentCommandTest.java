package org.hybridft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.hybridft.qmp.testing.FakeQmpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code hybrid-ft agent}: its configuration check, and the service's signals in a JVM of its own. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AgentCommandTest {
  @TempDir Path dir;

  @Test
  void aConfigurationWithMistakesExitsTwoWithOneLineEach() throws IOException {
    Path file = dir.resolve("agent.properties");
    Files.writeString(file, "discovery.sockets = relative/*.qmp\nstop.mode = never\n");

    CommandOutcome outcome = CommandOutcome.run("agent", "--config", file.toString());

    assertThat(outcome.exitCode()).isEqualTo(2);
    assertThat(outcome.err()).contains(file + ": 2 mistakes")
        .contains("\n  discovery.sockets = relative/*.qmp: 'relative/*.qmp' is not absolute")
        .contains("\n  stop.mode = never: allowed: checkpoint, colo, leave");
  }

  @Test
  void checkPrintsWhatEachVmWouldGet() throws IOException {
    Path file = dir.resolve("agent.properties");
    Files.writeString(file, "discovery.sockets = /run/vms/*.qmp\nvm.db.controller = pi\nvm.db.set-point = 3\n");

    CommandOutcome outcome = CommandOutcome.run("agent", "--config", file.toString(), "--check");

    assertThat(outcome.exitCode()).as(outcome.err()).isZero();
    assertThat(outcome.out()).contains(file + ": valid; sockets /run/vms/*.qmp; metrics 127.0.0.1:9400")
        .contains("every VM: controller threshold")
        .contains("db: controller pi").contains("set-point=3.0").contains("period 1s");
  }

  @Test
  void sighupReloadsAndSigtermStopsLeavingTheVmInCheckpointMode() throws Exception {
    Path vmDir = Files.createDirectories(dir.resolve("vm-a"));
    try (FakeQmpServer qemu = FakeQmpServer.answering(vmDir, "10.0.13", Map.of(
        "query-name", "{\"name\": \"vm-a\"}",
        "query-colo-status", "{\"mode\": \"primary\"}",
        "query-migrate-capabilities", "[{\"capability\": \"events\", \"state\": true}]",
        "qom-list", "[]",
        "migrate-set-parameters", "{}",
        "query-migrate-parameters", "{\"x-checkpoint-delay\": 10000}",
        "query-status", "{\"status\": \"colo\", \"running\": true}"))) {
      Path file = dir.resolve("agent.properties");
      Files.writeString(file, "discovery.sockets = " + dir + "/*/fake-qmp.sock\ndiscovery.interval = 200ms\n"
          + "metrics.listen = 0\nlog.format = json\n");
      Path log = dir.resolve("agent.log");
      // As systemd starts a service: SIGHUP at its default, even when this test runs under nohup
      // (a JVM cannot catch a signal that was ignored when it started).
      Process agent = startAgent("--default-signal=HUP", file, log);
      try {
        awaitLog(log, "\"event\":\"attached\"");
        new ProcessBuilder("kill", "-HUP", Long.toString(agent.pid())).start().waitFor(10, TimeUnit.SECONDS);
        awaitLog(log, "\"event\":\"reloaded\"");
        assertThat(agent.isAlive()).as("SIGHUP reloads, it does not stop the agent").isTrue();

        agent.destroy(); // SIGTERM
        assertThat(agent.waitFor(30, TimeUnit.SECONDS)).as("stopped within stop.timeout").isTrue();
        String text = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(text).contains("\"event\":\"detached\"").contains("left in CHECKPOINT")
            .contains("\"event\":\"stopped\"");
        // A JVM ended by SIGTERM exits 128 + 15 once its shutdown hooks are done.
        assertThat(agent.exitValue()).isEqualTo(143);
      } finally {
        agent.destroyForcibly();
      }
    }
  }

  @Test
  void anAgentStartedWithSighupIgnoredSaysItCannotReloadOnIt() throws Exception {
    Path file = dir.resolve("agent.properties");
    Files.writeString(file, "discovery.sockets = " + dir + "/*/fake-qmp.sock\nmetrics.listen = off\nlog.format = json\n");
    Path log = dir.resolve("agent.log");
    // As nohup starts it.
    Process agent = startAgent("--ignore-signal=HUP", file, log);
    try {
      awaitLog(log, "\"event\":\"sighup-ignored\"");
      assertThat(Files.readString(log, StandardCharsets.UTF_8)).contains("a change of the file still does");
    } finally {
      agent.destroy();
      agent.waitFor(30, TimeUnit.SECONDS);
      agent.destroyForcibly();
    }
  }

  /** {@code hybrid-ft agent --config file} in its own JVM, SIGHUP set by {@code env}'s option, output to log. */
  private static Process startAgent(String sighup, Path file, Path log) throws IOException {
    return new ProcessBuilder("env", sighup, Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), HybridFt.class.getName(), "agent", "--config", file.toString())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }

  private static void awaitLog(Path log, String text) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      String now = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
      if (now.contains(text)) {
        return;
      }
      assertThat(System.nanoTime()).as("waited 30 s for " + text + " in the agent's log:\n" + now)
          .isLessThan(deadline);
      Thread.sleep(100);
    }
  }

}
