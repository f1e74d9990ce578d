package org.hybridft.qmp;

import java.time.Duration;

/** Looks for live threads by name, to prove that a test left none behind. */
final class Threads {
  private Threads() {}

  static boolean anyNamed(String name) {
    return Thread.getAllStackTraces().keySet().stream()
        .anyMatch(thread -> thread.isAlive() && thread.getName().equals(name));
  }

  /** Waits up to {@code timeout} for no live thread named {@code name}. */
  static boolean awaitNoneNamed(String name, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (anyNamed(name)) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(10);
    }
    return true;
  }
}
