package org.hybridft.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A {@link QmpChannel} over a {@link QmpTransport}: commands run one at a time on a thread of the
 * channel's own, because a transport may block (libvirt's passthrough has no timeout of its own).
 * Each command's timeout is enforced here; a transport call still blocked when the client closes
 * ends with the transport, and its thread with it.
 */
final class TransportChannel implements QmpChannel {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final int MAX_QUOTED_REPLY = 200;

  private final QmpTransport transport;
  private final ExecutorService thread;
  private volatile @Nullable Thread current;
  private final Set<CompletableFuture<QmpValue>> pending = ConcurrentHashMap.newKeySet();
  private final CompletableFuture<QmpConnectionClosedException> closed = new CompletableFuture<>();
  private volatile @Nullable QmpGreeting greeting;

  TransportChannel(QmpTransport transport) {
    this.transport = transport;
    this.thread = Executors.newSingleThreadExecutor(task -> {
      Thread t = new Thread(task, "hybridft-qmp-transport");
      t.setDaemon(true);
      current = t;
      return t;
    });
  }

  /** Opens the channel: {@code query-version} stands in for the greeting a socket would send. */
  static CompletableFuture<QmpChannel> open(QmpTransport transport, Duration timeout) {
    TransportChannel channel = new TransportChannel(transport);
    return channel.send("query-version", null, timeout).handle((version, failure) -> {
      if (failure != null) {
        channel.closeQuietly();
        Throwable cause = failure instanceof java.util.concurrent.CompletionException wrapped
            && wrapped.getCause() != null ? wrapped.getCause() : failure;
        if (cause instanceof QmpException qmp) {
          throw new java.util.concurrent.CompletionException(new QmpConnectException(
              "cannot reach the monitor of " + transport.peer() + ": " + qmp.getMessage(), qmp));
        }
        throw new java.util.concurrent.CompletionException(cause);
      }
      QmpValue qemu = version.path("qemu");
      channel.greeting = new QmpGreeting((int) qemu.path("major").asLong(-1), (int) qemu.path("minor").asLong(-1),
          (int) qemu.path("micro").asLong(-1), version.path("package").asText(""), java.util.List.of());
      return channel;
    });
  }

  @Override
  public String peer() {
    return transport.peer();
  }

  @Override
  public boolean local() {
    return transport.local();
  }

  @Override
  public boolean deliversEvents() {
    return false;
  }

  @Override
  public @Nullable QmpGreeting greeting() {
    return greeting;
  }

  @Override
  public boolean isOpen() {
    return !closed.isDone();
  }

  @Override
  public CompletableFuture<QmpConnectionClosedException> closed() {
    return closed.thenApply(reason -> reason);
  }

  @Override
  public int closeDependents() {
    return closed.getNumberOfDependents();
  }

  @Override
  public boolean inIoThread() {
    return Thread.currentThread() == current;
  }

  @Override
  public CompletableFuture<QmpValue> send(String command, @Nullable JsonNode arguments, Duration timeout) {
    CompletableFuture<QmpValue> reply = new CompletableFuture<>();
    QmpConnectionClosedException gone = closed.getNow(null);
    if (gone != null) {
      reply.completeExceptionally(closedReason(command, gone));
      return reply;
    }
    ObjectNode request = MAPPER.createObjectNode().put("execute", command);
    if (arguments != null) {
      request.set("arguments", arguments);
    }
    String text = request.toString();
    pending.add(reply);
    reply.whenComplete((value, failure) -> pending.remove(reply));
    CompletableFuture.delayedExecutor(timeout.toNanos(), TimeUnit.NANOSECONDS)
        .execute(() -> reply.completeExceptionally(new QmpTimeoutException(command, timeout)));
    try {
      thread.execute(() -> exchange(command, text, reply));
    } catch (RejectedExecutionException closing) {
      reply.completeExceptionally(closedReason(command, closed.getNow(
          new QmpConnectionClosedException("QMP connection closed by the client", null))));
    }
    return reply;
  }

  private void exchange(String command, String text, CompletableFuture<QmpValue> reply) {
    QmpConnectionClosedException gone = closed.getNow(null);
    if (gone != null) {
      reply.completeExceptionally(closedReason(command, gone));
      return;
    }
    if (reply.isDone()) {
      return; // timed out while queued
    }
    String answer;
    try {
      answer = transport.exchange(text);
    } catch (QmpConnectionClosedException lost) {
      closeNow(lost);
      reply.completeExceptionally(closedReason(command, lost));
      return;
    } catch (QmpException failed) {
      reply.completeExceptionally(failed);
      return;
    } catch (RuntimeException broken) {
      reply.completeExceptionally(new QmpProtocolException(
          "the transport to " + peer() + " failed on " + command + ": " + broken, broken));
      return;
    }
    QmpValue parsed;
    try {
      parsed = QmpValue.parse(answer);
    } catch (IllegalArgumentException | NullPointerException garbage) {
      protocolError(reply, new QmpProtocolException("a reply to " + command + " from " + peer()
          + " that is not JSON: " + quote(answer), garbage));
      return;
    }
    if (parsed.has("return")) {
      reply.complete(parsed.path("return"));
    } else if (parsed.path("error").isObject()) {
      QmpValue error = parsed.path("error");
      reply.completeExceptionally(new QmpErrorException(command, error.path("class").asText("?"),
          error.path("desc").asText("")));
    } else {
      protocolError(reply, new QmpProtocolException("a reply to " + command + " from " + peer()
          + " with neither return nor error: " + quote(answer)));
    }
  }

  /** As on a socket, a reply that cannot be trusted closes the channel with the error as cause. */
  private void protocolError(CompletableFuture<QmpValue> reply, QmpProtocolException error) {
    QmpConnectionClosedException reason = new QmpConnectionClosedException(
        "QMP connection to " + peer() + " closed: " + error.getMessage(), error);
    reply.completeExceptionally(error);
    closeNow(reason);
  }

  private static String quote(@Nullable String text) {
    if (text == null) {
      return "null";
    }
    return "'" + (text.length() > MAX_QUOTED_REPLY ? text.substring(0, MAX_QUOTED_REPLY) + "..." : text) + "'";
  }

  private QmpConnectionClosedException closedReason(String command, QmpConnectionClosedException why) {
    return new QmpConnectionClosedException(
        command + " not answered: the QMP connection to " + peer() + " is closed (" + why.getMessage() + ")", why);
  }

  private void closeNow(QmpConnectionClosedException reason) {
    if (!closed.complete(reason)) {
      return;
    }
    for (CompletableFuture<QmpValue> waiting : pending) {
      waiting.completeExceptionally(new QmpConnectionClosedException(
          "QMP connection to " + peer() + " closed: " + reason.getMessage(), reason));
    }
    // The transport is released on its own thread, after a call in progress: never under it.
    try {
      thread.execute(transport::close);
    } catch (RejectedExecutionException already) {
      // shut down before: released then
    }
    thread.shutdown();
  }

  private void closeQuietly() {
    closeNow(new QmpConnectionClosedException("QMP connection closed by the client", null));
  }

  /**
   * Closes and waits up to {@code wait} for the transport to be released: at once unless a call
   * is blocked in it, which then ends the channel's thread when it returns.
   */
  @Override
  public void close(Duration wait) throws InterruptedException {
    closeQuietly();
    if (!inIoThread()) {
      thread.awaitTermination(wait.toNanos(), TimeUnit.NANOSECONDS);
    }
  }
}
