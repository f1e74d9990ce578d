package org.hybridft.core;

import java.util.ArrayList;
import java.util.List;

/**
 * A controller for tests of the loop machinery: wants the modes of a script, one per update, then
 * the last one; records the rates it was given; a checkpoint period of 500 ms.
 */
final class ScriptedController extends AbstractModeController {
  private final Mode[] script;
  private int next;
  final List<Double> ratesSeen = new ArrayList<>();

  ScriptedController(Mode initial, Mode... script) {
    super(initial);
    this.script = script;
  }

  @Override
  protected Mode decide(long nowNanos, double checkpointsPerSecond, boolean first) {
    ratesSeen.add(checkpointsPerSecond);
    return next < script.length ? script[next++] : script[script.length - 1];
  }

  @Override
  protected void resetState() {
    next = 0;
  }

  @Override
  public long checkpointPeriodNanos() {
    return 500_000_000L;
  }
}
