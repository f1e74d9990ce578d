package org.hybridft.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@code hybrid-ft run --prometheus [HOST:]PORT}: a {@link PrometheusMeterRegistry} served in
 * Prometheus' text format on {@code http://HOST:PORT/metrics} by the JDK's HTTP server, until
 * {@link #close()}. A bare port binds loopback only; the metrics are read-only, so any address the
 * user names is bound; what they reveal is the VM's name and its replication figures.
 *
 * <p>A client cannot hold the endpoint: requests are served by a small bounded pool of daemon
 * threads, and a request not received in full within {@value #REQUEST_SECONDS} s (or a reply not
 * read within as long) has its connection closed, freeing its thread.
 */
final class PrometheusEndpoint implements AutoCloseable {
  /** Prometheus' text exposition format. */
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private static final String FORM =
      "expected [HOST:]PORT with PORT 0..65535, e.g. 9400 (loopback), 127.0.0.1:9400, 0.0.0.0:9400 or [::1]:9400";

  /** How long a request may take to arrive, and a reply to be read, before the connection closes. */
  static final int REQUEST_SECONDS = 5;

  /** Handler threads: a few scrapes at once; a stalled client holds one for at most REQUEST_SECONDS. */
  static final int HANDLERS = 4;

  static {
    // The JDK's server reads these once, when the first server of the JVM is made; without them a
    // client that sends half a request line holds its handler thread for ever.
    System.getProperties().putIfAbsent("sun.net.httpserver.maxReqTime", Integer.toString(REQUEST_SECONDS));
    System.getProperties().putIfAbsent("sun.net.httpserver.maxRspTime", Integer.toString(REQUEST_SECONDS));
  }

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final HttpServer server;
  private final ExecutorService handlers;

  private PrometheusEndpoint(HttpServer server, ExecutorService handlers) {
    this.server = server;
    this.handlers = handlers;
  }

  /**
   * The address {@code value} names, unresolved: a host (name, IPv4, or IPv6 in brackets) and a
   * port.
   *
   * @throws UsageException naming the option, the value and the form expected
   */
  static InetSocketAddress parse(String option) {
    // A bare port: loopback only, unless a host is named.
    boolean barePort = !option.isEmpty() && option.length() <= 9 && option.chars().allMatch(Character::isDigit);
    String value = barePort ? "127.0.0.1:" + option : option;
    int colon = value.lastIndexOf(':');
    if (colon < 1 || colon == value.length() - 1) {
      throw new UsageException("--prometheus " + option + ": " + FORM);
    }
    String host = value.substring(0, colon);
    if (host.startsWith("[") != host.endsWith("]")) {
      throw new UsageException("--prometheus " + option + ": " + FORM);
    }
    if (host.startsWith("[")) {
      host = host.substring(1, host.length() - 1);
    }
    String digits = value.substring(colon + 1);
    int port;
    try {
      port = digits.chars().allMatch(Character::isDigit) ? Integer.parseInt(digits) : -1;
    } catch (NumberFormatException tooLong) {
      port = -1;
    }
    if (host.isEmpty() || port < 0 || port > 65535) {
      throw new UsageException("--prometheus " + option + ": " + FORM);
    }
    return InetSocketAddress.createUnresolved(host, port);
  }

  /**
   * Listens on {@code address} (from {@link #parse}) and serves the registry's scrape on {@code
   * /metrics}.
   *
   * @param option the option's value, for the error message
   * @throws UsageException when the host does not resolve or the address cannot be bound
   */
  static PrometheusEndpoint start(InetSocketAddress address, String option) {
    InetSocketAddress resolved = new InetSocketAddress(address.getHostString(), address.getPort());
    if (resolved.isUnresolved()) {
      throw new UsageException("--prometheus " + option + ": cannot resolve host " + address.getHostString());
    }
    HttpServer server;
    try {
      server = HttpServer.create(resolved, 0);
    } catch (IOException failed) {
      throw new UsageException("--prometheus " + option + ": cannot listen (" + failed.getMessage() + ")", failed);
    }
    // A few daemon threads: a scrape is a read of a few gauges, a stalled client holds one for at
    // most REQUEST_SECONDS, and none keeps the JVM up.
    ExecutorService handlers = Executors.newFixedThreadPool(HANDLERS, r -> {
      Thread thread = new Thread(r, "hybrid-ft-prometheus");
      thread.setDaemon(true);
      return thread;
    });
    PrometheusEndpoint endpoint = new PrometheusEndpoint(server, handlers);
    server.createContext("/metrics", endpoint::scrape);
    server.setExecutor(handlers);
    server.start();
    return endpoint;
  }

  /** The registry whose meters are served. */
  PrometheusMeterRegistry registry() {
    return registry;
  }

  /** Where the metrics are served, with the port bound (for port 0). */
  String url() {
    InetSocketAddress bound = server.getAddress();
    String host = bound.getAddress().getHostAddress();
    return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + bound.getPort() + "/metrics";
  }

  private void scrape(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
      if (exchange.getRequestMethod().equals("HEAD")) {
        exchange.sendResponseHeaders(200, -1);
        return;
      }
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  /** Stops serving (the port is free when this returns) and closes the registry. */
  @Override
  public void close() {
    server.stop(0);
    handlers.shutdownNow();
    registry.close();
  }
}
