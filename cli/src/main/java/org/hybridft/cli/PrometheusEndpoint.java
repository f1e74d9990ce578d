package org.hybridft.cli;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import org.hybridft.agent.MetricsServer;

/**
 * {@code hybrid-ft run --prometheus [HOST:]PORT}: a {@link PrometheusMeterRegistry} served by a
 * {@link MetricsServer} on {@code http://HOST:PORT/metrics} until {@link #close()}, its errors
 * told as the option's. A bare port binds loopback only.
 */
final class PrometheusEndpoint implements AutoCloseable {
  /** Prometheus' text exposition format. */
  static final String CONTENT_TYPE = MetricsServer.CONTENT_TYPE;

  /** How long a request may take to arrive, and a reply to be read, before the connection closes. */
  static final int REQUEST_SECONDS = MetricsServer.REQUEST_SECONDS;

  /** Handler threads: a few scrapes at once. */
  static final int HANDLERS = MetricsServer.HANDLERS;

  private final MetricsServer server;

  private PrometheusEndpoint(MetricsServer server) {
    this.server = server;
  }

  /**
   * The address {@code option} names, unresolved.
   *
   * @throws UsageException naming the option, the value and the form expected
   */
  static InetSocketAddress parse(String option) {
    try {
      return MetricsServer.parseAddress(option);
    } catch (IllegalArgumentException malformed) {
      throw new UsageException("--prometheus " + option + ": " + malformed.getMessage(), malformed);
    }
  }

  /**
   * Listens on {@code address} (from {@link #parse}) and serves a new registry on {@code /metrics}.
   *
   * @param option the option's value, for the error message
   * @throws UsageException when the host does not resolve or the address cannot be bound
   */
  static PrometheusEndpoint start(InetSocketAddress address, String option) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try {
      return new PrometheusEndpoint(MetricsServer.start(address, registry, null));
    } catch (IllegalArgumentException | UncheckedIOException failed) {
      registry.close();
      String why = failed.getMessage();
      if (failed instanceof UncheckedIOException) {
        why = "cannot listen (" + failed.getCause().getMessage() + ")";
      }
      throw new UsageException("--prometheus " + option + ": " + why, failed);
    }
  }

  /** The registry whose meters are served. */
  PrometheusMeterRegistry registry() {
    return server.registry();
  }

  /** Where the metrics are served, with the port bound (for port 0). */
  String url() {
    return server.url();
  }

  /** Stops serving (the port is free when this returns) and closes the registry. */
  @Override
  public void close() {
    server.close();
    server.registry().close();
  }
}
