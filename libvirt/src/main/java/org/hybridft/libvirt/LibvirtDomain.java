package org.hybridft.libvirt;

import java.util.Objects;

/**
 * A running libvirt domain at one moment.
 *
 * @param name the domain's name, unique on its connection
 * @param uuid the domain's UUID, which stays with the domain across restarts
 * @param id the id libvirt gave this run of the domain: a new one each time it starts, so a
 *     changed id means a new QEMU
 */
public record LibvirtDomain(String name, String uuid, int id) {
  /** Checks the fields. */
  public LibvirtDomain {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(uuid, "uuid");
  }
}
