package org.hybridft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.hybridft.qmp.RealQemuTools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hybrid-ft run} refuses a QEMU that is not a COLO primary, with exit code 2 and one line,
 * instead of ticking at 0 cps forever. A real QEMU (TCG, stopped, no replication) is the target;
 * skipped where qemu-system-x86_64 is missing (.ci/run installs it).
 */
@Tag("real-qemu")
class RunCommandOnBareQemuTest {
  @TempDir Path dir;
  private Process qemu;

  @AfterEach
  void stopQemu() throws InterruptedException {
    if (qemu != null) {
      qemu.destroyForcibly();
      assertThat(qemu.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void aQemuThatIsNoColoPrimaryIsRefusedWithExitCodeTwo() throws Exception {
    RealQemuTools.assumeOnPath("apt-get install qemu-system-x86; .ci/run installs it",
        "qemu-system-x86_64");
    Path socket = dir.resolve("qmp.sock");
    qemu = new ProcessBuilder("qemu-system-x86_64", "-machine", "pc,accel=tcg", "-m", "32",
            "-display", "none", "-vga", "none", "-nodefaults", "-S",
            "-qmp", "unix:" + socket + ",server=on,wait=off")
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("qemu.log").toFile())
        .start();
    for (int i = 0; i < 200 && !Files.exists(socket); i++) {
      Thread.sleep(25);
    }
    Thread.sleep(100); // the socket file exists a moment before QEMU listens on it

    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = HybridFt.execute(new PrintWriter(out, true), new PrintWriter(err, true),
        "run", "--qmp", socket.toString(), "--duration", "2s");

    assertThat(code).as(err.toString()).isEqualTo(2);
    assertThat(err.toString().strip())
        .startsWith("hybrid-ft: --qmp " + socket + " is not a COLO primary (query-colo-status mode: none)")
        .doesNotContain("\n");
  }
}
