package org.hybridft.qmp;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The protocol layer of a {@link QmpClient}, as in python's qemu.qmp {@code QMPProtocol}: one
 * socket to QEMU, its framing ({@link QmpMessageDecoder}), the greeting and {@code
 * qmp_capabilities} handshake, the table of commands awaiting a reply by id, and the I/O on the
 * shared {@link QmpReactor}. Events go to the sink given at {@link #open}; what to do with them
 * is the client's business.
 *
 * <p><b>Threads and latency.</b> A command is written to the socket by the thread that sends it
 * (the socket is non-blocking; only a command the kernel cannot take at once is left for the I/O
 * thread), and its timeout is handed over without waking the I/O thread: a round trip costs one
 * hand-off, the I/O thread completing the reply's future, as a blocking client's read costs one
 * kernel wake-up. Reading, decoding, deadlines and closing happen on the I/O thread only. The
 * pending table is concurrent: a command is entered before its first byte is written, so its
 * reply always finds it.
 */
final class QmpConnection implements QmpChannel {
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
  private final Duration connectTimeout;
  private final QmpReactor reactor;
  private final QmpMessageDecoder decoder;
  private final Consumer<QmpEvent> events;
  private final AtomicLong lastId = new AtomicLong();
  private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
  private final CompletableFuture<QmpConnection> connected = new CompletableFuture<>();
  private final CompletableFuture<QmpConnectionClosedException> closed = new CompletableFuture<>();
  private final SocketChannel channel;
  private volatile Phase phase = Phase.AWAITING_GREETING;
  private volatile boolean closing;
  private volatile @Nullable QmpGreeting greeting;

  // Guarded by writeLock: callers and the I/O thread both write.
  private final Object writeLock = new Object();
  private final ArrayDeque<ByteBuffer> outbound = new ArrayDeque<>();
  private boolean writable;

  // Touched only on the I/O thread.
  private @Nullable SelectionKey key;
  private final ByteBuffer readBuffer = ByteBuffer.allocate(READ_BUFFER_BYTES);
  private QmpReactor.@Nullable Deadline connectDeadline;

  private QmpConnection(
      SocketAddress address, Duration connectTimeout, int maxMessageBytes, Consumer<QmpEvent> events,
      QmpReactor reactor, SocketChannel channel) {
    this.address = address;
    this.connectTimeout = connectTimeout;
    this.reactor = reactor;
    this.decoder = new QmpMessageDecoder(MAPPER, maxMessageBytes);
    this.events = events;
    this.channel = channel;
  }

  /**
   * Opens a connection without blocking: the future completes once QEMU greeted and accepted
   * {@code qmp_capabilities}, or fails with a {@link QmpConnectException} (nothing to talk to),
   * a {@link QmpProtocolException} (a broken or silent peer) or a {@link
   * QmpConnectionClosedException} (the peer hung up during the handshake).
   */
  static CompletableFuture<QmpConnection> open(
      SocketAddress address, Duration connectTimeout, int maxMessageBytes, Consumer<QmpEvent> events) {
    QmpReactor reactor = QmpReactor.shared();
    try {
      reactor.acquire();
    } catch (QmpConnectException noSelector) {
      return CompletableFuture.failedFuture(noSelector);
    }
    SocketChannel channel;
    try {
      channel = SocketChannel.open(
          address instanceof UnixDomainSocketAddress
              ? StandardProtocolFamily.UNIX
              : ((InetSocketAddress) address).getAddress() instanceof Inet6Address
                  ? StandardProtocolFamily.INET6
                  : StandardProtocolFamily.INET);
    } catch (IOException | UnsupportedOperationException e) {
      reactor.release();
      return CompletableFuture.failedFuture(new QmpConnectException(
          "cannot open a socket for " + address + ": " + e.getMessage(), e));
    }
    QmpConnection connection =
        new QmpConnection(address, connectTimeout, maxMessageBytes, events, reactor, channel);
    connection.start();
    return connection.connected.thenApply(ready -> ready);
  }

  SocketAddress address() {
    return address;
  }

  @Override
  public String peer() {
    return address.toString();
  }

  @Override
  public boolean local() {
    return QemuProcess.isLocal(address);
  }

  @Override
  public boolean deliversEvents() {
    return true;
  }

  @Override
  public @Nullable QmpGreeting greeting() {
    return greeting;
  }

  @Override
  public boolean isOpen() {
    return !closed.isDone() && !closing;
  }

  /** A new future completed with the close reason: one dependent of ours until the close. */
  @Override
  public CompletableFuture<QmpConnectionClosedException> closed() {
    return closed.thenApply(reason -> reason);
  }

  /** How many callbacks wait for the close; tests check that detaching leaves none behind. */
  @Override
  public int closeDependents() {
    return closed.getNumberOfDependents();
  }

  @Override
  public boolean inIoThread() {
    return reactor.inIoThread();
  }

  /** Closes the connection and returns once it is closed (at once on the I/O thread). */
  @Override
  public void close(Duration wait) throws InterruptedException, java.util.concurrent.ExecutionException,
      java.util.concurrent.TimeoutException {
    closing = true;
    if (closed.isDone()) {
      return;
    }
    QmpConnectionClosedException reason =
        new QmpConnectionClosedException("QMP connection closed by the client", null);
    if (reactor.inIoThread()) {
      closeNow(reason, null);
      return;
    }
    if (!reactor.submit(() -> closeNow(reason, null))) {
      return; // no I/O thread: this connection was released already
    }
    closed.get(wait.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  // ---- connection set-up, on the caller's thread, then the I/O thread ----

  private void start() {
    boolean finished;
    try {
      channel.configureBlocking(false);
      finished = channel.connect(address);
    } catch (IOException | RuntimeException failure) {
      failStart(new QmpConnectException(
          "cannot connect to QMP at " + address + ": " + failure.getMessage(), failure));
      return;
    }
    long deadline = System.nanoTime() + connectTimeout.toNanos();
    boolean queued = reactor.submit(() -> {
      try {
        key = channel.register(
            reactor.selector(), finished ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, handler);
      } catch (IOException | RuntimeException failure) {
        QmpConnectException cannot =
            new QmpConnectException("cannot register the QMP connection to " + address, failure);
        closeNow(closedBy(cannot), cannot);
        return;
      }
      if (finished) {
        connectedNow();
      }
      connectDeadline = new ConnectDeadline(deadline);
      reactor.schedule(connectDeadline);
    });
    if (!queued) {
      failStart(new QmpConnectException("the QMP I/O thread is not running", null));
    }
  }

  /** Fails a connection that never reached the I/O thread. */
  private void failStart(QmpConnectException reason) {
    try {
      channel.close();
    } catch (IOException ignored) {
      // Never connected: nothing to flush.
    }
    phase = Phase.CLOSED;
    reactor.release();
    connected.completeExceptionally(reason);
    closed.complete(closedBy(reason));
  }

  private QmpConnectionClosedException closedBy(QmpConnectException reason) {
    return new QmpConnectionClosedException(reason.getMessage(), reason.getCause());
  }

  /** The socket is connected and registered: commands may be written from now on. */
  private void connectedNow() {
    synchronized (writeLock) {
      writable = true;
    }
    flush();
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

  // ---- commands, on any thread ----

  private final class Pending implements QmpReactor.Deadline {
    final long id;
    final String command;
    final Duration timeout;
    final long deadlineNanos;
    final ByteBuffer line;
    final CompletableFuture<QmpValue> reply = new CompletableFuture<>();

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
    public boolean settled() {
      return reply.isDone();
    }

    @Override
    public void expire() {
      if (pending.remove(id, this)) {
        // Not yet written at all: drop it, so a QEMU that stops reading neither grows the queue
        // nor gets stale commands later. A command written in part must be finished (framing).
        synchronized (writeLock) {
          if (line.position() == 0) {
            outbound.removeIf(queued -> queued == line); // identity: ByteBuffer.equals compares bytes
          }
        }
        reply.completeExceptionally(new QmpTimeoutException(command, timeout));
      }
    }
  }

  /**
   * Sends {@code {"execute": command, "arguments": arguments, "id": N}} with a fresh id.
   *
   * @return a future completed with the reply's {@code return} value, or failed with a {@link
   *     QmpException}
   */
  @Override
  public CompletableFuture<QmpValue> send(String command, @Nullable JsonNode arguments, Duration timeout) {
    long id = lastId.incrementAndGet();
    if (closing || phase == Phase.CLOSED) {
      return CompletableFuture.failedFuture(closedReason(command));
    }
    Pending request = new Pending(id, command, timeout, encode(command, arguments, id));
    pending.put(id, request);
    // closeNow() sets CLOSED before it fails what is pending: if it ran before the put, this sees it.
    if (phase == Phase.CLOSED) {
      if (pending.remove(id, request)) {
        request.reply.completeExceptionally(closedReason(command));
      }
      return request.reply;
    }
    reactor.scheduleFromAnyThread(request);
    write(request.line);
    return request.reply;
  }

  private static ByteBuffer encode(String command, @Nullable JsonNode arguments, long id) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
    try (JsonGenerator json = MAPPER.getFactory().createGenerator(bytes)) {
      json.writeStartObject();
      json.writeStringField("execute", command);
      if (arguments != null) {
        json.writeFieldName("arguments");
        MAPPER.writeTree(json, arguments);
      }
      json.writeNumberField("id", id);
      json.writeEndObject();
    } catch (IOException impossible) {
      throw new UncheckedIOException("writing JSON to memory failed", impossible);
    }
    bytes.write('\n');
    return ByteBuffer.wrap(bytes.toByteArray());
  }

  /** Writes {@code line} at once where the socket takes it, else queues it for the I/O thread. */
  private void write(ByteBuffer line) {
    boolean needsIoThread = false;
    synchronized (writeLock) {
      if (!writable || !outbound.isEmpty()) {
        outbound.add(line);
        needsIoThread = writable;
      } else {
        try {
          channel.write(line);
        } catch (IOException lost) {
          lostFromAnyThread(lost);
          return;
        }
        if (line.hasRemaining()) {
          outbound.add(line);
          needsIoThread = true;
        }
      }
    }
    if (needsIoThread) {
      if (reactor.inIoThread()) {
        interest();
      } else {
        reactor.submit(this::interest);
      }
    }
  }

  private void lostFromAnyThread(IOException lost) {
    Runnable close = () -> closeNow(new QmpConnectionClosedException(
        "QMP connection to " + address + " lost: " + lost.getMessage(), lost), null);
    if (reactor.inIoThread()) {
      close.run();
    } else {
      reactor.submit(close);
    }
  }

  private QmpConnectionClosedException closedReason(String command) {
    QmpConnectionClosedException reason = closed.getNow(null);
    return new QmpConnectionClosedException(
        "cannot execute " + command + ": the QMP connection to " + address + " is closed", reason);
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
            "QMP connection to " + address + " failed: " + failure, failure), null);
      }
    }
  };

  private void finishConnect() {
    try {
      if (channel.finishConnect()) {
        connectedNow();
      }
    } catch (IOException refused) {
      QmpConnectException cannot = new QmpConnectException(
          "cannot connect to QMP at " + address + ": " + refused.getMessage(), refused);
      closeNow(closedBy(cannot), cannot);
    }
  }

  private void read() {
    for (int reads = 0; reads < MAX_READS_PER_WAKEUP && phase != Phase.CLOSED; reads++) {
      int count;
      try {
        count = channel.read(readBuffer);
      } catch (IOException lost) {
        closeNow(new QmpConnectionClosedException(
            "QMP connection to " + address + " lost: " + lost.getMessage(), lost), null);
        return;
      }
      if (count < 0) {
        closeNow(new QmpConnectionClosedException(
            "QEMU closed the QMP connection to " + address, null), null);
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
      if (count < READ_BUFFER_BYTES) {
        // A short read drained the socket: asking again would only read 0 (a system call per
        // message); bytes that arrive later make the selector report the socket again.
        return;
      }
    }
  }

  private void onMessage(QmpMessage message) {
    if (phase == Phase.CLOSED) {
      return; // a protocol error closed the connection while this buffer was being decoded
    }
    if (message instanceof QmpMessage.Return ok) {
      reply(ok.id()).ifPresent(request -> request.reply.complete(QmpValue.wrap(ok.value())));
    } else if (message instanceof QmpMessage.Event event) {
      events.accept(event.event());
    } else if (message instanceof QmpMessage.Error error) {
      reply(error.id()).ifPresent(request -> request.reply.completeExceptionally(
          new QmpErrorException(request.command, error.errorClass(), error.description())));
    } else if (message instanceof QmpMessage.Greeting hello) {
      onGreeting(hello.greeting());
    }
  }

  private java.util.Optional<Pending> reply(long id) {
    if (phase == Phase.AWAITING_GREETING) {
      throw new QmpProtocolException("a reply before the QMP greeting from " + address);
    }
    Pending request = pending.remove(id);
    if (request == null) {
      if (id <= lastId.get()) {
        return java.util.Optional.empty(); // the late reply to a command that timed out
      }
      throw new QmpProtocolException("a reply with id " + id + ", never sent, from " + address);
    }
    reactor.cancel(request); // frees the reply now rather than at the deadline
    return java.util.Optional.of(request);
  }

  private void onGreeting(QmpGreeting hello) {
    if (phase != Phase.AWAITING_GREETING) {
      throw new QmpProtocolException("a second QMP greeting from " + address);
    }
    greeting = hello;
    phase = Phase.NEGOTIATING;
    // The handshake has its own deadline (connectTimeout); the command timeout is a backstop.
    send("qmp_capabilities", null, connectTimeout).whenComplete((ignored, failure) -> {
      if (failure == null) {
        phase = Phase.READY;
        cancelConnectDeadline();
        connected.complete(this);
      } else if (failure instanceof QmpErrorException refused) {
        protocolError(new QmpProtocolException(
            "QEMU refused qmp_capabilities: " + refused.getMessage(), refused));
      }
    });
  }

  private void flush() {
    synchronized (writeLock) {
      if (phase == Phase.CLOSED || !writable) {
        return; // connection not finished: connectedNow() flushes later
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
        lostFromAnyThread(lost);
        return;
      }
    }
    interest();
  }

  /** Asks for OP_WRITE while something waits to be written; I/O thread only. */
  private void interest() {
    SelectionKey registered = key;
    if (registered != null && registered.isValid()) {
      boolean waiting;
      synchronized (writeLock) {
        waiting = !outbound.isEmpty();
      }
      int ops = SelectionKey.OP_READ | (waiting ? SelectionKey.OP_WRITE : 0);
      if (registered.interestOps() != ops) {
        registered.interestOps(ops);
      }
    }
  }

  private void protocolError(QmpProtocolException error) {
    closeNow(new QmpConnectionClosedException(
        "QMP connection to " + address + " closed on a protocol error: " + error.getMessage(), error),
        error);
  }

  /**
   * Closes on the I/O thread: every pending command fails, then {@code connected} (with {@code
   * connectFailure}, else {@code reason}) and {@code closed}.
   */
  private void closeNow(QmpConnectionClosedException reason, @Nullable QmpException connectFailure) {
    if (phase == Phase.CLOSED) {
      return;
    }
    phase = Phase.CLOSED;
    closing = true;
    if (key != null) {
      key.cancel();
    }
    synchronized (writeLock) {
      writable = false;
      try {
        channel.close();
      } catch (IOException ignored) {
        // Closing a socket that failed: nothing more to free.
      }
      outbound.clear();
    }
    List<Pending> failed = new ArrayList<>();
    for (Pending request : pending.values()) {
      if (pending.remove(request.id, request)) {
        failed.add(request);
      }
    }
    // Pending commands fail first: a closed() callback may wait for a thread blocked on one
    // (client.closed().thenRun(loop::close) while a tick waits in the actuator).
    for (Pending request : failed) {
      reactor.cancel(request);
      request.reply.completeExceptionally(new QmpConnectionClosedException(
          request.command + " got no reply: " + reason.getMessage(), reason.getCause()));
    }
    if (!connected.isDone()) {
      connected.completeExceptionally(connectFailure != null ? connectFailure : reason);
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
}
