package org.hybridft.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The client against a real, bare QEMU (TCG, {@code -S}): the protocol as QEMU speaks it. */
@Tag("real-qemu")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class QmpClientOnRealQemuTest {
  @TempDir Path dir;
  private BareQemu qemu;
  private QmpClient client;

  @BeforeEach
  void startQemu() throws Exception {
    qemu = BareQemu.start(dir);
    client = BareQemu.connectWhenListening(qemu.client());
  }

  @AfterEach
  void stopQemu() throws Exception {
    if (client != null) {
      client.close();
    }
    if (qemu != null) {
      qemu.close();
    }
  }

  @Test
  void handshakeReadsTheGreetingAndNegotiatesCapabilities() {
    QmpGreeting greeting = client.greeting();

    assertThat(greeting.major()).isGreaterThanOrEqualTo(7);
    assertThat(greeting.capabilities()).contains("oob");
    assertThat(client.isOpen()).isTrue();
  }

  @Test
  void queryStatusShowsTheStoppedPrelaunchVm() {
    QmpValue status = client.call("query-status", null);

    assertThat(status.path("status").asText()).isEqualTo("prelaunch");
    assertThat(status.path("running").asBoolean(true)).isFalse();
  }

  @Test
  void checkpointDelayDefaultsTo20000ms() {
    QmpValue parameters = client.call("query-migrate-parameters", null);

    assertThat(parameters.path("x-checkpoint-delay").asLong()).isEqualTo(20000);
  }

  @Test
  void setMigrateParametersIsReadBack() {
    client.call("migrate-set-parameters", Map.of("x-checkpoint-delay", 1234));

    assertThat(client.call("query-migrate-parameters", null).path("x-checkpoint-delay").asLong())
        .isEqualTo(1234);
  }

  @Test
  void unknownCommandFailsWithCommandNotFound() {
    CompletableFuture<QmpValue> reply = client.execute("no-such-command");

    assertThatThrownBy(() -> reply.get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOfSatisfying(QmpErrorException.class, error -> {
          assertThat(error.errorClass()).isEqualTo("CommandNotFound");
          assertThat(error.command()).isEqualTo("no-such-command");
          assertThat(error.description()).contains("no-such-command");
        });
    assertThat(client.isOpen()).as("an error reply leaves the connection usable").isTrue();
    assertThat(client.call("query-status", null).path("status").asText()).isEqualTo("prelaunch");
  }

  @Test
  void badArgumentsFailWithGenericError() {
    assertThatThrownBy(() -> client.call("migrate-set-parameters", Map.of("x-checkpoint-delay", "soon")))
        .isInstanceOfSatisfying(QmpErrorException.class,
            error -> assertThat(error.errorClass()).isEqualTo("GenericError"));
  }

  @Test
  void contAndStopEmitResumeAndStopEvents() throws Exception {
    BlockingQueue<QmpEvent> events = new LinkedBlockingQueue<>();
    client.subscribe("RESUME", events::add);
    client.subscribe("STOP", events::add);

    client.call("cont", null);
    QmpEvent resume = events.poll(5, TimeUnit.SECONDS);
    client.call("stop", null);
    QmpEvent stop = events.poll(5, TimeUnit.SECONDS);

    assertThat(resume).isNotNull();
    assertThat(resume.name()).isEqualTo("RESUME");
    assertThat(stop).isNotNull();
    assertThat(stop.name()).isEqualTo("STOP");
    assertThat(stop.timestampMicros()).isGreaterThanOrEqualTo(resume.timestampMicros()).isPositive();
  }

  @Test
  void concurrentCommandsAreMatchedToTheirReplies() throws Exception {
    CompletableFuture<QmpValue> status = client.execute("query-status");
    CompletableFuture<QmpValue> parameters = client.execute("query-migrate-parameters");
    CompletableFuture<QmpValue> name = client.execute("query-name");

    assertThat(status.get(5, TimeUnit.SECONDS).has("running")).isTrue();
    assertThat(parameters.get(5, TimeUnit.SECONDS).has("x-checkpoint-delay")).isTrue();
    assertThat(name.get(5, TimeUnit.SECONDS).isObject()).isTrue();
  }

  @Test
  void sigkillOfQemuFailsPendingCommandsAtOnce() throws Exception {
    // A stopped process cannot answer: the command stays pending until the kill.
    qemu.signal("STOP");
    CompletableFuture<QmpValue> pending = client.execute("query-status");
    Thread.sleep(100);
    assertThat(pending).isNotDone();

    qemu.signal("KILL");

    assertThatThrownBy(() -> pending.get(3, TimeUnit.SECONDS))
        .as("fails long before the 5 s command timeout")
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(QmpConnectionClosedException.class);
    assertThat(client.closed().get(3, TimeUnit.SECONDS)).isNotNull();
    assertThat(client.isOpen()).isFalse();
    assertThatThrownBy(() -> client.call("query-status", null))
        .isInstanceOf(QmpConnectionClosedException.class);
  }

  @Test
  void aSecondClientGetsNoGreetingWhileTheFirstIsConnected() {
    // QEMU's unix QMP socket serves one client at a time.
    assertThatThrownBy(() -> qemu.client().connectTimeout(Duration.ofMillis(500)).connect())
        .isInstanceOf(QmpProtocolException.class)
        .hasMessageContaining("no QMP greeting");
  }

  /**
   * Prints the query-status round trip of this client next to a minimal blocking socket client on
   * the same QEMU (no assertion on the figures: they depend on the machine).
   */
  @Test
  void roundTripOfThisClientNextToARawSocketClient() throws Exception {
    int rounds = 2000;
    long[] ours = new long[rounds];
    for (int i = -200; i < rounds; i++) { // the first 200 warm up the JIT
      long start = System.nanoTime();
      client.call("query-status", null);
      if (i >= 0) {
        ours[i] = System.nanoTime() - start;
      }
    }
    client.close();
    long[] raw = new long[rounds];
    try (java.nio.channels.SocketChannel socket = java.nio.channels.SocketChannel.open(
            java.net.UnixDomainSocketAddress.of(qemu.qmpSocket()));
        java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(
            java.nio.channels.Channels.newInputStream(socket), java.nio.charset.StandardCharsets.UTF_8))) {
      java.io.OutputStream out = java.nio.channels.Channels.newOutputStream(socket);
      in.readLine();
      out.write("{\"execute\": \"qmp_capabilities\"}\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      in.readLine();
      byte[] query = "{\"execute\": \"query-status\", \"id\": 1}\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
      for (int i = -200; i < rounds; i++) {
        long start = System.nanoTime();
        out.write(query);
        String reply = in.readLine();
        if (i >= 0) {
          raw[i] = System.nanoTime() - start;
        }
        assertThat(reply).contains("\"return\"");
      }
    }
    java.util.Arrays.sort(ours);
    java.util.Arrays.sort(raw);
    System.out.printf("query-status round trip on QEMU %s over %d calls: QmpClient median %.0f us"
            + " (p99 %.0f us), raw blocking socket median %.0f us (p99 %.0f us)%n",
        client.greeting().version(), rounds, ours[rounds / 2] / 1e3, ours[rounds * 99 / 100] / 1e3,
        raw[rounds / 2] / 1e3, raw[rounds * 99 / 100] / 1e3);
    assertThat(ours[rounds / 2]).isPositive();
  }

  @Test
  void closeIsIdempotentAndFailsLaterCommands() {
    client.close();
    client.close();

    assertThat(client.isOpen()).isFalse();
    assertThatThrownBy(() -> client.execute("query-status").join())
        .hasCauseInstanceOf(QmpConnectionClosedException.class);
  }

  @Test
  void aNewClientConnectsAfterThePreviousClosed() {
    client.close();

    try (QmpClient second = qemu.client().connect()) {
      assertThat(second.call("query-status", null).path("status").asText()).isEqualTo("prelaunch");
    }
  }
}
