package org.hybridft.qmp.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.hybridft.qmp.QmpClient;
import org.jspecify.annotations.Nullable;

/**
 * A QMP server on a unix socket that does what a real QEMU here will not: each accepted connection
 * runs a script on its own thread (greet, answer commands by name, send malformed or late
 * messages, hang up). For faults and for states no QEMU here reaches (a broken COLO, a protocol
 * error); everything QEMU can do is tested against QEMU. Published in this module's test jar for
 * the tests of the modules above it.
 */
public final class FakeQmpServer implements AutoCloseable {
  /** The greeting of a QEMU 7.2.0. */
  public static final String GREETING =
      "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}, \"package\": \"fake\"}, \"capabilities\": [\"oob\"]}}";
  /** The greeting of Debian bookworm-backports' QEMU 10.0.2, whose COLO is broken. */
  public static final String GREETING_10_0_2 =
      "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 2, \"minor\": 0, \"major\": 10}, \"package\": \"Debian 1:10.0.2+ds-1~bpo12+1\"}, \"capabilities\": [\"oob\"]}}";
  /** A MIGRATION_PASS event that is not JSON. */
  public static final String MALFORMED = "{\"event\": \"MIGRATION_PASS\", \"data\": {\"pass\": ]}";
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** The greeting of a QEMU of {@code version} ({@code major.minor.micro}). */
  public static String greeting(String version) {
    String[] v = version.split("\\.");
    return "{\"QMP\": {\"version\": {\"qemu\": {\"major\": " + v[0] + ", \"minor\": " + v[1]
        + ", \"micro\": " + v[2] + "}, \"package\": \"\"}, \"capabilities\": [\"oob\"]}}";
  }

  /**
   * A server that greets as QEMU {@code version} and answers each command by name from {@code
   * returns} (see {@link Peer#answerByName(Map)}).
   */
  public static FakeQmpServer answering(Path dir, String version, Map<String, String> returns)
      throws IOException {
    return answering(dir, version, returns, "");
  }

  /**
   * A server that answers as {@link #answering(Path, String, Map)} does and, right after answering
   * the command named {@code malformedAfter}, breaks the protocol (see {@link
   * Peer#answerByName(Map, String)}).
   */
  public static FakeQmpServer answering(Path dir, String version, Map<String, String> returns,
      String malformedAfter) throws IOException {
    return start(dir, peer -> {
      peer.handshake(greeting(version));
      peer.answerByName(returns, malformedAfter);
    });
  }

  /** What the server does with one connection. */
  @FunctionalInterface
  public interface Script {
    /** Serves one connection; an {@link IOException} means the client went away. */
    void run(Peer peer) throws Exception;
  }

  /** The server's end of one connection. */
  public static final class Peer {
    private final SocketChannel channel;
    private final BufferedReader in;
    private final OutputStream out;

    Peer(SocketChannel channel) {
      this.channel = channel;
      this.in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
      this.out = Channels.newOutputStream(channel);
    }

    /** Sends {@code line} and QMP's line end. */
    public void sendLine(String line) throws IOException {
      send((line + "\r\n").getBytes(StandardCharsets.UTF_8));
    }

    /** Sends raw bytes, for framing faults. */
    public void send(byte[] bytes) throws IOException {
      out.write(bytes);
      out.flush();
    }

    /** The next command the client sent, or null at end of stream. */
    public @Nullable JsonNode readCommand() throws IOException {
      String line = in.readLine();
      return line == null ? null : MAPPER.readTree(line);
    }

    /** Greets and answers qmp_capabilities. */
    public void handshake() throws IOException {
      handshake(GREETING);
    }

    /** Greets with {@code greeting} and answers qmp_capabilities. */
    public void handshake(String greeting) throws IOException {
      sendLine(greeting);
      JsonNode negotiate = readCommand();
      if (negotiate == null || !"qmp_capabilities".equals(negotiate.path("execute").asText())) {
        throw new IOException("expected qmp_capabilities, got " + negotiate);
      }
      reply(negotiate, "{}");
    }

    /** Answers {@code command} with the return value {@code returnJson}. */
    public void reply(JsonNode command, String returnJson) throws IOException {
      sendLine("{\"return\": " + returnJson + ", \"id\": " + command.get("id") + "}");
    }

    /** Answers {@code command} with an error of class {@code errorClass}. */
    public void replyError(JsonNode command, String errorClass, String desc) throws IOException {
      sendLine("{\"error\": {\"class\": \"" + errorClass + "\", \"desc\": \"" + desc + "\"}, \"id\": "
          + command.get("id") + "}");
    }

    /** Answers every command with an empty return until the client goes away. */
    public void answerAll() throws IOException {
      JsonNode command;
      while ((command = readCommand()) != null) {
        reply(command, "{}");
      }
    }

    /**
     * Answers each command with the return value mapped to its name, or a CommandNotFound error,
     * until the client goes away.
     */
    public void answerByName(Map<String, String> returns) throws IOException {
      answerByName(returns, "");
    }

    /**
     * Answers as {@link #answerByName(Map)} does and, right after answering the command named
     * {@code malformedAfter}, sends a message that is not JSON (a protocol error).
     */
    public void answerByName(Map<String, String> returns, String malformedAfter) throws IOException {
      JsonNode command;
      while ((command = readCommand()) != null) {
        String name = command.path("execute").asText();
        String value = returns.get(name);
        if (value == null) {
          replyError(command, "CommandNotFound", "The command " + name + " has not been found");
        } else {
          reply(command, value);
        }
        if (name.equals(malformedAfter)) {
          sendLine(MALFORMED);
        }
      }
    }

    /** Closes this connection. */
    public void close() throws IOException {
      channel.close();
    }
  }

  private final ServerSocketChannel server;
  private final Path socket;
  private final Thread acceptor;
  private final List<Thread> workers = new CopyOnWriteArrayList<>();
  private final List<SocketChannel> connections = new CopyOnWriteArrayList<>();
  private final List<Throwable> failures = new CopyOnWriteArrayList<>();

  private FakeQmpServer(Path dir, Script script) throws IOException {
    this.socket = dir.resolve("fake-qmp.sock");
    this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    this.acceptor = new Thread(() -> accept(script), "fake-qmp-accept");
    acceptor.start();
  }

  /** Listens on {@code dir/fake-qmp.sock} and runs {@code script} for each connection. */
  public static FakeQmpServer start(Path dir, Script script) throws IOException {
    return new FakeQmpServer(dir, script);
  }

  /** A client builder for this server's socket. */
  public QmpClient.Builder client() {
    return QmpClient.unix(socket);
  }

  /** The socket the server listens on. */
  public Path socket() {
    return socket;
  }

  /** Exceptions the scripts threw (other than the client going away). */
  public List<Throwable> failures() {
    return failures;
  }

  private void accept(Script script) {
    while (server.isOpen()) {
      SocketChannel channel;
      try {
        channel = server.accept();
      } catch (IOException closed) {
        return;
      }
      connections.add(channel);
      Thread worker = new Thread(() -> {
        try {
          script.run(new Peer(channel));
        } catch (IOException clientGone) {
          // The client closed the connection, as most fault tests make it do.
        } catch (Exception | AssertionError e) {
          failures.add(e);
        }
      }, "fake-qmp-peer");
      workers.add(worker);
      worker.start();
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (SocketChannel channel : connections) {
      channel.close();
    }
    try {
      acceptor.join(TimeUnit.SECONDS.toMillis(5));
      for (Thread worker : workers) {
        worker.interrupt();
        worker.join(TimeUnit.SECONDS.toMillis(5));
      }
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
