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
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.hybridft.agent.AgentConfig;
import org.hybridft.agent.AgentLog;

/** An agent's JSON log kept in memory, read back as lines, for the tests of agents on real QEMUs. */
final class AgentTestLog {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

  /** The log to start the agent with. */
  AgentLog log() {
    return new AgentLog(new PrintStream(bytes, true, StandardCharsets.UTF_8), AgentConfig.LogFormat.JSON,
        Clock.systemUTC());
  }

  String text() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  List<JsonNode> lines() throws IOException {
    List<JsonNode> lines = new ArrayList<>();
    for (String line : text().split("\n")) {
      if (!line.isBlank()) {
        lines.add(JSON.readTree(line));
      }
    }
    return lines;
  }

  /** How many lines have this event for this VM. */
  static long count(List<JsonNode> lines, String event, String vm) {
    return lines.stream().filter(line -> line.path("event").asText().equals(event)
        && line.path("vm").asText().equals(vm)).count();
  }

  /** Whether the VM was switched to checkpoint mode. */
  static boolean switchedToCheckpoint(List<JsonNode> lines, String vm) {
    return lines.stream().anyMatch(line -> line.path("event").asText().equals("mode-switch")
        && line.path("vm").asText().equals(vm) && line.path("to").asText().equals("checkpoint"));
  }

  void await(String what, int seconds, Predicate<List<JsonNode>> condition) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!condition.test(lines())) {
      assertThat(System.nanoTime()).as(() -> "waited " + seconds + " s for " + what + "; the agent's log:\n" + text())
          .isLessThan(deadline);
      Thread.sleep(200);
    }
  }

  /** One request of a load; a reply held by a checkpoint may time out, which does not matter. */
  static void get(URI uri) {
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
      // The load only has to make the pair diverge.
    }
  }
}
