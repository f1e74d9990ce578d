package org.hybridft.agent;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;
import org.hybridft.libvirt.LibvirtHost;
import org.hybridft.libvirt.LibvirtHostException;
import org.hybridft.qmp.QmpClient;
import org.hybridft.qmp.QmpConnectException;
import org.jspecify.annotations.Nullable;

/** Where the agent reaches one VM's monitor: a QMP socket, or a libvirt domain by name. */
sealed interface VmEndpoint permits VmEndpoint.Socket, VmEndpoint.Domain {
  /** Where, for logs and the health report: the socket's path, or {@code libvirt:URI#NAME}. */
  String source();

  /** The VM's name when QEMU gives none: the socket's path, or the domain's name. */
  String fallbackName();

  /** Connects to the monitor, within {@code timeout}. */
  QmpClient connect(Duration timeout);

  /** A QMP socket found by {@code discovery.sockets}. */
  record Socket(Path path) implements VmEndpoint {
    public Socket {
      Objects.requireNonNull(path, "path");
    }

    @Override
    public String source() {
      return path.toString();
    }

    @Override
    public String fallbackName() {
      return path.toString();
    }

    @Override
    public QmpClient connect(Duration timeout) {
      return QmpClient.unix(path).connectTimeout(timeout).commandTimeout(timeout).connect();
    }
  }

  /**
   * A running libvirt domain found by {@code discovery.libvirt.*}, reached through libvirt's
   * monitor passthrough on the agent's connection to {@code uri} ({@code hosts} gives the current
   * one); equal by URI and name, so a restarted domain is the same endpoint.
   */
  record Domain(String uri, String name, Function<String, LibvirtHost> hosts) implements VmEndpoint {
    public Domain {
      Objects.requireNonNull(uri, "uri");
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(hosts, "hosts");
    }

    @Override
    public String source() {
      return "libvirt:" + uri + "#" + name;
    }

    @Override
    public String fallbackName() {
      return name;
    }

    @Override
    public QmpClient connect(Duration timeout) {
      try {
        return QmpClient.over(hosts.apply(uri).monitor(name)).connectTimeout(timeout).commandTimeout(timeout)
            .connect();
      } catch (LibvirtHostException unreachable) {
        throw new QmpConnectException(unreachable.getMessage(), unreachable);
      }
    }

    @Override
    public boolean equals(@Nullable Object other) {
      return other instanceof Domain that && uri.equals(that.uri) && name.equals(that.name);
    }

    @Override
    public int hashCode() {
      return Objects.hash(uri, name);
    }

    @Override
    public String toString() {
      return source();
    }
  }
}
