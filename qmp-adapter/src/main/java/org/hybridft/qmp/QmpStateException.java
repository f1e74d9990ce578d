package org.hybridft.qmp;

/**
 * QEMU answered, but is not in the state required or expected: a migrate parameter or a QOM
 * property that reads back other than the recipe set it, the {@code events} migration capability
 * off, or a QEMU that is not a COLO primary. The connection stays usable; the message names what
 * was read and what was expected.
 */
public final class QmpStateException extends QmpException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what was read, and what was required
   */
  public QmpStateException(String message) {
    super(message, null);
  }
}
