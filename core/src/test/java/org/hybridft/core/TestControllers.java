package org.hybridft.core;

/** Minimal controllers for tests of the loop machinery. */
final class TestControllers {
  private TestControllers() {}

  /** Always COLO. */
  static final class AlwaysColo extends AbstractModeController {
    AlwaysColo() {
      super(Mode.COLO);
    }

    @Override
    protected Mode decide(long nowNanos, double checkpointsPerSecond, boolean first) {
      return Mode.COLO;
    }

    @Override
    protected void resetState() {}

    @Override
    public long checkpointPeriodNanos() {
      return 500_000_000L;
    }
  }
}
