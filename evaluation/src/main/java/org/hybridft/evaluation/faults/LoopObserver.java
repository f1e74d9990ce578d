package org.hybridft.evaluation.faults;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.hybridft.core.ControlLoop;
import org.hybridft.core.ControlLoopError;
import org.hybridft.core.Mode;
import org.jspecify.annotations.Nullable;

/** What a try's control loop reported: its state changes, errors and switches. */
final class LoopObserver implements ControlLoop.Listener {
  private final List<ControlLoop.StateChange> changes = new CopyOnWriteArrayList<>();
  private final List<String> errors = new CopyOnWriteArrayList<>();
  private final CountDownLatch closed = new CountDownLatch(1);
  private volatile int switches;

  @Override
  public void onStateChanged(ControlLoop.StateChange change) {
    changes.add(change);
    if (change.to() == ControlLoop.State.CLOSED || change.to() == ControlLoop.State.ENDED) {
      closed.countDown();
    }
  }

  @Override
  public void onModeSwitch(long nowNanos, Mode from, Mode to, double checkpointsPerSecond) {
    switches++;
  }

  @Override
  public void onError(ControlLoopError error) {
    errors.add(error.kind() + ": " + error.message());
  }

  /** Waits until the loop has delivered its final state change. */
  boolean awaitFinal(Duration timeout) throws InterruptedException {
    return closed.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** The reason of the loop's ENDED, or null if it did not end. */
  @Nullable String endReason() {
    return changes.stream().filter(c -> c.to() == ControlLoop.State.ENDED).map(ControlLoop.StateChange::reason)
        .findFirst().orElse(null);
  }

  /** Whether the loop entered FAIL_SAFE, and why, or null. */
  @Nullable String failSafeReason() {
    return changes.stream().filter(c -> c.to() == ControlLoop.State.FAIL_SAFE)
        .map(c -> c.cause() + ": " + c.reason()).findFirst().orElse(null);
  }

  /** The states entered, in order, as one line. */
  String states() {
    StringBuilder states = new StringBuilder();
    for (ControlLoop.StateChange change : changes) {
      states.append(states.length() == 0 ? "" : " > ").append(change.to());
    }
    return states.toString();
  }

  int switches() {
    return switches;
  }

  List<String> errors() {
    return List.copyOf(errors);
  }
}
