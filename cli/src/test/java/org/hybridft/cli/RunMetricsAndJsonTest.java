package org.hybridft.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.hybridft.core.Mode;
import org.hybridft.qmp.testing.FakeQmpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code hybrid-ft run --prometheus} and {@code --json}, against a scripted QMP primary. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RunMetricsAndJsonTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @TempDir Path dir;

  private FakeQmpServer primary(String name) throws IOException {
    return FakeQmpServer.answering(dir, "10.0.13", Map.of(
        "query-colo-status", "{\"mode\": \"primary\"}",
        "query-migrate-capabilities", "[{\"capability\": \"events\", \"state\": true}]",
        "qom-list", "[{\"name\": \"comp0\", \"type\": \"child<colo-compare>\"}]",
        "query-name", "{\"name\": \"" + name + "\"}",
        "migrate-set-parameters", "{}",
        "query-migrate-parameters", "{\"x-checkpoint-delay\": 200}",
        "query-status", "{\"status\": \"colo\", \"running\": true}"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"localhost", "localhost:", ":9400", "localhost:http", "localhost:65536",
      "localhost:-1", "[::1:9400"})
  void aMalformedPrometheusAddressIsAOneLineUsageErrorNamingOptionValueAndForm(String value) {
    CommandOutcome outcome = CommandOutcome.run(
        "run", "--qmp", dir.resolve("absent.sock").toString(), "--prometheus", value);

    assertThat(outcome.exitCode()).isEqualTo(2);
    assertThat(outcome.err().strip())
        .startsWith("hybrid-ft: --prometheus " + value + ":")
        .contains("[HOST:]PORT")
        .doesNotContain("\n");
  }

  @Test
  void anAddressThatCannotBeListenedOnIsAUsageErrorNamingIt() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
        FakeQmpServer qemu = primary("vm-a")) {
      String address = "127.0.0.1:" + taken.getLocalPort();

      CommandOutcome outcome = CommandOutcome.run(
          "run", "--qmp", qemu.socket().toString(), "--prometheus", address, "--duration", "1s");

      assertThat(outcome.exitCode()).isEqualTo(2);
      assertThat(outcome.err().strip()).startsWith("hybrid-ft: --prometheus " + address + ": cannot listen")
          .doesNotContain("\n");
    }
  }

  @Test
  void prometheusServesTheLoopsMetricsTaggedWithTheVmsNameAndStopsWhenTheRunEnds() throws Exception {
    int port = freePort();
    try (FakeQmpServer qemu = primary("web-7")) {
      CompletableFuture<CommandOutcome> running = CompletableFuture.supplyAsync(() -> CommandOutcome.run(
          "run", "--qmp", qemu.socket().toString(), "--controller", "checkpoint", "--checkpoint-period", "200ms", "--period", "100ms",
          "--duration", "3s", "--prometheus", "127.0.0.1:" + port));
      HttpClient http = HttpClient.newHttpClient();
      URI metrics = URI.create("http://127.0.0.1:" + port + "/metrics");

      String body = scrapeWhileRunning(running, http, metrics, "hybridft_state{state=\"running\",vm=\"web-7\"} 1.0");
      CommandOutcome outcome = running.get(30, TimeUnit.SECONDS);

      assertThat(outcome.exitCode()).as(outcome.err()).isZero();
      assertThat(body).contains("hybridft_mode{mode=\"checkpoint\",vm=\"web-7\"} 1.0",
          "hybridft_checkpoints_per_second{vm=\"web-7\"}");
      assertThat(outcome.out()).contains("metrics at http://127.0.0.1:" + port + "/metrics");
      assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(metrics).build(),
          HttpResponse.BodyHandlers.ofString())).isInstanceOf(ConnectException.class);
    }
  }

  @Test
  void nameOverridesTheVmNameInTheMetrics() throws Exception {
    int port = freePort();
    try (FakeQmpServer qemu = primary("from-qemu")) {
      CompletableFuture<CommandOutcome> running = CompletableFuture.supplyAsync(() -> CommandOutcome.run(
          "run", "--qmp", qemu.socket().toString(), "--name", "given", "--controller", "checkpoint",
          "--checkpoint-period", "200ms", "--period", "100ms",
          "--duration", "3s", "--prometheus", "127.0.0.1:" + port));

      String body = scrapeWhileRunning(running, HttpClient.newHttpClient(),
          URI.create("http://127.0.0.1:" + port + "/metrics"), "state=\"running\",vm=\"given\"} 1.0");

      assertThat(body).doesNotContain("from-qemu");
      assertThat(running.get(30, TimeUnit.SECONDS).exitCode()).isZero();
    }
  }

  @Test
  void jsonPrintsOneObjectPerPeriodAndAJsonSummaryAndNothingElseOnStdout() throws Exception {
    try (FakeQmpServer qemu = primary("vm-j")) {
      CommandOutcome outcome = CommandOutcome.run("run", "--qmp", qemu.socket().toString(), "--json",
          "--controller", "checkpoint", "--checkpoint-period", "200ms", "--period", "100ms", "--duration", "1s");

      assertThat(outcome.exitCode()).as(outcome.err()).isZero();
      List<JsonNode> lines = outcome.out().lines().map(RunMetricsAndJsonTest::json).toList();
      List<JsonNode> periods = lines.stream().filter(line -> line.path("event").asText().equals("period")).toList();
      assertThat(periods).as(outcome.out() + outcome.err()).hasSizeGreaterThanOrEqualTo(3);
      for (JsonNode period : periods) {
        assertThat(period.get("seconds").isNumber()).as(period.toString()).isTrue();
        assertThat(period.get("mode").asText()).isEqualTo("checkpoint");
        assertThat(period.get("checkpointsPerSecond").isNumber()).as(period.toString()).isTrue();
        assertThat(period.get("downtimeRatio").isNull() || period.get("downtimeRatio").isNumber())
            .as(period.toString()).isTrue();
      }
      assertThat(lines.get(0).path("event").asText()).isEqualTo("attached");
      assertThat(lines.get(0).path("vm").asText()).isEqualTo("vm-j");
      JsonNode summary = lines.get(lines.size() - 1);
      assertThat(summary.path("event").asText()).isEqualTo("summary");
      assertThat(summary.path("modeSwitches").asInt(-1)).isZero();
      assertThat(summary.path("periods").path("checkpoint").asInt()).isEqualTo(periods.size());
      assertThat(summary.path("endedBy").asText()).isEqualTo("user");
    }
  }

  @Test
  void anUnknownDowntimeRatioIsJsonNullAndASwitchIsAnEventOfItsOwn() throws Exception {
    StringWriter out = new StringWriter();
    TerminalWriter terminal = new TerminalWriter(new PrintWriter(out), new PrintWriter(new StringWriter()), 16);
    RunCommand.RunSummary summary = new RunCommand.RunSummary(0);
    var listener = RunCommand.statusListener(summary, terminal, new CountDownLatch(1), true);

    listener.onTick(1_500_000_000L, Mode.COLO, 2.5, Double.NaN);
    listener.onModeSwitch(2_000_000_000L, Mode.COLO, Mode.CHECKPOINT, 12.0);
    listener.onTick(2_500_000_000L, Mode.CHECKPOINT, 5.0, 0.125);
    terminal.close(Duration.ofSeconds(5));

    List<JsonNode> lines = out.toString().lines().map(RunMetricsAndJsonTest::json).toList();
    assertThat(lines).hasSize(3);
    assertThat(lines.get(0).get("seconds").asDouble()).isEqualTo(1.5);
    assertThat(lines.get(0).get("mode").asText()).isEqualTo("colo");
    assertThat(lines.get(0).get("checkpointsPerSecond").asDouble()).isEqualTo(2.5);
    assertThat(lines.get(0).get("downtimeRatio").isNull()).isTrue();
    assertThat(lines.get(1).get("event").asText()).isEqualTo("switch");
    assertThat(lines.get(1).get("from").asText()).isEqualTo("colo");
    assertThat(lines.get(1).get("mode").asText()).isEqualTo("checkpoint");
    assertThat(lines.get(1).get("checkpointsPerSecond").asDouble()).isEqualTo(12.0);
    assertThat(lines.get(2).get("downtimeRatio").asDouble()).isEqualTo(0.125);
    assertThat(summary.switches).isEqualTo(1);
  }

  /**
   * Scrapes until the run serves {@code expected} (the loop has ticked), then returns that body;
   * fails with the run's output if it ends first.
   */
  private static String scrapeWhileRunning(CompletableFuture<CommandOutcome> running, HttpClient http, URI metrics,
      String expected) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(5)).build();
    String last = "";
    while (!running.isDone()) {
      try {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).get().asString().startsWith("text/plain");
        last = response.body();
        if (last.contains(expected)) {
          return last;
        }
      } catch (ConnectException notYetListening) {
        // The run has not bound the port yet.
      }
      Thread.sleep(50);
    }
    CommandOutcome outcome = running.get();
    throw new AssertionError("the run ended before serving " + expected + "; last scrape:\n" + last
        + "\nout:\n" + outcome.out() + "\nerr:\n" + outcome.err());
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static JsonNode json(String line) {
    try {
      JsonNode node = MAPPER.readTree(line);
      assertThat(node.isObject()).as(line).isTrue();
      return node;
    } catch (IOException notJson) {
      throw new AssertionError("not a JSON line: " + line, notJson);
    }
  }
}
