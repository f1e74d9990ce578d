package org.hybridft.qmp;

import org.jspecify.annotations.Nullable;

/**
 * Base of every failure the QMP client reports. Each subclass is one way a command or a
 * connection can fail, so callers can tell a QEMU error from a lost connection.
 */
public abstract class QmpException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  QmpException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
