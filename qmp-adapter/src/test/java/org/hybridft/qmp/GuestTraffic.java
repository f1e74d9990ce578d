package org.hybridft.qmp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Requests to the testbed guest's HTTP service at a fixed rate, each on a new connection, open
 * loop (a slow reply never delays the next request); counts correct replies, wrong ones and
 * failures. Which resource it asks for can change while it runs.
 */
final class GuestTraffic implements AutoCloseable {
  static final String DETERMINISTIC = "/cgi-bin/deterministic";
  static final String NONDETERMINISTIC = "/cgi-bin/nondeterministic";
  private static final int TIMEOUT_MILLIS = 15_000;

  private final URI base;
  private final ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor(
      r -> daemon(r, "guest-traffic-clock"));
  private final ExecutorService requests = Executors.newFixedThreadPool(32, r -> daemon(r, "guest-traffic"));
  private volatile String resource;
  final AtomicLong sent = new AtomicLong();
  final AtomicLong correct = new AtomicLong();
  final AtomicLong wrong = new AtomicLong();
  final AtomicLong failed = new AtomicLong();
  private volatile String lastProblem = "none";

  GuestTraffic(URI base, String resource, double requestsPerSecond) {
    this.base = base;
    this.resource = resource;
    long periodMicros = Math.round(1e6 / requestsPerSecond);
    clock.scheduleAtFixedRate(this::send, 0, periodMicros, TimeUnit.MICROSECONDS);
  }

  /** From now on, requests ask for {@code resource}. */
  void ask(String resource) {
    this.resource = resource;
  }

  private void send() {
    String path = resource;
    sent.incrementAndGet();
    requests.execute(() -> {
      try {
        String reply = get(path);
        String expected = path.equals(DETERMINISTIC)
            ? "hybrid-ft testbed: deterministic reply"
            : "hybrid-ft testbed: uptime ";
        if (reply.startsWith("HTTP/1.0 200 OK") && reply.contains("\r\n\r\n" + expected)) {
          correct.incrementAndGet();
        } else {
          wrong.incrementAndGet();
          lastProblem = "wrong reply to " + path + ": " + reply;
        }
      } catch (IOException e) {
        failed.incrementAndGet();
        lastProblem = path + ": " + e;
      }
    });
  }

  private String get(String path) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), TIMEOUT_MILLIS);
      socket.setSoTimeout(TIMEOUT_MILLIS);
      OutputStream out = socket.getOutputStream();
      out.write(("GET " + path + " HTTP/1.0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    }
  }

  String summary() {
    return String.format("%d sent, %d correct, %d wrong, %d failed (last problem: %s)",
        sent.get(), correct.get(), wrong.get(), failed.get(), lastProblem);
  }

  /** Stops sending and waits for the replies in flight. */
  @Override
  public void close() throws InterruptedException {
    clock.shutdownNow();
    clock.awaitTermination(5, TimeUnit.SECONDS);
    requests.shutdown();
    if (!requests.awaitTermination(TIMEOUT_MILLIS + 5_000, TimeUnit.MILLISECONDS)) {
      requests.shutdownNow();
    }
  }

  private static Thread daemon(Runnable task, String name) {
    Thread thread = new Thread(task, name);
    thread.setDaemon(true);
    return thread;
  }
}
