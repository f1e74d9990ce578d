package org.hybridft.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.SocketException;
import java.util.Collections;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** QMP has no authentication: run talks to a QMP port beyond this host only when told to. */
class RemoteQmpTest {

  @Test
  void aNonLoopbackQmpAddressIsRefusedWithTheReasonAndTheOverride() {
    // 192.0.2.1 is TEST-NET-1: never reachable, so only a refusal before connecting returns quickly.
    CommandOutcome outcome = CommandOutcome.run("run", "--qmp", "tcp:192.0.2.1:4444", "--duration", "1s");

    assertThat(outcome.exitCode()).isEqualTo(2);
    assertThat(outcome.err().strip())
        .startsWith("hybrid-ft: --qmp tcp:192.0.2.1:4444")
        .contains("not a loopback address", "no authentication", "--allow-remote-qmp")
        .doesNotContain("\n");
  }

  @Test
  void aLoopbackQmpAddressNeedsNoOverride() throws IOException {
    int closedPort = closedPort(InetAddress.getLoopbackAddress());

    CommandOutcome outcome =
        CommandOutcome.run("run", "--qmp", "tcp:localhost:" + closedPort, "--duration", "1s");

    assertThat(outcome.exitCode()).isEqualTo(2);
    assertThat(outcome.err()).contains("cannot attach to QMP").doesNotContain("--allow-remote-qmp");
  }

  @Test
  void theOverrideLetsRunConnectToANonLoopbackAddress() throws IOException {
    Optional<InetAddress> own = ownNonLoopbackAddress();
    assumeTrue(own.isPresent(), "this host has no non-loopback IPv4 address");
    int closedPort = closedPort(own.get());

    CommandOutcome outcome =
        CommandOutcome.run("run", "--qmp", "tcp:" + own.get().getHostAddress() + ":" + closedPort,
            "--allow-remote-qmp", "--duration", "1s");

    assertThat(outcome.exitCode()).isEqualTo(2);
    assertThat(outcome.err()).contains("cannot attach to QMP").doesNotContain("not a loopback address");
  }

  private static int closedPort(InetAddress address) throws IOException {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(address, 0));
      return socket.getLocalPort();
    }
  }

  private static Optional<InetAddress> ownNonLoopbackAddress() throws SocketException {
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!nic.isUp() || nic.isLoopback()) {
        continue;
      }
      for (InetAddress address : Collections.list(nic.getInetAddresses())) {
        if (address instanceof Inet4Address && !address.isLoopbackAddress()) {
          return Optional.of(address);
        }
      }
    }
    return Optional.empty();
  }
}
