package org.hybridft.evaluation.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A COLO pair of the testbed started by {@code testbed/start.sh --link-proxy} for the fault
 * campaign, and the processes it is made of: the two QEMUs and the link proxy, which a try signals.
 * {@link #close()} ends them with {@code testbed/stop.sh}.
 */
public final class TestbedPair implements AutoCloseable {
  /** A process of the pair. */
  public enum Role {
    /** The primary QEMU. */
    PRIMARY("primary.pid"),
    /** The secondary QEMU. */
    SECONDARY("secondary.pid"),
    /** The link proxy between the two (testbed/linkproxy.py). */
    LINK_PROXY("link-proxy.pid");

    private final String pidFile;

    Role(String pidFile) {
      this.pidFile = pidFile;
    }
  }

  /** What {@code /proc} says of a process. */
  public enum ProcessState {
    /** Alive and not stopped. */
    RUNNING,
    /** Stopped by a signal (SIGSTOP) or traced. */
    STOPPED,
    /** Exited (a zombie included) or not the process started with the pair's pid file. */
    GONE
  }

  private static final Pattern HTTP = Pattern.compile("^guest HTTP: +http://([^:/]+):(\\d+)/", Pattern.MULTILINE);
  private static final Pattern SECONDARY_HTTP =
      Pattern.compile("^after failover the secondary serves http://([^:/]+):(\\d+)/", Pattern.MULTILINE);

  private final Path scripts;
  private final Path dir;
  private final InetSocketAddress primaryHttp;
  private final InetSocketAddress secondaryHttp;
  private final long[] pids = new long[Role.values().length];
  private boolean stopped;

  private TestbedPair(Path scripts, Path dir, String output) {
    this.scripts = scripts;
    this.dir = dir;
    this.primaryHttp = address(HTTP, output);
    this.secondaryHttp = address(SECONDARY_HTTP, output);
    for (Role role : Role.values()) {
      try {
        pids[role.ordinal()] = Long.parseLong(Files.readString(dir.resolve(role.pidFile)).strip());
      } catch (IOException | NumberFormatException unreadable) {
        throw new IllegalStateException("start.sh wrote no readable " + dir.resolve(role.pidFile), unreadable);
      }
    }
  }

  /**
   * Starts a Linux-guest pair with its links through the link proxy, in {@code dir}.
   *
   * @param scripts the project's {@code testbed/} directory
   * @param qemu the QEMU to run, or null for the testbed's own
   * @param basePort start.sh's {@code --base-port}: N+7 and N+8 are the HTTP forwards
   * @param timeout bound on the whole start
   * @throws IllegalStateException with start.sh's output when it failed
   */
  public static TestbedPair start(Path scripts, @Nullable Path qemu, Path dir, int basePort, Duration timeout)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(scripts.resolve("start.sh").toString(), "--dir", dir.toString(),
        "--base-port", Integer.toString(basePort), "--guest", "linux", "--link-proxy",
        "--timeout", Long.toString(Math.max(5, timeout.toSeconds()))));
    if (qemu != null) {
      command.addAll(List.of("--qemu", qemu.toString()));
    }
    Outcome outcome = run(command, timeout.plusSeconds(30));
    if (outcome.exitCode() != 0) {
      // start.sh stops what it started; stop.sh is for a start.sh that could not.
      run(List.of(scripts.resolve("stop.sh").toString(), "--dir", dir.toString()), Duration.ofSeconds(60));
      throw new IllegalStateException("testbed/start.sh failed (exit " + outcome.exitCode() + "): "
          + outcome.output().strip());
    }
    return new TestbedPair(scripts, dir, outcome.output());
  }

  /** The pair's private directory. */
  public Path dir() {
    return dir;
  }

  /** The primary's QMP socket, the control loop's. */
  public Path primaryQmp() {
    return dir.resolve("primary.qmp");
  }

  /** The primary's second monitor, the failover watch's. */
  public Path primaryHaQmp() {
    return dir.resolve("primary-ha.qmp");
  }

  /** The secondary's QMP socket. */
  public Path secondaryQmp() {
    return dir.resolve("secondary.qmp");
  }

  /** The guest's HTTP service through the primary. */
  public InetSocketAddress primaryHttp() {
    return primaryHttp;
  }

  /** The guest's HTTP service through the secondary, which answers after a failover to it. */
  public InetSocketAddress secondaryHttp() {
    return secondaryHttp;
  }

  /** The pid of {@code role}'s process, as start.sh wrote it. */
  public long pid(Role role) {
    return pids[role.ordinal()];
  }

  /** The state of {@code role}'s process now. */
  public ProcessState state(Role role) {
    long pid = pid(role);
    Path proc = Path.of("/proc", Long.toString(pid));
    try {
      // Only the process started with this pid file: a reused pid is someone else's.
      String cmdline = Files.readString(proc.resolve("cmdline"), StandardCharsets.ISO_8859_1);
      if (!List.of(cmdline.split("\0")).contains(dir.resolve(role.pidFile).toString())) {
        return ProcessState.GONE;
      }
      String stat = Files.readString(proc.resolve("stat"), StandardCharsets.ISO_8859_1);
      char state = stat.charAt(stat.lastIndexOf(')') + 2);
      return switch (state) {
        case 'Z', 'X', 'x' -> ProcessState.GONE;
        case 'T', 't' -> ProcessState.STOPPED;
        default -> ProcessState.RUNNING;
      };
    } catch (IOException | RuntimeException gone) {
      return ProcessState.GONE;
    }
  }

  /**
   * Sends {@code signal} (a name such as {@code STOP}, {@code CONT}, {@code USR1}) to {@code
   * role}'s process, if it is still the pair's.
   *
   * @return whether the signal was sent
   */
  public boolean signal(Role role, String signal) throws IOException, InterruptedException {
    if (state(role) == ProcessState.GONE) {
      return false;
    }
    if (signal.equals("KILL")) {
      // Directly, without a fork: a kill timed to a checkpoint must not wait for a process start.
      Optional<ProcessHandle> process = ProcessHandle.of(pid(role));
      return process.isPresent() && process.get().destroyForcibly();
    }
    return run(List.of("kill", "-s", signal, Long.toString(pid(role))), Duration.ofSeconds(10)).exitCode() == 0;
  }

  /** The processes of the pair still alive (zombies excepted), as "role pid". */
  public List<String> alive() {
    List<String> alive = new ArrayList<>();
    for (Role role : Role.values()) {
      if (state(role) != ProcessState.GONE) {
        alive.add(role.name().toLowerCase(java.util.Locale.ROOT) + " " + pid(role));
      }
    }
    return alive;
  }

  /** The QEMU logs and the primary's console, for a failure message. */
  public String logs() {
    StringBuilder logs = new StringBuilder();
    for (String name : List.of("primary.log", "secondary.log", "link-proxy.log")) {
      Path log = dir.resolve(name);
      try {
        if (Files.exists(log) && Files.size(log) > 0) {
          logs.append(name).append(": ").append(Files.readString(log).strip()).append('\n');
        }
      } catch (IOException e) {
        logs.append(name).append(" unreadable: ").append(e).append('\n');
      }
    }
    return logs.toString();
  }

  /**
   * Ends every process of the pair with stop.sh. Idempotent.
   *
   * @throws IllegalStateException if stop.sh failed
   */
  @Override
  public void close() throws IOException, InterruptedException {
    if (stopped) {
      return;
    }
    stopped = true;
    Outcome stop = run(List.of(scripts.resolve("stop.sh").toString(), "--dir", dir.toString()), Duration.ofSeconds(60));
    if (stop.exitCode() != 0) {
      throw new IllegalStateException("testbed/stop.sh failed: " + stop.output().strip());
    }
  }

  private static InetSocketAddress address(Pattern line, String output) {
    Matcher matcher = line.matcher(output);
    if (!matcher.find()) {
      throw new IllegalStateException("start.sh printed no HTTP address: " + output);
    }
    return new InetSocketAddress(matcher.group(1), Integer.parseInt(matcher.group(2)));
  }

  /** The exit code and merged output of a command. */
  private record Outcome(int exitCode, String output) {}

  private static Outcome run(List<String> command, Duration timeout) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
      try {
        return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      // SIGTERM first: start.sh then stops the QEMUs it started.
      process.destroy();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
      throw new IllegalStateException(String.join(" ", command) + " did not finish within " + timeout);
    }
    try {
      return new Outcome(process.exitValue(), output.get(10, TimeUnit.SECONDS));
    } catch (ExecutionException | TimeoutException unreadable) {
      return new Outcome(process.exitValue(), "(output unreadable: " + unreadable + ")");
    }
  }

  /** The pair's URI for a path, for messages. */
  static URI uri(InetSocketAddress address, String path) {
    return URI.create("http://" + address.getHostString() + ":" + address.getPort() + path);
  }
}
