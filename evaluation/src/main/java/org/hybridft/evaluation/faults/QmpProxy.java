package org.hybridft.evaluation.faults;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A QMP proxy between a control loop and QEMU's monitor, for the faults that strike the loop's
 * connection: it closes both ends on demand ({@link #closeConnection()}) and delays every message
 * from QEMU ({@link #delay(Duration)}), and it lets a try act on the loop's commands before they
 * reach QEMU ({@link #onCommand(Consumer)}), to kill the primary between a recipe's steps.
 *
 * <p>It serves one connection, as QEMU's unix monitor does. QMP is one JSON object a line, so the
 * proxy passes whole lines. Threads: one accepts, then one per direction and one delivering the
 * delayed lines, all named {@value #THREAD_PREFIX}...; {@link #close()} ends them.
 */
public final class QmpProxy implements AutoCloseable {
  /** The prefix of the proxy's thread names. */
  public static final String THREAD_PREFIX = "hybrid-ft-fault-qmp-proxy";

  private static final Pattern EXECUTE = Pattern.compile("\"execute\"\\s*:\\s*\"([^\"]+)\"");
  private static final String END = new String("end of stream");   // compared by identity

  private final Path listen;
  private final Path target;
  private final ServerSocketChannel server;
  private final List<Thread> threads = new ArrayList<>();
  private final BlockingQueue<Delayed> toClient = new LinkedBlockingQueue<>();
  private volatile long delayNanos;
  private volatile @Nullable Consumer<String> commandHook;
  private volatile @Nullable SocketChannel client;
  private volatile @Nullable SocketChannel upstream;
  private volatile boolean closed;

  private record Delayed(long dueNanos, String line) {}

  private QmpProxy(Path listen, Path target) throws IOException {
    this.listen = listen;
    this.target = target;
    Files.deleteIfExists(listen);
    this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(listen));
  }

  /**
   * Listens on {@code listen} and passes its one connection on to the monitor at {@code target}.
   *
   * @throws IOException if {@code listen} cannot be bound
   */
  public static QmpProxy start(Path listen, Path target) throws IOException {
    QmpProxy proxy = new QmpProxy(listen, target);
    proxy.spawn("accept", proxy::accept);
    return proxy;
  }

  /** The socket the loop connects to. */
  public Path socket() {
    return listen;
  }

  /** Delays every message from QEMU by {@code delay} from now on ({@code 0}: none). */
  public void delay(Duration delay) {
    this.delayNanos = delay.toNanos();
  }

  /**
   * Calls {@code hook} with the name of each command the loop sends, before the command goes on to
   * QEMU, on the proxy's thread: the command waits for it.
   */
  public void onCommand(@Nullable Consumer<String> hook) {
    this.commandHook = hook;
  }

  /** Closes the loop's connection and the proxy's connection to QEMU, as a broken socket would. */
  public void closeConnection() {
    closeQuietly(client);
    closeQuietly(upstream);
  }

  private void accept() {
    try {
      SocketChannel accepted = server.accept();
      SocketChannel qemu = SocketChannel.open(UnixDomainSocketAddress.of(target));
      client = accepted;
      upstream = qemu;
      spawn("to-qemu", () -> pump(accepted, qemu, true));
      spawn("from-qemu", () -> pump(qemu, accepted, false));
      spawn("deliver", () -> deliver(accepted));
    } catch (IOException closedOrRefused) {
      closeConnection();
    }
  }

  private void pump(SocketChannel from, SocketChannel to, boolean commands) {
    // The channels themselves, not Channels' streams: those lock the channel for a blocking read,
    // and a write to it from the other direction's thread would wait for that read.
    ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    try {
      while (from.read(buffer) >= 0) {
        buffer.flip();
        while (buffer.hasRemaining()) {
          byte b = buffer.get();
          line.write(b);
          if (b == '\n') {
            String text = line.toString(StandardCharsets.UTF_8);
            line.reset();
            if (commands) {
              Consumer<String> hook = commandHook;
              Matcher execute = EXECUTE.matcher(text);
              if (hook != null && execute.find()) {
                hook.accept(execute.group(1));
              }
              write(to, text);
            } else {
              toClient.add(new Delayed(System.nanoTime() + delayNanos, text));
            }
          }
        }
        buffer.clear();
      }
    } catch (IOException | RuntimeException broken) {
      // The connection ended: both ends are closed below.
    } finally {
      if (commands) {
        closeConnection();
      } else {
        // What QEMU sent before it closed still reaches the loop, then the end.
        toClient.add(new Delayed(System.nanoTime() + delayNanos, END));
      }
    }
  }

  private static void write(SocketChannel to, String text) throws IOException {
    ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    while (bytes.hasRemaining()) {
      to.write(bytes);
    }
  }

  private void deliver(SocketChannel to) {
    try {
      while (!closed) {
        Delayed next = toClient.poll(200, TimeUnit.MILLISECONDS);
        if (next == null) {
          continue;
        }
        long wait = next.dueNanos() - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
        if (next.line() == END) {
          break;
        }
        write(to, next.line());
      }
    } catch (IOException | InterruptedException ended) {
      // Closed under us, or the proxy is closing.
    } finally {
      closeConnection();
    }
  }

  private void spawn(String name, Runnable task) {
    Thread thread = new Thread(task, THREAD_PREFIX + "-" + name);
    thread.setDaemon(true);
    synchronized (threads) {
      if (closed) {
        return;
      }
      threads.add(thread);
    }
    thread.start();
  }

  private static void closeQuietly(@Nullable SocketChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // Closing: nothing more to do.
      }
    }
  }

  /** Closes both connections and the listening socket; returns once the threads have ended. */
  @Override
  public void close() throws InterruptedException {
    List<Thread> started;
    synchronized (threads) {
      closed = true;
      started = List.copyOf(threads);
    }
    closeConnection();
    try {
      server.close();
      Files.deleteIfExists(listen);
    } catch (IOException ignored) {
      // The socket file goes with the pair's directory.
    }
    for (Thread thread : started) {
      thread.interrupt();
      thread.join(5_000);
    }
  }
}
