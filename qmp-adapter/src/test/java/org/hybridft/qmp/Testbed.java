package org.hybridft.qmp;


import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real COLO pair from the project's testbed ({@code testbed/start.sh}): the testbed's patched
 * QEMU under TCG, so it runs on any Linux machine, with a Linux guest serving HTTP or a BIOS-only
 * guest. Tests that need it skip, with the reason, where the testbed's QEMU is not built; under
 * {@code CI=true} they fail instead, since {@code .ci/run} builds it.
 */
public final class Testbed implements AutoCloseable {
  /** The guest the pair runs. */
  public enum Guest {
    /** Debian's cloud kernel and a busybox initramfs serving HTTP on port 80. */
    LINUX,
    /** No operating system: the guest sends no packet. */
    BIOS
  }

  private static final Pattern HTTP = Pattern.compile("^guest HTTP: +(\\S+)$", Pattern.MULTILINE);
  private static final Pattern SECONDARY_HTTP =
      Pattern.compile("^after failover the secondary serves (\\S+)$", Pattern.MULTILINE);
  private static final int START_ATTEMPTS = 4;

  private final Path dir;
  private final Guest guest;
  private final String startOutput;
  private final List<QmpClient> clients = new ArrayList<>();
  private boolean stopped;

  private Testbed(Path dir, Guest guest, String startOutput) {
    this.dir = dir;
    this.guest = guest;
    this.startOutput = startOutput;
  }

  /** The project's {@code testbed/} directory, found from the working directory upwards. */
  public static Path scripts() {
    for (Path at = Path.of("").toAbsolutePath(); at != null; at = at.getParent()) {
      if (Files.isExecutable(at.resolve("testbed/start.sh"))) {
        return at.resolve("testbed");
      }
    }
    throw new IllegalStateException("no testbed/start.sh above " + Path.of("").toAbsolutePath());
  }

  /**
   * The testbed's QEMU binary; skips the calling test where it is not built (fails under {@code
   * CI=true}) or a tool the scripts need is missing.
   */
  public static Path assumeBuilt() {
    String problem = null;
    Path qemu = null;
    try {
      Outcome cached = run(List.of(scripts().resolve("build-qemu.sh").toString(), "--cached"), 30);
      if (cached.exitCode() == 0) {
        qemu = Path.of(cached.output().strip());
      } else {
        problem = cached.output().strip();
      }
    } catch (IOException e) {
      problem = "testbed/build-qemu.sh could not run: " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      problem = "interrupted while looking for the testbed's QEMU";
    }
    for (String tool : List.of("/usr/bin/python3", "/usr/bin/qemu-img", "/usr/bin/ss")) {
      if (problem == null && !Files.isExecutable(Path.of(tool))) {
        problem = tool + " is missing (testbed/install-deps.sh installs it)";
      }
    }
    if (problem != null) {
      System.err.println("COLO-testbed tests: " + problem);
      RealQemuTools.skipOrFail("the COLO testbed is not ready: " + problem);
    }
    return qemu;
  }

  /**
   * The folder holding the testbed's Linux guest ({@code vmlinuz}, {@code initramfs.cpio}), built
   * by {@code testbed/build-guest.sh} if it is not cached; call after {@link #assumeBuilt()}.
   */
  public static Path guestBuilt() throws IOException, InterruptedException {
    Outcome built = run(List.of(scripts().resolve("build-guest.sh").toString(), "--quiet"), 900);
    if (built.exitCode() != 0) {
      throw new IllegalStateException("testbed/build-guest.sh failed: " + built.output().strip());
    }
    return Path.of(built.output().strip().lines().reduce((first, last) -> last).orElseThrow());
  }

  /**
   * Starts a pair in {@code dir} and waits until it is in COLO (and, for the Linux guest, serves
   * HTTP through the primary).
   */
  public static Testbed start(Path dir, Guest guest) throws IOException, InterruptedException {
    return start(dir, guest, "tcg");
  }

  /** {@link #start(Path, Guest)} with QEMU's accelerator {@code accel}, {@code tcg} or {@code kvm}. */
  public static Testbed start(Path dir, Guest guest, String accel) throws IOException, InterruptedException {
    return start(dir, guest, accel, 20_000, 59_990);
  }

  /**
   * {@link #start(Path, Guest, String)} with start.sh's {@code --base-port} drawn from {@code
   * [lowestBasePort, highestBasePort]} in steps of 10, for a test that must keep off the ports of
   * other pairs on the machine.
   */
  public static Testbed start(Path dir, Guest guest, String accel, int lowestBasePort, int highestBasePort)
      throws IOException, InterruptedException {
    return start(dir, guest, accel, lowestBasePort, highestBasePort, List.of());
  }

  /**
   * {@link #start(Path, Guest, String, int, int)} with more of start.sh's options, such as {@code
   * --name NAME}.
   */
  public static Testbed start(Path dir, Guest guest, String accel, int lowestBasePort, int highestBasePort,
      List<String> moreOptions) throws IOException, InterruptedException {
    if (lowestBasePort < 1024 || highestBasePort > 65_000 || highestBasePort < lowestBasePort) {
      throw new IllegalArgumentException("base ports must be a range within [1024, 65000], was ["
          + lowestBasePort + ", " + highestBasePort + "]");
    }
    Path qemu = assumeBuilt();
    Outcome outcome = null;
    for (int attempt = 0; attempt < START_ATTEMPTS; attempt++) {
      outcome = null;
      int basePort = lowestBasePort + 10 * ThreadLocalRandom.current().nextInt((highestBasePort - lowestBasePort) / 10 + 1);
      try {
        List<String> command = new java.util.ArrayList<>(List.of(scripts().resolve("start.sh").toString(),
            "--dir", dir.toString(), "--base-port", Integer.toString(basePort),
            "--guest", guest.name().toLowerCase(java.util.Locale.ROOT), "--qemu", qemu.toString(), "--accel", accel));
        command.addAll(moreOptions);
        outcome = run(command, 240);
      } finally {
        if (outcome == null || outcome.exitCode() != 0) {
          stopQuietly(dir);   // start.sh stops what it started; this is for a start.sh that could not
        }
      }
      if (outcome.exitCode() == 0) {
        return new Testbed(dir, guest, outcome.output());
      }
      if (!outcome.output().contains("is in use")) {
        break;
      }
    }
    throw new IllegalStateException("testbed/start.sh failed: " + outcome.output() + "\n" + logs(dir));
  }

  /** The primary's QMP socket. */
  public Path primarySocket() {
    return dir.resolve("primary.qmp");
  }

  /** The secondary's QMP socket. */
  public Path secondarySocket() {
    return dir.resolve("secondary.qmp");
  }

  /** A new connection to the primary, closed with the pair. */
  public QmpClient primary() {
    return track(QmpClient.unix(primarySocket()).connect());
  }

  /** A new connection to the secondary, closed with the pair. */
  public QmpClient secondary() {
    return track(QmpClient.unix(secondarySocket()).connect());
  }

  /** The guest's HTTP service through the primary's forward (Linux guest only). */
  public URI http() {
    return uri(HTTP);
  }

  /** The secondary's own forward, which serves the guest after a failover (Linux guest only). */
  public URI secondaryHttp() {
    return uri(SECONDARY_HTTP);
  }

  /** What start.sh printed. */
  public String startOutput() {
    return startOutput;
  }

  private URI uri(Pattern line) {
    if (guest != Guest.LINUX) {
      throw new IllegalStateException("only the Linux guest serves HTTP");
    }
    Matcher matcher = line.matcher(startOutput);
    if (!matcher.find()) {
      throw new IllegalStateException("start.sh printed no address: " + startOutput);
    }
    return URI.create(matcher.group(1));
  }

  private QmpClient track(QmpClient client) {
    synchronized (clients) {
      clients.add(client);
    }
    return client;
  }

  /** The QEMU logs and the guests' consoles, for a failure message. */
  public String logs() {
    return logs(dir);
  }

  private static String logs(Path dir) {
    StringBuilder logs = new StringBuilder();
    for (String name : List.of("primary.log", "secondary.log", "primary-console.log")) {
      Path log = dir.resolve(name);
      try {
        logs.append(name).append(": ").append(Files.exists(log) ? Files.readString(log) : "none").append('\n');
      } catch (IOException e) {
        logs.append(name).append(" unreadable: ").append(e).append('\n');
      }
    }
    return logs.toString();
  }

  /** Closes the connections and ends both QEMUs with stop.sh. */
  @Override
  public void close() throws IOException, InterruptedException {
    synchronized (clients) {
      clients.forEach(QmpClient::close);
      clients.clear();
    }
    if (!stopped) {
      stopped = true;
      Outcome stop = run(List.of(scripts().resolve("stop.sh").toString(), "--dir", dir.toString()), 60);
      if (stop.exitCode() != 0) {
        throw new IllegalStateException("testbed/stop.sh failed: " + stop.output());
      }
    }
  }

  /** Runs stop.sh on {@code dir}, whatever it finds there; for clean-up after a failed start. */
  private static void stopQuietly(Path dir) throws IOException, InterruptedException {
    try {
      run(List.of(scripts().resolve("stop.sh").toString(), "--dir", dir.toString()), 60);
    } catch (IllegalStateException stopHung) {
      // Reported by the caller's own failure; nothing more to do here.
    }
  }

  /** The exit code and the merged output of a script. */
  public record Outcome(int exitCode, String output) {}

  /** Runs a command with a bound on its time; its output and exit code. */
  public static Outcome run(List<String> command, int timeoutSeconds) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    // Read on another thread: a chatty command must not block on a full pipe while we wait.
    var output = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      try {
        return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        return "(output unreadable: " + e + ")";
      }
    });
    if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      // SIGTERM first: start.sh then stops the QEMUs it started; SIGKILL would leave them running.
      process.destroy();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
      throw new IllegalStateException(String.join(" ", command) + " did not finish in " + timeoutSeconds + " s");
    }
    try {
      return new Outcome(process.exitValue(), output.get(10, TimeUnit.SECONDS));
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      return new Outcome(process.exitValue(), "(output unreadable: " + e + ")");
    }
  }
}
