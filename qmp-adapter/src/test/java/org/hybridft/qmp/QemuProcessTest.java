package org.hybridft.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.hybridft.qmp.testing.FakeQmpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@link QemuProcess} against a fake monitor and a fake {@code /proc}. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class QemuProcessTest {
  private static final String CPUS = "[{\"thread-id\": 4242, \"cpu-index\": 0, \"qom-path\": \"/machine/cpu\"}]";

  @TempDir Path dir;

  /** A fake /proc with process 4200, whose thread 4242 is the vCPU, having used the given ticks. */
  private Path proc(long utime, long stime) throws IOException {
    Path proc = Files.createDirectories(dir.resolve("proc"));
    Files.createDirectories(proc.resolve("4242"));
    Files.writeString(proc.resolve("4242/status"), "Name:\tCPU 0/TCG\nTgid:\t4200\nPid:\t4242\n");
    Files.createDirectories(proc.resolve("4200/task/4242"));
    Files.writeString(proc.resolve("4200/cmdline"), "/opt/qemu/bin/qemu-system-x86_64\0-name\0primary\0");
    stat(proc, utime, stime);
    return proc;
  }

  private static void stat(Path proc, long utime, long stime) throws IOException {
    // The command name holds a space and a ')', as a thread's name may.
    Files.writeString(proc.resolve("4200/stat"), "4200 (qemu-system) x86) S 1 4200 4200 0 -1 4194560 100 0 0 0 "
        + utime + " " + stime + " 0 0 20 0 5 0 123 456 789\n");
  }

  private FakeQmpServer qemu(String cpus) throws IOException {
    return FakeQmpServer.answering(dir, "10.0.13", Map.of("query-cpus-fast", cpus));
  }

  @Test
  void cpuSecondsAreUserAndSystemTicksOfTheVcpusProcess() throws Exception {
    Path proc = proc(250, 50);
    try (FakeQmpServer fake = qemu(CPUS); QmpClient client = fake.client().connect()) {
      QemuProcess process = QemuProcess.of(client, proc, 100);

      assertThat(process.pid()).isEqualTo(4200);
      assertThat(process.cpuSeconds()).isEqualTo(3.0);
      stat(proc, 400, 100);
      assertThat(process.cpuSeconds()).as("read afresh").isEqualTo(5.0);
      assertThat(QemuProcess.of(client, proc, 250).cpuSeconds()).as("another CLK_TCK").isEqualTo(2.0);
    }
  }

  @Test
  void aProcessThatIsNotQemuIsRefusedAsAnotherPidNamespace() throws Exception {
    Path proc = proc(1, 1);
    Files.writeString(proc.resolve("4200/cmdline"), "/usr/bin/sleep\0" + "60\0");
    try (FakeQmpServer fake = qemu(CPUS); QmpClient client = fake.client().connect()) {
      assertThatThrownBy(() -> QemuProcess.of(client, proc, 100))
          .isInstanceOf(QemuProcessException.class)
          .hasMessageContaining("vCPU thread 4242 is in process 4200 here, which runs '/usr/bin/sleep', not QEMU")
          .hasMessageContaining("another PID namespace");
    }
  }

  @Test
  void vcpuThreadsInDifferentProcessesAreRefused() throws Exception {
    Path proc = proc(1, 1);
    Files.createDirectories(proc.resolve("4343"));
    Files.writeString(proc.resolve("4343/status"), "Name:\tbash\nTgid:\t4300\n");
    String cpus = "[{\"thread-id\": 4242}, {\"thread-id\": 4343}]";
    try (FakeQmpServer fake = qemu(cpus); QmpClient client = fake.client().connect()) {
      assertThatThrownBy(() -> QemuProcess.of(client, proc, 100))
          .isInstanceOf(QemuProcessException.class)
          .hasMessageContaining("vCPU threads 4242 and 4343 belong to processes 4200 and 4300");
    }
  }

  @Test
  void aThreadIdThatProcDoesNotKnowIsRefusedNamingTheFile() throws Exception {
    Path proc = Files.createDirectories(dir.resolve("empty-proc"));
    try (FakeQmpServer fake = qemu(CPUS); QmpClient client = fake.client().connect()) {
      assertThatThrownBy(() -> QemuProcess.of(client, proc, 100))
          .isInstanceOf(QemuProcessException.class)
          .hasMessageContaining("4242/status")
          .hasMessageContaining("is QEMU on this host?");
    }
  }

  @Test
  void aMonitorWithoutVcpuThreadIdsIsRefused() throws Exception {
    Path proc = proc(1, 1);
    try (FakeQmpServer fake = qemu("[]"); QmpClient client = fake.client().connect()) {
      assertThatThrownBy(() -> QemuProcess.of(client, proc, 100))
          .isInstanceOf(QemuProcessException.class)
          .hasMessageContaining("query-cpus-fast names no vCPU thread-id");
    }
  }

  @Test
  void anEndedProcessMakesTheReadFailNamingIt() throws Exception {
    Path proc = proc(1, 1);
    try (FakeQmpServer fake = qemu(CPUS); QmpClient client = fake.client().connect()) {
      QemuProcess process = QemuProcess.of(client, proc, 100);
      Files.delete(proc.resolve("4200/stat"));

      assertThatThrownBy(process::cpuSeconds)
          .isInstanceOf(QemuProcessException.class)
          .hasMessageContaining("4200/stat")
          .hasMessageContaining("has QEMU (pid 4200) ended?");
    }
  }

  @Test
  void aStatLineWithoutTimesIsRefused() throws Exception {
    Path proc = proc(1, 1);
    Files.writeString(proc.resolve("4200/stat"), "4200 (qemu) S 1 2\n");
    try (FakeQmpServer fake = qemu(CPUS); QmpClient client = fake.client().connect()) {
      assertThatThrownBy(() -> QemuProcess.of(client, proc, 100))
          .isInstanceOf(QemuProcessException.class)
          .hasMessageContaining("has no utime and stime fields");
    }
  }

  @Test
  void aQemuReachedOverTheNetworkIsRefusedAndALoopbackOneAccepted() {
    assertThat(QemuProcess.isLocal(new InetSocketAddress("192.0.2.1", 4444))).isFalse();
    assertThatThrownBy(() -> QemuProcess.requireLocal("QEMU at /192.0.2.1:4444", false))
        .isInstanceOf(QemuProcessException.class)
        .hasMessageContaining("QEMU at /192.0.2.1:4444 is reached over the network")
        .hasMessageContaining("another host");
    assertThat(QemuProcess.isLocal(new InetSocketAddress("127.0.0.1", 4444))).isTrue();
    assertThat(QemuProcess.isLocal(java.net.UnixDomainSocketAddress.of("/run/qmp.sock"))).isTrue();
  }

  @Test
  void thisHostsClockTicksArePositive() {
    assertThat(QemuProcess.ticksPerSecond()).isPositive();
  }
}
