package org.hybridft.cli;

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
import java.util.Map;

/**
 * A QMP server for states no QEMU here reaches (a broken COLO, a malformed message): answers each
 * command by name from a map and, after answering {@code garbageAfter}, sends a malformed line.
 */
final class ScriptedQmpServer implements AutoCloseable {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final ServerSocketChannel server;
  private final Path socket;
  private final Thread thread;

  ScriptedQmpServer(Path dir, String version, Map<String, String> returns, String garbageAfter)
      throws IOException {
    socket = dir.resolve("scripted-qmp.sock");
    server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    String[] v = version.split("\\.");
    String greeting = "{\"QMP\": {\"version\": {\"qemu\": {\"major\": " + v[0] + ", \"minor\": " + v[1]
        + ", \"micro\": " + v[2] + "}, \"package\": \"\"}, \"capabilities\": [\"oob\"]}}";
    thread = new Thread(() -> serve(greeting, returns, garbageAfter), "scripted-qmp");
    thread.setDaemon(true);
    thread.start();
  }

  Path socket() {
    return socket;
  }

  private void serve(String greeting, Map<String, String> returns, String garbageAfter) {
    try (SocketChannel channel = server.accept()) {
      BufferedReader in = new BufferedReader(
          new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
      OutputStream out = Channels.newOutputStream(channel);
      send(out, greeting);
      String line;
      while ((line = in.readLine()) != null) {
        JsonNode command = MAPPER.readTree(line);
        String name = command.path("execute").asText();
        String value = name.equals("qmp_capabilities") ? "{}" : returns.get(name);
        if (value == null) {
          send(out, "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"no " + name
              + "\"}, \"id\": " + command.get("id") + "}");
        } else {
          send(out, "{\"return\": " + value + ", \"id\": " + command.get("id") + "}");
        }
        if (name.equals(garbageAfter)) {
          send(out, "{\"event\": \"MIGRATION_PASS\", \"data\": {\"pass\": ]}");
        }
      }
    } catch (IOException clientGone) {
      // The client closed the connection or the test closed the server.
    }
  }

  private static void send(OutputStream out, String line) throws IOException {
    out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  @Override
  public void close() throws IOException, InterruptedException {
    server.close();
    thread.join(5000);
  }
}
