package org.hybridft.qmp;

import org.jspecify.annotations.Nullable;

/**
 * A QEMU's process cannot be measured from here: it runs on another host (reached over TCP), its
 * {@code /proc} entries cannot be read, or its QMP monitor names no vCPU thread. The message
 * names the QEMU and the reason in one line.
 */
public final class QemuProcessException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message which QEMU, and why it cannot be measured
   * @param cause the failure underneath, or null
   */
  public QemuProcessException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
