package org.hybridft.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.hybridft.core.Mode;
import org.hybridft.qmp.CheckpointDelayRecipe;
import org.hybridft.qmp.ColoPrimaryCheck;
import org.hybridft.qmp.QemuProcess;
import org.hybridft.qmp.QmpClient;
import org.hybridft.qmp.QmpConnectionClosedException;
import org.hybridft.qmp.QmpErrorException;
import org.hybridft.qmp.QmpModeActuator;
import org.hybridft.qmp.QmpNotColoPrimaryException;
import org.hybridft.qmp.testing.LibvirtDaemon;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link LibvirtHost} against a real libvirt daemon (Debian's libvirtd, started by the test)
 * running the testbed's QEMU: domains listed and selected, a domain's monitor driven through
 * libvirt by name (query, actuate, read back), and a domain destroyed under the client.
 */
@Tag("real-qemu")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class LibvirtHostOnRealDaemonTest {
  @TempDir static Path dir;
  private static LibvirtDaemon daemon;
  private static Path qemu;

  @BeforeAll
  static void startDaemon() throws Exception {
    qemu = LibvirtDaemon.testbedQemu();
    daemon = LibvirtDaemon.start(dir);
    daemon.create("hft-marked", LibvirtDaemon.plainDomain("hft-marked", qemu, LibvirtDaemon.TEST_NAMESPACE));
    daemon.create("hft-other", LibvirtDaemon.plainDomain("hft-other", qemu, null));
  }

  @AfterAll
  static void stopDaemon() throws Exception {
    if (daemon != null) {
      daemon.close();
    }
  }

  @Test
  void listsTheRunningDomainsAndTellsWhichCarryTheMetadataElement() {
    try (LibvirtHost host = LibvirtHost.connect(daemon.uri())) {
      assertThat(host.runningDomains()).extracting(LibvirtDomain::name).contains("hft-marked", "hft-other");
      assertThat(host.runningDomains()).allSatisfy(domain -> {
        assertThat(domain.id()).isPositive();
        assertThat(domain.uuid()).hasSize(36);
      });
      assertThat(host.hasMetadata("hft-marked", LibvirtDaemon.TEST_NAMESPACE)).isTrue();
      assertThat(host.hasMetadata("hft-other", LibvirtDaemon.TEST_NAMESPACE)).isFalse();
      assertThat(host.hasMetadata("hft-marked", "https://example.org/other")).isFalse();
      assertThatThrownBy(() -> host.monitor("hft-nowhere"))
          .isInstanceOf(LibvirtHostException.class)
          .hasMessage("no domain named hft-nowhere at " + daemon.uri());
    }
  }

  @Test
  void aDomainIsQueriedAndActuatedThroughLibvirtByName() throws Exception {
    try (LibvirtHost host = LibvirtHost.connect(daemon.uri());
        QmpClient client = QmpClient.over(host.monitor("hft-marked")).connect()) {
      assertThat(client.greeting().version()).isEqualTo("10.0.13");
      assertThat(client.deliversEvents()).isFalse();
      assertThat(client.peer()).isEqualTo("libvirt domain hft-marked at " + daemon.uri());
      assertThat(client.call("query-name", null).path("name").asText()).isEqualTo("hft-marked");
      assertThat(client.call("query-status", null).path("status").asText()).isEqualTo("running");
      assertThatThrownBy(() -> client.call("no-such-command", null))
          .isInstanceOfSatisfying(QmpErrorException.class,
              error -> assertThat(error.errorClass()).isEqualTo("CommandNotFound"));
      assertThatThrownBy(() -> ColoPrimaryCheck.requirePrimary(client))
          .isInstanceOfSatisfying(QmpNotColoPrimaryException.class,
              notPrimary -> assertThat(notPrimary.coloMode()).isEqualTo("none"));

      // The actuator applies checkpoint mode at 700 ms and reads it back, all through libvirt.
      QmpModeActuator actuator = new QmpModeActuator(client, new CheckpointDelayRecipe(Duration.ofSeconds(10)));
      actuator.apply(Mode.CHECKPOINT, Duration.ofMillis(700).toNanos());
      assertThat(client.call("query-migrate-parameters", null).path("x-checkpoint-delay").asLong()).isEqualTo(700);
      actuator.apply(Mode.COLO, Duration.ofMillis(700).toNanos());
      assertThat(client.call("query-migrate-parameters", null).path("x-checkpoint-delay").asLong())
          .isEqualTo(10_000);

      // The process behind the monitor is the one libvirt started for this domain.
      long libvirtsPid = Long.parseLong(Files.readString(
          Path.of("/run/libvirt/qemu/hft-marked.pid")).strip());
      assertThat(QemuProcess.of(client).pid()).isEqualTo(libvirtsPid);
    }
  }

  @Test
  void aDomainDestroyedUnderTheClientClosesItAndANewRunIsNotTheOldMonitor() throws Exception {
    daemon.create("hft-doomed", LibvirtDaemon.plainDomain("hft-doomed", qemu, null));
    try (LibvirtHost host = LibvirtHost.connect(daemon.uri())) {
      QmpClient client = QmpClient.over(host.monitor("hft-doomed")).commandTimeout(Duration.ofSeconds(5)).connect();
      AtomicReference<QmpConnectionClosedException> heard = new AtomicReference<>();
      client.onClosed(heard::set);
      daemon.destroy("hft-doomed");
      long start = System.nanoTime();
      assertThatThrownBy(() -> client.call("query-status", null))
          .isInstanceOf(QmpConnectionClosedException.class)
          .hasMessageContaining("libvirt domain hft-doomed");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
      assertThat(heard.get()).isNotNull();
      assertThat(client.isOpen()).isFalse();

      // The same name again: a new QEMU, reached only through a new monitor.
      daemon.create("hft-doomed", LibvirtDaemon.plainDomain("hft-doomed", qemu, null));
      assertThatThrownBy(() -> client.call("query-status", null)).isInstanceOf(QmpConnectionClosedException.class);
      try (QmpClient again = QmpClient.over(host.monitor("hft-doomed")).connect()) {
        assertThat(again.call("query-status", null).path("status").asText()).isEqualTo("running");
      }
      client.close();
    }
  }

  @Test
  void aMonitorOpenedBeforeAPersistentDomainRestartedDoesNotReachTheNewQemu() throws Exception {
    daemon.defineAndStart("hft-restarted", LibvirtDaemon.plainDomain("hft-restarted", qemu, null));
    try (LibvirtHost host = LibvirtHost.connect(daemon.uri())) {
      var monitor = host.monitor("hft-restarted");
      daemon.destroy("hft-restarted");
      daemon.start("hft-restarted");
      assertThatThrownBy(() -> monitor.exchange("{\"execute\":\"query-status\"}"))
          .isInstanceOf(QmpConnectionClosedException.class)
          .hasMessageContaining("started again");
      monitor.close();
    }
  }

  @Test
  void aUriWithNoDaemonIsAClearError() {
    assertThatThrownBy(() -> LibvirtHost.connect("qemu:///system?socket=" + dir.resolve("none/libvirt-sock")))
        .isInstanceOf(LibvirtHostException.class)
        .hasMessageStartingWith("cannot connect to libvirt at qemu:///system?socket=");
    assertThatThrownBy(() -> LibvirtHost.connect(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("uri must be a libvirt URI");
  }

  @Test
  void closingTheClientEndsItsTransportThread() throws Exception {
    try (LibvirtHost host = LibvirtHost.connect(daemon.uri())) {
      QmpClient client = QmpClient.over(host.monitor("hft-other")).connect();
      client.call("query-status", null);
      client.close();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (transportThreads() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(transportThreads()).isZero();
    }
  }

  private static long transportThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(thread -> thread.isAlive() && thread.getName().equals("hybridft-qmp-transport")).count();
  }
}
