package org.hybridft.libvirt;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.hybridft.qmp.QmpTransport;
import org.jspecify.annotations.Nullable;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;

/**
 * One libvirt connection (a URI such as {@code qemu:///system}): its running domains, whether a
 * domain carries a metadata element, and each domain's monitor as a {@link QmpTransport}.
 *
 * <p>Calls go through libvirt-java to the host's libvirt client library ({@code libvirt.so.0},
 * Debian's {@code libvirt0}); libvirt serialises them per domain. A connection that broke (the
 * daemon restarted) is opened again at the next {@link #runningDomains()} or {@link #monitor}.
 * Thread-safe.
 */
public final class LibvirtHost implements AutoCloseable {
  /** libvirt's {@code VIR_DOMAIN_METADATA_ELEMENT}. */
  private static final int METADATA_ELEMENT = 2;

  private final String uri;
  private @Nullable Connect connect; // guarded by this
  private boolean closed; // guarded by this

  private LibvirtHost(String uri, Connect connect) {
    this.uri = uri;
    this.connect = connect;
  }

  /**
   * Opens a connection to the libvirt daemon at {@code uri}.
   *
   * @param uri a libvirt URI, for instance {@code qemu:///system} or {@code
   *     qemu:///system?socket=/run/libvirt/libvirt-sock}
   * @throws IllegalArgumentException if {@code uri} is blank
   * @throws LibvirtHostException if libvirt refuses the connection or its library is missing
   */
  public static LibvirtHost connect(String uri) {
    if (uri == null || uri.isBlank()) {
      throw new IllegalArgumentException("uri must be a libvirt URI such as qemu:///system, was '" + uri + "'");
    }
    return new LibvirtHost(uri, open(uri));
  }

  private static Connect open(String uri) {
    try {
      quietLibvirt();
      return new Connect(uri);
    } catch (LibvirtException refused) {
      throw new LibvirtHostException("cannot connect to libvirt at " + uri + ": " + message(refused), refused);
    } catch (UnsatisfiedLinkError | NoClassDefFoundError noLibrary) {
      throw new LibvirtHostException("cannot load libvirt's client library (libvirt.so.0, Debian's libvirt0)"
          + " to connect to " + uri + ": " + libraryFailure(noLibrary), noLibrary);
    }
  }

  /** Why libvirt's client library could not be loaded, as the first failure said it. */
  private static volatile @Nullable String libraryFailure;

  /**
   * The reason of the first failure to load libvirt's client library in this JVM. Only the first
   * attempt says why (an {@link UnsatisfiedLinkError}); the JVM answers every later one with
   * "Could not initialize class", so the same failure would read differently from the second
   * time on, and lose its reason.
   */
  static String libraryFailure(LinkageError noLibrary) {
    String first = libraryFailure;
    if (first == null) {
      first = String.valueOf(noLibrary.getMessage());
      libraryFailure = first;
    }
    return first;
  }

  private static volatile boolean quiet;

  /**
   * libvirt prints every error to standard error unless a handler takes them: the exceptions
   * carry them already, and a service's log must not get a line per failed call.
   */
  private static void quietLibvirt() throws LibvirtException {
    if (!quiet) {
      Connect.setErrorCallback(new org.libvirt.ErrorCallback());
      quiet = true;
    }
  }

  /** The URI this host was opened with. */
  public String uri() {
    return uri;
  }

  /**
   * The domains running now, in libvirt's order. A domain that stops while they are listed is
   * left out.
   *
   * @throws LibvirtHostException if libvirt cannot list them
   */
  public List<LibvirtDomain> runningDomains() {
    Connect connection = connection();
    List<LibvirtDomain> running = new ArrayList<>();
    try {
      for (int id : connection.listDomains()) {
        Domain domain;
        try {
          domain = connection.domainLookupByID(id);
        } catch (LibvirtException gone) {
          if (gone.getError().getCode() == ErrorNumber.VIR_ERR_NO_DOMAIN) {
            continue;
          }
          throw gone;
        }
        try {
          running.add(new LibvirtDomain(domain.getName(), domain.getUUIDString(), id));
        } finally {
          domain.free();
        }
      }
    } catch (LibvirtException failed) {
      broken(connection, failed);
      throw new LibvirtHostException("cannot list the domains of " + uri + ": " + message(failed), failed);
    }
    return running;
  }

  /**
   * Whether the running domain {@code name} carries a metadata element in the namespace {@code
   * namespaceUri} ({@code <metadata><x:any xmlns:x="namespaceUri"/></metadata>} in its XML).
   *
   * @throws LibvirtHostException if there is no such domain or libvirt cannot read it
   */
  public boolean hasMetadata(String name, String namespaceUri) {
    Objects.requireNonNull(namespaceUri, "namespaceUri");
    Connect connection = connection();
    Domain domain = lookup(connection, name);
    try {
      domain.getMetadata(METADATA_ELEMENT, namespaceUri, 0);
      return true;
    } catch (LibvirtException failed) {
      ErrorNumber code = failed.getError().getCode();
      if (code == ErrorNumber.VIR_ERR_NO_DOMAIN_METADATA) {
        return false;
      }
      broken(connection, failed);
      throw new LibvirtHostException("cannot read the metadata of domain " + name + " at " + uri + ": "
          + message(failed), failed, code == ErrorNumber.VIR_ERR_NO_DOMAIN);
    } finally {
      free(domain);
    }
  }

  /**
   * The monitor of the running domain {@code name}, through libvirt's QEMU monitor passthrough
   * ({@code virDomainQemuMonitorCommand}): give it to {@link org.hybridft.qmp.QmpClient#over}.
   * It is bound to this run of the domain: once the domain stops, or starts again with a new
   * QEMU, the transport reports its monitor gone, so a client never drives a QEMU it did not check.
   * libvirt marks a domain driven this way as tainted ({@code custom-monitor}), a warning in its log.
   *
   * @throws LibvirtHostException if no domain of that name runs
   */
  public QmpTransport monitor(String name) {
    Connect connection = connection();
    Domain domain = lookup(connection, name);
    int id;
    String uuid;
    try {
      id = domain.getID();
      uuid = domain.getUUIDString();
    } catch (LibvirtException failed) {
      free(domain);
      throw new LibvirtHostException("cannot read domain " + name + " at " + uri + ": " + message(failed), failed);
    }
    if (id < 0) {
      free(domain);
      throw new LibvirtHostException("domain " + name + " at " + uri + " is not running", null, true);
    }
    return new LibvirtMonitor(this, connection, domain, name, uuid, id);
  }

  private Domain lookup(Connect connection, String name) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("name must be a libvirt domain name, was '" + name + "'");
    }
    try {
      return connection.domainLookupByName(name);
    } catch (LibvirtException failed) {
      broken(connection, failed);
      boolean noDomain = failed.getError().getCode() == ErrorNumber.VIR_ERR_NO_DOMAIN;
      throw new LibvirtHostException(noDomain
          ? "no domain named " + name + " at " + uri
          : "cannot look up domain " + name + " at " + uri + ": " + message(failed), failed, noDomain);
    }
  }

  /** The connection, opened again if an earlier call found it broken. */
  private synchronized Connect connection() {
    if (closed) {
      throw new IllegalStateException("the libvirt connection to " + uri + " is closed");
    }
    Connect current = connect;
    if (current == null) {
      current = open(uri);
      connect = current;
    }
    return current;
  }

  /** Forgets {@code connection} when {@code failure} says it no longer works. */
  void broken(Connect connection, LibvirtException failure) {
    if (!connectionLost(failure)) {
      return;
    }
    synchronized (this) {
      if (connect != connection) {
        return;
      }
      connect = null;
    }
    closeQuietly(connection);
  }

  /**
   * Whether {@code failure} is the connection's, not the call's: no connection, an RPC failure,
   * a connection closed under the call (a QEMU monitor's own errors are the call's).
   */
  static boolean connectionLost(LibvirtException failure) {
    ErrorNumber code = failure.getError().getCode();
    return code == ErrorNumber.VIR_ERR_NO_CONNECT || code == ErrorNumber.VIR_ERR_RPC
        || code == ErrorNumber.VIR_ERR_INVALID_CONN
        || code == ErrorNumber.VIR_ERR_INTERNAL_ERROR && String.valueOf(failure.getError().getMessage())
            .contains("client socket is closed");
  }

  static String message(LibvirtException failure) {
    String said = failure.getError().getMessage();
    return said == null || said.isBlank() ? failure.getError().getCode().toString() : said;
  }

  static void free(Domain domain) {
    try {
      domain.free();
    } catch (LibvirtException ignored) {
      // freeing a handle cannot fail in a way the caller could act on
    }
  }

  private static void closeQuietly(Connect connection) {
    try {
      connection.close();
    } catch (LibvirtException ignored) {
      // a broken connection may refuse to close cleanly: nothing more to release
    }
  }

  /**
   * Closes the connection. Monitors obtained from it report their monitor gone at their next
   * command. Idempotent.
   */
  @Override
  public void close() {
    Connect current;
    synchronized (this) {
      closed = true;
      current = connect;
      connect = null;
    }
    if (current != null) {
      closeQuietly(current);
    }
  }

  @Override
  public String toString() {
    return "LibvirtHost[" + uri + "]";
  }
}
