package org.hybridft.cli;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C while a command drives a pair: opens the command's {@code stop} latch, then holds the
 * JVM's exit until the command's main thread has finished its work ({@link #close()}), at most
 * {@code grace}, so the pair is left in a known state and the summary is printed.
 */
final class CtrlC implements AutoCloseable {
  private final CountDownLatch finished = new CountDownLatch(1);
  private final Thread hook;

  CtrlC(String name, CountDownLatch stop, Duration grace) {
    hook = new Thread(() -> {
      stop.countDown();
      try {
        finished.await(grace.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException ignored) {
        Thread.currentThread().interrupt();
      }
    }, name);
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** The command has finished: Ctrl-C need not wait any more. */
  @Override
  public void close() {
    finished.countDown();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException exiting) {
      // Ctrl-C: the hook is running and waits for this.
    }
  }
}
