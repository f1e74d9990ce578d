package org.hybridft.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.hybridft.core.Mode;
import org.hybridft.core.testing.ScriptedController;
import org.hybridft.qmp.ColoPrimaryControl;
import org.hybridft.qmp.testing.FakeQmpServer;
import org.hybridft.qmp.ModeRecipe;
import org.hybridft.qmp.QmpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run on a fake COLO primary (a scripted QMP server) and a local HTTP service: what a run
 * reports is complete when it returns, whatever the loop's listeners were still doing.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PairEvaluationTest {
  private static final Duration PERIOD = Duration.ofMillis(50);
  private static final Map<String, String> PRIMARY = Map.of(
      "query-colo-status", "{\"mode\": \"primary\"}",
      "query-migrate-capabilities", "[{\"capability\": \"events\", \"state\": true}]",
      "query-status", "{\"status\": \"colo\", \"running\": true}",
      "query-migrate-parameters", "{\"x-checkpoint-delay\": 10000}",
      "migrate-set-parameters", "{}");

  @TempDir Path dir;
  private HttpServer http;
  private ScheduledExecutorService scheduler;

  @BeforeEach
  void startService() throws IOException {
    http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    for (HttpResource resource : RealWorkload.RESOURCES) {
      http.createContext(resource.path(), exchange -> reply(exchange, resource.expectedBodyPrefix()));
    }
    http.start();
    // Two threads: while one is held delivering to a slow listener, the other goes on ticking.
    scheduler = Executors.newScheduledThreadPool(2);
  }

  @AfterEach
  void stop() throws InterruptedException {
    http.stop(0);
    scheduler.shutdownNow();
    scheduler.awaitTermination(10, TimeUnit.SECONDS);
  }

  private static void reply(HttpExchange exchange, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.US_ASCII);
    exchange.sendResponseHeaders(200, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** Refuses the first mode it is asked to apply, then answers as a primary does. */
  private FakeQmpServer primaryThatRefusesTheFirstActuation() throws IOException {
    AtomicBoolean refused = new AtomicBoolean();
    return FakeQmpServer.start(dir, peer -> {
      peer.handshake();
      JsonNode command;
      while ((command = peer.readCommand()) != null) {
        String name = command.path("execute").asText();
        if (name.equals("migrate-set-parameters") && refused.compareAndSet(false, true)) {
          peer.replyError(command, "GenericError", "refused once by the test");
        } else {
          peer.reply(command, PRIMARY.getOrDefault(name, "{}"));
        }
      }
    });
  }

  @Test
  void aRunReportsEveryPeriodItRanEvenWhenAListenerStillDeliversAtClose() throws Exception {
    CountDownLatch listenerDone = new CountDownLatch(1);
    PairEvaluation.Listener slowListener = (controller, error) -> {
      if (listenerDone.getCount() > 0) {
        // Holds the loop's event delivery past the end of the run: the ticks queue behind it.
        sleep(Duration.ofMillis(1500));
        listenerDone.countDown();
      }
    };
    try (FakeQmpServer qemu = primaryThatRefusesTheFirstActuation();
        QmpClient client = qemu.client().connect();
        ColoPrimaryControl control = ColoPrimaryControl.attach(
            client, c -> ModeRecipe.checkpointDelay(Duration.ofSeconds(10)))) {
      PairEvaluation evaluation = new PairEvaluation(
          new PairEvaluation.Settings(RealWorkload.DETERMINISTIC, Duration.ofSeconds(1), http.getAddress(),
              20, Duration.ofMillis(600), PERIOD, Duration.ofSeconds(1), Duration.ZERO),
          control.counter(), control.actuator(), scheduler, slowListener);

      PairEvaluation.RealRun run = evaluation.run("always-colo", ScriptedController.always(Mode.COLO), 0, 1, new CountDownLatch(1));
      int periodsAtReturn = run.timeline().size();
      assertThat(listenerDone.await(10, TimeUnit.SECONDS)).isTrue();
      sleep(Duration.ofMillis(300)); // whatever was queued behind the listener is delivered by now

      assertThat(run.errors()).as("the refused actuation").isEqualTo(1);
      assertThat(periodsAtReturn)
          .as("periods in the run's timeline when it returned, and once delivery settled")
          .isPositive()
          .isEqualTo(run.timeline().size());
      assertThat(run.result().coloShare()).isEqualTo(1.0);
      assertThat(qemu.failures()).isEmpty();
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
