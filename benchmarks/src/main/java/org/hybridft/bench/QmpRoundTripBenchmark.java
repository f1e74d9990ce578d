package org.hybridft.bench;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import org.hybridft.qmp.QmpClient;
import org.hybridft.qmp.QmpValue;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * One QMP round trip, {@code query-status}, on one real QEMU ({@code qemu-system-x86_64 -machine
 * none}, two QMP monitors), side by side: {@link #rawBlockingSocket()} is the floor, a blocking
 * Java socket that writes the command and reads lines until the reply; {@link #qmpClientCall()}
 * is {@link QmpClient#call}, the path the actuator and the command take. The two share the QEMU,
 * the machine and the run, so their ratio is what this benchmark reports. Sampled, so the result
 * has the median (robust to the scheduling hiccups of a shared machine) beside the mean.
 *
 * <p>JMH runs one benchmark after the other, and on a shared machine the load drifts between
 * them as much as the difference measured. {@link #interleaved()} therefore does one round trip
 * of each per call, in alternating order, and records each into its own histogram; at the end
 * of each fork it prints both means and medians and their ratios (lines starting {@code
 * interleaved:}), figures no drift can favour one side of.
 *
 * <p>Without {@code qemu-system-x86_64} on the PATH the benchmarks do nothing and say so once on
 * stderr (so the smoke run stays green on machines without QEMU); their figures then mean nothing.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class QmpRoundTripBenchmark {
  private static final String QEMU = "qemu-system-x86_64";
  private static final byte[] QUERY_STATUS_PREFIX =
      "{\"execute\":\"query-status\",\"id\":".getBytes(StandardCharsets.US_ASCII);

  private Path dir;
  private Process qemu;
  private QmpClient client;
  private SocketChannel raw;
  private final ByteBuffer rawIn = ByteBuffer.allocate(64 * 1024);
  private long rawId;
  private final Histogram interleavedRaw = new Histogram(3_600_000_000_000L, 3);
  private final Histogram interleavedClient = new Histogram(3_600_000_000_000L, 3);
  private boolean rawFirst;
  private boolean measuring;

  /** Starts QEMU with two QMP sockets and connects both clients. */
  @Setup
  public void start() throws IOException, InterruptedException {
    if (!onPath(QEMU)) {
      System.err.println(QEMU + " is not installed: QmpRoundTripBenchmark measures nothing");
      return;
    }
    dir = Files.createTempDirectory("hybridft-qmp-bench");
    Path forClient = dir.resolve("client.qmp");
    Path forRaw = dir.resolve("raw.qmp");
    qemu = new ProcessBuilder(List.of(QEMU, "-machine", "none", "-nodefaults", "-display", "none",
            "-qmp", "unix:" + forClient + ",server=on,wait=off",
            "-qmp", "unix:" + forRaw + ",server=on,wait=off"))
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("qemu.log").toFile())
        .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!Files.exists(forClient) || !Files.exists(forRaw)) {
      if (!qemu.isAlive() || System.nanoTime() > deadline) {
        throw new IllegalStateException("QEMU did not open its QMP sockets: "
            + Files.readString(dir.resolve("qemu.log")));
      }
      Thread.sleep(10);
    }
    client = connectWhenListening(forClient);
    raw = SocketChannel.open(StandardProtocolFamily.UNIX);
    raw.connect(UnixDomainSocketAddress.of(forRaw));
    readLine(); // the greeting
    rawExecute("{\"execute\":\"qmp_capabilities\"}\n".getBytes(StandardCharsets.US_ASCII));
  }

  /** A blocking socket: write the command, read lines until the reply. */
  @Benchmark
  public String rawBlockingSocket() throws IOException {
    if (raw == null) {
      return "";
    }
    byte[] id = Long.toString(++rawId).getBytes(StandardCharsets.US_ASCII);
    byte[] line = new byte[QUERY_STATUS_PREFIX.length + id.length + 2];
    System.arraycopy(QUERY_STATUS_PREFIX, 0, line, 0, QUERY_STATUS_PREFIX.length);
    System.arraycopy(id, 0, line, QUERY_STATUS_PREFIX.length, id.length);
    line[line.length - 2] = '}';
    line[line.length - 1] = '\n';
    return rawExecute(line);
  }

  /** {@link QmpClient#call}: the same command through the client, blocking for the reply. */
  @Benchmark
  public QmpValue qmpClientCall() {
    if (client == null) {
      return QmpValue.NULL;
    }
    return client.call("query-status", null);
  }

  /** Records the interleaved round trips of measurement iterations only, not of the warm-up. */
  @Setup(Level.Iteration)
  public void iteration(IterationParams params) {
    measuring = params.getType() == IterationType.MEASUREMENT;
  }

  /** One round trip of each, alternately first, each timed into its own histogram. */
  @Benchmark
  public Object interleaved() throws IOException {
    if (client == null) {
      return "";
    }
    rawFirst = !rawFirst;
    Object reply;
    if (rawFirst) {
      long start = System.nanoTime();
      rawBlockingSocket();
      long middle = System.nanoTime();
      reply = client.call("query-status", null);
      long end = System.nanoTime();
      if (measuring) {
        interleavedRaw.recordValue(middle - start);
        interleavedClient.recordValue(end - middle);
      }
    } else {
      long start = System.nanoTime();
      client.call("query-status", null);
      long middle = System.nanoTime();
      reply = rawBlockingSocket();
      long end = System.nanoTime();
      if (measuring) {
        interleavedClient.recordValue(middle - start);
        interleavedRaw.recordValue(end - middle);
      }
    }
    return reply;
  }

  /** Closes both connections and stops QEMU. */
  @TearDown
  public void stop() throws IOException, InterruptedException {
    if (interleavedRaw.getTotalCount() > 0) {
      System.out.printf("interleaved: %d pairs; QmpClient mean %.1f us, p50 %.1f us, p99 %.1f us;"
              + " raw socket mean %.1f us, p50 %.1f us, p99 %.1f us; ratio of means %.3f, of medians %.3f%n",
          interleavedRaw.getTotalCount(),
          interleavedClient.getMean() / 1e3, interleavedClient.getValueAtPercentile(50) / 1e3,
          interleavedClient.getValueAtPercentile(99) / 1e3,
          interleavedRaw.getMean() / 1e3, interleavedRaw.getValueAtPercentile(50) / 1e3,
          interleavedRaw.getValueAtPercentile(99) / 1e3,
          interleavedClient.getMean() / interleavedRaw.getMean(),
          (double) interleavedClient.getValueAtPercentile(50) / interleavedRaw.getValueAtPercentile(50));
    }
    if (client != null) {
      client.close();
    }
    if (raw != null) {
      raw.close();
    }
    if (qemu != null) {
      qemu.destroyForcibly();
      qemu.waitFor(10, TimeUnit.SECONDS);
    }
    if (dir != null) {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      }
    }
  }

  private String rawExecute(byte[] command) throws IOException {
    ByteBuffer out = ByteBuffer.wrap(command);
    while (out.hasRemaining()) {
      raw.write(out);
    }
    while (true) {
      String reply = readLine();
      if (!reply.startsWith("{\"event\"")) {
        return reply;
      }
    }
  }

  private String readLine() throws IOException {
    while (true) {
      for (int i = 0; i < rawIn.position(); i++) {
        if (rawIn.get(i) == '\n') {
          String line = new String(rawIn.array(), 0, i, StandardCharsets.UTF_8);
          rawIn.flip().position(i + 1);
          rawIn.compact();
          return line;
        }
      }
      if (raw.read(rawIn) < 0) {
        throw new IOException("QEMU closed the raw QMP connection");
      }
    }
  }

  private static QmpClient connectWhenListening(Path socket) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      try {
        return QmpClient.unix(socket).connect();
      } catch (RuntimeException notYet) {
        if (System.nanoTime() > deadline) {
          throw notYet;
        }
        Thread.sleep(20);
      }
    }
  }

  private static boolean onPath(String binary) {
    String path = System.getenv("PATH");
    return path != null && Stream.of(path.split(":")).anyMatch(d -> Files.isExecutable(Path.of(d, binary)));
  }
}
