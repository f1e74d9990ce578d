package org.hybridft.libvirt;

import org.jspecify.annotations.Nullable;

/**
 * libvirt refused or failed a call of {@link LibvirtHost}: no daemon at the URI, no client library
 * on this host, a domain that does not exist. The message names the URI and says what libvirt said.
 */
public final class LibvirtHostException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final boolean noSuchDomain;

  /**
   * @param message what failed, with the URI
   * @param cause libvirt's exception, or the failure to load its library
   */
  public LibvirtHostException(String message, @Nullable Throwable cause) {
    this(message, cause, false);
  }

  /**
   * @param message what failed, with the URI
   * @param cause libvirt's exception
   * @param noSuchDomain whether the failure is only that the domain does not exist (or no longer)
   */
  public LibvirtHostException(String message, @Nullable Throwable cause, boolean noSuchDomain) {
    super(message, cause);
    this.noSuchDomain = noSuchDomain;
  }

  /**
   * Whether the domain asked for does not exist (or stopped): the connection itself works. Any
   * other failure may be the connection's.
   */
  public boolean noSuchDomain() {
    return noSuchDomain;
  }
}
