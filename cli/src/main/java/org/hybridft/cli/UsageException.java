package org.hybridft.cli;

/**
 * A user error the command reports as one line on stderr with exit code 2: an unknown name, an
 * invalid value, an unreadable file.
 */
public final class UsageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** @param message the line to print, without the program name */
  public UsageException(String message) {
    super(message);
  }

  /**
   * @param message the line to print, without the program name
   * @param cause the underlying failure
   */
  public UsageException(String message, Throwable cause) {
    super(message, cause);
  }
}
