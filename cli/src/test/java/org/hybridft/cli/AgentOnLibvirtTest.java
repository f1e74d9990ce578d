package org.hybridft.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hybridft.cli.AgentTestLog.count;
import static org.hybridft.cli.AgentTestLog.get;
import static org.hybridft.cli.AgentTestLog.switchedToCheckpoint;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.hybridft.agent.Agent;
import org.hybridft.agent.VmStatus;
import org.hybridft.qmp.Testbed;
import org.hybridft.qmp.testing.LibvirtDaemon;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole loop on a libvirt-managed COLO primary: a real libvirtd (started by the test) runs the
 * testbed's primary as a domain, its COLO devices passed through {@code <qemu:commandline>}; the
 * agent finds it among the daemon's domains by name, attaches through libvirt alone (no monitor
 * socket of its own, checkpoints counted by query), leaves a plain domain alone, switches the
 * primary to checkpoint mode under divergent traffic, and lets it go when the domain is destroyed.
 */
@Tag("real-qemu")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class AgentOnLibvirtTest {
  @TempDir Path root;
  private final AgentTestLog log = new AgentTestLog();

  @Test
  void driveALibvirtManagedPrimaryThroughLibvirt() throws Exception {
    Path qemu = Testbed.assumeBuilt();
    Testbed.guestBuilt();
    Path pair = root.resolve("pair");
    Agent agent = null;
    Testbed testbed = null;
    LibvirtDaemon daemon = LibvirtDaemon.start(root.resolve("lv"));
    try {
      daemon.create("hft-plain", LibvirtDaemon.plainDomain("hft-plain", qemu, null));
      testbed = Testbed.start(pair, Testbed.Guest.LINUX, "tcg", 45_000, 45_990,
          List.of("--name", "hft-colo", "--libvirt", daemon.uri()));
      assertThat(daemon.virsh("domstate", "hft-colo")).contains("running");
      Path file = root.resolve("agent.properties");
      Files.writeString(file, String.join("\n",
          "discovery.libvirt.uri = " + daemon.uri(),
          "discovery.libvirt.domains = hft-*",
          "discovery.interval = 1s",
          "metrics.listen = 0",
          "log.format = json",
          "reattach.backoff = 1s",
          "reattach.max-backoff = 2s",
          "vm.hft-colo.threshold-cps = 0.5",
          "vm.hft-colo.colo-window = 2s",
          ""));
      agent = Agent.start(file, log.log());
      Agent running = agent;

      log.await("the primary attached and the plain domain left alone", 60,
          lines -> count(lines, "attached", "hft-colo") == 1 && count(lines, "not-a-primary", "hft-plain") == 1);
      JsonNode attached = log.lines().stream()
          .filter(line -> line.path("event").asText().equals("attached")).findFirst().orElseThrow();
      assertThat(attached.path("source").asText()).isEqualTo("libvirt:" + daemon.uri() + "#hft-colo");
      assertThat(running.vms()).extracting(VmStatus::source)
          .contains("libvirt:" + daemon.uri() + "#hft-colo", "libvirt:" + daemon.uri() + "#hft-plain");

      // Divergent replies: the checkpoints counted through libvirt take the primary out of COLO.
      URI nondeterministic = testbed.http().resolve("/cgi-bin/nondeterministic");
      long loadEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (System.nanoTime() < loadEnd && !switchedToCheckpoint(log.lines(), "hft-colo")) {
        get(nondeterministic);
        Thread.sleep(100);
      }
      assertThat(switchedToCheckpoint(log.lines(), "hft-colo"))
          .as("the primary left COLO under divergent traffic; log:\n" + log.text()).isTrue();
      JsonNode parameters = Testbed.run(List.of("virsh", "-q", "-c", daemon.uri(), "qemu-monitor-command",
          "hft-colo", "{\"execute\":\"query-migrate-parameters\"}"), 60).output().lines()
          .filter(line -> line.startsWith("{")).findFirst()
          .map(line -> {
            try {
              return new com.fasterxml.jackson.databind.ObjectMapper().readTree(line);
            } catch (java.io.IOException e) {
              throw new IllegalStateException(e);
            }
          }).orElseThrow();
      assertThat(parameters.path("return").path("x-checkpoint-delay").asLong())
          .as("checkpoint mode applied through libvirt").isLessThan(10_000);
      assertThat(count(log.lines(), "attached", "hft-plain")).isZero();

      // The domain destroyed under the agent: let go once it no longer runs (the next discovery
      // may see that before the loop's next query finds the monitor gone).
      daemon.destroy("hft-colo");
      log.await("the destroyed domain detached", 60, lines -> count(lines, "detached", "hft-colo") == 1);
      assertThat(log.lines()).filteredOn(line -> line.path("event").asText().equals("detached"))
          .singleElement().satisfies(line -> assertThat(line.path("message").asText())
              .startsWith("domain hft-colo no longer runs"));
      assertThat(running.vms()).extracting(VmStatus::source)
          .doesNotContain("libvirt:" + daemon.uri() + "#hft-colo");

      agent.close();
      agent = null;
      // A transport's thread ends once its last task (releasing the monitor) returns, which may be
      // a moment after the client's close: a leak is a thread still there seconds later.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (System.nanoTime() < deadline && Thread.getAllStackTraces().keySet().stream()
          .anyMatch(AgentOnLibvirtTest::agentOrTransport)) {
        Thread.sleep(20);
      }
      assertThat(Thread.getAllStackTraces().keySet()).noneMatch(AgentOnLibvirtTest::agentOrTransport);
    } finally {
      if (agent != null) {
        agent.close();
      }
      if (testbed != null) {
        testbed.close(); // before the daemon: a domain outlives its libvirtd
      }
      daemon.close();
    }
  }

  private static boolean agentOrTransport(Thread thread) {
    return thread.isAlive()
        && (thread.getName().startsWith("hybrid-ft-agent") || thread.getName().equals("hybridft-qmp-transport"));
  }
}
