package org.hybridft.libvirt;

import org.jspecify.annotations.Nullable;

/**
 * libvirt refused or failed a call of {@link LibvirtHost}: no daemon at the URI, no client library
 * on this host, a domain that does not exist. The message names the URI and says what libvirt said.
 */
public final class LibvirtHostException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what failed, with the URI
   * @param cause libvirt's exception, or the failure to load its library
   */
  public LibvirtHostException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
