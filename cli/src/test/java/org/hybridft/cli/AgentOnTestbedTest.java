package org.hybridft.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hybridft.cli.AgentTestLog.count;
import static org.hybridft.cli.AgentTestLog.get;
import static org.hybridft.cli.AgentTestLog.switchedToCheckpoint;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.hybridft.agent.Agent;
import org.hybridft.agent.VmStatus;
import org.hybridft.qmp.Testbed;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent supervising two real COLO pairs of the testbed, started under it: both attached, one
 * switched to checkpoint mode by non-deterministic traffic, its QEMU killed and the pair started
 * again (attached again), the other's QEMU hung with SIGSTOP and continued (fail-safe and back),
 * then a stop that leaves both in checkpoint mode and no thread behind.
 */
@Tag("real-qemu")
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class AgentOnTestbedTest {
  @TempDir Path root;
  private final AgentTestLog log = new AgentTestLog();

  @Test
  void superviseTwoPairsThroughTheirLives() throws Exception {
    Testbed.assumeBuilt();
    Testbed.guestBuilt();
    Path pairA = root.resolve("pair-a");
    Path pairB = root.resolve("pair-b");
    Testbed a = Testbed.start(pairA, Testbed.Guest.LINUX, "tcg", 43_000, 43_990, List.of("--name", "pair-a"));
    Testbed b = null;
    Agent agent = null;
    try {
      b = Testbed.start(pairB, Testbed.Guest.LINUX, "tcg", 44_000, 44_990, List.of("--name", "pair-b"));
      Path file = root.resolve("agent.properties");
      Files.writeString(file, String.join("\n",
          "discovery.sockets = " + root + "/*/primary.qmp",
          "discovery.interval = 1s",
          "metrics.listen = 0",
          "log.format = json",
          "reattach.backoff = 1s",
          "reattach.max-backoff = 2s",
          // pair-a: any divergence beyond 0.5 cps over a 2 s window is enough to leave COLO.
          "vm.pair-a.threshold-cps = 0.5",
          "vm.pair-a.colo-window = 2s",
          "vm.pair-b.fail-safe-hold = 3s",
          ""));
      agent = Agent.start(file, log.log());
      Agent running = agent;

      log.await("both pairs attached", 60, lines -> count(lines, "attached", "pair-a") == 1
          && count(lines, "attached", "pair-b") == 1);
      assertThat(running.vms()).extracting(VmStatus::state)
          .containsOnly(VmStatus.State.ATTACHED);

      // Non-deterministic replies make pair-a's primary and secondary diverge: checkpoint mode.
      URI nondeterministic = a.http().resolve("/cgi-bin/nondeterministic");
      long loadEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      while (System.nanoTime() < loadEnd && !switchedToCheckpoint(log.lines(), "pair-a")) {
        get(nondeterministic);
        Thread.sleep(100);
      }
      assertThat(switchedToCheckpoint(log.lines(), "pair-a")).as("pair-a left COLO under divergent traffic; log:\n" + log.text())
          .isTrue();
      assertThat(count(log.lines(), "mode-switch", "pair-b")).as("pair-b had no traffic").isZero();

      // pair-a's primary killed: lost; the pair started again in the same place: attached again.
      kill("KILL", pairA.resolve("primary.pid"));
      log.await("pair-a lost", 30, lines -> count(lines, "lost", "pair-a") >= 1);
      a.close();
      a = Testbed.start(pairA, Testbed.Guest.LINUX, "tcg", 43_000, 43_990, List.of("--name", "pair-a"));
      log.await("pair-a attached again", 60, lines -> count(lines, "attached", "pair-a") == 2);
      assertThat(count(log.lines(), "new-qemu", "pair-a")).as("the new QEMU was noticed and checked").isEqualTo(1);
      assertThat(count(log.lines(), "attached", "pair-b")).as("pair-b untouched").isEqualTo(1);

      // pair-b's primary hung: fail-safe; continued: control resumes.
      Path pidB = pairB.resolve("primary.pid");
      kill("STOP", pidB);
      try {
        log.await("pair-b's fail-safe", 60, lines -> count(lines, "fail-safe", "pair-b") >= 1);
      } finally {
        kill("CONT", pidB);
      }
      log.await("pair-b back under control", 60, lines -> count(lines, "fail-safe-left", "pair-b") >= 1
          || count(lines, "attached", "pair-b") == 2);

      agent.close();
      agent = null;
      List<JsonNode> detached = log.lines().stream().filter(line -> line.path("event").asText().equals("detached"))
          .toList();
      assertThat(detached).hasSize(2).allSatisfy(line ->
          assertThat(line.path("message").asText()).contains("left in CHECKPOINT").doesNotContain("could not"));
      assertThat(Thread.getAllStackTraces().keySet())
          .noneMatch(thread -> thread.isAlive() && thread.getName().startsWith("hybrid-ft-agent"));
    } finally {
      if (agent != null) {
        agent.close();
      }
      a.close();
      if (b != null) {
        b.close();
      }
    }
  }

  private static void kill(String signal, Path pidFile) throws Exception {
    String pid = Files.readString(pidFile).strip();
    Process kill = new ProcessBuilder("kill", "-" + signal, pid).redirectErrorStream(true).start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(kill.exitValue()).as("kill -" + signal + " " + pid).isZero();
  }
}
