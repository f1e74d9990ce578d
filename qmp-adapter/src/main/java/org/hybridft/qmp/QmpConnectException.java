package org.hybridft.qmp;

import org.jspecify.annotations.Nullable;

/**
 * The connection to QMP could not be opened: the socket does not exist, the port refused it, no
 * socket or selector could be opened, or the network failed before QEMU greeted. The cause is the
 * underlying I/O failure. A connection that opened but whose handshake failed is a {@link
 * QmpProtocolException} instead; one that closed later, a {@link QmpConnectionClosedException}.
 */
public final class QmpConnectException extends QmpException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what could not be reached, and why
   * @param cause the underlying I/O failure, if any
   */
  public QmpConnectException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
