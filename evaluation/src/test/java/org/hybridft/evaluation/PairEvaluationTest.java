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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
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
      "query-status", "{\"status\": \"colo\", \"running\": true}");

  @TempDir Path dir;
  private final AtomicInteger meterReads = new AtomicInteger();
  /** A pair whose every reading finds 1.5 + 0.5 more CPU seconds and 3 MB more checkpoint bytes. */
  private final PairMeter meter = () -> {
    int n = meterReads.incrementAndGet();
    return new PairUsage(10 + 1.5 * n, 20 + 0.5 * n, 1_000_000L + 3_000_000L * n);
  };
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

  /**
   * A primary that keeps the checkpoint delay it is given and reads it back, and refuses the
   * {@code refused}-th mode it is asked to apply (none for 0).
   */
  private FakeQmpServer primary(int refused) throws IOException {
    AtomicInteger applied = new AtomicInteger();
    AtomicLong delay = new AtomicLong(10_000);
    return FakeQmpServer.start(dir, peer -> {
      peer.handshake();
      JsonNode command;
      while ((command = peer.readCommand()) != null) {
        String name = command.path("execute").asText();
        if (name.equals("migrate-set-parameters")) {
          if (applied.incrementAndGet() == refused) {
            peer.replyError(command, "GenericError", "refused once by the test");
          } else {
            delay.set(command.path("arguments").path("x-checkpoint-delay").asLong());
            peer.reply(command, "{}");
          }
        } else if (name.equals("query-migrate-parameters")) {
          peer.reply(command, "{\"x-checkpoint-delay\": " + delay.get() + "}");
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
    // The switch to checkpoint mode at the fourth update is refused once: its error reaches the
    // slow listener after the first periods did.
    try (FakeQmpServer qemu = primary(2);
        QmpClient client = qemu.client().connect();
        ColoPrimaryControl control = ColoPrimaryControl.attach(
            client, c -> ModeRecipe.checkpointDelay(Duration.ofSeconds(10)))) {
      PairEvaluation evaluation = new PairEvaluation(
          new PairEvaluation.Settings(RealWorkload.DETERMINISTIC, Duration.ofSeconds(1), http.getAddress(),
              20, Duration.ofSeconds(1), PERIOD, Duration.ofSeconds(1), Duration.ZERO),
          control.counter(), control.actuator(), meter, scheduler, slowListener);

      PairEvaluation.RealRun run = evaluation.run("scripted",
          new ScriptedController(Mode.COLO, Mode.COLO, Mode.COLO, Mode.COLO, Mode.CHECKPOINT), 0, 1, new CountDownLatch(1));
      int periodsAtReturn = run.timeline().size();
      assertThat(listenerDone.await(10, TimeUnit.SECONDS)).isTrue();
      sleep(Duration.ofMillis(300)); // whatever was queued behind the listener is delivered by now

      assertThat(run.errors()).as("the refused actuation").isEqualTo(1);
      assertThat(periodsAtReturn)
          .as("periods in the run's timeline when it returned, and once delivery settled")
          .isGreaterThanOrEqualTo(3)
          .isEqualTo(run.timeline().size());
      assertThat(run.result().switches()).as("the switch retried after the refusal").isEqualTo(1);
      assertThat(qemu.failures()).isEmpty();
    }
  }

  private PairEvaluation evaluation(ColoPrimaryControl control, PairEvaluation.Listener listener) {
    return new PairEvaluation(
        new PairEvaluation.Settings(RealWorkload.PHASED, Duration.ofMillis(200), http.getAddress(),
            20, Duration.ofMillis(400), PERIOD, Duration.ofSeconds(1), Duration.ZERO),
        control.counter(), control.actuator(), meter, scheduler, listener);
  }

  @Test
  void anEvaluationRunsEveryContenderInEveryRunAndGivesTheirResultsAndTimelines() throws Exception {
    try (FakeQmpServer qemu = primary(0);
        QmpClient client = qemu.client().connect();
        ColoPrimaryControl control = ColoPrimaryControl.attach(
            client, c -> ModeRecipe.checkpointDelay(Duration.ofSeconds(10)))) {
      List<String> heard = new ArrayList<>();

      PairEvaluationResult result = evaluation(control, (controller, error) -> {}).evaluate(
          List.of(new PairEvaluation.Contender("colo", () -> ScriptedController.always(Mode.COLO)),
              new PairEvaluation.Contender("checkpoint", () -> ScriptedController.always(Mode.CHECKPOINT))),
          2, 7, new CountDownLatch(1), run -> heard.add(run.result().controller() + " " + run.result().run()));

      assertThat(result.outcome()).isEqualTo(PairEvaluationResult.Outcome.COMPLETED);
      assertThat(heard).containsExactly("colo 0", "checkpoint 0", "colo 1", "checkpoint 1");
      assertThat(result.results()).extracting(r -> r.seed()).containsExactly(7L, 7L, 8L, 8L);
      assertThat(result.firstTimelines()).containsOnlyKeys("colo", "checkpoint");
      assertThat(result.timelineCsv()).startsWith("controller,run,seconds,mode,checkpoints_per_second,resource\n")
          .contains("\ncolo,0,").contains("\ncheckpoint,1,");
    }
  }

  @Test
  void aRunsCpuAndNetworkAreTheMetersDifferenceAndTheClientTraffic() throws Exception {
    try (FakeQmpServer qemu = primary(0);
        QmpClient client = qemu.client().connect();
        ColoPrimaryControl control = ColoPrimaryControl.attach(
            client, c -> ModeRecipe.checkpointDelay(Duration.ofSeconds(10)))) {
      PairEvaluation.RealRun run = evaluation(control, (controller, error) -> {})
          .run("colo", ScriptedController.always(Mode.COLO), 0, 1, new CountDownLatch(1));

      assertThat(meterReads.get()).as("read at the run's start and end").isEqualTo(2);
      assertThat(run.usage().pair()).isEqualTo(new PairUsage(1.5, 0.5, 3_000_000L));
      assertThat(run.load().clientBytes()).isPositive();
      assertThat(run.usage().clientBytes()).isEqualTo(run.load().clientBytes());
      assertThat(run.result().cpuSeconds()).isEqualTo(2.0);
      assertThat(run.result().networkMb()).isEqualTo((3_000_000L + run.load().clientBytes()) / 1e6);
    }
  }

  @Test
  void aPairThatCannotBeReadAtTheRunsEndFailsTheRunInsteadOfReportingNaN() throws Exception {
    AtomicInteger reads = new AtomicInteger();
    PairMeter failsAtTheEnd = () -> {
      if (reads.incrementAndGet() > 1) {
        throw new IllegalStateException("the secondary's /proc is gone");
      }
      return new PairUsage(1, 1, 1);
    };
    try (FakeQmpServer qemu = primary(0);
        QmpClient client = qemu.client().connect();
        ColoPrimaryControl control = ColoPrimaryControl.attach(
            client, c -> ModeRecipe.checkpointDelay(Duration.ofSeconds(10)))) {
      PairEvaluation evaluation = new PairEvaluation(
          new PairEvaluation.Settings(RealWorkload.PHASED, Duration.ofMillis(200), http.getAddress(),
              20, Duration.ofMillis(400), PERIOD, Duration.ofSeconds(1), Duration.ZERO),
          control.counter(), control.actuator(), failsAtTheEnd, scheduler, (controller, error) -> {});

      org.assertj.core.api.Assertions.assertThatThrownBy(() -> evaluation.run("colo",
              ScriptedController.always(Mode.COLO), 0, 1, new CountDownLatch(1)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("the secondary's /proc is gone");
    }
  }

  @Test
  void anEvaluationStoppedBeforeItsFirstRunIsInterruptedWithThePairBackInColo() throws Exception {
    try (FakeQmpServer qemu = primary(0);
        QmpClient client = qemu.client().connect();
        ColoPrimaryControl control = ColoPrimaryControl.attach(
            client, c -> ModeRecipe.checkpointDelay(Duration.ofSeconds(10)))) {

      PairEvaluationResult result = evaluation(control, (controller, error) -> {}).evaluate(
          List.of(new PairEvaluation.Contender("colo", () -> ScriptedController.always(Mode.COLO))),
          1, 1, new CountDownLatch(0), run -> {});

      assertThat(result.outcome()).isEqualTo(PairEvaluationResult.Outcome.INTERRUPTED);
      assertThat(result.runs()).isEmpty();
      assertThat(result.resetFailure()).isNull();
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
