package org.hybridft.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A {@link FakeQmpFleet} in a child JVM, seen from the benchmark: started on this JVM's class path,
 * told what to do on its standard input, heard on its standard output (its standard error is this
 * process's).
 */
final class FleetProcess implements AutoCloseable {
  private static final String END = "\u0000end";

  private final Process process;
  private final Writer commands;
  private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();

  private FleetProcess(Process process) {
    this.process = process;
    this.commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread reader = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = out.readLine()) != null) {
          lines.add(line);
        }
      } catch (IOException closed) {
        // The child is gone; END says so.
      }
      lines.add(END);
    }, "fleet-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts {@code vms} fake QEMUs with their sockets in {@code dir}. */
  static FleetProcess start(int vms, Path dir, Duration restartGap, Duration maxLife) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process process = new ProcessBuilder(List.of(java, "-Xms32m", "-Xmx256m", "-XX:+UseSerialGC",
        "-cp", System.getProperty("java.class.path"), FakeQmpFleet.class.getName(),
        "--vms", Integer.toString(vms), "--dir", dir.toString(),
        "--restart-gap-ms", Long.toString(restartGap.toMillis()),
        "--max-seconds", Long.toString(Math.max(1, maxLife.toSeconds()))))
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
    return new FleetProcess(process);
  }

  /** The child's process id. */
  long pid() {
    return process.pid();
  }

  /**
   * Waits for the next line that starts with {@code prefix}, skipping others.
   *
   * @throws IllegalStateException if the child ended or said nothing of the kind within {@code timeout}
   */
  String await(String prefix, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (line == null) {
        throw new IllegalStateException("the fake QEMU fleet said no '" + prefix + "' within " + timeout);
      }
      if (line.equals(END)) {
        lines.add(END);
        throw new IllegalStateException("the fake QEMU fleet ended before saying '" + prefix + "'"
            + (process.isAlive() ? "" : " (exit code " + process.exitValue() + ")"));
      }
      if (line.startsWith(prefix)) {
        return line;
      }
    }
  }

  /** Sends one command line ({@code restart}, {@code quit}). */
  void send(String command) throws IOException {
    commands.write(command + "\n");
    commands.flush();
  }

  /**
   * Asks the fleet to quit and waits for it to end.
   *
   * @return the fleet's {@code stats} line
   */
  String quit(Duration timeout) throws IOException, InterruptedException {
    send("quit");
    String stats = await("stats", timeout);
    commands.close();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException("the fake QEMU fleet did not end within " + timeout);
    }
    return stats;
  }

  /** Ends the child if it still runs. */
  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
  }
}
