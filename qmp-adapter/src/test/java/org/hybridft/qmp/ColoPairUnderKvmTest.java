package org.hybridft.qmp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The testbed's pair under KVM, where this machine has a usable /dev/kvm (TCG runs everywhere). */
@Tag("real-qemu")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ColoPairUnderKvmTest {
  @TempDir Path dir;

  @Test
  void reachesColoOnBothSidesUnderKvm() throws Exception {
    String noKvm = Kvm.unusableReason();
    Assumptions.assumeTrue(noKvm == null, () -> noKvm + ": skipping the KVM pair");
    try (Testbed pair = Testbed.start(dir, Testbed.Guest.BIOS, "kvm")) {
      assertThat(pair.primary().call("query-colo-status", null).path("mode").asText()).isEqualTo("primary");
      assertThat(pair.secondary().call("query-colo-status", null).path("mode").asText()).isEqualTo("secondary");
    }
  }
}
