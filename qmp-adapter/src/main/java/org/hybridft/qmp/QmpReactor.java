package org.hybridft.qmp;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The one I/O thread that serves every QMP connection of the JVM through one selector. The thread
 * starts with the first connection and ends when the last one is closed, so an idle JVM holds no
 * thread of ours. Connection state is touched only on this thread; other threads hand it work
 * through {@link #submit}.
 *
 * <p><b>Latency.</b> Waking the selector is a system call and a context switch on the round trip
 * of every command, so the common path avoids it: callers write commands to the socket themselves
 * and hand their timeouts over with {@link #scheduleFromAnyThread}, which wakes the thread only
 * when the new deadline comes before the thread's own next wake-up. The thread wakes at least
 * every {@link #MAX_SLEEP_NANOS} while connections are open, so a command timeout longer than
 * that never costs a wake-up.
 */
final class QmpReactor {
  static final String THREAD_NAME = "hybridft-qmp-io";
  /** The longest the I/O thread sleeps while connections are open: 1 s. */
  static final long MAX_SLEEP_NANOS = 1_000_000_000L;
  private static final System.Logger LOG = System.getLogger(QmpReactor.class.getName());
  private static final QmpReactor SHARED = new QmpReactor();

  /** Something that must happen at a time: a command timeout or a connect timeout. */
  interface Deadline {
    /** When, on the {@link System#nanoTime()} clock. */
    long deadlineNanos();

    /** Called on the I/O thread at or after the deadline; a no-op when no longer relevant. */
    void expire();

    /** Whether the deadline no longer matters (the command was answered); then it is dropped. */
    default boolean settled() {
      return false;
    }
  }

  /** What the reactor calls when a connection's channel is ready. */
  interface Handler {
    /** Handles readiness; runs on the I/O thread. */
    void onReady(SelectionKey key);

    /** Called when {@link #onReady} threw: the connection must close with that failure. */
    void onFailure(Throwable failure);
  }

  private final Object lock = new Object();
  private final Consumer<SelectionKey> ready = QmpReactor::handle;
  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  // Deadlines handed over by other threads, moved into deadlines by the I/O thread.
  private final ConcurrentLinkedQueue<Deadline> newDeadlines = new ConcurrentLinkedQueue<>();
  // When the I/O thread wakes at the latest (System.nanoTime()); published before it selects.
  private volatile long plannedWakeNanos = System.nanoTime();
  // Only the I/O thread touches the deadlines.
  private final PriorityQueue<Deadline> deadlines =
      // nanoTime values are compared by difference: they may wrap.
      new PriorityQueue<>((a, b) -> Long.signum(a.deadlineNanos() - b.deadlineNanos()));

  // Written under lock; volatile so the hot path reads them without it.
  private volatile @Nullable Selector selector;
  private volatile @Nullable Thread thread;
  // Guarded by lock.
  private int liveConnections;
  private SelectorOpener opener = Selector::open;

  /** Opens a selector; replaceable so tests can make it fail. */
  @FunctionalInterface
  interface SelectorOpener {
    Selector open() throws IOException;
  }

  static QmpReactor shared() {
    return SHARED;
  }

  /**
   * Counts one more live connection and starts the I/O thread if it is not running.
   *
   * @throws QmpConnectException if no selector can be opened
   */
  void acquire() {
    synchronized (lock) {
      if (thread == null) {
        try {
          selector = opener.open();
        } catch (IOException | RuntimeException e) {
          throw new QmpConnectException(
              "cannot open a selector for QMP connections: " + e.getMessage(), e);
        }
        Thread started = new Thread(this::run, THREAD_NAME);
        started.setDaemon(true);
        thread = started;
        started.start();
      }
      liveConnections++;
    }
  }

  /** Counts one connection less; when none is left the I/O thread ends. */
  void release() {
    Selector current;
    synchronized (lock) {
      liveConnections--;
      current = selector;
    }
    if (current != null) {
      current.wakeup();
    }
  }

  /**
   * Queues {@code task} for the I/O thread.
   *
   * @return false if the I/O thread is not running (no live connection): the task will not run
   */
  boolean submit(Runnable task) {
    Selector current;
    synchronized (lock) {
      if (thread == null) {
        return false;
      }
      tasks.add(task);
      current = selector;
    }
    if (current != null) {
      current.wakeup();
    }
    return true;
  }

  /** Whether the caller runs on the I/O thread. */
  boolean inIoThread() {
    return Thread.currentThread() == thread;
  }

  /** The selector; call only on the I/O thread. */
  Selector selector() {
    synchronized (lock) {
      if (selector == null) {
        throw new IllegalStateException("the QMP I/O thread is not running");
      }
      return selector;
    }
  }

  /** Schedules {@code deadline}; call only on the I/O thread. */
  void schedule(Deadline deadline) {
    deadlines.add(deadline);
  }

  /**
   * Schedules {@code deadline} from any thread, waking the I/O thread only when it would
   * otherwise sleep past it.
   */
  void scheduleFromAnyThread(Deadline deadline) {
    if (inIoThread()) {
      deadlines.add(deadline);
      return;
    }
    newDeadlines.add(deadline);
    // The I/O thread publishes its wake-up time and then looks at newDeadlines again before it
    // sleeps: either it sees this deadline, or this thread sees the time it will wake at.
    if (deadline.deadlineNanos() - plannedWakeNanos < 0) {
      Selector current = selector;
      if (current != null) {
        current.wakeup();
      }
    }
  }

  /** Unschedules {@code deadline}, which no longer matters; call only on the I/O thread. */
  void cancel(Deadline deadline) {
    deadlines.remove(deadline);
  }

  /** For tests: how many deadlines are scheduled, counted on the I/O thread (0 when none runs). */
  CompletableFuture<Integer> scheduledDeadlines() {
    CompletableFuture<Integer> count = new CompletableFuture<>();
    if (!submit(() -> {
      takeNewDeadlines();
      count.complete(deadlines.size());
    })) {
      count.complete(0);
    }
    return count;
  }

  /** For tests: how the next I/O thread opens its selector. */
  void selectorOpener(SelectorOpener opener) {
    synchronized (lock) {
      this.opener = opener;
    }
  }

  private void run() {
    Selector own = selector();
    // One pass a method of its own: the JIT compiles a method called often, while a loop that
    // never returns would stay interpreted until on-stack replacement, which a thread waking a
    // few hundred times a second may not reach for minutes.
    while (pass(own)) {
      // until the last connection is gone
    }
  }

  /**
   * Runs the handed-over tasks, expires the due deadlines, sleeps until a channel is ready or the
   * next deadline, and handles the ready channels.
   *
   * @return false once the last connection is gone and the thread must end
   */
  private boolean pass(Selector own) {
    Runnable task;
    while ((task = tasks.poll()) != null) {
      try {
        task.run();
      } catch (RuntimeException | Error bug) {
        LOG.log(Level.ERROR, "QMP I/O task failed", bug);
      }
    }
    takeNewDeadlines();
    long now = System.nanoTime();
    while (!deadlines.isEmpty() && deadlines.peek().deadlineNanos() - now <= 0) {
      Deadline due = deadlines.poll();
      try {
        due.expire();
      } catch (RuntimeException | Error bug) {
        LOG.log(Level.ERROR, "QMP timeout handling failed", bug);
      }
    }
    synchronized (lock) {
      if (liveConnections == 0 && tasks.isEmpty()) {
        thread = null;
        selector = null;
        deadlines.clear();
        newDeadlines.clear();
        closeQuietly(own);
        return false;
      }
    }
    now = System.nanoTime();
    long wakeAt = now + MAX_SLEEP_NANOS;
    if (!deadlines.isEmpty() && deadlines.peek().deadlineNanos() - wakeAt < 0) {
      wakeAt = deadlines.peek().deadlineNanos();
    }
    plannedWakeNanos = wakeAt;
    if (!newDeadlines.isEmpty() || !tasks.isEmpty()) {
      return true; // handed over while the wake-up time was being published
    }
    try {
      long waitMillis = Math.max(1, (wakeAt - now + 999_999) / 1_000_000);
      // Each ready key handed straight to its handler: no selected-key set to fill and clear.
      own.select(ready, waitMillis);
    } catch (IOException | RuntimeException selectFailed) {
      LOG.log(Level.ERROR, "QMP selector failed", selectFailed);
    }
    return true;
  }

  private static void handle(SelectionKey key) {
    Handler handler = (Handler) key.attachment();
    try {
      if (key.isValid()) {
        handler.onReady(key);
      }
    } catch (RuntimeException | Error failure) {
      handler.onFailure(failure);
    }
  }

  /** Moves the deadlines other threads handed over into the queue, dropping settled ones. */
  private void takeNewDeadlines() {
    Deadline handed;
    while ((handed = newDeadlines.poll()) != null) {
      if (!handed.settled()) {
        deadlines.add(handed);
      }
    }
  }

  private static void closeQuietly(Selector selector) {
    try {
      selector.close();
    } catch (IOException ignored) {
      // Nothing is registered any more; a failing close leaks nothing we could free.
    }
  }
}
