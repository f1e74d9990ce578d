package org.hybridft.qmp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real qemu-system-x86_64 under TCG, stopped before it runs anything ({@code -S}), with its QMP
 * monitor on a unix socket: enough for every protocol test, and no guest code ever runs.
 */
final class BareQemu implements AutoCloseable {
  static final String BINARY = "qemu-system-x86_64";

  private final Process process;
  private final Path qmpSocket;

  private BareQemu(Process process, Path qmpSocket) {
    this.process = process;
    this.qmpSocket = qmpSocket;
  }

  /** Starts QEMU with its QMP socket in {@code dir}; skips the test when QEMU is not installed. */
  static BareQemu start(Path dir) throws IOException, InterruptedException {
    assumeQemuInstalled();
    Path socket = dir.resolve("qmp.sock");
    Path log = dir.resolve("qemu.log");
    List<String> command = new ArrayList<>(List.of(
        BINARY, "-machine", "pc,accel=tcg", "-S", "-nodefaults", "-display", "none",
        "-m", "32", "-qmp", "unix:" + socket + ",server=on,wait=off"));
    Process process = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
    BareQemu qemu = new BareQemu(process, socket);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!Files.exists(socket)) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        qemu.close();
        throw new IllegalStateException("QEMU did not open its QMP socket: " + Files.readString(log));
      }
      Thread.sleep(10);
    }
    return qemu;
  }

  static void assumeQemuInstalled() {
    RealQemuTools.assumeOnPath("apt-get install qemu-system-x86; .ci/run installs it", BINARY);
  }

  /**
   * Connects, retrying while QEMU has bound its socket but not yet listens on it (connection
   * refused), for at most 10 s.
   */
  static QmpClient connectWhenListening(QmpClient.Builder builder) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      try {
        return builder.connect();
      } catch (QmpConnectException refused) {
        if (System.nanoTime() > deadline || !String.valueOf(refused.getMessage()).contains("refused")) {
          throw refused;
        }
        Thread.sleep(20);
      }
    }
  }

  Path qmpSocket() {
    return qmpSocket;
  }

  QmpClient.Builder client() {
    return QmpClient.unix(qmpSocket);
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Sends a signal by name (STOP, CONT, KILL) to the QEMU process. */
  void signal(String name) throws IOException, InterruptedException {
    new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start().waitFor();
  }

  @Override
  public void close() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
