package org.hybridft.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.management.OperatingSystemMXBean;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.jspecify.annotations.Nullable;

/**
 * N fake QEMU COLO primaries in one process, served by one selector thread: the QEMUs that {@link
 * AgentScale} points the host agent at. Run as a child process so that the agent's CPU time and
 * heap are measured alone.
 *
 * <p>Each VM {@code vm-NNNN} listens on the unix socket {@code DIR/vm-NNNN.sock}. A connection
 * gets the QMP greeting of QEMU 10.0.13; after {@code qmp_capabilities} its commands are answered
 * as a COLO primary answers them ({@link FakeColoPrimary}) and it receives one checkpoint a second
 * ({@code STOP}, {@code MIGRATION_PASS}, {@code RESUME}), the VMs' checkpoints spread evenly over
 * the second.
 *
 * <p>Standard input takes one command a line: {@code restart} closes every connection and every
 * listening socket, deletes the socket files, and binds them again after {@code --restart-gap-ms}
 * (every QEMU of the host restarting at once); {@code quit}, or the end of the input, stops. Standard
 * output reports {@code ready N}, {@code closed N}, {@code bound N} and, at the end, {@code stats
 * ...}.
 *
 * <p>Usage: {@code FakeQmpFleet --vms N --dir DIR [--restart-gap-ms 1000] [--max-seconds 7200]}.
 */
public final class FakeQmpFleet {
  static final String GREETING = "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 13, \"minor\": 0,"
      + " \"major\": 10}, \"package\": \"hybridft fake fleet\"}, \"capabilities\": [\"oob\"]}}\n";
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final long SECOND = 1_000_000_000L;
  private static final long TICK_MILLIS = 20;
  private static final int READ_BUFFER_BYTES = 16 * 1024;
  /** A client that reads nothing while this much waits for it is dropped. */
  private static final int MAX_PENDING_BYTES = 4 * 1024 * 1024;

  private final List<FakeColoPrimary> vms = new ArrayList<>();
  private final Set<Connection> connections = new LinkedHashSet<>();
  private final Selector selector;
  private final long startNanos = System.nanoTime();
  private final long restartGapNanos;
  private final ConcurrentLinkedQueue<String> commands = new ConcurrentLinkedQueue<>();
  private long rebindAtNanos = -1;
  private long accepts;
  private long answered;
  private long checkpoints;
  /** Connections closed because they broke (not by a restart). */
  private long dropped;
  private long closedByClients;

  /** One client of one VM. */
  private static final class Connection {
    final FakeColoPrimary vm;
    final SocketChannel channel;
    final ByteBuffer in = ByteBuffer.allocate(READ_BUFFER_BYTES);
    final ArrayDeque<ByteBuffer> out = new ArrayDeque<>();
    @Nullable SelectionKey key;
    long pendingBytes;
    boolean negotiated;
    long nextCheckpointNanos;

    Connection(FakeColoPrimary vm, SocketChannel channel) {
      this.vm = vm;
      this.channel = channel;
    }
  }

  private FakeQmpFleet(int count, Path dir, long restartGapNanos) throws IOException {
    this.selector = Selector.open();
    this.restartGapNanos = restartGapNanos;
    int digits = Math.max(4, Integer.toString(count - 1).length());
    for (int i = 0; i < count; i++) {
      String name = String.format(Locale.ROOT, "vm-%0" + digits + "d", i);
      vms.add(new FakeColoPrimary(name, dir.resolve(name + ".sock"), SECOND * i / count));
    }
  }

  /**
   * Serves the fleet until {@code quit} or the end of standard input; see the class comment.
   *
   * @param args {@code --vms N --dir DIR [--restart-gap-ms MS] [--max-seconds S]}
   */
  public static void main(String[] args) throws IOException {
    int count = 0;
    Path dir = null;
    long gapMillis = 1000;
    long maxSeconds = 7200;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--vms" -> count = Integer.parseInt(args[i + 1]);
        case "--dir" -> dir = Path.of(args[i + 1]);
        case "--restart-gap-ms" -> gapMillis = Long.parseLong(args[i + 1]);
        case "--max-seconds" -> maxSeconds = Long.parseLong(args[i + 1]);
        default -> usage("unknown option " + args[i]);
      }
    }
    if (args.length % 2 != 0 || count < 1 || dir == null || gapMillis < 0 || maxSeconds < 1) {
      usage("--vms must be >= 1, --dir is required, --restart-gap-ms >= 0, --max-seconds >= 1");
    }
    Files.createDirectories(dir);
    FakeQmpFleet fleet = new FakeQmpFleet(count, dir, gapMillis * 1_000_000);
    fleet.readCommandsFromStandardInput();
    fleet.run(maxSeconds * SECOND);
  }

  private static void usage(String problem) {
    System.err.println("FakeQmpFleet: " + problem + "\nusage: FakeQmpFleet --vms N --dir DIR"
        + " [--restart-gap-ms 1000] [--max-seconds 7200]");
    System.exit(2);
  }

  /** Standard input's lines become commands of the selector thread; its end is {@code quit}. */
  private void readCommandsFromStandardInput() {
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          commands.add(line.trim());
          selector.wakeup();
        }
      } catch (IOException closed) {
        // The parent went away: stop as at the end of the input.
      }
      commands.add("quit");
      selector.wakeup();
    }, "fleet-stdin");
    reader.setDaemon(true);
    reader.start();
  }

  private void run(long maxNanos) throws IOException {
    bindAll();
    say("ready " + vms.size());
    long nextTick = System.nanoTime();
    while (System.nanoTime() - startNanos < maxNanos) {
      long now = System.nanoTime();
      selector.select(Math.max(1, (nextTick - now) / 1_000_000));
      for (SelectionKey key : selector.selectedKeys()) {
        handle(key);
      }
      selector.selectedKeys().clear();
      String command;
      while ((command = commands.poll()) != null) {
        switch (command) {
          case "restart" -> {
            closeAll();
            rebindAtNanos = System.nanoTime() + restartGapNanos;
            say("closed " + vms.size());
          }
          case "quit" -> {
            stop();
            return;
          }
          case "" -> { }
          default -> System.err.println("FakeQmpFleet: unknown command '" + command + "' (restart, quit)");
        }
      }
      now = System.nanoTime();
      if (rebindAtNanos >= 0 && now - rebindAtNanos >= 0) {
        rebindAtNanos = -1;
        bindAll();
        say("bound " + vms.size());
      }
      if (now - nextTick >= 0) {
        emitDueCheckpoints(now);
        nextTick = now + TICK_MILLIS * 1_000_000;
      }
    }
    System.err.println("FakeQmpFleet: --max-seconds reached, stopping");
    stop();
  }

  private void handle(SelectionKey key) {
    if (!key.isValid()) {
      return;
    }
    try {
      if (key.isAcceptable()) {
        accept((FakeColoPrimary) key.attachment(), (ServerSocketChannel) key.channel());
        return;
      }
      Connection connection = (Connection) key.attachment();
      if (key.isWritable()) {
        flush(connection);
      }
      if (key.isValid() && key.isReadable()) {
        read(connection);
      }
    } catch (JsonProcessingException | RuntimeException broken) {
      if (key.attachment() instanceof Connection connection) {
        drop(connection);
      }
    } catch (IOException closed) {
      // A reset or a broken pipe: the client closed while we wrote.
      if (key.attachment() instanceof Connection connection) {
        closedByClient(connection);
      }
    }
  }

  private void accept(FakeColoPrimary vm, ServerSocketChannel server) throws IOException {
    // Bounded: a listening socket has at most its backlog waiting.
    for (int i = 0; i < 64; i++) {
      SocketChannel channel = server.accept();
      if (channel == null) {
        return;
      }
      accepts++;
      channel.configureBlocking(false);
      Connection connection = new Connection(vm, channel);
      connection.key = channel.register(selector, SelectionKey.OP_READ, connection);
      connections.add(connection);
      try {
        send(connection, GREETING.getBytes(StandardCharsets.UTF_8));
      } catch (IOException closed) {
        closedByClient(connection);
      }
    }
  }

  private void read(Connection connection) throws IOException {
    int n = connection.channel.read(connection.in);
    if (n < 0) {
      closedByClient(connection);
      return;
    }
    ByteBuffer in = connection.in;
    byte[] bytes = in.array();
    int start = 0;
    for (int i = 0; i < in.position(); i++) {
      if (bytes[i] == '\n') {
        if (i > start) {
          answer(connection, MAPPER.readTree(bytes, start, i - start));
        }
        start = i + 1;
      }
    }
    if (start == 0 && !in.hasRemaining()) {
      throw new IllegalStateException("a command longer than " + READ_BUFFER_BYTES + " bytes");
    }
    in.limit(in.position()).position(start);
    in.compact();
  }

  private void answer(Connection connection, JsonNode command) throws IOException {
    boolean negotiating = command.path("execute").asText("").equals("qmp_capabilities");
    ObjectNode reply = connection.negotiated || negotiating
        ? connection.vm.answer(command) : FakeColoPrimary.notNegotiated();
    if (negotiating && !connection.negotiated) {
      connection.negotiated = true;
      long now = System.nanoTime();
      long since = Math.floorMod(now - startNanos - connection.vm.phaseNanos, SECOND);
      connection.nextCheckpointNanos = now - since + SECOND;
    }
    JsonNode id = command.get("id");
    if (id != null) {
      reply.set("id", id);
    }
    answered++;
    byte[] json = MAPPER.writeValueAsBytes(reply);
    byte[] line = new byte[json.length + 1];
    System.arraycopy(json, 0, line, 0, json.length);
    line[json.length] = '\n';
    send(connection, line);
  }

  /** One checkpoint for every negotiated connection whose second has come round. */
  private void emitDueCheckpoints(long now) {
    long micros = System.currentTimeMillis() * 1000;
    for (Connection connection : new ArrayList<>(connections)) {
      if (!connection.negotiated || now - connection.nextCheckpointNanos < 0) {
        continue;
      }
      // A fleet that fell behind skips the missed seconds instead of bursting them.
      connection.nextCheckpointNanos = now - connection.nextCheckpointNanos >= SECOND
          ? now + SECOND : connection.nextCheckpointNanos + SECOND;
      String events = connection.vm.checkpoint(micros);
      checkpoints++;
      try {
        send(connection, events.getBytes(StandardCharsets.UTF_8));
      } catch (RuntimeException broken) {
        drop(connection);
      } catch (IOException closed) {
        closedByClient(connection);
      }
    }
  }

  private void send(Connection connection, byte[] bytes) throws IOException {
    if (!connection.channel.isOpen()) {
      return;
    }
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    if (connection.out.isEmpty()) {
      connection.channel.write(buffer);
      if (!buffer.hasRemaining()) {
        return;
      }
    }
    connection.out.add(buffer);
    connection.pendingBytes += buffer.remaining();
    if (connection.pendingBytes > MAX_PENDING_BYTES) {
      throw new IllegalStateException("the client reads nothing: " + connection.pendingBytes + " bytes pending");
    }
    if (connection.key != null) {
      connection.key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
    }
  }

  private void flush(Connection connection) throws IOException {
    ByteBuffer head;
    while ((head = connection.out.peek()) != null) {
      int before = head.remaining();
      connection.channel.write(head);
      connection.pendingBytes -= before - head.remaining();
      if (head.hasRemaining()) {
        return;
      }
      connection.out.poll();
    }
    if (connection.key != null) {
      connection.key.interestOps(SelectionKey.OP_READ);
    }
  }

  /** Closes a connection that broke the protocol: a malformed command, a client that reads nothing. */
  private void drop(Connection connection) {
    if (connections.contains(connection)) {
      dropped++;
    }
    forget(connection);
  }

  private void closedByClient(Connection connection) {
    if (connections.contains(connection)) {
      closedByClients++;
    }
    forget(connection);
  }

  private void forget(Connection connection) {
    connections.remove(connection);
    try {
      connection.channel.close();
    } catch (IOException ignored) {
      // Closing is all we wanted.
    }
  }

  private void bindAll() throws IOException {
    for (FakeColoPrimary vm : vms) {
      Files.deleteIfExists(vm.socket);
      ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
      server.bind(UnixDomainSocketAddress.of(vm.socket), 256);
      server.configureBlocking(false);
      server.register(selector, SelectionKey.OP_ACCEPT, vm);
      vm.server = server;
    }
  }

  /** Every QEMU gone at once: connections and listening sockets closed, socket files deleted. */
  private void closeAll() throws IOException {
    for (Connection connection : connections) {
      connection.channel.close();
    }
    connections.clear();
    for (FakeColoPrimary vm : vms) {
      ServerSocketChannel server = vm.server;
      if (server != null) {
        server.close();
        vm.server = null;
      }
      Files.deleteIfExists(vm.socket);
      vm.restarted();
    }
    // Let the selector forget the closed channels before they are bound again.
    selector.selectNow();
    selector.selectedKeys().clear();
  }

  private void stop() throws IOException {
    closeAll();
    rebindAtNanos = -1;
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    say(String.format(Locale.ROOT, "stats accepts=%d commands=%d checkpoints=%d"
        + " closedByClients=%d dropped=%d cpuSeconds=%.2f wallSeconds=%.1f", accepts, answered, checkpoints,
        closedByClients, dropped, os.getProcessCpuTime() / 1e9,
        Duration.ofNanos(System.nanoTime() - startNanos).toMillis() / 1e3));
    selector.close();
  }

  private static void say(String line) {
    System.out.println(line);
    System.out.flush();
  }
}
