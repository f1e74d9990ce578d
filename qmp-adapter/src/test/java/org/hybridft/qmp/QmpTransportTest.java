package org.hybridft.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.hybridft.core.CheckpointCounter;
import org.hybridft.core.ReplicationEndedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A client over a {@link QmpTransport}: replies, error replies, garbage, a monitor that hangs or
 * goes away, and the counter that counts from {@code query-migrate} because no events come. The
 * transport is scripted here for the faults; the real one, libvirt's, is tested against libvirtd.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class QmpTransportTest {
  private static final String VERSION =
      "{\"return\": {\"qemu\": {\"major\": 10, \"minor\": 0, \"micro\": 13}, \"package\": \"hft\"}}";

  /** Answers each command with what {@code answers} says for its text; records the commands. */
  static class Scripted implements QmpTransport {
    final List<String> commands = new CopyOnWriteArrayList<>();
    final AtomicBoolean closed = new AtomicBoolean();
    final AtomicBoolean exchanging = new AtomicBoolean();
    volatile boolean closedWhileExchanging;
    final Function<String, String> answers;

    Scripted(Function<String, String> answers) {
      this.answers = answers;
    }

    @Override
    public String peer() {
      return "scripted monitor";
    }

    @Override
    public boolean local() {
      return true;
    }

    @Override
    public String exchange(String command) {
      commands.add(command);
      if (command.contains("query-version")) {
        return VERSION;
      }
      exchanging.set(true);
      try {
        return answers.apply(command);
      } finally {
        exchanging.set(false);
      }
    }

    @Override
    public void close() {
      closedWhileExchanging |= exchanging.get();
      closed.set(true);
    }
  }

  private static QmpClient connect(QmpTransport transport) {
    return QmpClient.over(transport).commandTimeout(Duration.ofMillis(500)).connect();
  }

  @Test
  void commandsGoAsJsonTextAndRepliesComeBackAsValues() {
    Scripted transport = new Scripted(command -> "{\"return\": {\"status\": \"running\"}, \"id\": \"libvirt-7\"}");
    try (QmpClient client = connect(transport)) {
      assertThat(client.greeting().version()).isEqualTo("10.0.13");
      assertThat(client.deliversEvents()).isFalse();
      assertThat(client.peer()).isEqualTo("scripted monitor");
      assertThat(client.address()).isEmpty();
      assertThat(client.isLocal()).isTrue();
      assertThat(client.call("query-status", null).path("status").asText()).isEqualTo("running");
      client.call("migrate-set-parameters", Map.of("x-checkpoint-delay", 500));
      assertThat(transport.commands).contains("{\"execute\":\"query-status\"}",
          "{\"execute\":\"migrate-set-parameters\",\"arguments\":{\"x-checkpoint-delay\":500}}");
    }
    assertThat(transport.closed).isTrue();
  }

  @Test
  void theVmsNameIsQemusNameElseTheFallback() {
    try (QmpClient named = connect(new Scripted(command -> "{\"return\": {\"name\": \"web-1\"}}"));
        QmpClient unnamed = connect(new Scripted(command -> "{\"return\": {}}"));
        QmpClient old = connect(new Scripted(command ->
            "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"no query-name\"}}"))) {
      assertThat(named.nameOr("fallback")).isEqualTo("web-1");
      assertThat(unnamed.nameOr("fallback")).isEqualTo("fallback");
      assertThat(old.nameOr("fallback")).isEqualTo("fallback");
    }
  }

  @Test
  void anErrorReplyFailsTheCommandOnlyAndGarbageClosesTheClient() {
    Scripted transport = new Scripted(command -> command.contains("nope")
        ? "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"The command nope has not been found\"}}"
        : command.contains("garbage") ? "<html>not json" : "{\"return\": {}}");
    try (QmpClient client = connect(transport)) {
      assertThatThrownBy(() -> client.call("nope", null))
          .isInstanceOfSatisfying(QmpErrorException.class, error -> {
            assertThat(error.errorClass()).isEqualTo("CommandNotFound");
            assertThat(error.command()).isEqualTo("nope");
          });
      assertThat(client.isOpen()).isTrue();
      assertThatThrownBy(() -> client.call("garbage", null))
          .isInstanceOf(QmpProtocolException.class)
          .hasMessageContaining("not JSON").hasMessageContaining("scripted monitor");
      assertThat(client.closed()).succeedsWithin(Duration.ofSeconds(5))
          .satisfies(reason -> assertThat(reason.getCause()).isInstanceOf(QmpProtocolException.class));
      assertThatThrownBy(() -> client.call("query-status", null)).isInstanceOf(QmpConnectionClosedException.class);
    }
  }

  @Test
  void aHungMonitorTimesOutAndCloseWaitsBoundedlyAndNeverReleasesUnderIt() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    Scripted transport = new Scripted(command -> {
      try {
        release.await(20, TimeUnit.SECONDS);
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
      }
      return "{\"return\": {}}";
    });
    QmpClient client = QmpClient.over(transport).commandTimeout(Duration.ofMillis(500))
        .connectTimeout(Duration.ofMillis(500)).connect();
    long start = System.nanoTime();
    assertThatThrownBy(() -> client.call("query-status", null)).isInstanceOf(QmpTimeoutException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    CompletableFuture<QmpValue> queued = client.execute("query-name");
    start = System.nanoTime();
    client.close();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).as("close waits at most its bound")
        .isLessThan(Duration.ofSeconds(3));
    assertThat(queued).failsWithin(Duration.ofSeconds(2))
        .withThrowableOfType(ExecutionException.class)
        .withCauseInstanceOf(QmpConnectionClosedException.class);
    assertThat(transport.closed).as("not released while a call is in it").isFalse();
    release.countDown();
    assertThat(Threads.awaitNoneNamed("hybridft-qmp-transport", Duration.ofSeconds(5))).isTrue();
    assertThat(transport.closed).isTrue();
    assertThat(transport.closedWhileExchanging).isFalse();
    assertThat(transport.commands).noneMatch(command -> command.contains("query-name"));
  }

  @Test
  void aMonitorThatIsGoneClosesTheClientWithTheReason() {
    Scripted transport = new Scripted(command -> {
      throw new QmpConnectionClosedException("domain web1 is not running", null);
    });
    QmpClient client = connect(transport);
    AtomicBoolean heard = new AtomicBoolean();
    client.onClosed(reason -> heard.set(true));
    assertThatThrownBy(() -> client.call("query-status", null))
        .isInstanceOf(QmpConnectionClosedException.class)
        .hasMessageContaining("domain web1 is not running");
    assertThat(heard).isTrue();
    assertThat(client.isOpen()).isFalse();
  }

  @Test
  void aMonitorThatCannotBeReachedIsAConnectFailure() {
    QmpTransport nothing = new Scripted(command -> "") {
      @Override
      public String exchange(String command) {
        throw new QmpConnectionClosedException("no domain named web9", null);
      }
    };
    assertThatThrownBy(() -> QmpClient.over(nothing).connect())
        .isInstanceOf(QmpConnectException.class)
        .hasMessageContaining("scripted monitor").hasMessageContaining("no domain named web9");
  }

  /** A COLO primary's query-migrate, with the dirty-sync count the test sets. */
  private static Function<String, String> migrating(AtomicLong dirtySyncCount, String[] status) {
    return command -> command.contains("query-migrate")
        ? "{\"return\": {\"status\": \"" + status[0] + "\", \"ram\": {\"dirty-sync-count\": "
            + dirtySyncCount.get() + ", \"transferred\": 1}}}"
        : "{\"return\": {}}";
  }

  @Test
  void withoutEventsCheckpointsAreTheGrowthOfTheDirtySyncCountUntilTheReplicationEnds() throws Exception {
    AtomicLong count = new AtomicLong(7);
    String[] status = {"colo"};
    try (QmpClient client = connect(new Scripted(migrating(count, status)));
        QmpCheckpointCounter counter = QmpCheckpointCounter.attach(client)) {
      assertThat(counter.checkpoints()).isZero();
      assertThat(counter.totalPauseNanos()).isEqualTo(CheckpointCounter.PAUSE_UNKNOWN);
      count.addAndGet(5);
      assertThat(readUntil(counter, 5)).isEqualTo(5);
      count.addAndGet(3);
      assertThat(readUntil(counter, 8)).isEqualTo(8);
      status[0] = "completed";
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (counter.endReason() == null && System.nanoTime() < deadline) {
        counter.checkpoints();
        Thread.sleep(10);
      }
      assertThatThrownBy(counter::checkpoints)
          .isInstanceOf(ReplicationEndedException.class)
          .hasMessageContaining("status completed");
    }
  }

  @Test
  void aDirtySyncCountThatFallsBelowTheLastReadingIsACounterResetEvenAboveTheBase() throws Exception {
    AtomicLong count = new AtomicLong(7);
    String[] status = {"colo"};
    try (QmpClient client = connect(new Scripted(migrating(count, status)));
        QmpCheckpointCounter counter = QmpCheckpointCounter.attach(client)) {
      count.set(40);
      assertThat(readUntil(counter, 33)).isEqualTo(33);
      // A new COLO session restarts QEMU's count: 10 is above the base (7) but below the last (40).
      count.set(10);
      assertThat(readUntil(counter, 10)).as("a fall the loop reads as a reset").isEqualTo(10);
      count.set(12);
      assertThat(readUntil(counter, 12)).isEqualTo(12);
    }
  }

  private static long readUntil(QmpCheckpointCounter counter, long expected) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    long read = counter.checkpoints();
    while (read != expected && System.nanoTime() < deadline) {
      Thread.sleep(10);
      read = counter.checkpoints();
    }
    return read;
  }

  @Test
  void withoutEventsAQemuThatReportsNoDirtySyncCountInColoCannotBeCounted() {
    try (QmpClient client = connect(new Scripted(command -> "{\"return\": {\"status\": \"colo\"}}"))) {
      assertThatThrownBy(() -> QmpCheckpointCounter.attach(client))
          .isInstanceOf(QmpStateException.class)
          .hasMessageContaining("no ram.dirty-sync-count")
          .hasMessageContaining("QMP socket of its own");
    }
    try (QmpClient client = connect(new Scripted(command -> "{\"return\": {\"status\": \"active\"}}"))) {
      assertThatThrownBy(() -> QmpCheckpointCounter.attach(client))
          .isInstanceOf(QmpStateException.class)
          .hasMessageContaining("status 'active', not colo");
    }
  }
}
