package org.hybridft.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.hybridft.qmp.QmpConnectionClosedException;
import org.hybridft.qmp.QmpTransport;
import org.hybridft.qmp.testing.LibvirtDaemon;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link LibvirtHost} on libvirt's built-in test driver ({@code test:///default}: one running
 * domain named {@code test}, in this process, no daemon), for what a real daemon cannot be made to
 * do on demand: a connection closed under a monitor. Needs the host's libvirt client library.
 */
class LibvirtHostOnTestDriverTest {
  private static final String URI = "test:///default";
  private static final String NAMESPACE = "https://hybrid-ft.org/ns/test/1";

  @BeforeEach
  void libraryPresent() {
    try {
      LibvirtHost.connect(URI).close();
    } catch (LibvirtHostException noLibrary) {
      LibvirtDaemon.skipOrFail("libvirt's client library is not usable (testbed/install-deps.sh installs it): "
          + noLibrary.getMessage());
    }
  }

  @Test
  void listsTheTestDomainAndTellsAMissingDomainFromAFailure() {
    try (LibvirtHost host = LibvirtHost.connect(URI)) {
      assertThat(host.runningDomains()).extracting(LibvirtDomain::name).containsExactly("test");
      assertThat(host.hasMetadata("test", NAMESPACE)).isFalse();
      assertThatThrownBy(() -> host.hasMetadata("nowhere", NAMESPACE))
          .isInstanceOfSatisfying(LibvirtHostException.class, e -> assertThat(e.noSuchDomain()).isTrue());
      assertThatThrownBy(() -> host.monitor("nowhere"))
          .isInstanceOfSatisfying(LibvirtHostException.class, e -> {
            assertThat(e.noSuchDomain()).isTrue();
            assertThat(e).hasMessage("no domain named nowhere at " + URI);
          });
    }
  }

  @Test
  void aMonitorWhoseConnectionWasClosedIsAMonitorGone() {
    LibvirtHost host = LibvirtHost.connect(URI);
    QmpTransport monitor = host.monitor("test");
    host.close();
    assertThatThrownBy(() -> monitor.exchange("{\"execute\":\"query-status\"}"))
        .isInstanceOf(QmpConnectionClosedException.class)
        .hasMessageStartingWith("libvirt domain test at " + URI);
    monitor.close();
    assertThatThrownBy(host::runningDomains).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }
}
