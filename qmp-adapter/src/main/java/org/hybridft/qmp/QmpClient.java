package org.hybridft.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.hybridft.core.ParameterCheck;
import org.jspecify.annotations.Nullable;

/**
 * An asynchronous client of QEMU's machine protocol (QMP) over a unix domain socket or TCP, or
 * over a {@link QmpTransport} such as libvirt's monitor passthrough.
 *
 * <p>{@link Builder#connect()} reads QEMU's greeting and negotiates {@code qmp_capabilities};
 * then {@link #execute} sends a command with a fresh id and returns a future that the reply with
 * that id completes. Events are delivered to {@linkplain #subscribe subscribers} by name and are
 * never taken for replies, whenever they arrive. Replies and events are {@link QmpValue}s:
 * immutable, so subscribers of one event cannot change it for each other.
 *
 * <p><b>Layers</b>, as in python's qemu.qmp: this class is the API; a package-private protocol
 * layer owns the socket, the framing, the handshake and the table of pending commands; an event
 * layer owns the subscriptions.
 *
 * <p><b>Threads.</b> All connections of the JVM share one I/O thread (one NIO selector), which
 * exists only while some connection is open. Futures are completed and event listeners run on
 * that thread: they must be quick and must not block on another command of any client (use the
 * {@code *Async} stages of {@link CompletableFuture} for heavier work). Commands are written by
 * the thread that sends them, so a round trip costs about what a blocking socket's costs.
 *
 * <p><b>Failures</b>, one type per phase. Connecting: nothing to connect to (no socket, a refused
 * port) is a {@link QmpConnectException} with the I/O failure as its cause; a peer that does not
 * greet or negotiate in time, a {@link QmpProtocolException}. Each command has a timeout (default
 * {@value #DEFAULT_TIMEOUT_SECONDS} s) after which its future fails with {@link
 * QmpTimeoutException}; an error reply fails it with {@link QmpErrorException}; when the
 * connection closes (QEMU exited, {@link #close()}, or a {@link QmpProtocolException}) every
 * pending future fails at once with {@link QmpConnectionClosedException}. {@link #close()} is
 * idempotent.
 */
public final class QmpClient implements AutoCloseable {
  /** Default timeout of commands and of the connection handshake, in seconds. */
  public static final int DEFAULT_TIMEOUT_SECONDS = 5;
  /** Default limit of one message from QEMU; query-qmp-schema, the largest reply, is ~200 KiB. */
  public static final int DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

  private static final System.Logger LOG = System.getLogger(QmpClient.class.getName());

  private final QmpChannel connection;
  private final QmpEventDispatcher events;
  private final Duration commandTimeout;
  private final Duration connectTimeout;
  private final Set<Consumer<QmpConnectionClosedException>> closeListeners = ConcurrentHashMap.newKeySet();
  private final CompletableFuture<QmpConnectionClosedException> closedOnce;

  private QmpClient(
      QmpChannel connection, QmpEventDispatcher events, Duration commandTimeout, Duration connectTimeout) {
    this.connection = connection;
    this.events = events;
    this.commandTimeout = commandTimeout;
    this.connectTimeout = connectTimeout;
    this.closedOnce = connection.closed();
    closedOnce.thenAccept(reason -> closeListeners.forEach(listener -> fireClosed(listener, reason)));
  }

  /** A builder for a connection to the QMP unix socket at {@code socket}. */
  public static Builder unix(Path socket) {
    return new Builder(UnixDomainSocketAddress.of(Objects.requireNonNull(socket, "socket")));
  }

  /** A builder for a connection to a QMP TCP server ({@code -qmp tcp:HOST:PORT,server}). */
  public static Builder tcp(String host, int port) {
    return new Builder(new InetSocketAddress(Objects.requireNonNull(host, "host"), checkPort(port)));
  }

  private static int checkPort(int port) {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be in [1, 65535], was " + port);
    }
    return port;
  }

  /**
   * A builder for the monitor at {@code address} as people write it: a unix socket's path, or
   * {@code tcp:HOST:PORT}. A TCP address must be a loopback one unless {@code allowRemote}: QMP
   * has no authentication, so whoever reaches the port controls QEMU. The host is resolved here,
   * once, so that the address checked is the address connected to.
   *
   * @throws IllegalArgumentException saying what is wrong: a malformed address or port, a host that
   *     does not resolve, a remote host without {@code allowRemote}, or a path where no file is
   */
  public static Builder at(String address, boolean allowRemote) {
    Objects.requireNonNull(address, "address");
    if (!address.startsWith("tcp:")) {
      Path socket = Path.of(address);
      if (!Files.exists(socket)) {
        throw new IllegalArgumentException("no such socket");
      }
      return unix(socket);
    }
    String hostPort = address.substring(4);
    int colon = hostPort.lastIndexOf(':');
    if (colon < 1) {
      throw new IllegalArgumentException("tcp:HOST:PORT expected");
    }
    String host = hostPort.substring(0, colon);
    int port;
    try {
      port = Integer.parseInt(hostPort.substring(colon + 1));
    } catch (NumberFormatException notAPort) {
      throw new IllegalArgumentException("tcp:HOST:PORT needs a numeric port");
    }
    checkPort(port);
    InetAddress resolved;
    try {
      resolved = InetAddress.getByName(host);
    } catch (UnknownHostException unknown) {
      throw new IllegalArgumentException("cannot resolve host " + host, unknown);
    }
    if (!allowRemote && !resolved.isLoopbackAddress()) {
      throw new IllegalArgumentException(host + " is not a loopback address, and QMP has no authentication:"
          + " whoever reaches the port controls QEMU (and can run commands as its user); tunnel it (e.g."
          + " ssh -L) or allow remote addresses on a trusted network");
    }
    return to(new InetSocketAddress(resolved, port));
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

  /**
   * A builder for a client over {@code transport}, a monitor reached through another program
   * (libvirt's passthrough, for one) rather than a socket of QEMU's own. Such a client delivers no
   * events ({@link #deliversEvents()}); its greeting is made from {@code query-version}.
   */
  public static Builder over(QmpTransport transport) {
    return new Builder(Objects.requireNonNull(transport, "transport"));
  }

  /** The socket address this client connects to; empty for a client over a {@link QmpTransport}. */
  public Optional<SocketAddress> address() {
    return connection instanceof QmpConnection socket ? Optional.of(socket.address()) : Optional.empty();
  }

  /**
   * Where the monitor is, for messages: the socket address, or the transport's description (for
   * instance {@code libvirt domain web1 at qemu:///system}).
   */
  public String peer() {
    return connection.peer();
  }

  /** Whether the QEMU runs on this host: a unix socket, loopback, or a transport that says so. */
  public boolean isLocal() {
    return connection.local();
  }

  /**
   * Whether QEMU's events reach {@link #subscribe subscribers}: true over a socket, false over a
   * {@link QmpTransport}, which carries commands and replies only.
   */
  public boolean deliversEvents() {
    return connection.deliversEvents();
  }

  /** QEMU's greeting. */
  public QmpGreeting greeting() {
    // A client exists only once the handshake is done: the greeting came first.
    return Objects.requireNonNull(connection.greeting(), "greeting");
  }

  /** Whether the connection is open: not closed by either side nor by a protocol error. */
  public boolean isOpen() {
    return connection.isOpen();
  }

  /**
   * A future completed when the connection closes, with the reason: QEMU closed it, {@link
   * #close()} was called, or a protocol error (then the exception's cause). Never fails. Each call
   * returns a new future that the connection holds until it closes: to listen and stop listening
   * again and again on a long-lived client, use {@link #onClosed}.
   */
  public CompletableFuture<QmpConnectionClosedException> closed() {
    return connection.closed();
  }

  /**
   * Calls {@code listener} once, with the reason, when the connection closes (at once if it is
   * closed already), until the returned subscription is closed. Unlike a dependent of {@link
   * #closed()}, a closed subscription leaves nothing behind, so a long-lived client may be attached
   * to and detached from any number of times. An exception the listener throws is logged and
   * ignored.
   */
  public QmpSubscription onClosed(Consumer<QmpConnectionClosedException> listener) {
    Objects.requireNonNull(listener, "listener");
    // The listener itself may be registered twice: each registration needs an identity of its own.
    Consumer<QmpConnectionClosedException> registration = listener::accept;
    closeListeners.add(registration);
    if (closedOnce.isDone()) {
      fireClosed(registration, closedOnce.join());
    }
    return () -> closeListeners.remove(registration);
  }

  /** Callbacks held for the close, in the connection and here; for tests. */
  int closeDependents() {
    return connection.closeDependents() + closeListeners.size();
  }

  private void fireClosed(Consumer<QmpConnectionClosedException> registration, QmpConnectionClosedException reason) {
    if (closeListeners.remove(registration)) { // exactly once, whoever sees the close first
      try {
        registration.accept(reason);
      } catch (RuntimeException failed) {
        LOG.log(Level.WARNING, "a close listener of " + peer() + " failed", failed);
      }
    }
  }

  /** Executes a command without arguments; see {@link #execute(String, Object, Duration)}. */
  public CompletableFuture<QmpValue> execute(String command) {
    return execute(command, null, commandTimeout);
  }

  /** Executes a command with the default timeout; see {@link #execute(String, Object, Duration)}. */
  public CompletableFuture<QmpValue> execute(String command, @Nullable Object arguments) {
    return execute(command, arguments, commandTimeout);
  }

  /**
   * Sends {@code {"execute": command, "arguments": arguments, "id": N}}.
   *
   * @param command the QMP command name, for instance {@code query-status}
   * @param arguments a {@link QmpValue} object, or anything that serializes to a JSON object (a
   *     {@link Map}, a record), or null for none
   * @param timeout how long to wait for the reply, {@code > 0} and at most {@link
   *     ParameterCheck#MAX_DURATION} (ten years)
   * @return a future completed with the reply's {@code return} value, or failed with a {@link
   *     QmpException}
   * @throws IllegalArgumentException if the command is blank, the timeout out of range, or the
   *     arguments do not serialize to a JSON object
   */
  public CompletableFuture<QmpValue> execute(String command, @Nullable Object arguments, Duration timeout) {
    if (command == null || command.isBlank()) {
      throw new IllegalArgumentException("command must be a QMP command name, was '" + command + "'");
    }
    ParameterCheck.positive("timeout", timeout);
    JsonNode tree = null;
    if (arguments != null) {
      QmpValue value;
      try {
        value = QmpValue.from(arguments);
      } catch (IllegalArgumentException unserializable) {
        throw new IllegalArgumentException(
            "cannot serialize the arguments of " + command + ": " + unserializable.getMessage(), unserializable);
      }
      if (!value.isObject()) {
        throw new IllegalArgumentException("arguments of " + command
            + " must serialize to a JSON object, got " + value.node().getNodeType());
      }
      tree = value.node();
    }
    return connection.send(command, tree, timeout);
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
  public QmpValue call(String command, @Nullable Object arguments) {
    if (connection.inIoThread()) {
      // The reply could only be read by this very thread: waiting would block it until timeout.
      throw new IllegalStateException("call(" + command + ") on the QMP I/O thread would block it:"
          + " use execute() and a callback from event listeners and future stages");
    }
    CompletableFuture<QmpValue> reply = execute(command, arguments, commandTimeout);
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
   * QEMU's {@code -name} ({@code query-name}), or {@code fallback} when it has none or the
   * monitor does not know the command: the name that labels the VM in metrics and logs.
   *
   * @throws QmpConnectionClosedException if the connection is closed
   * @throws QmpTimeoutException if QEMU does not answer
   */
  public String nameOr(String fallback) {
    Objects.requireNonNull(fallback, "fallback");
    try {
      String fromQemu = call("query-name", null).path("name").asText("");
      return fromQemu.isBlank() ? fallback : fromQemu;
    } catch (QmpErrorException noName) {
      return fallback;
    }
  }

  /**
   * Delivers every event named {@code event} to {@code listener}, on the I/O thread, from now
   * on. An exception the listener throws is logged and ignored. A client over a {@link
   * QmpTransport} delivers none (see {@link #deliversEvents()}).
   */
  public QmpSubscription subscribe(String event, Consumer<QmpEvent> listener) {
    return events.subscribe(event, listener);
  }

  /** Delivers every event to {@code listener}; see {@link #subscribe}. */
  public QmpSubscription subscribeAll(Consumer<QmpEvent> listener) {
    return events.subscribeAll(listener);
  }

  /**
   * Closes the connection: pending commands fail with {@link QmpConnectionClosedException}.
   * Returns once it is closed (at once when called on the I/O thread). Idempotent.
   */
  @Override
  public void close() {
    try {
      connection.close(connectTimeout.plusSeconds(1));
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException unexpected) {
      LOG.log(Level.WARNING, "closing the QMP connection to " + peer() + " did not finish", unexpected);
    }
  }

  @Override
  public String toString() {
    return "QmpClient[" + peer() + (isOpen() ? "" : ", closed") + "]";
  }

  /** Builds and opens a {@link QmpClient}; every setter validates its argument. */
  public static final class Builder {
    private final @Nullable SocketAddress address;
    private final @Nullable QmpTransport transport;
    private Duration commandTimeout = Duration.ofSeconds(DEFAULT_TIMEOUT_SECONDS);
    private Duration connectTimeout = Duration.ofSeconds(DEFAULT_TIMEOUT_SECONDS);
    private int maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;
    private @Nullable Consumer<QmpEvent> eventListener;

    private Builder(SocketAddress address) {
      this.address = address;
      this.transport = null;
    }

    private Builder(QmpTransport transport) {
      this.address = null;
      this.transport = transport;
    }

    private String peer() {
      return transport != null ? transport.peer() : String.valueOf(address);
    }

    /** The socket address connected to; null for a transport. */
    @Nullable SocketAddress address() {
      return address;
    }

    /** Default timeout of each command, {@code > 0} and at most ten years; default 5 s. */
    public Builder commandTimeout(Duration timeout) {
      this.commandTimeout = ParameterCheck.positive("commandTimeout", timeout);
      return this;
    }

    /**
     * Time allowed for the greeting and {@code qmp_capabilities}, {@code > 0} and at most ten
     * years; default 5 s.
     */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = ParameterCheck.positive("connectTimeout", timeout);
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
     * accepted {@code qmp_capabilities}, or fails with a {@link QmpException} (a {@link
     * QmpConnectException} when there was nothing to connect to).
     */
    public CompletableFuture<QmpClient> connectAsync() {
      QmpEventDispatcher events = new QmpEventDispatcher();
      if (eventListener != null) {
        events.subscribeAll(eventListener);
      }
      Duration commands = commandTimeout;
      Duration handshake = connectTimeout;
      if (transport != null) {
        return TransportChannel.open(transport, handshake)
            .thenApply(channel -> new QmpClient(channel, events, commands, handshake));
      }
      return QmpConnection.open(Objects.requireNonNull(address, "address"), handshake, maxMessageBytes,
              events::dispatch)
          .thenApply(connection -> new QmpClient(connection, events, commands, handshake));
    }

    /**
     * Connects and waits for the handshake.
     *
     * @throws QmpConnectException if there was nothing to connect to (no socket, a refused port),
     *     with the I/O failure as its cause
     * @throws QmpException if the handshake failed or timed out
     */
    public QmpClient connect() {
      CompletableFuture<QmpClient> pending = connectAsync();
      try {
        return pending.get(connectTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
      } catch (ExecutionException failed) {
        if (failed.getCause() instanceof QmpException qmp) {
          throw qmp;
        }
        throw new QmpConnectException("cannot connect to QMP at " + peer(), failed.getCause());
      } catch (TimeoutException late) {
        pending.thenAccept(QmpClient::close);
        throw new QmpProtocolException(
            "no QMP handshake with " + peer() + " within " + connectTimeout.toMillis() + " ms");
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
        pending.thenAccept(QmpClient::close);
        throw new CancellationException("interrupted while connecting to QMP at " + peer());
      }
    }
  }
}
