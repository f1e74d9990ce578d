package org.hybridft.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The open-loop generator against a local JDK HTTP server: a fake that replies as the testbed
 * guest does (status 200, Content-Length), or wrongly, or never.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LoadGeneratorTest {
  private static final HttpResource GOOD = new HttpResource("/good", "hybrid-ft testbed: ");
  private static final HttpResource WRONG_BODY = new HttpResource("/wrong-body", "hybrid-ft testbed: ");
  private static final HttpResource NOT_FOUND = new HttpResource("/missing", "hybrid-ft testbed: ");
  private static final HttpResource HANGS = new HttpResource("/hangs", "hybrid-ft testbed: ");

  private HttpServer server;
  private ExecutorService handlers;
  private final AtomicInteger served = new AtomicInteger();
  private final CountDownLatch release = new CountDownLatch(1);

  @BeforeEach
  void startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    handlers = Executors.newFixedThreadPool(8);
    server.setExecutor(handlers);
    server.createContext("/good", exchange -> reply(exchange, 200, "hybrid-ft testbed: fine"));
    server.createContext("/wrong-body", exchange -> reply(exchange, 200, "something else entirely"));
    server.createContext("/hangs", exchange -> {
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
      }
      reply(exchange, 200, "hybrid-ft testbed: late");
    });
    server.start();
  }

  @AfterEach
  void stopServer() throws InterruptedException {
    release.countDown();
    server.stop(0);
    handlers.shutdownNow();
    handlers.awaitTermination(10, TimeUnit.SECONDS);
  }

  private void reply(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.US_ASCII);
    // Counted before the reply leaves: counted after, the client could finish and the test read
    // the count before this handler thread got to it.
    served.incrementAndGet();
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private InetSocketAddress address() {
    return server.getAddress();
  }

  @Test
  void theClientTrafficCountsEveryRequestByteSentAndEveryReplyByteReceived() throws InterruptedException {
    LoadGenerator generator = LoadGenerator.to(address()).rate(50).duration(Duration.ofSeconds(1))
        .resources(List.of(GOOD), elapsed -> 0).seed(3).start();
    assertThat(generator.await(Duration.ofSeconds(30))).isTrue();
    generator.close();
    LoadResult result = generator.result();

    long request = ("GET /good HTTP/1.0\r\nHost: " + address().getHostString() + ":" + address().getPort()
        + "\r\nUser-Agent: hybrid-ft\r\n\r\n").length();
    String body = "hybrid-ft testbed: fine";
    assertThat(result.correct()).isEqualTo(result.arrivals()).isPositive();
    assertThat(result.bytesSent()).isEqualTo(result.arrivals() * request);
    // Each reply is its status line and headers, then the body.
    assertThat(result.bytesReceived()).isGreaterThan(result.arrivals() * (body.length() + "HTTP/1.1 200 OK\r\n\r\n".length()));
    assertThat(result.clientBytes()).isEqualTo(result.bytesSent() + result.bytesReceived());
  }

  @Test
  void everyArrivalOfAPoissonProcessGetsACorrectReplyWithItsLatencyRecorded() throws InterruptedException {
    LoadGenerator generator = LoadGenerator.to(address()).rate(200).duration(Duration.ofSeconds(2))
        .resources(List.of(GOOD), elapsed -> 0).seed(7).start();
    assertThat(generator.await(Duration.ofSeconds(30))).isTrue();
    generator.close();
    LoadResult result = generator.result();

    // 400 expected; a Poisson count lies within 5 standard deviations (±100) but for 1 in 10^6.
    assertThat(result.arrivals()).isBetween(300L, 500L);
    assertThat(result.correct()).isEqualTo(result.arrivals());
    assertThat(result.allCorrect()).isTrue();
    assertThat(served.get()).isEqualTo((int) result.arrivals());
    assertThat(result.latencyMeanMs()).isPositive();
    assertThat(result.latencyP99Ms()).isGreaterThanOrEqualTo(result.latencyP50Ms());
    assertThat(result.latencyMaxMs()).isGreaterThanOrEqualTo(result.latencyP99Ms());
  }

  @Test
  void theSameSeedGivesTheSameArrivalsAndTheRateScalesThem() throws InterruptedException {
    long first = run(100, 3);
    long again = run(100, 3);
    long doubled = run(200, 3);

    assertThat(again).isEqualTo(first);
    assertThat(doubled).isBetween(2 * first - 4 * (long) Math.sqrt(2 * first) - 20,
        2 * first + 4 * (long) Math.sqrt(2 * first) + 20);
  }

  private long run(double rate, long seed) throws InterruptedException {
    LoadGenerator generator = LoadGenerator.to(address()).rate(rate).duration(Duration.ofSeconds(1))
        .resources(List.of(GOOD), elapsed -> 0).seed(seed).start();
    assertThat(generator.await(Duration.ofSeconds(30))).isTrue();
    generator.close();
    return generator.result().arrivals();
  }

  @Test
  void aWrongStatusAndAWrongBodyAreWrongRepliesNotErrors() throws InterruptedException {
    List<HttpResource> resources = List.of(GOOD, WRONG_BODY, NOT_FOUND);
    LoadGenerator generator = LoadGenerator.to(address()).rate(150).duration(Duration.ofSeconds(2))
        .resources(resources, elapsed -> (int) (elapsed / 1_000_000 % 3)).seed(3).start();
    assertThat(generator.await(Duration.ofSeconds(30))).isTrue();
    generator.close();
    LoadResult result = generator.result();

    assertThat(result.wrongReplies()).isPositive();
    assertThat(result.correct()).isPositive();
    assertThat(result.errors()).isZero();
    assertThat(result.timeouts()).isZero();
    assertThat(result.correct() + result.wrongReplies()).isEqualTo(result.arrivals());
  }

  @Test
  void aServerThatNeverRepliesCountsTimeouts() throws InterruptedException {
    LoadGenerator generator = LoadGenerator.to(address()).rate(50).duration(Duration.ofMillis(500))
        .requestTimeout(Duration.ofMillis(300)).resources(List.of(HANGS), elapsed -> 0).start();
    assertThat(generator.await(Duration.ofSeconds(30))).isTrue();
    generator.close();
    LoadResult result = generator.result();

    assertThat(result.arrivals()).isPositive();
    assertThat(result.timeouts()).isEqualTo(result.arrivals());
    assertThat(result.correct()).isZero();
    assertThat(result.latencyMeanMs()).isZero();
  }

  @Test
  void aRefusedConnectionIsAnError() throws IOException, InterruptedException {
    int closedPort;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = probe.getLocalPort();
    }
    LoadGenerator generator = LoadGenerator.to(new InetSocketAddress(InetAddress.getLoopbackAddress(), closedPort))
        .rate(100).duration(Duration.ofMillis(500)).start();
    assertThat(generator.await(Duration.ofSeconds(30))).isTrue();
    generator.close();
    LoadResult result = generator.result();

    assertThat(result.arrivals()).isPositive();
    assertThat(result.errors()).isEqualTo(result.arrivals());
  }

  @Test
  void arrivalsFindingEveryConnectionBusyAreErrorsAndNeverWait() throws InterruptedException {
    LoadGenerator generator = LoadGenerator.to(address()).rate(200).duration(Duration.ofMillis(500))
        .requestTimeout(Duration.ofSeconds(1)).maxInFlight(2).resources(List.of(HANGS), elapsed -> 0).start();
    assertThat(generator.await(Duration.ofSeconds(30))).isTrue();
    generator.close();
    LoadResult result = generator.result();

    assertThat(result.timeouts()).isEqualTo(2);
    assertThat(result.errors()).isEqualTo(result.arrivals() - 2);
  }

  @Test
  void noThreadOfTheGeneratorOutlivesClose() {
    LoadGenerator generator = LoadGenerator.to(address()).rate(100).duration(Duration.ofMinutes(10))
        .resources(List.of(GOOD), elapsed -> 0).start();
    assertThat(generatorThreads()).isPositive();

    generator.close();

    assertThat(generatorThreads()).isZero();
    assertThat(generator.result().arrivals()).isLessThan(10L * 60 * 100 / 2);
  }

  @Test
  void theResultIsRefusedWhileRunning() {
    LoadGenerator generator = LoadGenerator.to(address()).rate(10).duration(Duration.ofMinutes(1)).start();
    try {
      assertThatThrownBy(generator::result).isInstanceOf(IllegalStateException.class).hasMessageContaining("close()");
    } finally {
      generator.close();
    }
  }

  @Test
  void invalidSettingsNameTheParameter() {
    LoadGenerator.Builder builder = LoadGenerator.to(address());
    assertThatThrownBy(() -> builder.rate(0)).hasMessageContaining("rate");
    assertThatThrownBy(() -> builder.rate(Double.NaN)).hasMessageContaining("rate");
    assertThatThrownBy(() -> builder.duration(Duration.ZERO)).hasMessageContaining("duration");
    assertThatThrownBy(() -> builder.requestTimeout(Duration.ofSeconds(-1))).hasMessageContaining("requestTimeout");
    assertThatThrownBy(() -> builder.maxInFlight(0)).hasMessageContaining("maxInFlight");
  }

  private static long generatorThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals(LoadGenerator.THREAD_NAME) && t.isAlive())
        .count();
  }
}
