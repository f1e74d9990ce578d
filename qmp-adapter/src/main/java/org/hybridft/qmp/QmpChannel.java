package org.hybridft.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * The protocol layer under {@link QmpClient}: a socket of QEMU's own ({@link QmpConnection}) or a
 * {@link QmpTransport} such as libvirt's monitor passthrough ({@link TransportChannel}).
 */
interface QmpChannel {
  /** Where the monitor is, for messages. */
  String peer();

  /** Whether the QEMU behind it runs on this host, so its {@code /proc} entries are ours to read. */
  boolean local();

  /** Whether QEMU's events reach the client's subscribers. */
  boolean deliversEvents();

  @Nullable QmpGreeting greeting();

  boolean isOpen();

  /** A new future completed with the close reason. */
  CompletableFuture<QmpConnectionClosedException> closed();

  /** How many callbacks wait for the close; tests check that detaching leaves none behind. */
  int closeDependents();

  /** Whether the calling thread is the one that completes this channel's futures. */
  boolean inIoThread();

  CompletableFuture<QmpValue> send(String command, @Nullable JsonNode arguments, Duration timeout);

  /** Closes the channel and returns once it is closed (at once on its own thread). */
  void close(Duration wait) throws InterruptedException, ExecutionException, TimeoutException;
}
