package org.hybridft.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link QmpClient#at}: the monitor's address as people write it, checked before anything connects. */
class QmpClientAddressTest {
  @TempDir Path dir;

  @Test
  void aPathIsAUnixSocketThatMustExist() throws Exception {
    Path socket = Files.createFile(dir.resolve("qmp.sock"));
    assertThat(QmpClient.at(socket.toString(), false).address()).isEqualTo(UnixDomainSocketAddress.of(socket));
    assertThatThrownBy(() -> QmpClient.at(dir.resolve("gone.sock").toString(), false))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("no such socket");
  }

  @Test
  void tcpAddressesAreLoopbackOnlyUnlessRemoteOnesAreAllowed() {
    assertThat(QmpClient.at("tcp:127.0.0.1:4444", false).address())
        .isEqualTo(new InetSocketAddress("127.0.0.1", 4444));
    assertThatThrownBy(() -> QmpClient.at("tcp:192.0.2.1:4444", false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("192.0.2.1 is not a loopback address, and QMP has no authentication");
    assertThat(QmpClient.at("tcp:192.0.2.1:4444", true).address())
        .isEqualTo(new InetSocketAddress("192.0.2.1", 4444));
  }

  @Test
  void aMalformedTcpAddressSaysWhatIsExpected() {
    assertThatThrownBy(() -> QmpClient.at("tcp:4444", false)).hasMessage("tcp:HOST:PORT expected");
    assertThatThrownBy(() -> QmpClient.at("tcp:localhost:qmp", false))
        .hasMessage("tcp:HOST:PORT needs a numeric port");
    assertThatThrownBy(() -> QmpClient.at("tcp:localhost:0", false))
        .hasMessage("port must be in [1, 65535], was 0");
    assertThatThrownBy(() -> QmpClient.at("tcp:localhost:65536", false))
        .hasMessage("port must be in [1, 65535], was 65536");
  }
}
