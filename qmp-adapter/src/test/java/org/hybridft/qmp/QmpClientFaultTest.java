package org.hybridft.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.hybridft.qmp.testing.FakeQmpServer;

/** Faults a real QEMU will not produce, from a {@link FakeQmpServer}. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class QmpClientFaultTest {
  private static final Duration SHORT = Duration.ofMillis(300);

  @TempDir Path dir;
  private FakeQmpServer server;
  private QmpClient client;

  @AfterEach
  void stop() throws Exception {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.close();
      assertThat(server.failures()).isEmpty();
    }
    assertThat(Threads.awaitNoneNamed(QmpReactor.THREAD_NAME, Duration.ofSeconds(5)))
        .as("no QMP I/O thread outlives its connections")
        .isTrue();
  }

  @Test
  void garbageBytesCloseTheConnectionWithAProtocolError() throws Exception {
    server = FakeQmpServer.start(dir, peer -> {
      peer.handshake();
      peer.readCommand();
      peer.send(new byte[] {'{', 0x01, (byte) 0xff, 'x', '\n'});
      peer.answerAll();
    });
    client = server.client().connect();

    CompletableFuture<QmpValue> reply = client.execute("query-status");

    assertClosedByProtocolError(reply, "malformed JSON");
  }

  @Test
  void aReplyThatNeverComesTimesOutAndTheLateReplyIsDropped() throws Exception {
    CountDownLatch timedOut = new CountDownLatch(1);
    server = FakeQmpServer.start(dir, peer -> {
      peer.handshake();
      JsonNode first = peer.readCommand();
      timedOut.await(10, TimeUnit.SECONDS);
      peer.reply(first, "{\"late\": true}");
      peer.answerAll();
    });
    client = server.client().commandTimeout(SHORT).connect();

    CompletableFuture<QmpValue> reply = client.execute("query-status");
    assertThatThrownBy(() -> reply.get(5, TimeUnit.SECONDS))
        .cause()
        .isInstanceOfSatisfying(QmpTimeoutException.class, timeout -> {
          assertThat(timeout.command()).isEqualTo("query-status");
          assertThat(timeout.timeout()).isEqualTo(SHORT);
        });
    timedOut.countDown();

    assertThat(client.call("query-name", null).isObject()).isTrue();
    assertThat(client.isOpen()).isTrue();
  }

  @Test
  void aReplyWithAnIdNeverSentIsAProtocolError() throws Exception {
    server = FakeQmpServer.start(dir, peer -> {
      peer.handshake();
      peer.readCommand();
      peer.sendLine("{\"return\": {}, \"id\": 4242}");
      peer.answerAll();
    });
    client = server.client().connect();

    assertClosedByProtocolError(client.execute("query-status"), "id 4242, never sent");
  }

  @Test
  void aReplyWithoutAnIdIsAProtocolError() throws Exception {
    server = FakeQmpServer.start(dir, peer -> {
      peer.handshake();
      peer.readCommand();
      peer.sendLine("{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON parse error\"}}");
      peer.answerAll();
    });
    client = server.client().connect();

    assertClosedByProtocolError(client.execute("query-status"), "never sent");
  }

  @Test
  void aMissingGreetingFailsTheConnectAfterItsTimeout() throws Exception {
    server = FakeQmpServer.start(dir, peer -> peer.answerAll());

    assertThatThrownBy(() -> server.client().connectTimeout(SHORT).connect())
        .isInstanceOf(QmpProtocolException.class)
        .hasMessageContaining("no QMP greeting")
        .hasMessageContaining("300 ms");
  }

  @Test
  void aReplyBeforeTheGreetingIsAProtocolError() throws Exception {
    server = FakeQmpServer.start(dir, peer -> {
      peer.sendLine("{\"return\": {}, \"id\": 1}");
      peer.answerAll();
    });

    assertThatThrownBy(() -> server.client().connect())
        .isInstanceOf(QmpProtocolException.class)
        .hasMessageContaining("before the QMP greeting");
  }

  @Test
  void aRefusedCapabilitiesNegotiationFailsTheConnect() throws Exception {
    server = FakeQmpServer.start(dir, peer -> {
      peer.sendLine(FakeQmpServer.GREETING);
      JsonNode negotiate = peer.readCommand();
      peer.sendLine("{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"nope\"}, \"id\": "
          + negotiate.get("id") + "}");
      peer.answerAll();
    });

    assertThatThrownBy(() -> server.client().connect())
        .isInstanceOf(QmpProtocolException.class)
        .hasMessageContaining("refused qmp_capabilities");
  }

  @Test
  void aMessageOverTheSizeLimitIsAProtocolError() throws Exception {
    server = FakeQmpServer.start(dir, peer -> {
      peer.handshake();
      JsonNode command = peer.readCommand();
      peer.reply(command, "{\"blob\": \"" + "x".repeat(2000) + "\"}");
      peer.answerAll();
    });
    client = server.client().maxMessageBytes(1024).connect();

    assertClosedByProtocolError(client.execute("query-status"), "over the limit of 1024 bytes");
  }

  @Test
  void anEventFloodIsDeliveredInOrderAndRepliesStillMatch() throws Exception {
    int flood = 100_000;
    server = FakeQmpServer.start(dir, peer -> {
      peer.handshake();
      JsonNode command = peer.readCommand();
      StringBuilder events = new StringBuilder();
      for (int i = 0; i < flood; i++) {
        events.append("{\"event\": \"MIGRATION_PASS\", \"data\": {\"pass\": ").append(i)
            .append("}, \"timestamp\": {\"seconds\": 1, \"microseconds\": 2}}\n");
      }
      peer.send(events.toString().getBytes(StandardCharsets.UTF_8));
      peer.reply(command, "{\"status\": \"colo\"}");
      peer.answerAll();
    });
    client = server.client().connect();
    AtomicInteger delivered = new AtomicInteger();
    AtomicInteger outOfOrder = new AtomicInteger();
    client.subscribe("MIGRATION_PASS", event -> {
      if (event.data().path("pass").asLong() != delivered.getAndIncrement()) {
        outOfOrder.incrementAndGet();
      }
    });

    QmpValue reply = client.execute("query-migrate").get(20, TimeUnit.SECONDS);

    assertThat(reply.path("status").asText()).isEqualTo("colo");
    assertThat(delivered).hasValue(flood);
    assertThat(outOfOrder).hasValue(0);
  }

  @Test
  void eventsDuringTheHandshakeAndBetweenRepliesAreNeverTakenForReplies() throws Exception {
    String event = "{\"event\": \"STOP\", \"timestamp\": {\"seconds\": 10, \"microseconds\": 5}}";
    server = FakeQmpServer.start(dir, peer -> {
      peer.sendLine(FakeQmpServer.GREETING);
      peer.sendLine(event);
      JsonNode negotiate = peer.readCommand();
      peer.sendLine(event);
      peer.reply(negotiate, "{}");
      JsonNode first = peer.readCommand();
      JsonNode second = peer.readCommand();
      peer.sendLine(event);
      peer.reply(second, "{\"which\": \"second\"}");
      peer.sendLine(event);
      peer.reply(first, "{\"which\": \"first\"}");
      peer.answerAll();
    });
    List<QmpEvent> events = new CopyOnWriteArrayList<>();
    client = server.client().eventListener(events::add).connect();

    CompletableFuture<QmpValue> first = client.execute("query-status");
    CompletableFuture<QmpValue> second = client.execute("query-name");

    assertThat(first.get(5, TimeUnit.SECONDS).path("which").asText()).isEqualTo("first");
    assertThat(second.get(5, TimeUnit.SECONDS).path("which").asText()).isEqualTo("second");
    assertThat(events).hasSize(4).allSatisfy(e -> {
      assertThat(e.name()).isEqualTo("STOP");
      assertThat(e.timestampMicros()).isEqualTo(10_000_005L);
    });
  }

  @Test
  void theServerClosingFailsEveryPendingCommandAtOnce() throws Exception {
    server = FakeQmpServer.start(dir, peer -> {
      peer.handshake();
      peer.readCommand();
      peer.readCommand();
      peer.close();
    });
    client = server.client().commandTimeout(Duration.ofSeconds(20)).connect();

    CompletableFuture<QmpValue> first = client.execute("query-status");
    CompletableFuture<QmpValue> second = client.execute("query-name");

    for (CompletableFuture<QmpValue> reply : List.of(first, second)) {
      assertThatThrownBy(() -> reply.get(5, TimeUnit.SECONDS))
          .cause()
          .isInstanceOf(QmpConnectionClosedException.class)
          .hasMessageContaining("got no reply");
    }
    assertThat(client.closed().get(5, TimeUnit.SECONDS).getMessage()).contains("QEMU closed");
  }

  @Test
  void closingFromAnEventListenerOnTheIoThreadDoesNotDeadlock() throws Exception {
    server = FakeQmpServer.start(dir, peer -> {
      peer.handshake();
      peer.readCommand();
      peer.sendLine("{\"event\": \"SHUTDOWN\", \"data\": {}}");
      peer.answerAll();
    });
    client = server.client().connect();
    client.subscribe("SHUTDOWN", event -> client.close());

    CompletableFuture<QmpValue> reply = client.execute("query-status");

    assertThatThrownBy(() -> reply.get(5, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(QmpConnectionClosedException.class);
    assertThat(client.isOpen()).isFalse();
  }

  @Test
  void connectingToANonexistentSocketIsAConnectFailureWithItsCause() {
    assertThatThrownBy(() -> QmpClient.unix(dir.resolve("nobody.sock")).connect())
        .isInstanceOf(QmpConnectException.class)
        .hasMessageContaining("cannot connect to QMP at")
        .hasMessageContaining("nobody.sock")
        .hasMessageNotContaining("closed")
        .cause()
        .isInstanceOf(java.io.IOException.class);
  }

  @Test
  void connectingToAClosedTcpPortIsAConnectFailureWithItsCause() throws Exception {
    int closedPort;
    try (java.net.ServerSocket bound = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = bound.getLocalPort();
    }

    assertThatThrownBy(() -> QmpClient.tcp("127.0.0.1", closedPort).connect())
        .isInstanceOf(QmpConnectException.class)
        .hasMessageContaining("cannot connect to QMP at")
        .hasMessageContaining(Integer.toString(closedPort))
        .hasMessageNotContaining("closed")
        .cause()
        .isInstanceOf(java.net.ConnectException.class);
  }

  @Test
  void aSubscriberCannotChangeTheEventAnotherSubscriberReceives() throws Exception {
    server = FakeQmpServer.start(dir, peer -> {
      peer.handshake();
      peer.readCommand();
      peer.sendLine("{\"event\": \"COLO_EXIT\", \"data\": {\"mode\": \"primary\", \"reason\": \"error\"}}");
      peer.answerAll();
    });
    client = server.client().connect();
    List<Object> tampering = new CopyOnWriteArrayList<>();
    List<String> seenByTheSecond = new CopyOnWriteArrayList<>();
    CountDownLatch delivered = new CountDownLatch(1);
    client.subscribe("COLO_EXIT", event -> {
      // Every way a subscriber could reach into the data: none changes it.
      try {
        event.data().fieldNames().clear();
      } catch (UnsupportedOperationException refused) {
        tampering.add(refused);
      }
      try {
        java.util.Iterator<QmpValue> members = event.data().iterator();
        members.next();
        members.remove();
      } catch (UnsupportedOperationException | IllegalStateException refused) {
        tampering.add(refused);
      }
    });
    client.subscribe("COLO_EXIT", event -> {
      seenByTheSecond.add(event.text("mode") + "/" + event.text("reason") + "/" + event.data().size());
      delivered.countDown();
    });

    client.execute("query-status");

    assertThat(delivered.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(tampering).hasSize(2);
    assertThat(seenByTheSecond).containsExactly("primary/error/2");
  }

  @Test
  void badArgumentsAreRejectedBeforeAnythingIsSent() throws Exception {
    server = FakeQmpServer.start(dir, peer -> {
      peer.handshake();
      peer.answerAll();
    });
    client = server.client().connect();

    assertThatThrownBy(() -> client.execute(" "))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("command");
    assertThatThrownBy(() -> client.execute("stop", List.of(1, 2)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("JSON object, got ARRAY");
    assertThatThrownBy(() -> client.execute("stop", null, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout must be > 0");
    assertThatThrownBy(() -> QmpClient.tcp("localhost", 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("port");
  }

  @Test
  void aTimeoutBeyondTenYearsIsRefusedNamingTheBound() throws Exception {
    server = FakeQmpServer.start(dir, peer -> {
      peer.handshake();
      peer.answerAll();
    });
    client = server.client().connect();

    assertThatThrownBy(() -> client.execute("query-status", null, Duration.ofNanos(Long.MAX_VALUE)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("timeout must be > 0 and at most PT87600H");
    assertThatThrownBy(() -> server.client().commandTimeout(Duration.ofDays(3651)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("commandTimeout must be > 0 and at most");
    assertThatThrownBy(() -> server.client().connectTimeout(Duration.ofSeconds(Long.MAX_VALUE)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("connectTimeout must be > 0 and at most");
  }

  @Test
  void aTenYearTimeoutDoesNotHoldBackShorterOnes() throws Exception {
    server = FakeQmpServer.start(dir, peer -> {
      peer.handshake();
      while (peer.readCommand() != null) {
        // never answers
      }
    });
    client = server.client().connect();

    CompletableFuture<QmpValue> patient = client.execute("query-status", null, Duration.ofDays(3650));
    CompletableFuture<QmpValue> hasty = client.execute("query-name", null, SHORT);

    assertThatThrownBy(() -> hasty.get(5, TimeUnit.SECONDS))
        .cause().isInstanceOf(QmpTimeoutException.class);
    assertThat(patient).isNotDone();
  }

  @Test
  void answeredCommandsLeaveTheDeadlineQueue() throws Exception {
    server = FakeQmpServer.start(dir, peer -> {
      peer.handshake();
      peer.answerAll();
    });
    client = server.client().connect();

    for (int i = 0; i < 50; i++) {
      client.execute("query-status", null, Duration.ofHours(1)).get(5, TimeUnit.SECONDS);
    }

    assertThat(QmpReactor.shared().scheduledDeadlines().get(5, TimeUnit.SECONDS)).isZero();
  }

  @Test
  void pendingCommandsFailBeforeTheClosedCallbacksRun() throws Exception {
    server = FakeQmpServer.start(dir, peer -> {
      peer.handshake();
      while (peer.readCommand() != null) {
        // never answers
      }
    });
    client = server.client().commandTimeout(Duration.ofSeconds(20)).connect();
    CompletableFuture<QmpValue> reply = client.execute("query-status");
    CompletableFuture<Boolean> replyDoneWhenClosedRan = new CompletableFuture<>();
    client.closed().thenRun(() -> replyDoneWhenClosedRan.complete(reply.isDone()));

    client.close();

    assertThat(replyDoneWhenClosedRan.get(5, TimeUnit.SECONDS))
        .as("a caller blocked on a pending command is released before closed() callbacks run")
        .isTrue();
  }

  @Test
  void anErrorThrownByAnEventListenerIsReportedAndIgnored() throws Exception {
    server = FakeQmpServer.start(dir, peer -> {
      peer.handshake();
      peer.sendLine("{\"event\": \"STOP\", \"data\": {}}");
      peer.answerAll();
    });
    CountDownLatch thrown = new CountDownLatch(1);
    client = server.client().eventListener(event -> {
      thrown.countDown();
      throw new AssertionError("a listener bug");
    }).connect();

    assertThat(thrown.await(5, TimeUnit.SECONDS)).isTrue();

    assertThat(client.call("query-status", null).isObject()).isTrue();
    assertThat(client.isOpen()).isTrue();
  }

  @Test
  void aTimedOutCommandIsNeverSentLater() throws Exception {
    CountDownLatch readAgain = new CountDownLatch(1);
    List<String> received = new CopyOnWriteArrayList<>();
    server = FakeQmpServer.start(dir, peer -> {
      peer.handshake();
      readAgain.await(20, TimeUnit.SECONDS);
      JsonNode command;
      while ((command = peer.readCommand()) != null) {
        received.add(command.path("execute").asText());
        peer.reply(command, "{}");
      }
    });
    client = server.client().commandTimeout(SHORT).connect();
    // Far more than the socket buffers hold: the head is written in part, the rest stays queued.
    Map<String, String> big = Map.of("blob", "x".repeat(4 * 1024 * 1024));
    List<CompletableFuture<QmpValue>> stale = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      stale.add(client.execute("stale-" + i, big));
    }
    for (CompletableFuture<QmpValue> reply : stale) {
      assertThatThrownBy(() -> reply.get(5, TimeUnit.SECONDS))
          .cause().isInstanceOf(QmpTimeoutException.class);
    }
    readAgain.countDown();

    assertThat(client.execute("fresh", null, Duration.ofSeconds(10)).get(15, TimeUnit.SECONDS).isObject())
        .isTrue();
    assertThat(received).as("only the command already half written may still arrive")
        .containsAnyOf("fresh").doesNotContain("stale-1", "stale-2", "stale-3");
  }

  @Test
  void callOnTheIoThreadFailsAtOnceInsteadOfBlockingIt() throws Exception {
    server = FakeQmpServer.start(dir, peer -> {
      peer.handshake();
      JsonNode trigger = peer.readCommand();
      peer.sendLine("{\"event\": \"STOP\", \"data\": {}}");
      peer.reply(trigger, "{}");
      peer.answerAll();
    });
    CompletableFuture<Throwable> failure = new CompletableFuture<>();
    client = server.client().commandTimeout(Duration.ofSeconds(20)).connect();
    client.subscribe("STOP", event -> {
      try {
        client.call("query-status", null);
        failure.complete(null);
      } catch (RuntimeException refused) {
        failure.complete(refused);
      }
    });
    client.execute("query-name");

    assertThat(failure.get(5, TimeUnit.SECONDS))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("QMP I/O thread");
  }

  @Test
  void aSelectorThatCannotOpenFailsTheConnectWithATypedException() throws Exception {
    server = FakeQmpServer.start(dir, peer -> {
      peer.handshake();
      peer.answerAll();
    });
    QmpReactor.shared().selectorOpener(() -> {
      throw new java.io.IOException("Too many open files");
    });
    try {
      assertThatThrownBy(() -> server.client().connect())
          .isInstanceOf(QmpConnectException.class)
          .hasMessageContaining("cannot open a selector")
          .hasMessageContaining("Too many open files");
    } finally {
      QmpReactor.shared().selectorOpener(java.nio.channels.Selector::open);
    }
    client = server.client().connect();
    assertThat(client.isOpen()).isTrue();
  }

  @Test
  void anEventWithMicrosecondsOutOfRangeHasNoTimestamp() throws Exception {
    server = FakeQmpServer.start(dir, peer -> {
      peer.handshake();
      peer.sendLine("{\"event\": \"STOP\", \"timestamp\": {\"seconds\": 9223372036853,"
          + " \"microseconds\": 9223372036854775807}}");
      peer.sendLine("{\"event\": \"RESUME\", \"timestamp\": {\"seconds\": 10,"
          + " \"microseconds\": 1000000}}");
      peer.answerAll();
    });
    List<QmpEvent> events = new CopyOnWriteArrayList<>();
    client = server.client().eventListener(events::add).connect();

    client.call("query-status", null);

    assertThat(events).extracting(QmpEvent::timestampMicros)
        .containsExactly(QmpEvent.NO_TIMESTAMP, QmpEvent.NO_TIMESTAMP);
  }

  private void assertClosedByProtocolError(CompletableFuture<QmpValue> reply, String detail)
      throws Exception {
    assertThatThrownBy(() -> reply.get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(QmpConnectionClosedException.class)
        .cause()
        .isInstanceOf(QmpProtocolException.class)
        .hasMessageContaining(detail);
    QmpConnectionClosedException reason = client.closed().get(5, TimeUnit.SECONDS);
    assertThat(reason.getCause()).isInstanceOf(QmpProtocolException.class);
    assertThat(client.isOpen()).isFalse();
  }
}
