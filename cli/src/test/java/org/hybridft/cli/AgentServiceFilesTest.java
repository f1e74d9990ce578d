package org.hybridft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.hybridft.agent.AgentConfig;
import org.hybridft.controllers.ParameterType;
import org.hybridft.qmp.RealQemuTools;
import org.junit.jupiter.api.Test;

/**
 * The files an operator installs (agent/dist): the example configuration is valid as shipped, and
 * the systemd unit starts the agent on it, reloads with SIGHUP, counts the JVM's SIGTERM exit as a
 * clean stop and waits longer than the agent's stop takes.
 */
class AgentServiceFilesTest {
  private static final Path DIST = Path.of("..", "agent", "dist");

  @Test
  void theExampleConfigurationIsValid() throws IOException {
    CommandOutcome outcome = CommandOutcome.run(
        "agent", "--config", DIST.resolve("agent.properties").toString(), "--check");

    assertThat(outcome.exitCode()).as(outcome.err()).isZero();
    assertThat(outcome.out()).contains("valid; sockets /run/hybrid-ft/vms/*.qmp; metrics 127.0.0.1:9400");
  }

  @Test
  void theUnitRunsTheAgentOnTheInstalledConfigurationWithHardening() throws IOException {
    Map<String, String> unit = unit();
    AgentConfig example = AgentConfig.read(DIST.resolve("agent.properties"));

    assertThat(unit.get("ExecStart")).contains("-jar /usr/share/hybrid-ft/hybrid-ft.jar agent --config"
        + " /etc/hybrid-ft/agent.properties");
    assertThat(unit.get("ExecReload")).isEqualTo("/bin/kill -HUP $MAINPID");
    assertThat(unit.get("SuccessExitStatus")).isEqualTo("143");
    Duration stopTimeout = ParameterType.parseDuration(unit.get("TimeoutStopSec"));
    assertThat(stopTimeout).as("systemd must not kill the agent while it leaves the VMs in stop.mode")
        .isGreaterThan(example.stopTimeout().plusSeconds(10));
    assertThat(unit).containsEntry("NoNewPrivileges", "yes").containsEntry("ProtectSystem", "strict")
        .containsEntry("CapabilityBoundingSet", "").containsEntry("RestrictAddressFamilies", "AF_UNIX AF_INET AF_INET6")
        .containsEntry("User", "hybrid-ft");
  }

  @Test
  void systemdFindsNothingWrongInTheUnitWhereItIsInstalled() throws Exception {
    RealQemuTools.assumeOnPath("apt-get install systemd; testbed/install-deps.sh installs it", "systemd-analyze");
    Path analyze = RealQemuTools.onPath("systemd-analyze").orElseThrow();
    Process verify = new ProcessBuilder(analyze.toString(), "verify",
        DIST.resolve("hybrid-ft-agent.service").toAbsolutePath().toString())
        .redirectErrorStream(true).start();
    assertThat(verify.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String said = new String(verify.getInputStream().readAllBytes());
    // Outside a booted systemd (a container, a chroot) verify cannot connect to the manager; what it
    // says about the unit itself names the file.
    assertThat(said).doesNotContain("hybrid-ft-agent.service:");
  }

  private static Map<String, String> unit() throws IOException {
    Map<String, String> keys = new LinkedHashMap<>();
    String text = Files.readString(DIST.resolve("hybrid-ft-agent.service")).replace("\\\n", " ");
    for (String line : text.split("\n")) {
      line = line.strip();
      int equals = line.indexOf('=');
      if (!line.startsWith("#") && equals > 0) {
        keys.put(line.substring(0, equals), line.substring(equals + 1).replaceAll("\\s+", " ").strip());
      }
    }
    return keys;
  }
}
