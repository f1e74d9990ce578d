package org.hybridft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.hybridft.evaluation.HttpResource;
import org.hybridft.qmp.testing.FakeQmpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code hybrid-ft evaluate}'s refusals: each a single line on stderr, exit code 2, before any run. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EvaluateCommandTest {
  @TempDir Path dir;

  /** {@code evaluate} with {@code options} (pairs of name and value), and defaults for those not given. */
  private CommandOutcome evaluate(String... options) {
    Map<String, String> given = new LinkedHashMap<>();
    given.put("--qmp", dir.resolve("none.qmp").toString());
    given.put("--secondary-qmp", dir.resolve("none-secondary.qmp").toString());
    given.put("--http", "http://127.0.0.1:9/");
    given.put("--out", dir.resolve("out").toString());
    for (int i = 0; i < options.length; i += 2) {
      if (options[i + 1] == null) {
        given.remove(options[i]);
      } else {
        given.put(options[i], options[i + 1]);
      }
    }
    List<String> args = new ArrayList<>(List.of("evaluate", "--no-plots"));
    given.forEach((name, value) -> args.add(name + "=" + value));
    return CommandOutcome.run(args.toArray(String[]::new));
  }

  private static void assertUsageError(CommandOutcome outcome, String... fragments) {
    assertThat(outcome.exitCode()).as(outcome.out() + outcome.err()).isEqualTo(HybridFt.USAGE_ERROR);
    assertThat(outcome.err().strip()).startsWith("hybrid-ft: ").doesNotContain("\n").contains(fragments);
    assertThat(outcome.out()).isEmpty();
  }

  @ParameterizedTest
  @CsvSource({"0", "-1", "NaN", "Infinity", "5000"})
  void aRateOutOfRangeIsRefusedNamingTheOptionAndTheRange(String rate) {
    assertUsageError(evaluate("--rate", rate), "--rate must be > 0 and at most 1000", rate);
  }

  @Test
  void aRateThatIsNoNumberIsRefused() {
    assertUsageError(evaluate("--rate", "fast"), "--rate", "fast");
  }

  @ParameterizedTest
  @CsvSource({"0", "-2", "NaN", "20000"})
  void minutesOutOfRangeAreRefused(String minutes) {
    assertUsageError(evaluate("--minutes", minutes), "--minutes must be > 0", minutes);
  }

  @Test
  void aRunShorterThanOneControlPeriodIsRefused() {
    assertUsageError(evaluate("--minutes", "0.001", "--period", "1s"), "shorter than one control period");
  }

  @Test
  void zeroRunsAreRefused() {
    assertUsageError(evaluate("--runs", "0"), "--runs must be >= 1, was 0");
  }

  @Test
  void anUnknownWorkloadIsRefusedNamingTheKnownOnes() {
    assertUsageError(evaluate("--workload", "bursty"), "unknown workload 'bursty'",
        "phased, deterministic, nondeterministic");
  }

  @Test
  void anUnknownControllerIsRefused() {
    assertUsageError(evaluate("--controllers", "checkpoint,magic"), "unknown controller 'magic'");
  }

  @Test
  void aNonPositiveStretchIsRefused() {
    assertUsageError(evaluate("--stretch", "0s"), "--stretch must be > 0");
  }

  @ParameterizedTest
  @CsvSource({"ftp://127.0.0.1/", "http://127.0.0.1:8080/deterministic", "127.0.0.1:8080", "http://[bad"})
  void anHttpAddressThatIsNotAServiceRootIsRefused(String url) {
    assertUsageError(evaluate("--http", url), "--http " + url);
  }

  @Test
  void aMissingQmpSocketIsRefusedNamingIt() {
    Path socket = dir.resolve("missing.qmp");
    assertUsageError(evaluate("--qmp", socket.toString()), "--qmp " + socket, "no such socket");
  }

  @Test
  void aQmpPathNobodyListensOnIsRefused() throws IOException {
    Path notASocket = Files.writeString(dir.resolve("stale.qmp"), "");
    assertUsageError(evaluate("--qmp", notASocket.toString()), "cannot attach to QMP at " + notASocket);
  }

  @Test
  void anHttpServiceThatDoesNotAnswerIsRefusedBeforeAnyRun() throws Exception {
    int closedPort;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = probe.getLocalPort();
    }
    try (FakeQmpServer qemu = FakeQmpServer.answering(dir, "10.0.13", Map.of(
        "query-colo-status", "{\"mode\": \"primary\"}",
        "query-migrate-capabilities", "[{\"capability\": \"events\", \"state\": true}]",
        "qom-list", "[]",
        "query-status", "{\"status\": \"colo\", \"running\": true}"));
        FakeQmpServer secondary = FakeQmpServer.answering(Files.createDirectory(dir.resolve("secondary")),
            "10.0.13", Map.of())) {
      String url = "http://127.0.0.1:" + closedPort + "/";

      CommandOutcome outcome = evaluate("--qmp", qemu.socket().toString(),
          "--secondary-qmp", secondary.socket().toString(), "--http", url);

      assertUsageError(outcome, "--http " + url + ": no HTTP reply from 127.0.0.1:" + closedPort);
    }
  }

  @Test
  void aMissingSecondaryQmpIsRefusedNamingTheOption() {
    assertUsageError(evaluate("--secondary-qmp", null), "--secondary-qmp");
  }

  @Test
  void aMissingSecondarySocketIsRefusedNamingIt() throws Exception {
    try (FakeQmpServer qemu = FakeQmpServer.answering(dir, "10.0.13", Map.of())) {
      Path socket = dir.resolve("missing-secondary.qmp");
      assertUsageError(evaluate("--qmp", qemu.socket().toString(), "--secondary-qmp", socket.toString()),
          "--secondary-qmp " + socket, "no such socket");
    }
  }

  /** A primary and a secondary whose vCPU threads are the given host threads, and a guest's HTTP service. */
  private CommandOutcome evaluateFakePair(long primaryThread, long secondaryThread, String migrate) throws Exception {
    // A plain socket, not the JDK's HttpServer: the first HttpServer of a JVM fixes the server
    // timeouts that PrometheusEndpoint sets for its own (see PrometheusEndpointTest).
    ServerSocket guest = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
    Thread serving = new Thread(() -> serve(guest), "fake-guest-http");
    serving.setDaemon(true);
    serving.start();
    try (FakeQmpServer qemu = FakeQmpServer.answering(dir, "10.0.13", Map.of(
            "query-colo-status", "{\"mode\": \"primary\"}",
            "query-migrate-capabilities", "[{\"capability\": \"events\", \"state\": true}]",
            "qom-list", "[]",
            "query-status", "{\"status\": \"colo\", \"running\": true}",
            "query-cpus-fast", "[{\"thread-id\": " + primaryThread + "}]",
            "query-migrate", migrate));
        FakeQmpServer secondary = FakeQmpServer.answering(Files.createDirectory(dir.resolve("secondary")),
            "10.0.13", Map.of("query-cpus-fast", "[{\"thread-id\": " + secondaryThread + "}]"))) {
      return evaluate("--qmp", qemu.socket().toString(), "--secondary-qmp", secondary.socket().toString(),
          "--http", "http://127.0.0.1:" + guest.getLocalPort() + "/");
    } finally {
      guest.close();
      serving.join(5_000);
    }
  }

  /** Answers each connection, at most 16, with the testbed guest's deterministic reply. */
  private static void serve(ServerSocket guest) {
    byte[] body = HttpResource.DETERMINISTIC.expectedBodyPrefix().getBytes(StandardCharsets.US_ASCII);
    for (int served = 0; served < 16; served++) {
      try (Socket client = guest.accept()) {
        client.setSoTimeout(5_000);
        BufferedReader request = new BufferedReader(
            new InputStreamReader(client.getInputStream(), StandardCharsets.US_ASCII));
        for (int lines = 0; lines < 64; lines++) {
          String line = request.readLine();
          if (line == null || line.isEmpty()) {
            break;
          }
        }
        OutputStream out = client.getOutputStream();
        out.write(("HTTP/1.0 200 OK\r\nContent-Length: " + body.length + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
      } catch (IOException closed) {
        return; // the test closed the server socket
      }
    }
  }

  /** A process named like QEMU (a copy of sleep), whose main thread stands in for a vCPU's. */
  private Process fakeQemu() throws IOException {
    Path program = dir.resolve("qemu-system-x86_64");
    if (!Files.exists(program)) {
      Files.copy(Path.of("/bin/sleep"), program);
      program.toFile().setExecutable(true);
    }
    return new ProcessBuilder(program.toString(), "60").start();
  }

  @Test
  void twoMonitorsOfOneProcessAreRefusedBeforeAnyRun() throws Exception {
    Process qemu = fakeQemu();
    try {
      CommandOutcome outcome = evaluateFakePair(qemu.pid(), qemu.pid(),
          "{\"status\": \"colo\", \"ram\": {\"transferred\": 1}}");

      assertUsageError(outcome, "cannot measure the pair's cpu and network", "lead to the same process " + qemu.pid());
    } finally {
      qemu.destroy();
    }
  }

  @Test
  void aPrimaryWithoutRamTransferredInColoIsRefusedNamingThePatch() throws Exception {
    Process primary = fakeQemu();
    Process secondary = fakeQemu();
    try {
      CommandOutcome outcome = evaluateFakePair(primary.pid(), secondary.pid(), "{\"status\": \"colo\"}");

      assertUsageError(outcome, "cannot measure the pair's cpu and network", "no ram.transferred",
          "testbed/qemu-patches/0002");
    } finally {
      primary.destroy();
      secondary.destroy();
    }
  }

  @Test
  void aProcessThatIsNotQemuIsRefusedBeforeAnyRun() throws Exception {
    long self = ProcessHandle.current().pid();

    CommandOutcome outcome = evaluateFakePair(self, self, "{\"status\": \"colo\"}");

    assertUsageError(outcome, "cannot measure the pair's cpu and network", "in process " + self, "not QEMU");
  }

  @Test
  void theHelpSaysWhatIsMeasuredAndHowToStartAPair() {
    CommandOutcome help = CommandOutcome.run("evaluate", "--help");

    assertThat(help.exitCode()).isZero();
    assertThat(help.out().replaceAll("\\s+", " ")).contains("downtime ratio", "testbed/start.sh", "--workload", "--rate", "--minutes",
        "--controllers", "--config", "--no-plots", "--stretch", "real-<workload>", "--secondary-qmp",
        "CPU seconds of both QEMU processes", "ram.transferred");
  }
}
