package org.hybridft.qmp;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real QEMU COLO pair on loopback (primary and secondary qemu-system-x86_64 under KVM, a
 * BIOS-only guest that boots nothing), the same set-up as examples/colo-pair/start.sh but on free
 * ports and in a temp dir, with the processes owned by the test.
 */
final class ColoPair implements AutoCloseable {
  private final Path dir;
  private final List<Process> processes = new ArrayList<>();
  private final List<QmpClient> clients = new ArrayList<>();
  private QmpClient primary;
  private QmpClient secondary;

  private ColoPair(Path dir) {
    this.dir = dir;
  }

  /**
   * Skips the calling test unless QEMU is installed and /dev/kvm can be opened; under TCG the
   * COLO primary of QEMU 7.2 deadlocks at its first checkpoint.
   */
  static void assumeKvm() {
    BareQemu.assumeQemuInstalled();
    String problem = Kvm.unusableReason();
    if (problem != null) {
      String reason = problem + ": skipping COLO-pair tests";
      System.err.println(reason);
      Assumptions.abort(reason);
    }
  }

  /**
   * Starts both QEMUs and brings them to COLO state, with {@code x-checkpoint-delay} set to
   * {@code initialDelay} before migrating.
   *
   * @param ipxe keep the NIC's iPXE option ROM (its DHCP requests are the guest's only packets)
   */
  static ColoPair startInColo(Path dir, Duration initialDelay, boolean ipxe) throws Exception {
    assumeKvm();
    ColoPair pair = new ColoPair(dir);
    try {
      pair.start(ipxe);
      pair.bringToColo(initialDelay);
      return pair;
    } catch (Exception | AssertionError e) {
      String logs = pair.logs();
      pair.close();
      throw new IllegalStateException("the COLO pair did not start: " + e + "\n" + logs, e);
    }
  }

  QmpClient primary() {
    return primary;
  }

  QmpClient secondary() {
    return secondary;
  }

  Path primarySocket() {
    return dir.resolve("primary.qmp");
  }

  private void start(boolean ipxe) throws Exception {
    int[] ports = freePorts(6);
    int mirror = ports[0];
    int compare1 = ports[1];
    int compare0 = ports[2];
    int compareOut = ports[3];
    int migration = ports[4];
    int nbd = ports[5];
    image("raw", "primary.img");
    image("raw", "parent.img");
    image("qcow2", "active.qcow2");
    image("qcow2", "hidden.qcow2");
    String nic = "rtl8139,id=e0,netdev=hn0" + (ipxe ? "" : ",romfile=");
    launch("primary", List.of(
        "-netdev", "user,id=hn0,restrict=on", "-device", nic,
        "-chardev", "socket,id=mirror0,host=127.0.0.1,port=" + mirror + ",server=on,wait=off",
        "-chardev", "socket,id=compare1,host=127.0.0.1,port=" + compare1 + ",server=on,wait=on",
        "-chardev", "socket,id=compare0,host=127.0.0.1,port=" + compare0 + ",server=on,wait=off",
        "-chardev", "socket,id=compare0-0,host=127.0.0.1,port=" + compare0,
        "-chardev", "socket,id=compare_out,host=127.0.0.1,port=" + compareOut + ",server=on,wait=off",
        "-chardev", "socket,id=compare_out0,host=127.0.0.1,port=" + compareOut,
        "-object", "filter-mirror,id=m0,netdev=hn0,queue=tx,outdev=mirror0",
        "-object", "filter-redirector,id=redire0,netdev=hn0,queue=rx,indev=compare_out",
        "-object", "filter-redirector,id=redire1,netdev=hn0,queue=rx,outdev=compare0",
        "-object", "iothread,id=iothread1",
        "-object", "colo-compare,id=comp0,primary_in=compare0-0,secondary_in=compare1,"
            + "outdev=compare_out0,iothread=iothread1",
        "-drive", "if=ide,id=colo-disk0,driver=quorum,read-pattern=fifo,vote-threshold=1,"
            + "children.0.file.filename=" + dir.resolve("primary.img") + ",children.0.driver=raw",
        "-S"));
    waitForSocket("primary");
    launch("secondary", List.of(
        "-netdev", "user,id=hn0,restrict=on", "-device", nic,
        "-chardev", "socket,id=red0,host=127.0.0.1,port=" + mirror + ",reconnect=1",
        "-chardev", "socket,id=red1,host=127.0.0.1,port=" + compare1 + ",reconnect=1",
        "-object", "filter-redirector,id=f1,netdev=hn0,queue=tx,indev=red0",
        "-object", "filter-redirector,id=f2,netdev=hn0,queue=rx,outdev=red1",
        "-object", "filter-rewriter,id=rew0,netdev=hn0,queue=all",
        "-drive", "if=none,id=parent0,file.filename=" + dir.resolve("parent.img") + ",driver=raw",
        "-drive", "if=none,id=childs0,driver=replication,mode=secondary,file.driver=qcow2,"
            + "top-id=colo-disk0,file.file.filename=" + dir.resolve("active.qcow2")
            + ",file.backing.driver=qcow2,file.backing.file.filename=" + dir.resolve("hidden.qcow2")
            + ",file.backing.backing=parent0",
        "-drive", "if=ide,id=colo-disk0,driver=quorum,read-pattern=fifo,vote-threshold=1,children.0=childs0",
        "-incoming", "tcp:127.0.0.1:" + migration));
    waitForSocket("secondary");
    secondary = track(BareQemu.connectWhenListening(QmpClient.unix(dir.resolve("secondary.qmp"))));
    primary = track(BareQemu.connectWhenListening(QmpClient.unix(dir.resolve("primary.qmp"))));
    this.migrationPort = migration;
    this.nbdPort = nbd;
  }

  private int migrationPort;
  private int nbdPort;

  private void bringToColo(Duration initialDelay) throws Exception {
    Map<String, Object> colo = Map.of("capabilities", List.of(
        Map.of("capability", "x-colo", "state", true),
        Map.of("capability", "events", "state", true)));
    secondary.call("migrate-set-capabilities", colo);
    secondary.call("nbd-server-start", Map.of("addr", Map.of(
        "type", "inet", "data", Map.of("host", "127.0.0.1", "port", Integer.toString(nbdPort)))));
    secondary.call("nbd-server-add", Map.of("device", "parent0", "writable", true));
    primary.call("human-monitor-command", Map.of("command-line",
        "drive_add -n buddy driver=replication,mode=primary,file.driver=nbd,file.host=127.0.0.1,"
            + "file.port=" + nbdPort + ",file.export=parent0,node-name=replication0"));
    primary.call("x-blockdev-change", Map.of("parent", "colo-disk0", "node", "replication0"));
    primary.call("migrate-set-capabilities", colo);
    primary.call("migrate-set-parameters", Map.of("x-checkpoint-delay", initialDelay.toMillis()));
    primary.call("migrate", Map.of("uri", "tcp:127.0.0.1:" + migrationPort));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!"primary".equals(primary.call("query-colo-status", null).path("mode").asText())) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no COLO state within 20 s: "
            + primary.call("query-migrate", null));
      }
      Thread.sleep(50);
    }
  }

  private void image(String format, String name) throws Exception {
    run(List.of("qemu-img", "create", "-q", "-f", format, dir.resolve(name).toString(), "16M"));
  }

  private void launch(String role, List<String> arguments) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        BareQemu.BINARY, "-name", role, "-machine", "pc,accel=kvm", "-m", "64",
        "-display", "none", "-vga", "none", "-serial", "none", "-parallel", "none",
        "-monitor", "none", "-qmp", "unix:" + dir.resolve(role + ".qmp") + ",server=on,wait=off"));
    command.addAll(arguments);
    processes.add(new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve(role + ".log").toFile())
        .start());
  }

  private void waitForSocket(String role) throws Exception {
    Path socket = dir.resolve(role + ".qmp");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (!Files.exists(socket)) {
      if (System.nanoTime() > deadline || processes.stream().anyMatch(p -> !p.isAlive())) {
        throw new IllegalStateException(role + " QEMU did not open its QMP socket");
      }
      Thread.sleep(20);
    }
  }

  private static void run(List<String> command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
    }
  }

  private static int[] freePorts(int count) throws IOException {
    // Held open together so the same port is not handed out twice.
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      int[] ports = new int[count];
      for (int i = 0; i < count; i++) {
        ServerSocket socket = new ServerSocket(0);
        sockets.add(socket);
        ports[i] = socket.getLocalPort();
      }
      return ports;
    } finally {
      for (ServerSocket socket : sockets) {
        socket.close();
      }
    }
  }

  private QmpClient track(QmpClient client) {
    clients.add(client);
    return client;
  }

  String logs() {
    StringBuilder logs = new StringBuilder();
    for (String role : List.of("primary", "secondary")) {
      Path log = dir.resolve(role + ".log");
      try {
        logs.append(role).append(".log: ").append(Files.exists(log) ? Files.readString(log) : "none").append('\n');
      } catch (IOException e) {
        logs.append(role).append(".log unreadable: ").append(e).append('\n');
      }
    }
    return logs.toString();
  }

  @Override
  public void close() {
    clients.forEach(QmpClient::close);
    for (Process process : processes) {
      process.destroyForcibly();
    }
    try {
      for (Process process : processes) {
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
