package org.hybridft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.hybridft.agent.Agent;
import org.hybridft.agent.AgentConfig;
import org.hybridft.agent.AgentLog;
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
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path root;
  private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();

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
      agent = Agent.start(file, new AgentLog(new PrintStream(logBytes, true, StandardCharsets.UTF_8),
          AgentConfig.LogFormat.JSON, Clock.systemUTC()));
      Agent running = agent;

      awaitLog("both pairs attached", 60, lines -> count(lines, "attached", "pair-a") == 1
          && count(lines, "attached", "pair-b") == 1);
      assertThat(running.vms()).extracting(VmStatus::state)
          .containsOnly(VmStatus.State.ATTACHED);

      // Non-deterministic replies make pair-a's primary and secondary diverge: checkpoint mode.
      URI nondeterministic = a.http().resolve("/cgi-bin/nondeterministic");
      long loadEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      while (System.nanoTime() < loadEnd && !switchedToCheckpoint(lines())) {
        get(nondeterministic);
        Thread.sleep(100);
      }
      assertThat(switchedToCheckpoint(lines())).as("pair-a left COLO under divergent traffic; log:\n" + log())
          .isTrue();
      assertThat(count(lines(), "mode-switch", "pair-b")).as("pair-b had no traffic").isZero();

      // pair-a's primary killed: lost; the pair started again in the same place: attached again.
      kill("KILL", pairA.resolve("primary.pid"));
      awaitLog("pair-a lost", 30, lines -> count(lines, "lost", "pair-a") >= 1);
      a.close();
      a = Testbed.start(pairA, Testbed.Guest.LINUX, "tcg", 43_000, 43_990, List.of("--name", "pair-a"));
      awaitLog("pair-a attached again", 60, lines -> count(lines, "attached", "pair-a") == 2);
      assertThat(count(lines(), "new-qemu", "pair-a")).as("the new QEMU was noticed and checked").isEqualTo(1);
      assertThat(count(lines(), "attached", "pair-b")).as("pair-b untouched").isEqualTo(1);

      // pair-b's primary hung: fail-safe; continued: control resumes.
      Path pidB = pairB.resolve("primary.pid");
      kill("STOP", pidB);
      try {
        awaitLog("pair-b's fail-safe", 60, lines -> count(lines, "fail-safe", "pair-b") >= 1);
      } finally {
        kill("CONT", pidB);
      }
      awaitLog("pair-b back under control", 60, lines -> count(lines, "fail-safe-left", "pair-b") >= 1
          || count(lines, "attached", "pair-b") == 2);

      agent.close();
      agent = null;
      List<JsonNode> detached = lines().stream().filter(line -> line.path("event").asText().equals("detached"))
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

  private boolean switchedToCheckpoint(List<JsonNode> lines) {
    return lines.stream().anyMatch(line -> line.path("event").asText().equals("mode-switch")
        && line.path("vm").asText().equals("pair-a") && line.path("to").asText().equals("checkpoint"));
  }

  private static long count(List<JsonNode> lines, String event, String vm) {
    return lines.stream().filter(line -> line.path("event").asText().equals(event)
        && line.path("vm").asText().equals(vm)).count();
  }

  private String log() {
    return logBytes.toString(StandardCharsets.UTF_8);
  }

  private List<JsonNode> lines() throws IOException {
    List<JsonNode> lines = new ArrayList<>();
    for (String line : log().split("\n")) {
      if (!line.isBlank()) {
        lines.add(JSON.readTree(line));
      }
    }
    return lines;
  }

  private void awaitLog(String what, int seconds, Predicate<List<JsonNode>> condition) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!condition.test(lines())) {
      assertThat(System.nanoTime()).as(() -> "waited " + seconds + " s for " + what + "; the agent's log:\n" + log())
          .isLessThan(deadline);
      Thread.sleep(200);
    }
  }

  private static void kill(String signal, Path pidFile) throws Exception {
    String pid = Files.readString(pidFile).strip();
    Process kill = new ProcessBuilder("kill", "-" + signal, pid).redirectErrorStream(true).start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(kill.exitValue()).as("kill -" + signal + " " + pid).isZero();
  }

  private static void get(URI uri) {
    try {
      HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
      connection.setConnectTimeout(5000);
      connection.setReadTimeout(5000);
      try (InputStream body = connection.getInputStream()) {
        body.readAllBytes();
      } finally {
        connection.disconnect();
      }
    } catch (IOException slow) {
      // A reply held by a checkpoint may time out; the load only has to make the pair diverge.
    }
  }
}
