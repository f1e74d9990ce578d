package org.hybridft.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hybridft.qmp.TestbedScriptsTest.script;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.hybridft.qmp.TestbedScriptsTest.Result;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The testbed's start.sh and stop.sh on the testbed's patched QEMU: a start that runs out of time
 * says what it waited for in one line and stops what it started; stop.sh ends both QEMUs whatever
 * form its --dir has; a pair on the shaped link replicates across its veth pair and leaves no
 * namespace behind. Skipped, with the reason, where the testbed's QEMU is not built (the shaped
 * link's tests also where the user is not root).
 */
@Tag("real-qemu")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TestbedScriptsOnRealQemuTest {
  @TempDir Path dir;

  @Test
  void aStartThatRunsOutOfTimeSaysWhatItWaitedForInOneLine() throws Exception {
    Path qemu = Testbed.assumeBuilt();
    Path pairDir = dir.resolve("pair");
    // The testbed's kernel with an initramfs of zeros: it finds no init, panics and reboots, over
    // and over, so the guest never serves HTTP, however fast the machine.
    Path neverServes = Files.createDirectory(dir.resolve("guest"));
    Files.copy(Testbed.guestBuilt().resolve("vmlinuz"), neverServes.resolve("vmlinuz"));
    Files.write(neverServes.resolve("initramfs.cpio"), new byte[4096]);

    Result start = script(dir, "start.sh", dir, "--qemu", qemu.toString(), "--guest", "linux",
        "--guest-dir", neverServes.toString(), "--dir", pairDir.toString(), "--base-port", "29520",
        "--timeout", "5");

    assertThat(start.exitCode()).as(start.err()).isEqualTo(1);
    assertThat(start.err().lines()).singleElement().asString()
        .containsPattern("within [0-9]+ s|no time left")
        .contains("logs: ");
    assertThat(pairDir.resolve("primary.pid")).as("the failed start stopped its QEMUs").doesNotExist();
  }

  @Test
  void stopWithARelativeDirectoryEndsBothQemus() throws Exception {
    Path qemu = Testbed.assumeBuilt();
    Path pairDir = dir.resolve("pair");
    Result start = script(dir, "start.sh", dir, "--qemu", qemu.toString(), "--guest", "bios",
        "--dir", pairDir.toString(), "--base-port", "29540");
    assertThat(start.exitCode()).as(start.err()).isZero();
    long primary = Long.parseLong(Files.readString(pairDir.resolve("primary.pid")).strip());
    long secondary = Long.parseLong(Files.readString(pairDir.resolve("secondary.pid")).strip());

    Result stop = script(dir, "stop.sh", dir, "--dir", "pair");

    assertThat(stop.exitCode()).as(stop.err()).isZero();
    assertThat(stop.out()).contains("stopped primary", "stopped secondary");
    assertThat(ProcessHandle.of(primary)).isEmpty();
    assertThat(ProcessHandle.of(secondary)).isEmpty();
  }

  @Test
  void thePairsOwnLinksAreUnixSocketsInAFolderOnlyItsUserMayEnter() throws Exception {
    Path qemu = Testbed.assumeBuilt();
    Path pairDir = dir.resolve("pair");
    Result start = script(dir, "start.sh", dir, "--qemu", qemu.toString(), "--guest", "bios",
        "--dir", pairDir.toString(), "--base-port", "29560");
    assertThat(start.exitCode()).as(start.err()).isZero();
    try {
      List<Long> pids = List.of(Long.parseLong(Files.readString(pairDir.resolve("primary.pid")).strip()),
          Long.parseLong(Files.readString(pairDir.resolve("secondary.pid")).strip()));

      // TCP listeners of the two QEMUs: only the HTTP forwards (N+7, N+8), none for COLO's links.
      Process ss = new ProcessBuilder("ss", "-Hltnp").redirectErrorStream(true).start();
      String listeners = new String(ss.getInputStream().readAllBytes());
      assertThat(ss.waitFor(10, TimeUnit.SECONDS)).isTrue();
      List<String> ports = listeners.lines()
          .filter(line -> pids.stream().anyMatch(pid -> line.contains("pid=" + pid + ",")))
          .map(line -> line.trim().split("\\s+")[3].replaceAll(".*:", ""))
          .sorted().toList();
      assertThat(ports).as(listeners).containsExactly("29567", "29568");
      assertThat(Files.getPosixFilePermissions(pairDir)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
      assertThat(pairDir.resolve("nbd.sock")).exists();
      assertThat(pairDir.resolve("migration.sock")).exists();
    } finally {
      assertThat(script(dir, "stop.sh", dir, "--dir", pairDir.toString()).exitCode()).isZero();
    }
  }

  @Test
  void aPairOnTheShapedLinkReplicatesAcrossItsVethAndStopRemovesItsNamespaces() throws Exception {
    Path qemu = Testbed.assumeBuilt();
    assumeRoot();
    Path pairDir = dir.resolve("pair");
    Result start = script(dir, "start.sh", dir, "--qemu", qemu.toString(), "--guest", "bios",
        "--dir", pairDir.toString(), "--base-port", "29580", "--link", "shaped", "--link-rate", "200mbit",
        "--link-delay", "0.5");
    assertThat(start.exitCode()).as(start.err()).isZero();
    List<Long> relays;
    try {
      assertThat(start.out()).contains("link:          shaped, 200mbit and 0.5 ms each way",
          "hft-29580-p", "hft-29580-s");
      relays = List.of(pid(pairDir.resolve("link-primary.pid")), pid(pairDir.resolve("link-secondary.pid")));
      assertThat(relays).allSatisfy(pid -> assertThat(ProcessHandle.of(pid)).isPresent());
      // The migration that brought the pair to COLO went from the primary's side to the
      // secondary's across the veth pair: the one way out of either namespace.
      long sent = interfaceBytes("hft-29580-p", "hft-p", "tx_bytes");
      long received = interfaceBytes("hft-29580-s", "hft-s", "rx_bytes");
      assertThat(sent).as("bytes the primary's side sent").isGreaterThan(100_000);
      assertThat(received).as("bytes the secondary's side received").isGreaterThanOrEqualTo(sent);
      assertThat(command("tc", "-n", "hft-29580-p", "qdisc", "show", "dev", "hft-p")).contains("tbf", "rate 200Mbit");
    } finally {
      Result stop = script(dir, "stop.sh", dir, "--dir", pairDir.toString());
      assertThat(stop.exitCode()).as(stop.err()).isZero();
      assertThat(stop.out()).contains("stopped primary", "stopped secondary", "stopped link-primary",
          "deleted network namespace hft-29580-p", "deleted network namespace hft-29580-s");
    }
    assertThat(command("ip", "netns", "list")).doesNotContain("hft-29580-");
    assertThat(relays).allSatisfy(pid -> assertThat(ProcessHandle.of(pid)).isEmpty());
    assertThat(pairDir.resolve("link.netns")).doesNotExist();
  }

  @Test
  void aShapedLinkWhoseNamespaceExistsFailsInOneLineAndLeavesThatNamespaceAlone() throws Exception {
    Path qemu = Testbed.assumeBuilt();
    assumeRoot();
    Path pairDir = dir.resolve("pair");
    command("ip", "netns", "add", "hft-29600-s");
    try {
      Result start = script(dir, "start.sh", dir, "--qemu", qemu.toString(), "--guest", "bios",
          "--dir", pairDir.toString(), "--base-port", "29600", "--link", "shaped");

      assertThat(start.exitCode()).isEqualTo(1);
      assertThat(start.err().lines()).singleElement().asString()
          .contains("network namespace hft-29600-s exists already", "--base-port 29600");
      assertThat(pairDir.resolve("primary.pid")).as("the failed start stopped its QEMU").doesNotExist();
      assertThat(command("ip", "netns", "list")).contains("hft-29600-s").doesNotContain("hft-29600-p");
    } finally {
      command("ip", "netns", "del", "hft-29600-s");
    }
  }

  private static void assumeRoot() throws Exception {
    Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    Assumptions.assumeTrue(Integer.valueOf(0).equals(uid),
        "the shaped link creates network namespaces, which needs root; this user's uid is " + uid);
  }

  private static long pid(Path pidFile) throws Exception {
    return Long.parseLong(Files.readString(pidFile).strip());
  }

  private static long interfaceBytes(String namespace, String device, String counter) throws Exception {
    return Long.parseLong(command("ip", "netns", "exec", namespace, "cat",
        "/sys/class/net/" + device + "/statistics/" + counter).strip());
  }

  /** Runs {@code command}, which must succeed within 10 s, and returns what it printed. */
  private static String command(String... command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor(10, TimeUnit.SECONDS)).as(String.join(" ", command)).isTrue();
    assertThat(process.exitValue()).as(String.join(" ", command) + ": " + output).isZero();
    return output;
  }
}
