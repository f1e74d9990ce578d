package org.hybridft.core;

/**
 * Thrown by a port when the replication it serves has ended for good (failover to the
 * secondary, QEMU exited, the connection is lost). A {@link ControlLoop} that sees it stops in
 * {@link ControlLoop.State#ENDED} and reports the reason in {@link
 * ControlLoop.Listener#onStateChanged(ControlLoop.StateChange)}.
 */
public class ReplicationEndedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String reason;

  /**
   * @param reason why the replication ended, for instance QEMU's {@code COLO_EXIT} reason
   */
  public ReplicationEndedException(String reason) {
    super("replication ended: " + reason);
    this.reason = reason;
  }

  /**
   * @param reason why the replication ended
   * @param cause the underlying failure
   */
  public ReplicationEndedException(String reason, Throwable cause) {
    super("replication ended: " + reason, cause);
    this.reason = reason;
  }

  /** Why the replication ended. */
  public String reason() {
    return reason;
  }
}
