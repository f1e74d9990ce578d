package org.hybridft.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes {@code hybrid-ft run}'s status lines on a thread of its own, so that a terminal or pipe
 * that stops reading never holds up the control loop's tick: lines wait in a bounded queue, and
 * when it is full a new line is dropped and counted instead of waiting. The summary reports the
 * count.
 */
final class TerminalWriter implements AutoCloseable {
  /** A line and the stream it is for. */
  private record Line(boolean error, String text) {}

  private final PrintWriter out;
  private final PrintWriter err;
  private final BlockingQueue<Line> queue;
  private final AtomicLong dropped = new AtomicLong();
  private final Thread thread;
  private volatile boolean closing;

  /**
   * Starts the writer thread (a daemon: a stalled terminal never keeps the JVM alive).
   *
   * @param out where status lines go
   * @param err where error lines go
   * @param capacity lines that may wait before new ones are dropped, {@code >= 1}
   */
  TerminalWriter(PrintWriter out, PrintWriter err, int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be >= 1, was " + capacity);
    }
    this.out = out;
    this.err = err;
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.thread = new Thread(this::drain, "hybrid-ft-run-output");
    thread.setDaemon(true);
    thread.start();
  }

  /** Queues a line for {@code out}; never blocks: drops and counts it when the queue is full. */
  void out(String line) {
    offer(new Line(false, line));
  }

  /** Queues a line for {@code err}; never blocks: drops and counts it when the queue is full. */
  void err(String line) {
    offer(new Line(true, line));
  }

  /** Lines dropped so far because the terminal did not keep up. */
  long dropped() {
    return dropped.get();
  }

  /**
   * Stops taking lines and waits up to {@code drain} for the queued ones to be written. Returns
   * false if the terminal still blocks (the thread is left to finish, or not, as a daemon).
   */
  boolean close(Duration drain) throws InterruptedException {
    closing = true;
    thread.join(Math.max(1, drain.toMillis()));
    return !thread.isAlive();
  }

  /** Waits up to a second for the queued lines. */
  @Override
  public void close() throws InterruptedException {
    close(Duration.ofSeconds(1));
  }

  private void offer(Line line) {
    if (closing || !queue.offer(line)) {
      dropped.incrementAndGet();
    }
  }

  private void drain() {
    try {
      while (!(closing && queue.isEmpty())) {
        Line line = queue.poll(50, TimeUnit.MILLISECONDS);
        if (line == null) {
          continue;
        }
        PrintWriter target = line.error() ? err : out;
        target.println(line.text());
        target.flush();
      }
    } catch (InterruptedException stop) {
      Thread.currentThread().interrupt();
    }
  }
}
