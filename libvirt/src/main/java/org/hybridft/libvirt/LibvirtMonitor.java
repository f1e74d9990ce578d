package org.hybridft.libvirt;

import org.hybridft.qmp.QmpConnectionClosedException;
import org.hybridft.qmp.QmpProtocolException;
import org.hybridft.qmp.QmpTransport;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;

/**
 * One run of a domain's monitor through {@code virDomainQemuMonitorCommand}. Each command first
 * checks that the domain still runs with the id it had when the monitor was opened: a domain that
 * stopped, or started again with a new QEMU, is a monitor gone. (The check and the command are two
 * calls: a restart between them, within a millisecond, would go unseen until the next command.)
 * A monitor whose connection failed or was closed is gone too: the client closes and whoever
 * drives it opens a new one, on a new connection.
 */
final class LibvirtMonitor implements QmpTransport {
  /** {@code VIR_DOMAIN_QEMU_MONITOR_COMMAND_DEFAULT}: the command is QMP, not HMP. */
  private static final int QMP = 0;

  private final LibvirtHost host;
  private final Connect connection;
  private final Domain domain;
  private final String name;
  private final String uuid;
  private final int id;
  private boolean released;

  LibvirtMonitor(LibvirtHost host, Connect connection, Domain domain, String name, String uuid, int id) {
    this.host = host;
    this.connection = connection;
    this.domain = domain;
    this.name = name;
    this.uuid = uuid;
    this.id = id;
  }

  @Override
  public String peer() {
    return "libvirt domain " + name + " at " + host.uri();
  }

  @Override
  public boolean local() {
    // A URI with a host part (qemu+ssh://host/system) reaches another machine's daemon.
    String uri = host.uri();
    int scheme = uri.indexOf("://");
    return scheme > 0 && (uri.startsWith("/", scheme + 3) || uri.startsWith("localhost/", scheme + 3));
  }

  @Override
  public synchronized String exchange(String command) {
    if (released) {
      throw new QmpConnectionClosedException(peer() + ": its monitor was closed", null);
    }
    int now;
    try {
      now = currentId();
    } catch (LibvirtException failed) {
      // Whatever hides the domain's run (gone, connection lost or closed) ends this monitor.
      if (LibvirtHost.connectionLost(failed)) {
        host.broken(connection, failed);
      }
      throw new QmpConnectionClosedException(peer() + ": " + LibvirtHost.message(failed), null);
    }
    if (now != id) {
      throw new QmpConnectionClosedException(now < 0
          ? peer() + " is not running"
          : peer() + " started again (id " + id + ", now " + now + "): a new QEMU", null);
    }
    try {
      return domain.qemuMonitorCommand(command, QMP);
    } catch (LibvirtException failed) {
      throw translate(failed);
    }
  }

  /**
   * The id of the domain's current run, asked of the daemon: a handle's own {@code getID} only
   * repeats the id it was looked up with.
   */
  private int currentId() throws LibvirtException {
    Domain now = connection.domainLookupByUUIDString(uuid);
    try {
      return now.getID();
    } finally {
      LibvirtHost.free(now);
    }
  }

  private RuntimeException translate(LibvirtException failed) {
    ErrorNumber code = failed.getError().getCode();
    String said = LibvirtHost.message(failed);
    if (code == ErrorNumber.VIR_ERR_NO_DOMAIN || code == ErrorNumber.VIR_ERR_OPERATION_INVALID) {
      return new QmpConnectionClosedException(peer() + ": " + said, null);
    }
    if (LibvirtHost.connectionLost(failed)) {
      host.broken(connection, failed);
      return new QmpConnectionClosedException(peer() + ": the libvirt connection is lost: " + said, null);
    }
    return new QmpProtocolException(peer() + ": libvirt failed the command (" + code + "): " + said, null);
  }

  @Override
  public synchronized void close() {
    if (!released) {
      released = true;
      LibvirtHost.free(domain);
    }
  }
}
