package org.hybridft.qmp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.hybridft.qmp.testing.FakeQmpServer;

/** One selector thread serves every connection of the JVM. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ManyConnectionsTest {
  @TempDir Path dir;

  @Test
  void aThousandConnectionsShareOneIoThreadWhichEndsWithTheLast() throws Exception {
    int connections = 1000;
    List<QmpClient> clients = new ArrayList<>();
    try (FakeQmpServer server = FakeQmpServer.start(dir, peer -> {
      peer.handshake();
      peer.answerAll();
    })) {
      // In batches: a unix socket refuses a non-blocking connect (EAGAIN) once the server's
      // accept backlog is full, and one test server takes all thousand here.
      for (int batch = 0; batch < connections; batch += 40) {
        List<CompletableFuture<QmpClient>> connecting = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
          connecting.add(server.client().connectTimeout(Duration.ofSeconds(20)).connectAsync());
        }
        for (CompletableFuture<QmpClient> pending : connecting) {
          clients.add(pending.get(30, TimeUnit.SECONDS));
        }
      }
      List<CompletableFuture<QmpValue>> replies = new ArrayList<>();
      for (QmpClient client : clients) {
        replies.add(client.execute("query-status", null, Duration.ofSeconds(20)));
      }
      for (CompletableFuture<QmpValue> reply : replies) {
        assertThat(reply.get(30, TimeUnit.SECONDS).isObject()).isTrue();
      }

      long ioThreads = Thread.getAllStackTraces().keySet().stream()
          .filter(t -> t.getName().equals(QmpReactor.THREAD_NAME))
          .count();
      assertThat(ioThreads).isEqualTo(1);
    } finally {
      clients.forEach(QmpClient::close);
    }
    assertThat(Threads.awaitNoneNamed(QmpReactor.THREAD_NAME, Duration.ofSeconds(5))).isTrue();
  }
}
