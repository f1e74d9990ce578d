package org.hybridft.qmp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.hybridft.core.CheckpointCounter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * On a real COLO pair, the count from {@code query-migrate}'s {@code ram.dirty-sync-count} (what a
 * client without events, such as one through libvirt, counts by) equals the count of {@code
 * MIGRATION_PASS} events, checkpoint for checkpoint, at several checkpoint rates. The query client
 * goes over a {@link QmpTransport} on the primary's second monitor, so it gets no events at all.
 */
@Tag("real-qemu")
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class QueryCountOnColoPairTest {
  @TempDir Path dir;
  private Testbed pair;

  @AfterEach
  void stop() throws Exception {
    if (pair != null) {
      pair.close();
    }
  }

  /** A transport over a QMP socket client: what a client over libvirt sees, minus the events. */
  private record SocketTransport(QmpClient socket) implements QmpTransport {
    @Override
    public String peer() {
      return "transport over " + socket.peer();
    }

    @Override
    public boolean local() {
      return true;
    }

    @Override
    public String exchange(String command) {
      QmpValue request = QmpValue.parse(command);
      QmpValue arguments = request.path("arguments");
      try {
        QmpValue reply = socket.execute(request.path("execute").asText(),
            arguments.isObject() ? arguments : null).join();
        return "{\"return\": " + reply + "}";
      } catch (CompletionException failed) {
        if (failed.getCause() instanceof QmpErrorException error) {
          return "{\"error\": {\"class\": \"" + error.errorClass() + "\", \"desc\": \"\"}}";
        }
        throw (RuntimeException) failed.getCause();
      }
    }

    @Override
    public void close() {
      socket.close();
    }
  }

  @Test
  void theDirtySyncCountGrowsByOnePerCheckpointExactlyAsTheEventsCount() throws Exception {
    Testbed.assumeBuilt();
    pair = Testbed.start(dir, Testbed.Guest.BIOS);
    QmpClient events = pair.primary();
    QmpClient ha = QmpClient.unix(dir.resolve("primary-ha.qmp")).connect();
    try (QmpCheckpointCounter byEvents = QmpCheckpointCounter.attach(events);
        QmpClient overTransport = QmpClient.over(new SocketTransport(ha)).connect();
        QmpCheckpointCounter byQuery = QmpCheckpointCounter.attach(overTransport)) {
      assertThat(overTransport.deliversEvents()).isFalse();
      assertThat(byQuery.totalPauseNanos()).isEqualTo(CheckpointCounter.PAUSE_UNKNOWN);
      long eventsBefore = byEvents.checkpoints();
      StringBuilder figures = new StringBuilder();
      for (long delayMillis : new long[] {100, 1000}) {
        long eventsAtStart = byEvents.checkpoints();
        long queryAtStart = settled(byQuery);
        events.call("migrate-set-parameters", Map.of("x-checkpoint-delay", delayMillis));
        Thread.sleep(delayMillis == 1000 ? 5000 : 3000);
        // Checkpoints stop, so both counts can be read at rest and compared exactly.
        events.call("migrate-set-parameters", Map.of("x-checkpoint-delay", 60_000));
        Thread.sleep(1500);
        long byEventsNow = byEvents.checkpoints() - eventsAtStart;
        long byQueryNow = settled(byQuery) - queryAtStart;
        figures.append(String.format("x-checkpoint-delay %d ms: %d checkpoints by events, %d by query; ",
            delayMillis, byEventsNow, byQueryNow));
        assertThat(byEventsNow).as("checkpoints at %d ms", delayMillis).isGreaterThanOrEqualTo(3);
        assertThat(byQueryNow).as("query count at %d ms (%s)", delayMillis, figures).isEqualTo(byEventsNow);
      }
      System.err.println("QueryCountOnColoPairTest: " + figures + "total by events "
          + (byEvents.checkpoints() - eventsBefore));
    }
  }

  /** The query count once two reads 300 ms apart agree (the count lags by one read). */
  private static long settled(QmpCheckpointCounter counter) throws InterruptedException {
    long previous = counter.checkpoints();
    for (int attempt = 0; attempt < 20; attempt++) {
      Thread.sleep(300);
      long now = counter.checkpoints();
      if (now == previous) {
        return now;
      }
      previous = now;
    }
    return previous;
  }
}
