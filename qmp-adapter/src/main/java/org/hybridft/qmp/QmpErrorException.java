package org.hybridft.qmp;

/**
 * QEMU answered a command with an error reply: {@code {"error": {"class": ..., "desc": ...}}}.
 * The connection stays usable.
 */
public final class QmpErrorException extends QmpException {
  private static final long serialVersionUID = 1L;

  private final String errorClass;
  private final String description;
  private final String command;

  /**
   * @param command the command that failed
   * @param errorClass QEMU's error class, for instance {@code CommandNotFound} or {@code
   *     GenericError}
   * @param description QEMU's human-readable description
   */
  public QmpErrorException(String command, String errorClass, String description) {
    super(command + " failed: " + errorClass + ": " + description, null);
    this.command = command;
    this.errorClass = errorClass;
    this.description = description;
  }

  /** QEMU's error class, for instance {@code CommandNotFound} or {@code GenericError}. */
  public String errorClass() {
    return errorClass;
  }

  /** QEMU's description of the error. */
  public String description() {
    return description;
  }

  /** The command that failed. */
  public String command() {
    return command;
  }
}
