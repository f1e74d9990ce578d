package org.hybridft.qmp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KvmTest {
  @TempDir Path dir;

  @Test
  void aMissingDeviceIsUnusableAndTheProbeCreatesNothing() throws Exception {
    Path missing = dir.resolve("kvm");

    assertThat(Kvm.unusableReason(missing)).contains("does not exist");
    assertThat(missing).doesNotExist();
    try (var listing = Files.list(dir)) {
      assertThat(listing).isEmpty();
    }
  }

  @Test
  void aRegularFileLeftByAnOldProbeIsNotKvm() throws Exception {
    Path file = Files.createFile(dir.resolve("kvm"));

    assertThat(Kvm.unusableReason(file)).contains("not a character device");
    assertThat(Files.size(file)).isZero();
  }

  @Test
  void aCharacterDeviceThatOpensReadWriteIsUsable() {
    // /dev/null is a character device every user may read and write.
    assertThat(Kvm.unusableReason(Path.of("/dev/null"))).isNull();
  }

  @Test
  void probingTheRealDeviceLeavesDevUntouched() throws Exception {
    boolean existedBefore = Files.exists(Kvm.DEVICE);

    Kvm.unusableReason();

    assertThat(Files.exists(Kvm.DEVICE)).isEqualTo(existedBefore);
    if (existedBefore) {
      assertThat(Files.isRegularFile(Kvm.DEVICE)).as("/dev/kvm turned into a regular file").isFalse();
    }
  }
}
