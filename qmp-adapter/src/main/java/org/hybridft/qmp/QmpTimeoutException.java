package org.hybridft.qmp;

import java.time.Duration;

/**
 * No reply to a command came within its timeout. The connection stays open: a late reply is
 * dropped.
 */
public final class QmpTimeoutException extends QmpException {
  private static final long serialVersionUID = 1L;

  private final String command;
  private final Duration timeout;

  /**
   * @param command the command that got no reply
   * @param timeout how long the client waited
   */
  public QmpTimeoutException(String command, Duration timeout) {
    super("no reply to " + command + " within " + timeout.toMillis() + " ms", null);
    this.command = command;
    this.timeout = timeout;
  }

  /** The command that got no reply. */
  public String command() {
    return command;
  }

  /** How long the client waited. */
  public Duration timeout() {
    return timeout;
  }
}
