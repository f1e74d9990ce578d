package org.hybridft.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * A host without libvirt's client library: every attempt to load it fails, but only the first says
 * why; the reason given must stay the first one, or a caller that reports a problem once (the
 * agent) reports it again on the second scan.
 */
class LibvirtLibraryFailureTest {
  @Test
  void everyLaterFailureToLoadTheLibraryGivesTheFirstOnesReason() {
    String first = LibvirtHost.libraryFailure(new UnsatisfiedLinkError("Unable to load library 'virt'"));
    String later = LibvirtHost.libraryFailure(new NoClassDefFoundError("Could not initialize class org.libvirt.jna.Libvirt"));

    // (On a host without libvirt an earlier test of this JVM may have met the real failure first.)
    assertThat(later).isEqualTo(first).doesNotContain("Could not initialize class");
  }
}
