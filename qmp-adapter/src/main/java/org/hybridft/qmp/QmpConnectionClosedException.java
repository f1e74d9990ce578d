package org.hybridft.qmp;

import org.jspecify.annotations.Nullable;

/**
 * The QMP connection is closed: QEMU exited or closed the socket, the client was closed, or a
 * {@link QmpProtocolException} ended it (then that is the cause). Every command pending at that
 * moment, and every command issued later, fails with it.
 */
public final class QmpConnectionClosedException extends QmpException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message why the connection is closed
   * @param cause the underlying I/O or protocol failure, if any
   */
  public QmpConnectionClosedException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
