package org.hybridft.agent;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A {@link PrometheusMeterRegistry} served in Prometheus' text format on {@code /metrics} by the
 * JDK's HTTP server, and optionally a health report on {@code /health}, until {@link #close()}.
 *
 * <p>A client cannot hold the server: requests are served by a small bounded pool of daemon
 * threads, and a request not received in full within {@value #REQUEST_SECONDS} s (or a reply not
 * read within as long) has its connection closed, freeing its thread. The metrics are read-only:
 * what they reveal is the VMs' names and their replication figures.
 */
public final class MetricsServer implements AutoCloseable {
  /** Prometheus' text exposition format. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  /** How long a request may take to arrive, and a reply to be read, before the connection closes. */
  public static final int REQUEST_SECONDS = 5;

  /** Handler threads: a few scrapes at once; a stalled client holds one for at most REQUEST_SECONDS. */
  public static final int HANDLERS = 4;

  private static final String FORM =
      "expected [HOST:]PORT with PORT 0..65535, e.g. 9400 (loopback), 127.0.0.1:9400, 0.0.0.0:9400 or [::1]:9400";

  static {
    // The JDK's server reads these once, when the first server of the JVM is made; without them a
    // client that sends half a request line holds its handler thread for ever.
    System.getProperties().putIfAbsent("sun.net.httpserver.maxReqTime", Integer.toString(REQUEST_SECONDS));
    System.getProperties().putIfAbsent("sun.net.httpserver.maxRspTime", Integer.toString(REQUEST_SECONDS));
  }

  /**
   * What {@code /health} answers.
   *
   * @param healthy 200 when true, 503 when false
   * @param json the body, a JSON object
   */
  public record Health(boolean healthy, String json) {
    /** Checks the body is there. */
    public Health {
      Objects.requireNonNull(json, "json");
    }
  }

  private final PrometheusMeterRegistry registry;
  private final HttpServer server;
  private final ExecutorService handlers;
  private final @Nullable Supplier<Health> health;

  private MetricsServer(PrometheusMeterRegistry registry, HttpServer server, ExecutorService handlers,
      @Nullable Supplier<Health> health) {
    this.registry = registry;
    this.server = server;
    this.handlers = handlers;
    this.health = health;
  }

  /**
   * The address {@code value} names, unresolved: a bare port (loopback only), or a host (name,
   * IPv4, or IPv6 in brackets) and a port.
   *
   * @throws IllegalArgumentException naming the form expected
   */
  public static InetSocketAddress parseAddress(String value) {
    boolean barePort = !value.isEmpty() && value.length() <= 9 && value.chars().allMatch(Character::isDigit);
    String address = barePort ? "127.0.0.1:" + value : value;
    int colon = address.lastIndexOf(':');
    if (colon < 1 || colon == address.length() - 1) {
      throw new IllegalArgumentException(FORM);
    }
    String host = address.substring(0, colon);
    if (host.startsWith("[") != host.endsWith("]")) {
      throw new IllegalArgumentException(FORM);
    }
    if (host.startsWith("[")) {
      host = host.substring(1, host.length() - 1);
    }
    String digits = address.substring(colon + 1);
    int port;
    try {
      port = digits.chars().allMatch(Character::isDigit) ? Integer.parseInt(digits) : -1;
    } catch (NumberFormatException tooLong) {
      port = -1;
    }
    if (host.isEmpty() || port < 0 || port > 65535) {
      throw new IllegalArgumentException(FORM);
    }
    return InetSocketAddress.createUnresolved(host, port);
  }

  /**
   * Listens on {@code address} and serves {@code registry}'s scrape on {@code /metrics}, and
   * {@code health} on {@code /health} if given.
   *
   * @throws IllegalArgumentException when the host does not resolve
   * @throws UncheckedIOException when the address cannot be bound (in use, not ours)
   */
  public static MetricsServer start(InetSocketAddress address, PrometheusMeterRegistry registry,
      @Nullable Supplier<Health> health) {
    Objects.requireNonNull(registry, "registry");
    InetSocketAddress resolved = new InetSocketAddress(address.getHostString(), address.getPort());
    if (resolved.isUnresolved()) {
      throw new IllegalArgumentException("cannot resolve host " + address.getHostString());
    }
    HttpServer server;
    try {
      server = HttpServer.create(resolved, 0);
    } catch (IOException failed) {
      throw new UncheckedIOException("cannot listen on " + address.getHostString() + ":" + address.getPort()
          + " (" + failed.getMessage() + ")", failed);
    }
    ExecutorService handlers = Executors.newFixedThreadPool(HANDLERS, r -> {
      Thread thread = new Thread(r, "hybrid-ft-metrics");
      thread.setDaemon(true);
      return thread;
    });
    MetricsServer endpoint = new MetricsServer(registry, server, handlers, health);
    server.createContext("/metrics", endpoint::scrape);
    if (health != null) {
      server.createContext("/health", endpoint::health);
    }
    server.setExecutor(handlers);
    server.start();
    return endpoint;
  }

  /** The registry whose meters are served. */
  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** Where the metrics are served, with the port bound (for port 0). */
  public String url() {
    return base() + "/metrics";
  }

  /** Where the health report is served (404 when the server has none). */
  public String healthUrl() {
    return base() + "/health";
  }

  private String base() {
    InetSocketAddress bound = server.getAddress();
    String host = bound.getAddress().getHostAddress();
    return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + bound.getPort();
  }

  private void scrape(HttpExchange exchange) throws IOException {
    reply(exchange, 200, CONTENT_TYPE, registry.scrape());
  }

  private void health(HttpExchange exchange) throws IOException {
    Health report = Objects.requireNonNull(health).get();
    reply(exchange, report.healthy() ? 200 : 503, "application/json", report.json());
  }

  private static void reply(HttpExchange exchange, int status, String contentType, String text) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      if (!method.equals("GET") && !method.equals("HEAD")) {
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      byte[] body = text.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", contentType);
      if (method.equals("HEAD")) {
        exchange.sendResponseHeaders(status, -1);
        return;
      }
      exchange.sendResponseHeaders(status, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  /** Stops serving (the port is free when this returns); the registry stays open. */
  @Override
  public void close() {
    server.stop(0);
    handlers.shutdownNow();
  }
}
