/**
 * hybrid-ft test fixtures: {@link org.hybridft.testing.VirtualScheduler}, a scheduler on virtual
 * time for tests (and benchmarks) that drive a {@code ControlLoop}. Use it with {@code
 * org.hybridft.core.StabilityCheck} (in hybridft-core), which drives a bare {@code
 * ModeController} without a loop.
 */
module org.hybridft.testing {
  requires static transitive org.jspecify;

  exports org.hybridft.testing;
}
