package org.hybridft.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.hybridft.qmp.testing.FakeQmpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@link MigrationTraffic} against a fake primary. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MigrationTrafficTest {
  @TempDir Path dir;

  @Test
  void readsRamTransferredAfreshEachTime() throws Exception {
    AtomicLong transferred = new AtomicLong(1_000);
    try (FakeQmpServer fake = FakeQmpServer.start(dir, peer -> {
          peer.handshake();
          while (true) {
            var command = peer.readCommand();
            if (command == null) {
              return;
            }
            peer.reply(command, "{\"status\": \"colo\", \"ram\": {\"transferred\": "
                + transferred.getAndAdd(4096) + "}}");
          }
        });
        QmpClient client = fake.client().connect()) {
      MigrationTraffic traffic = MigrationTraffic.attach(client);

      long first = traffic.transferredBytes();
      long second = traffic.transferredBytes();

      assertThat(second - first).isEqualTo(4096);
      assertThat(fake.failures()).isEmpty();
    }
  }

  @Test
  void aQemuThatHidesTheCountersInColoIsRefusedNamingThePatch() throws Exception {
    try (FakeQmpServer fake = FakeQmpServer.answering(dir, "10.0.13",
            java.util.Map.of("query-migrate", "{\"status\": \"colo\"}"));
        QmpClient client = fake.client().connect()) {
      assertThatThrownBy(() -> MigrationTraffic.attach(client))
          .isInstanceOf(QmpStateException.class)
          .hasMessageContaining("reports no ram.transferred in status 'colo'")
          .hasMessageContaining("testbed/qemu-patches/0002");
    }
  }
}
