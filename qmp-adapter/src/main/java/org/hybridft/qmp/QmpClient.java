package org.hybridft.qmp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.hybridft.core.ParameterCheck;
import org.jspecify.annotations.Nullable;

/**
 * An asynchronous client of QEMU's machine protocol (QMP) over a unix domain socket or TCP.
 *
 * <p>{@link Builder#connect()} reads QEMU's greeting and negotiates {@code qmp_capabilities};
 * then {@link #execute} sends a command with a fresh id and returns a future that the reply with
 * that id completes. Events are delivered to {@linkplain #subscribe subscribers} by name and are
 * never taken for replies, whenever they arrive.
 *
 * <p><b>Threads.</b> All connections of the JVM share one I/O thread (one NIO selector), which
 * exists only while some connection is open. Futures are completed and event listeners run on
 * that thread: they must be quick and must not block on another command of any client (use the
 * {@code *Async} stages of {@link CompletableFuture} for heavier work).
 *
 * <p><b>Failures.</b> Each command has a timeout (default {@value #DEFAULT_TIMEOUT_SECONDS} s)
 * after which its future fails with {@link QmpTimeoutException}; an error reply fails it with
 * {@link QmpErrorException}; when the connection closes (QEMU exited, {@link #close()}, or a
 * {@link QmpProtocolException}) every pending future fails at once with {@link
 * QmpConnectionClosedException}. {@link #close()} is idempotent.
 */
public final class QmpClient implements AutoCloseable {
  /** Default timeout of commands and of the connection handshake, in seconds. */
  public static final int DEFAULT_TIMEOUT_SECONDS = 5;
  /** Default limit of one message from QEMU; query-qmp-schema, the largest reply, is ~200 KiB. */
  public static final int DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

  private static final System.Logger LOG = System.getLogger(QmpClient.class.getName());
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final int READ_BUFFER_BYTES = 64 * 1024;
  private static final int MAX_READS_PER_WAKEUP = 16;

  private enum Phase {
    AWAITING_GREETING,
    NEGOTIATING,
    READY,
    CLOSED
  }

  private final SocketAddress address;
  private final Duration commandTimeout;
  private final Duration connectTimeout;
  private final QmpReactor reactor;
  private final QmpMessageDecoder decoder;
  private final AtomicLong lastId = new AtomicLong();
  private final Map<String, List<Consumer<QmpEvent>>> subscribers = new ConcurrentHashMap<>();
  private final List<Consumer<QmpEvent>> allEventsSubscribers = new CopyOnWriteArrayList<>();
  private final CompletableFuture<QmpClient> connected = new CompletableFuture<>();
  private final CompletableFuture<QmpConnectionClosedException> closed = new CompletableFuture<>();
  private volatile boolean closing;
  private volatile @Nullable QmpGreeting greeting;

  // Touched only on the I/O thread.
  private final SocketChannel channel;
  private @Nullable SelectionKey key;
  private final ByteBuffer readBuffer = ByteBuffer.allocate(READ_BUFFER_BYTES);
  private final ArrayDeque<ByteBuffer> outbound = new ArrayDeque<>();
  private final Map<Long, Pending> pending = new HashMap<>();
  private Phase phase = Phase.AWAITING_GREETING;
  private QmpReactor.@Nullable Deadline connectDeadline;

  private QmpClient(Builder builder, SocketChannel channel) {
    this.address = builder.address;
    this.commandTimeout = builder.commandTimeout;
    this.connectTimeout = builder.connectTimeout;
    this.reactor = QmpReactor.shared();
    this.decoder = new QmpMessageDecoder(MAPPER, builder.maxMessageBytes);
    this.channel = channel;
    if (builder.eventListener != null) {
      allEventsSubscribers.add(builder.eventListener);
    }
  }

  /** A builder for a connection to the QMP unix socket at {@code socket}. */
  public static Builder unix(Path socket) {
    return new Builder(UnixDomainSocketAddress.of(Objects.requireNonNull(socket, "socket")));
  }

  /** A builder for a connection to a QMP TCP server ({@code -qmp tcp:HOST:PORT,server}). */
  public static Builder tcp(String host, int port) {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be in [1, 65535], was " + port);
    }
    return new Builder(new InetSocketAddress(Objects.requireNonNull(host, "host"), port));
  }

  /**
   * A builder for a connection to {@code address}, a {@link UnixDomainSocketAddress} or an {@link
   * InetSocketAddress}.
   */
  public static Builder to(SocketAddress address) {
    if (!(address instanceof UnixDomainSocketAddress) && !(address instanceof InetSocketAddress)) {
      throw new IllegalArgumentException(
          "address must be a UnixDomainSocketAddress or an InetSocketAddress, was "
              + (address == null ? "null" : address.getClass().getName()));
    }
    return new Builder(address);
  }

  /** The address this client connects to. */
  public SocketAddress address() {
    return address;
  }

  /**
   * QEMU's greeting.
   *
   * @throws IllegalStateException before the greeting was received (never on a client returned
   *     by {@link Builder#connect()})
   */
  public QmpGreeting greeting() {
    QmpGreeting received = greeting;
    if (received == null) {
      throw new IllegalStateException("no QMP greeting received yet");
    }
    return received;
  }

  /** Whether the connection is open: not closed by either side nor by a protocol error. */
  public boolean isOpen() {
    return !closed.isDone() && !closing;
  }

  /**
   * A future completed when the connection closes, with the reason: QEMU closed it, {@link
   * #close()} was called, or a protocol error (then the exception's cause). Never fails.
   */
  public CompletableFuture<QmpConnectionClosedException> closed() {
    return closed.thenApply(reason -> reason);
  }

  /** Executes a command without arguments; see {@link #execute(String, Object, Duration)}. */
  public CompletableFuture<JsonNode> execute(String command) {
    return execute(command, null, commandTimeout);
  }

  /** Executes a command with the default timeout; see {@link #execute(String, Object, Duration)}. */
  public CompletableFuture<JsonNode> execute(String command, @Nullable Object arguments) {
    return execute(command, arguments, commandTimeout);
  }

  /**
   * Sends {@code {"execute": command, "arguments": arguments, "id": N}}.
   *
   * @param command the QMP command name, for instance {@code query-status}
   * @param arguments anything Jackson serializes to a JSON object (a {@link Map}, an {@link
   *     ObjectNode}, a record), or null for none
   * @param timeout how long to wait for the reply, {@code > 0} and at most {@link
   *     ParameterCheck#MAX_DURATION} (ten years)
   * @return a future completed with the reply's {@code return} value, or failed with a {@link
   *     QmpException}
   * @throws IllegalArgumentException if the command is blank, the timeout out of range, or the
   *     arguments do not serialize to a JSON object
   */
  public CompletableFuture<JsonNode> execute(
      String command, @Nullable Object arguments, Duration timeout) {
    if (command == null || command.isBlank()) {
      throw new IllegalArgumentException("command must be a QMP command name, was '" + command + "'");
    }
    ParameterCheck.positive("timeout", timeout);
    ObjectNode message = MAPPER.createObjectNode();
    message.put("execute", command);
    if (arguments != null) {
      JsonNode tree = MAPPER.valueToTree(arguments);
      if (!tree.isObject()) {
        throw new IllegalArgumentException(
            "arguments of " + command + " must serialize to a JSON object, got " + tree.getNodeType());
      }
      message.set("arguments", tree);
    }
    return send(command, message, timeout);
  }

  /**
   * Executes a command and waits for its reply: {@link #execute(String, Object)} for callers that
   * block anyway, with the failure unwrapped.
   *
   * @return the reply's {@code return} value
   * @throws QmpException how the command failed
   * @throws IllegalStateException when called on the QMP I/O thread (from an event listener or a
   *     future's stage completed there), which would block on itself
   * @throws CancellationException if the calling thread was interrupted (its flag is set again)
   */
  public JsonNode call(String command, @Nullable Object arguments) {
    if (reactor.inIoThread()) {
      // The reply could only be read by this very thread: waiting would block it until timeout.
      throw new IllegalStateException("call(" + command + ") on the QMP I/O thread would block it:"
          + " use execute() and a callback from event listeners and future stages");
    }
    CompletableFuture<JsonNode> reply = execute(command, arguments, commandTimeout);
    try {
      // The I/O thread enforces the timeout; the margin only guards against a bug there.
      return reply.get(commandTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException failed) {
      Throwable cause = failed.getCause();
      if (cause instanceof QmpException qmp) {
        throw qmp;
      }
      // Not a closed connection: such a failure must not read as the end of the replication.
      throw new QmpProtocolException("unexpected failure of " + command + ": " + cause, cause);
    } catch (TimeoutException late) {
      throw new QmpTimeoutException(command, commandTimeout);
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      throw new CancellationException("interrupted while waiting for the reply to " + command);
    }
  }

  /**
   * Delivers every event named {@code event} to {@code listener}, on the I/O thread, from now
   * on. An exception the listener throws is logged and ignored.
   */
  public QmpSubscription subscribe(String event, Consumer<QmpEvent> listener) {
    if (event == null || event.isBlank()) {
      throw new IllegalArgumentException("event must be a QMP event name, was '" + event + "'");
    }
    Objects.requireNonNull(listener, "listener");
    List<Consumer<QmpEvent>> list =
        subscribers.computeIfAbsent(event, name -> new CopyOnWriteArrayList<>());
    list.add(listener);
    return () -> list.remove(listener);
  }

  /** Delivers every event to {@code listener}; see {@link #subscribe}. */
  public QmpSubscription subscribeAll(Consumer<QmpEvent> listener) {
    Objects.requireNonNull(listener, "listener");
    allEventsSubscribers.add(listener);
    return () -> allEventsSubscribers.remove(listener);
  }

  /**
   * Closes the connection: pending commands fail with {@link QmpConnectionClosedException}.
   * Returns once it is closed (at once when called on the I/O thread). Idempotent.
   */
  @Override
  public void close() {
    closing = true;
    if (closed.isDone()) {
      return;
    }
    QmpConnectionClosedException reason =
        new QmpConnectionClosedException("QMP connection closed by the client", null);
    if (reactor.inIoThread()) {
      closeNow(reason);
      return;
    }
    if (!reactor.submit(() -> closeNow(reason))) {
      return; // no I/O thread: this connection was released already
    }
    try {
      closed.get(connectTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException unexpected) {
      LOG.log(Level.WARNING, "closing the QMP connection to " + address + " did not finish", unexpected);
    }
  }

  @Override
  public String toString() {
    return "QmpClient[" + address + (isOpen() ? "" : ", closed") + "]";
  }

  // ---- connection set-up, on the caller's thread, then the I/O thread ----

  private void open(Builder builder) {
    boolean finished;
    try {
      channel.configureBlocking(false);
      finished = channel.connect(builder.address);
    } catch (IOException | RuntimeException failure) {
      failConnect(new QmpConnectionClosedException(
          "cannot connect to QMP at " + builder.address + ": " + failure.getMessage(), failure));
      return;
    }
    long deadline = System.nanoTime() + connectTimeout.toNanos();
    boolean queued =
        reactor.submit(() -> {
          try {
            key = channel.register(
                reactor.selector(), finished ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT,
                handler);
          } catch (IOException | RuntimeException failure) {
            closeNow(new QmpConnectionClosedException(
                "cannot register the QMP connection to " + address, failure));
            return;
          }
          connectDeadline = new ConnectDeadline(deadline);
          reactor.schedule(connectDeadline);
        });
    if (!queued) {
      failConnect(new QmpConnectionClosedException("the QMP I/O thread is not running", null));
    }
  }

  /** Fails a connection that never reached the I/O thread. */
  private void failConnect(QmpConnectionClosedException reason) {
    try {
      channel.close();
    } catch (IOException ignored) {
      // Never connected: nothing to flush.
    }
    phase = Phase.CLOSED;
    reactor.release();
    connected.completeExceptionally(reason);
    closed.complete(reason);
  }

  private final class ConnectDeadline implements QmpReactor.Deadline {
    private final long deadlineNanos;

    ConnectDeadline(long deadlineNanos) {
      this.deadlineNanos = deadlineNanos;
    }

    @Override
    public long deadlineNanos() {
      return deadlineNanos;
    }

    @Override
    public void expire() {
      if (!connected.isDone()) {
        String what = phase == Phase.AWAITING_GREETING
            ? "no QMP greeting from " + address
            : "no reply to qmp_capabilities from " + address;
        protocolError(new QmpProtocolException(what + " within " + connectTimeout.toMillis() + " ms"));
      }
    }
  }

  // ---- commands ----

  private final class Pending implements QmpReactor.Deadline {
    final long id;
    final String command;
    final Duration timeout;
    final long deadlineNanos;
    final ByteBuffer line;
    final CompletableFuture<JsonNode> reply = new CompletableFuture<>();

    Pending(long id, String command, Duration timeout, ByteBuffer line) {
      this.id = id;
      this.command = command;
      this.timeout = timeout;
      this.line = line;
      this.deadlineNanos = System.nanoTime() + timeout.toNanos();
    }

    @Override
    public long deadlineNanos() {
      return deadlineNanos;
    }

    @Override
    public void expire() {
      if (pending.remove(id, this)) {
        // Not yet written at all: drop it, so a QEMU that stops reading neither grows the queue
        // nor gets stale commands later. A command written in part must be finished (framing).
        if (line.position() == 0) {
          outbound.removeIf(queued -> queued == line); // identity: ByteBuffer.equals compares bytes
        }
        reply.completeExceptionally(new QmpTimeoutException(command, timeout));
      }
    }
  }

  private CompletableFuture<JsonNode> send(String command, ObjectNode message, Duration timeout) {
    long id = lastId.incrementAndGet();
    message.put("id", id);
    if (closing || closed.isDone()) {
      return CompletableFuture.failedFuture(closedReason(command));
    }
    byte[] bytes;
    try {
      bytes = MAPPER.writeValueAsBytes(message);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot serialize the arguments of " + command, e);
    }
    ByteBuffer line = ByteBuffer.allocate(bytes.length + 1).put(bytes).put((byte) '\n').flip();
    Pending request = new Pending(id, command, timeout, line);
    Runnable enqueue = () -> {
      if (phase == Phase.CLOSED) {
        request.reply.completeExceptionally(closedReason(command));
        return;
      }
      pending.put(id, request);
      reactor.schedule(request);
      outbound.add(line);
      flush();
    };
    if (reactor.inIoThread()) {
      enqueue.run();
    } else if (!reactor.submit(enqueue)) {
      request.reply.completeExceptionally(closedReason(command));
    }
    return request.reply;
  }

  private QmpConnectionClosedException closedReason(String command) {
    QmpConnectionClosedException reason = closed.getNow(null);
    return new QmpConnectionClosedException(
        "cannot execute " + command + ": the QMP connection to " + address + " is closed",
        reason);
  }

  // ---- I/O thread ----

  private final QmpReactor.Handler handler = new QmpReactor.Handler() {
    @Override
    public void onReady(SelectionKey readyKey) {
      if (readyKey.isConnectable()) {
        finishConnect();
      }
      if (phase != Phase.CLOSED && readyKey.isValid() && readyKey.isReadable()) {
        read();
      }
      if (phase != Phase.CLOSED && readyKey.isValid() && readyKey.isWritable()) {
        flush();
      }
    }

    @Override
    public void onFailure(Throwable failure) {
      if (failure instanceof QmpProtocolException protocol) {
        protocolError(protocol);
      } else {
        closeNow(new QmpConnectionClosedException(
            "QMP connection to " + address + " failed: " + failure, failure));
      }
    }
  };

  private void finishConnect() {
    try {
      if (channel.finishConnect()) {
        interest();
      }
    } catch (IOException refused) {
      closeNow(new QmpConnectionClosedException(
          "cannot connect to QMP at " + address + ": " + refused.getMessage(), refused));
    }
  }

  private void read() {
    for (int reads = 0; reads < MAX_READS_PER_WAKEUP && phase != Phase.CLOSED; reads++) {
      int count;
      try {
        count = channel.read(readBuffer);
      } catch (IOException lost) {
        closeNow(new QmpConnectionClosedException(
            "QMP connection to " + address + " lost: " + lost.getMessage(), lost));
        return;
      }
      if (count < 0) {
        closeNow(new QmpConnectionClosedException(
            "QEMU closed the QMP connection to " + address, null));
        return;
      }
      if (count == 0) {
        return;
      }
      readBuffer.flip();
      try {
        decoder.feed(readBuffer, this::onMessage);
      } catch (QmpProtocolException broken) {
        protocolError(broken);
        return;
      } finally {
        readBuffer.clear();
      }
    }
  }

  private void onMessage(QmpMessage message) {
    if (phase == Phase.CLOSED) {
      return; // a protocol error closed the connection while this buffer was being decoded
    }
    if (message instanceof QmpMessage.Event event) {
      dispatch(event.event());
    } else if (message instanceof QmpMessage.Greeting hello) {
      if (phase != Phase.AWAITING_GREETING) {
        throw new QmpProtocolException("a second QMP greeting from " + address);
      }
      greeting = hello.greeting();
      phase = Phase.NEGOTIATING;
      ObjectNode negotiate = MAPPER.createObjectNode().put("execute", "qmp_capabilities");
      // The handshake has its own deadline (connectTimeout); the command timeout is a backstop.
      send("qmp_capabilities", negotiate, connectTimeout)
          .whenComplete((ignored, failure) -> {
            if (failure == null) {
              phase = Phase.READY;
              cancelConnectDeadline();
              connected.complete(this);
            } else if (failure instanceof QmpErrorException refused) {
              protocolError(new QmpProtocolException(
                  "QEMU refused qmp_capabilities: " + refused.getMessage(), refused));
            }
          });
    } else {
      if (phase == Phase.AWAITING_GREETING) {
        throw new QmpProtocolException("a reply before the QMP greeting from " + address);
      }
      long id = message instanceof QmpMessage.Return ok ? ok.id() : ((QmpMessage.Error) message).id();
      Pending request = pending.remove(id);
      if (request != null) {
        reactor.cancel(request); // frees the reply now rather than at the deadline
      }
      if (request == null) {
        if (id <= lastId.get()) {
          return; // the late reply to a command that timed out
        }
        throw new QmpProtocolException("a reply with id " + id + ", never sent, from " + address);
      }
      if (message instanceof QmpMessage.Return ok) {
        request.reply.complete(ok.value());
      } else {
        QmpMessage.Error error = (QmpMessage.Error) message;
        request.reply.completeExceptionally(
            new QmpErrorException(request.command, error.errorClass(), error.description()));
      }
    }
  }

  private void dispatch(QmpEvent event) {
    List<Consumer<QmpEvent>> named = subscribers.get(event.name());
    if (named != null) {
      for (Consumer<QmpEvent> listener : named) {
        deliver(listener, event);
      }
    }
    for (Consumer<QmpEvent> listener : allEventsSubscribers) {
      deliver(listener, event);
    }
  }

  private void deliver(Consumer<QmpEvent> listener, QmpEvent event) {
    try {
      listener.accept(event);
    } catch (RuntimeException | Error failed) {
      // As in core: a listener's bug is reported and ignored, it must not end the replication.
      LOG.log(Level.WARNING, "a listener of QMP event " + event.name() + " failed", failed);
    }
  }

  private void flush() {
    if (phase == Phase.CLOSED || key == null || !channel.isConnected()) {
      return; // registration or connection not finished: interest() flushes later
    }
    try {
      while (!outbound.isEmpty()) {
        ByteBuffer head = outbound.peek();
        channel.write(head);
        if (head.hasRemaining()) {
          break;
        }
        outbound.poll();
      }
    } catch (IOException lost) {
      closeNow(new QmpConnectionClosedException(
          "QMP connection to " + address + " lost: " + lost.getMessage(), lost));
      return;
    }
    interest();
  }

  private void interest() {
    SelectionKey registered = key;
    if (registered != null && registered.isValid()) {
      int ops = SelectionKey.OP_READ | (outbound.isEmpty() ? 0 : SelectionKey.OP_WRITE);
      if (registered.interestOps() != ops) {
        registered.interestOps(ops);
      }
    }
  }

  private void protocolError(QmpProtocolException error) {
    if (!connected.isDone()) {
      connected.completeExceptionally(error);
    }
    closeNow(new QmpConnectionClosedException(
        "QMP connection to " + address + " closed on a protocol error: " + error.getMessage(), error));
  }

  private void closeNow(QmpConnectionClosedException reason) {
    if (phase == Phase.CLOSED) {
      return;
    }
    phase = Phase.CLOSED;
    closing = true;
    if (key != null) {
      key.cancel();
    }
    try {
      channel.close();
    } catch (IOException ignored) {
      // Closing a socket that failed: nothing more to free.
    }
    outbound.clear();
    List<Pending> failed = new ArrayList<>(pending.values());
    pending.clear();
    // Pending commands fail first: a closed() callback may wait for a thread blocked on one
    // (client.closed().thenRun(loop::close) while a tick waits in the actuator).
    for (Pending request : failed) {
      reactor.cancel(request);
      request.reply.completeExceptionally(new QmpConnectionClosedException(
          request.command + " got no reply: " + reason.getMessage(), reason.getCause()));
    }
    if (!connected.isDone()) {
      connected.completeExceptionally(reason);
    }
    cancelConnectDeadline();
    closed.complete(reason);
    reactor.release();
  }

  private void cancelConnectDeadline() {
    if (connectDeadline != null) {
      reactor.cancel(connectDeadline);
      connectDeadline = null;
    }
  }

  /** Builds and opens a {@link QmpClient}; every setter validates its argument. */
  public static final class Builder {
    private final SocketAddress address;
    private Duration commandTimeout = Duration.ofSeconds(DEFAULT_TIMEOUT_SECONDS);
    private Duration connectTimeout = Duration.ofSeconds(DEFAULT_TIMEOUT_SECONDS);
    private int maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;
    private @Nullable Consumer<QmpEvent> eventListener;

    private Builder(SocketAddress address) {
      this.address = address;
    }

    /** Default timeout of each command, {@code > 0} and at most ten years; default 5 s. */
    public Builder commandTimeout(Duration timeout) {
      this.commandTimeout = positive("commandTimeout", timeout);
      return this;
    }

    /**
     * Time allowed for the greeting and {@code qmp_capabilities}, {@code > 0} and at most ten
     * years; default 5 s.
     */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = positive("connectTimeout", timeout);
      return this;
    }

    /** The longest message accepted from QEMU, in bytes, {@code >= 64}; default 16 MiB. */
    public Builder maxMessageBytes(int maxMessageBytes) {
      if (maxMessageBytes < 64) {
        throw new IllegalArgumentException("maxMessageBytes must be >= 64, was " + maxMessageBytes);
      }
      this.maxMessageBytes = maxMessageBytes;
      return this;
    }

    /**
     * Receives every event from the moment the connection opens, including those that arrive
     * during the handshake, before {@link #subscribe} could be called.
     */
    public Builder eventListener(Consumer<QmpEvent> listener) {
      this.eventListener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Connects without blocking: the future completes with the client once QEMU greeted and
     * accepted {@code qmp_capabilities}, or fails with a {@link QmpException}.
     */
    public CompletableFuture<QmpClient> connectAsync() {
      QmpReactor reactor = QmpReactor.shared();
      try {
        reactor.acquire();
      } catch (QmpConnectionClosedException noSelector) {
        return CompletableFuture.failedFuture(noSelector);
      }
      SocketChannel channel;
      try {
        channel = SocketChannel.open(
            address instanceof UnixDomainSocketAddress
                ? StandardProtocolFamily.UNIX
                : ((InetSocketAddress) address).getAddress() instanceof java.net.Inet6Address
                    ? StandardProtocolFamily.INET6
                    : StandardProtocolFamily.INET);
      } catch (IOException | UnsupportedOperationException e) {
        reactor.release();
        return CompletableFuture.failedFuture(new QmpConnectionClosedException(
            "cannot open a socket for " + address + ": " + e.getMessage(), e));
      }
      QmpClient client = new QmpClient(this, channel);
      client.open(this);
      return client.connected.thenApply(ready -> ready);
    }

    /**
     * Connects and waits for the handshake.
     *
     * @throws QmpException if the connection or the handshake failed or timed out
     */
    public QmpClient connect() {
      CompletableFuture<QmpClient> pending = connectAsync();
      try {
        return pending.get(connectTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
      } catch (ExecutionException failed) {
        if (failed.getCause() instanceof QmpException qmp) {
          throw qmp;
        }
        throw new QmpConnectionClosedException("cannot connect to QMP at " + address, failed.getCause());
      } catch (TimeoutException late) {
        pending.thenAccept(QmpClient::close);
        throw new QmpProtocolException("no QMP handshake with " + address + " within " + connectTimeout.toMillis() + " ms");
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
        pending.thenAccept(QmpClient::close);
        throw new CancellationException("interrupted while connecting to QMP at " + address);
      }
    }

    private static Duration positive(String name, Duration value) {
      return ParameterCheck.positive(name, value);
    }
  }
}
