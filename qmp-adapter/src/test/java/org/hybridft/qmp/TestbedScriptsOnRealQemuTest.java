package org.hybridft.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hybridft.qmp.TestbedScriptsTest.script;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.hybridft.qmp.TestbedScriptsTest.Result;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The testbed's start.sh and stop.sh on the testbed's patched QEMU: a start that runs out of time
 * says what it waited for in one line and stops what it started; stop.sh ends both QEMUs whatever
 * form its --dir has. Skipped, with the reason, where the testbed's QEMU is not built.
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
}
