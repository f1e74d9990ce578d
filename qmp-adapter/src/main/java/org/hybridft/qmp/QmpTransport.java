package org.hybridft.qmp;

/**
 * A way to reach a QEMU's monitor other than a QMP socket of its own: for instance libvirt's
 * monitor passthrough, where libvirt owns the domain's only monitor. {@link QmpClient#over} builds
 * a client on one; the counter, the actuator and {@link ColoPrimaryCheck} then work on it as on a
 * socket.
 *
 * <p>A transport carries commands and replies only: QEMU's events do not reach the client ({@link
 * QmpClient#deliversEvents()} is false), so checkpoints are counted from {@code query-migrate}
 * (see {@link QmpCheckpointCounter}). Calls come from one thread at a time, the client's transport
 * thread, and may block; the client enforces each command's timeout.
 */
public interface QmpTransport extends AutoCloseable {
  /** Where the monitor is, for messages: for instance {@code libvirt domain web1 at qemu:///system}. */
  String peer();

  /**
   * Whether the QEMU runs on this host, so that its process can be read from {@code /proc} (see
   * {@link QemuProcess}).
   */
  boolean local();

  /**
   * Sends one command and returns QEMU's reply.
   *
   * @param command one QMP command as JSON text, {@code {"execute": ..., "arguments": {...}}}
   * @return QEMU's reply as JSON text: {@code {"return": ...}} or {@code {"error": {"class": ...,
   *     "desc": ...}}}; an {@code id} member is ignored
   * @throws QmpConnectionClosedException when the monitor is gone for good (the QEMU exited, the
   *     domain was destroyed): the client closes
   * @throws QmpException when this command failed without an error reply from QEMU; the client
   *     stays open
   */
  String exchange(String command);

  /** Releases what the transport holds; idempotent. A blocked {@link #exchange} may still return. */
  @Override
  void close();
}
