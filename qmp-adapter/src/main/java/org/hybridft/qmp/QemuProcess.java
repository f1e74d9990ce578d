package org.hybridft.qmp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The host process of a local QEMU, found through its QMP monitor, and the CPU time it has used.
 *
 * <p>QMP does not give QEMU's process id, but {@code query-cpus-fast} gives each vCPU's host
 * thread id; {@code /proc/<tid>/status} names the thread's process ({@code Tgid}). The CPU time is
 * {@code utime + stime} of {@code /proc/<pid>/stat}: every thread of the process (vCPUs,
 * migration, I/O, main loop), in clock ticks of {@code CLK_TCK} per second.
 *
 * <p>Only a QEMU on this host, in this host's PID namespace, can be measured: {@link #of}
 * refuses a monitor reached over TCP on a non-loopback address, vCPU threads that {@code /proc}
 * places in different processes, and a process whose program ({@code argv[0]} of {@code
 * /proc/<pid>/cmdline}) is not named like QEMU ({@code qemu} or {@code kvm} in its file name): a
 * QEMU in another PID namespace reports thread ids that name other processes here. The pid
 * is read once; a QEMU restarted under the same socket is another process and needs a new
 * instance. Thread-safe: every read goes to {@code /proc} afresh.
 */
public final class QemuProcess {
  /** Linux's {@code /proc}. */
  public static final Path PROC = Path.of("/proc");

  /**
   * {@code CLK_TCK} where {@code getconf} cannot tell it: Linux's {@code USER_HZ}, the unit of
   * {@code /proc/<pid>/stat}, is 100 on x86 and ARM whatever the kernel's own tick rate.
   */
  public static final long DEFAULT_TICKS_PER_SECOND = 100;

  private static volatile long ticks;

  private final String qemu;
  private final long pid;
  private final Path stat;
  private final long ticksPerSecond;

  private QemuProcess(String qemu, long pid, Path stat, long ticksPerSecond) {
    this.qemu = qemu;
    this.pid = pid;
    this.stat = stat;
    this.ticksPerSecond = ticksPerSecond;
  }

  /**
   * The process of the QEMU at {@code client}, read from {@link #PROC} with this host's {@code
   * CLK_TCK}.
   *
   * @throws QemuProcessException if that QEMU is not on this host or its process cannot be read
   * @throws QmpException if {@code query-cpus-fast} fails (within the client's command timeout)
   */
  public static QemuProcess of(QmpClient client) {
    return of(client, PROC, ticksPerSecond());
  }

  /**
   * The process of the QEMU at {@code client}, read from {@code proc} (a copy of {@code /proc}'s
   * layout, for tests) with {@code ticksPerSecond} clock ticks per second.
   *
   * @throws IllegalArgumentException if {@code ticksPerSecond < 1}
   * @throws QemuProcessException if that QEMU is not on this host or its process cannot be read
   * @throws QmpException if {@code query-cpus-fast} fails (within the client's command timeout)
   */
  public static QemuProcess of(QmpClient client, Path proc, long ticksPerSecond) {
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(proc, "proc");
    if (ticksPerSecond < 1) {
      throw new IllegalArgumentException("ticksPerSecond must be >= 1, was " + ticksPerSecond);
    }
    String qemu = "QEMU at " + client.peer();
    requireLocal(qemu, client.isLocal());
    long pid = -1;
    long first = -1;
    for (QmpValue cpu : client.call("query-cpus-fast", null)) {
      if (!cpu.path("thread-id").isIntegral() || cpu.path("thread-id").asLong() <= 0) {
        continue;
      }
      long thread = cpu.path("thread-id").asLong();
      long owner = tgid(qemu, proc.resolve(Long.toString(thread)).resolve("status"));
      if (pid < 0) {
        pid = owner;
        first = thread;
      } else if (owner != pid) {
        throw new QemuProcessException(qemu + ": its vCPU threads " + first + " and " + thread + " belong to"
            + " processes " + pid + " and " + owner + " here: a QEMU in another PID namespace cannot be measured",
            null);
      }
    }
    if (pid < 0) {
      throw new QemuProcessException(qemu + ": query-cpus-fast names no vCPU thread-id, so its process"
          + " cannot be found", null);
    }
    requireQemu(qemu, pid, first, proc.resolve(Long.toString(pid)).resolve("cmdline"));
    QemuProcess process = new QemuProcess(qemu, pid, proc.resolve(Long.toString(pid)).resolve("stat"),
        ticksPerSecond);
    process.cpuSeconds(); // readable now, or the caller hears it before any run
    return process;
  }

  /** The process id. */
  public long pid() {
    return pid;
  }

  /**
   * The CPU time the process has used since it started, user and system, in seconds.
   *
   * @throws QemuProcessException if {@code /proc/<pid>/stat} cannot be read or parsed (the
   *     process has ended)
   */
  public double cpuSeconds() {
    String line;
    try {
      line = Files.readString(stat, StandardCharsets.US_ASCII);
    } catch (IOException unreadable) {
      throw new QemuProcessException(qemu + ": cannot read " + stat + " (" + unreadable.getMessage()
          + "); has QEMU (pid " + pid + ") ended?", unreadable);
    }
    // The command name, in parentheses, may hold spaces: fields are counted after its last ')'.
    int end = line.lastIndexOf(')');
    String[] fields = end < 0 ? new String[0] : line.substring(end + 1).strip().split(" +");
    // After the name: state (field 3) first, so utime (field 14) and stime (15) are at 11 and 12.
    if (fields.length < 13) {
      throw new QemuProcessException(qemu + ": " + stat + " has no utime and stime fields: '" + line.strip()
          + "'", null);
    }
    try {
      return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / (double) ticksPerSecond;
    } catch (NumberFormatException malformed) {
      throw new QemuProcessException(qemu + ": " + stat + " has utime '" + fields[11] + "' and stime '"
          + fields[12] + "', not numbers", malformed);
    }
  }

  @Override
  public String toString() {
    return qemu + " (pid " + pid + ")";
  }

  /** Refuses an address that is not this host's: a unix socket or a loopback TCP address. */
  /** Whether a monitor at {@code address} leads to a QEMU on this host: a unix socket or loopback. */
  static boolean isLocal(SocketAddress address) {
    return address instanceof UnixDomainSocketAddress
        || address instanceof InetSocketAddress inet && inet.getAddress() != null
            && inet.getAddress().isLoopbackAddress();
  }

  static void requireLocal(String qemu, boolean local) {
    if (!local) {
      throw new QemuProcessException(qemu + " is reached over the network: its process is on another host,"
          + " whose /proc cannot be read from here", null);
    }
  }

  /** Refuses a process whose program is not named like QEMU. */
  private static void requireQemu(String qemu, long pid, long thread, Path cmdline) {
    String program;
    try {
      String arguments = Files.readString(cmdline, StandardCharsets.UTF_8);
      int end = arguments.indexOf('\0');
      program = end < 0 ? arguments : arguments.substring(0, end);
    } catch (IOException unreadable) {
      throw new QemuProcessException(qemu + ": cannot read " + cmdline + " (" + unreadable.getMessage() + ")",
          unreadable);
    }
    String name = program.substring(program.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
    if (!name.contains("qemu") && !name.contains("kvm")) {
      throw new QemuProcessException(qemu + ": its vCPU thread " + thread + " is in process " + pid + " here, which"
          + " runs '" + program + "', not QEMU (a QEMU in another PID namespace cannot be measured)", null);
    }
  }

  private static long tgid(String qemu, Path status) {
    try {
      for (String line : Files.readAllLines(status, StandardCharsets.US_ASCII)) {
        if (line.startsWith("Tgid:")) {
          return Long.parseLong(line.substring("Tgid:".length()).strip());
        }
      }
    } catch (IOException | NumberFormatException unreadable) {
      throw new QemuProcessException(qemu + ": cannot read its vCPU thread's " + status + " ("
          + unreadable.getMessage() + "); is QEMU on this host?", unreadable);
    }
    throw new QemuProcessException(qemu + ": " + status + " has no Tgid line", null);
  }

  /**
   * This host's {@code CLK_TCK}: {@code getconf CLK_TCK}, asked once (Java has no API for {@code
   * sysconf}); {@link #DEFAULT_TICKS_PER_SECOND} if that fails.
   */
  static long ticksPerSecond() {
    long known = ticks;
    if (known > 0) {
      return known;
    }
    long found = DEFAULT_TICKS_PER_SECOND;
    try {
      Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      if (getconf.waitFor(5, TimeUnit.SECONDS) && getconf.exitValue() == 0) {
        String out = new String(getconf.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
        long parsed = Long.parseLong(out);
        if (parsed > 0) {
          found = parsed;
        }
      } else {
        getconf.destroyForcibly();
      }
    } catch (IOException | NumberFormatException unavailable) {
      // No getconf: USER_HZ's fixed value.
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
    }
    ticks = found;
    return found;
  }
}
