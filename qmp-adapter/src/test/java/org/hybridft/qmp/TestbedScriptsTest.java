package org.hybridft.qmp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The testbed's start.sh and stop.sh as a user meets them: every failure is one line on stderr
 * saying what failed and where the logs are. The tests here start no QEMU (a fake one at most);
 * those that do are in {@link TestbedScriptsOnRealQemuTest}.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TestbedScriptsTest {
  @TempDir Path dir;

  record Result(int exitCode, String out, String err) {}

  private Result script(String name, Path workingDirectory, String... arguments) throws Exception {
    return script(dir, name, workingDirectory, arguments);
  }

  /** Runs a testbed script from {@code workingDirectory}, its output captured in {@code dir}. */
  static Result script(Path dir, String name, Path workingDirectory, String... arguments)
      throws Exception {
    List<String> command = new ArrayList<>(List.of(Testbed.scripts().resolve(name).toString()));
    command.addAll(List.of(arguments));
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    Process process = new ProcessBuilder(command).directory(workingDirectory.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertThat(process.waitFor(170, TimeUnit.SECONDS)).as(name + " finishes").isTrue();
    return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
  }

  @Test
  void helpPrintsTheUsageAndNotTheScriptsCode() throws Exception {
    Result help = script("start.sh", dir, "--help");

    assertThat(help.exitCode()).isZero();
    assertThat(help.out()).startsWith("Starts a QEMU COLO pair").contains("--guest", "--timeout")
        .doesNotContain("set -euo pipefail", "#");
  }

  @Test
  void aBadArgumentIsOneLineNamingTheValueAndExitTwo() throws Exception {
    Result badAccel = script("start.sh", dir, "--accel", "xen");
    Result missingValue = script("start.sh", dir, "--timeout");
    Result badTimeout = script("start.sh", dir, "--timeout", "1");

    assertThat(badAccel.exitCode()).isEqualTo(2);
    assertThat(badAccel.err().lines()).singleElement().asString().contains("--accel", "'xen'");
    assertThat(missingValue.exitCode()).isEqualTo(2);
    assertThat(missingValue.err().lines()).singleElement().asString().contains("--timeout needs a value");
    assertThat(badTimeout.err().lines()).singleElement().asString().contains("[5, 3600]", "'1'");
  }

  @Test
  void aBadLinkChoiceIsOneLineNamingTheValueAndExitTwo() throws Exception {
    Result badLink = script("start.sh", dir, "--link", "wifi");
    Result rateWithoutShaping = script("start.sh", dir, "--link-rate", "100mbit");
    Result badRate = script("start.sh", dir, "--link", "shaped", "--link-rate", "fast");
    Result badDelay = script("start.sh", dir, "--link", "shaped", "--link-delay", "2000");
    Result withProxy = script("start.sh", dir, "--link", "shaped", "--link-proxy");

    assertThat(List.of(badLink, rateWithoutShaping, badRate, badDelay, withProxy))
        .allSatisfy(result -> {
          assertThat(result.exitCode()).as(result.err()).isEqualTo(2);
          assertThat(result.err().lines()).hasSize(1);
        });
    assertThat(badLink.err()).contains("--link must be loopback or shaped", "'wifi'");
    assertThat(rateWithoutShaping.err()).contains("--link-rate and --link-delay need --link shaped");
    assertThat(badRate.err()).contains("--link-rate", "'fast'", "mbit");
    assertThat(badDelay.err()).contains("--link-delay", "[0, 1000]", "'2000'");
    assertThat(withProxy.err()).contains("--link-proxy and --link shaped cannot be combined");
  }

  @Test
  void aGuestDirWithoutTheGuestsFilesIsAUsageErrorBeforeAnythingStarts() throws Exception {
    Path guestDir = Files.createDirectory(dir.resolve("guest"));
    Files.writeString(guestDir.resolve("vmlinuz"), "a kernel");

    Result noInitramfs = script("start.sh", dir, "--guest-dir", guestDir.toString(), "--dir",
        dir.resolve("pair").toString());
    Result withBios = script("start.sh", dir, "--guest", "bios", "--guest-dir", guestDir.toString());

    assertThat(noInitramfs.exitCode()).isEqualTo(2);
    assertThat(noInitramfs.err().lines()).singleElement().asString()
        .contains("--guest-dir " + guestDir, "initramfs.cpio");
    assertThat(dir.resolve("pair")).doesNotExist();
    assertThat(withBios.exitCode()).isEqualTo(2);
    assertThat(withBios.err().lines()).singleElement().asString().contains("--guest-dir", "'bios'");
  }

  @Test
  void aNameThatQemuCouldNotTakeIsAUsageErrorBeforeAnythingStarts() throws Exception {
    Result spaced = script("start.sh", dir, "--name", "two words", "--dir", dir.resolve("pair").toString());
    Result dashed = script("start.sh", dir, "--name", "-x");

    assertThat(spaced.exitCode()).isEqualTo(2);
    assertThat(spaced.err().lines()).singleElement().asString().contains("--name", "'two words'");
    assertThat(dir.resolve("pair")).doesNotExist();
    assertThat(dashed.exitCode()).isEqualTo(2);
  }

  @Test
  void aQemuThatExitsAtStartIsOneLineWithItsLastLogLineAndTheLogsPlace() throws Exception {
    // start.sh checks for these before it starts any QEMU, the fake one included.
    RealQemuTools.assumeOnPath("testbed/install-deps.sh installs it", "qemu-img", "ss", "python3");
    Path fakeQemu = dir.resolve("qemu-system-x86_64");
    Files.writeString(fakeQemu, "#!/bin/sh\necho 'cannot start: no such machine' >&2\nexit 1\n");
    Files.setPosixFilePermissions(fakeQemu, PosixFilePermissions.fromString("rwx------"));
    Path pairDir = dir.resolve("pair");

    Result start = script("start.sh", dir, "--qemu", fakeQemu.toString(), "--guest", "bios",
        "--dir", pairDir.toString(), "--base-port", "29500");

    assertThat(start.exitCode()).isEqualTo(1);
    assertThat(start.err().lines()).singleElement().asString()
        .contains("primary QEMU", "exited at start", "cannot start: no such machine",
            "logs: " + pairDir.resolve("primary.log"));
    assertThat(pairDir.resolve("primary.pid")).doesNotExist();
  }

  @Test
  void stopWithoutADirectoryOrWithAMissingOneIsOneLine() throws Exception {
    Result none = script("stop.sh", dir);
    Result missing = script("stop.sh", dir, "--dir", "no-such-pair");

    assertThat(none.exitCode()).isEqualTo(2);
    assertThat(none.err().lines()).singleElement().asString().contains("--dir DIR is required");
    assertThat(missing.exitCode()).isEqualTo(1);
    assertThat(missing.err().lines()).singleElement().asString().contains("no-such-pair is not a directory");
  }

  /**
   * A fake QEMU that writes its pid file, as QEMU does, and runs until killed; on SIGTERM it runs
   * {@code onTerm} (bash), by default exits.
   */
  private Path fakeQemu(String onTerm) throws Exception {
    Path fake = dir.resolve("fake-qemu");
    Files.writeString(fake, "#!/bin/bash\n"
        + "previous=''; for a in \"$@\"; do [[ $previous == -pidfile ]] && echo $$ >\"$a\"; previous=$a; done\n"
        + "trap '" + onTerm + "' TERM\n"
        + "for _ in $(seq 600); do sleep 0.1; done\n");
    Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwx------"));
    return fake;
  }

  private static long pidIn(Path pidFile) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!Files.exists(pidFile) || Files.readString(pidFile).isBlank()) {
      assertThat(System.nanoTime()).as(pidFile + " written").isLessThan(deadline);
      Thread.sleep(20);
    }
    return Long.parseLong(Files.readString(pidFile).strip());
  }

  private static boolean endsWithin(long pid, int seconds) throws Exception {
    var process = ProcessHandle.of(pid);
    return process.isEmpty() || process.get().onExit().completeOnTimeout(null, seconds, TimeUnit.SECONDS)
        .thenApply(handle -> !process.get().isAlive()).get();
  }

  @Test
  void startKilledDuringStartUpStopsTheQemuItHadStarted() throws Exception {
    RealQemuTools.assumeOnPath("testbed/install-deps.sh installs it", "qemu-img", "ss", "python3");
    Path pairDir = dir.resolve("pair");
    Path err = dir.resolve("start.err");
    // The fake never opens its QMP socket: start.sh is still waiting for it when it is killed.
    Process start = new ProcessBuilder(Testbed.scripts().resolve("start.sh").toString(),
            "--qemu", fakeQemu("exit 0").toString(), "--guest", "bios", "--dir", pairDir.toString(),
            "--base-port", "29510")
        .redirectOutput(dir.resolve("start.out").toFile()).redirectError(err.toFile()).start();
    long qemu = pidIn(pairDir.resolve("primary.pid"));

    start.destroy();   // SIGTERM, as a test fixture or an init system ends it

    assertThat(start.waitFor(20, TimeUnit.SECONDS)).as("start.sh ends").isTrue();
    assertThat(start.exitValue()).isEqualTo(143);
    assertThat(endsWithin(qemu, 10)).as("the QEMU start.sh had started ends with it").isTrue();
    assertThat(Files.readString(err).lines()).singleElement().asString()
        .contains("interrupted by SIGTERM", pairDir.toString());
    assertThat(pairDir.resolve("primary.pid")).doesNotExist();
  }

  @Test
  void stopLeavesAPidAloneOnceItIsNoLongerTheQemuOfThePair() throws Exception {
    Path pairDir = Files.createDirectories(dir.resolve("pair"));
    Path pidFile = pairDir.resolve("primary.pid");
    // On SIGTERM the "QEMU" becomes another program under the same pid (as a reused pid would
    // be), one that ignores SIGTERM: stop.sh must not SIGKILL it after its wait.
    Process qemu = new ProcessBuilder(fakeQemu("exec sleep 60").toString(), "-pidfile", pidFile.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("qemu.out").toFile()).start();
    try {
      pidIn(pidFile);

      Result stop = script("stop.sh", dir, "--dir", pairDir.toString());

      assertThat(stop.exitCode()).isZero();
      assertThat(stop.out()).contains("stopped primary (pid " + qemu.pid() + ")");
      assertThat(qemu.isAlive()).as("the program now under the pid was not killed").isTrue();
      assertThat(ProcessHandle.of(qemu.pid()).flatMap(h -> h.info().command()).orElse(""))
          .endsWith("sleep");
    } finally {
      qemu.destroyForcibly();
      qemu.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
