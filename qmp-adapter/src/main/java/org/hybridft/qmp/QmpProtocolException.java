package org.hybridft.qmp;

import org.jspecify.annotations.Nullable;

/**
 * The peer broke the QMP protocol: malformed JSON, a message that is not a greeting, reply or
 * event, no greeting in time, a reply with an id never sent, or a message over the size limit.
 * The client closes the connection when it sees one.
 */
public final class QmpProtocolException extends QmpException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what was wrong, with an excerpt of the offending input where useful
   * @param cause the parser's exception, if any
   */
  public QmpProtocolException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }

  /**
   * @param message what was wrong
   */
  public QmpProtocolException(String message) {
    super(message, null);
  }
}
