package org.hybridft.qmp;

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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A QMP server that does what a real QEMU will not: each accepted connection runs a script on its
 * own thread. For the faults only; everything QEMU can do is tested against QEMU.
 */
final class FakeQmpServer implements AutoCloseable {
  static final String GREETING =
      "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}, \"package\": \"fake\"}, \"capabilities\": [\"oob\"]}}";
  /** The greeting of Debian bookworm-backports' QEMU 10.0.2, whose COLO is broken. */
  static final String GREETING_10_0_2 =
      "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 2, \"minor\": 0, \"major\": 10}, \"package\": \"Debian 1:10.0.2+ds-1~bpo12+1\"}, \"capabilities\": [\"oob\"]}}";
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** What the server does with one connection. */
  @FunctionalInterface
  interface Script {
    void run(Peer peer) throws Exception;
  }

  /** The server's end of one connection. */
  static final class Peer {
    private final SocketChannel channel;
    private final BufferedReader in;
    private final OutputStream out;

    Peer(SocketChannel channel) {
      this.channel = channel;
      this.in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
      this.out = Channels.newOutputStream(channel);
    }

    void sendLine(String line) throws IOException {
      send((line + "\r\n").getBytes(StandardCharsets.UTF_8));
    }

    void send(byte[] bytes) throws IOException {
      out.write(bytes);
      out.flush();
    }

    /** The next command the client sent, or null at end of stream. */
    JsonNode readCommand() throws IOException {
      String line = in.readLine();
      return line == null ? null : MAPPER.readTree(line);
    }

    /** Greets and answers qmp_capabilities. */
    void handshake() throws IOException {
      handshake(GREETING);
    }

    /** Greets with {@code greeting} and answers qmp_capabilities. */
    void handshake(String greeting) throws IOException {
      sendLine(greeting);
      JsonNode negotiate = readCommand();
      if (negotiate == null || !"qmp_capabilities".equals(negotiate.path("execute").asText())) {
        throw new IOException("expected qmp_capabilities, got " + negotiate);
      }
      reply(negotiate, "{}");
    }

    void reply(JsonNode command, String returnJson) throws IOException {
      sendLine("{\"return\": " + returnJson + ", \"id\": " + command.get("id") + "}");
    }

    /** Answers every command with an empty return until the client goes away. */
    void answerAll() throws IOException {
      JsonNode command;
      while ((command = readCommand()) != null) {
        reply(command, "{}");
      }
    }

    /**
     * Answers each command with the return value mapped to its name, or a CommandNotFound error,
     * until the client goes away.
     */
    void answerByName(java.util.Map<String, String> returns) throws IOException {
      JsonNode command;
      while ((command = readCommand()) != null) {
        String name = command.path("execute").asText();
        String value = returns.get(name);
        if (value == null) {
          sendLine("{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"The command " + name
              + " has not been found\"}, \"id\": " + command.get("id") + "}");
        } else {
          reply(command, value);
        }
      }
    }

    void close() throws IOException {
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

  static FakeQmpServer start(Path dir, Script script) throws IOException {
    return new FakeQmpServer(dir, script);
  }

  QmpClient.Builder client() {
    return QmpClient.unix(socket);
  }

  Path socket() {
    return socket;
  }

  /** Exceptions the scripts threw (other than the client going away). */
  List<Throwable> failures() {
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
