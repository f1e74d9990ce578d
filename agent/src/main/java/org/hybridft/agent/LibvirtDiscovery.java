package org.hybridft.agent;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import org.hybridft.libvirt.LibvirtDomain;
import org.hybridft.libvirt.LibvirtHost;
import org.hybridft.libvirt.LibvirtHostException;
import org.jspecify.annotations.Nullable;

/**
 * Finds running libvirt domains ({@code discovery.libvirt.*}): those whose name matches the glob
 * {@code discovery.libvirt.domains} and, when {@code discovery.libvirt.metadata} names a namespace,
 * that carry a metadata element in it. The connection is opened at the first scan and again after
 * it broke; a scan that cannot reach libvirt says so, and the agent then keeps the domains it has.
 */
final class LibvirtDiscovery implements AutoCloseable {
  private final AgentConfig.Libvirt settings;
  private final PathMatcher names;
  private @Nullable LibvirtHost host; // guarded by this

  LibvirtDiscovery(AgentConfig.Libvirt settings) {
    this(settings, null);
  }

  /** A discovery under new settings that keeps {@code previous}'s connection when the URI is the same. */
  LibvirtDiscovery(AgentConfig.Libvirt settings, @Nullable LibvirtDiscovery previous) {
    this.settings = settings;
    this.names = FileSystems.getDefault().getPathMatcher("glob:" + settings.domains());
    if (previous != null && previous.settings.uri().equals(settings.uri())) {
      synchronized (previous) {
        this.host = previous.host;
        previous.host = null;
      }
    }
  }

  /** The connection to the URI, opened if it is not (the supervisors' attaches use it too). */
  synchronized LibvirtHost host() {
    LibvirtHost connected = host;
    if (connected == null) {
      connected = LibvirtHost.connect(settings.uri());
      host = connected;
    }
    return connected;
  }

  AgentConfig.Libvirt settings() {
    return settings;
  }

  /**
   * The names of the matching running domains, or empty with the reason when libvirt cannot be
   * reached or listed.
   */
  Scan scan() {
    try {
      LibvirtHost connected = host();
      SortedSet<String> found = new TreeSet<>();
      for (LibvirtDomain domain : connected.runningDomains()) {
        if (!names.matches(Path.of(domain.name()))) {
          continue;
        }
        try {
          if (settings.metadata().isEmpty() || connected.hasMetadata(domain.name(), settings.metadata().get())) {
            found.add(domain.name());
          }
        } catch (LibvirtHostException failed) {
          if (!failed.noSuchDomain()) {
            throw failed; // the connection's failure: this listing cannot be trusted
          }
          // Gone between the list and the look: the next scan does not see it either.
        }
      }
      return new Scan(found, null);
    } catch (LibvirtHostException | IllegalStateException unreachable) {
      return new Scan(new TreeSet<>(), unreachable.getMessage());
    }
  }

  /** One scan's result: the matching domains' names, or why there are none to tell. */
  record Scan(SortedSet<String> domains, @Nullable String failure) {
    Optional<String> failed() {
      return Optional.ofNullable(failure);
    }
  }

  @Override
  public void close() {
    LibvirtHost connected;
    synchronized (this) {
      connected = host;
      host = null;
    }
    if (connected != null) {
      connected.close();
    }
  }
}
