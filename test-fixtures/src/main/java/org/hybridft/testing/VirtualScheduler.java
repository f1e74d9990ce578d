package org.hybridft.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * A {@link ScheduledExecutorService} on a virtual clock, and that clock: nothing runs until the
 * test calls {@link #advance(long)}, which runs every task that falls due, in due order, on the
 * caller's thread, at its virtual due time. A test of an hour of control runs in milliseconds and
 * replays exactly.
 *
 * <pre>{@code
 * VirtualScheduler scheduler = new VirtualScheduler();
 * ControlLoop loop = ControlLoop.builder(controller, counter, actuator, scheduler)
 *     .clock(scheduler)                 // the loop reads the virtual time
 *     .build();
 * loop.start();
 * scheduler.advance(Duration.ofMinutes(10)); // 600 ticks of a 1 s loop, now
 * loop.close();
 * assertThat(scheduler.pendingTasks()).isZero(); // close() left nothing scheduled
 * }</pre>
 *
 * <p>Semantics, where a real scheduler leaves a choice:
 *
 * <ul>
 *   <li>Tasks take no virtual time, so fixed-rate and fixed-delay scheduling are the same. Tasks
 *       due at the same instant run in the order they were scheduled (a periodic task is
 *       re-queued behind the tasks already due with it).
 *   <li>A task that throws stops {@link #advance}: the failure is rethrown wrapped in an {@link
 *       IllegalStateException}, and the task is not run again (a periodic task that throws is
 *       cancelled, as by the JDK's schedulers), so a test never misses a failing task.
 *   <li>{@link ScheduledFuture#get()} never blocks: it returns the result of a task that ran and
 *       throws {@link IllegalStateException} for one that has not (advance the time instead).
 *   <li>{@link #shutdown()} refuses new tasks; tasks already queued still run when time advances.
 *       {@link #shutdownNow()} drops them.
 * </ul>
 *
 * <p>Not thread-safe: one thread schedules and advances, as a single-threaded test does. Advancing
 * allocates nothing once the tasks are scheduled, so benchmarks can drive a tick through it.
 */
public final class VirtualScheduler extends AbstractExecutorService
    implements ScheduledExecutorService, LongSupplier {

  private final PriorityQueue<Task<?>> queue =
      new PriorityQueue<>(
          (a, b) -> {
            int byTime = Long.compare(a.dueNanos, b.dueNanos);
            return byTime != 0 ? byTime : Long.compare(a.order, b.order);
          });
  private long nowNanos;
  private long sequence;
  private boolean shutdown;

  /** A scheduler whose virtual clock starts at 0. */
  public VirtualScheduler() {
    this(0);
  }

  /**
   * A scheduler whose virtual clock starts at {@code startNanos} (a large value catches code that
   * mistakes a {@code nanoTime}-style clock for a duration).
   */
  public VirtualScheduler(long startNanos) {
    this.nowNanos = startNanos;
  }

  /** The virtual time, in nanoseconds: pass the scheduler as a loop's clock. */
  @Override
  public long getAsLong() {
    return nowNanos;
  }

  /**
   * Runs every task due within the next {@code nanos}, in due order, each with the clock set to
   * its due time, then sets the clock to the end of the interval. {@code advance(0)} runs the
   * tasks due now.
   *
   * @param nanos how far to move the clock, {@code >= 0}
   * @throws IllegalArgumentException if {@code nanos} is negative
   * @throws IllegalStateException if a task threw (the clock stays at that task's due time)
   */
  public void advance(long nanos) {
    if (nanos < 0) {
      throw new IllegalArgumentException("nanos must be >= 0 (time only moves forward), was " + nanos);
    }
    long target = nowNanos + nanos;
    Task<?> next;
    while ((next = queue.peek()) != null && next.dueNanos <= target) {
      queue.poll();
      if (next.isCancelled()) {
        continue;
      }
      nowNanos = next.dueNanos;
      next.runOnce();
      if (next.periodNanos > 0 && !next.isCancelled()) {
        next.dueNanos += next.periodNanos;
        next.order = sequence++;
        queue.add(next);
      }
    }
    nowNanos = target;
  }

  /**
   * {@link #advance(long)} by a duration.
   *
   * @param duration how far to move the clock, not negative
   */
  public void advance(Duration duration) {
    advance(Objects.requireNonNull(duration, "duration").toNanos());
  }

  /** The tasks queued and not cancelled: 0 after a loop's {@code close()}. */
  public int pendingTasks() {
    int pending = 0;
    for (Task<?> task : queue) {
      if (!task.isCancelled()) {
        pending++;
      }
    }
    return pending;
  }

  private <V> Task<V> enqueue(Callable<V> work, long delayNanos, long periodNanos) {
    Objects.requireNonNull(work, "task");
    if (shutdown) {
      throw new RejectedExecutionException("the virtual scheduler is shut down");
    }
    Task<V> task = new Task<>(work, nowNanos + Math.max(0, delayNanos), periodNanos, sequence++);
    queue.add(task);
    return task;
  }

  private static long period(long period, TimeUnit unit) {
    if (period <= 0) {
      throw new IllegalArgumentException("period must be > 0, was " + period + " " + unit);
    }
    return unit.toNanos(period);
  }

  @Override
  public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    return enqueue(Executors.callable(Objects.requireNonNull(command, "command")), unit.toNanos(delay), 0);
  }

  @Override
  public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
    return enqueue(callable, unit.toNanos(delay), 0);
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(
      Runnable command, long initialDelay, long period, TimeUnit unit) {
    long periodNanos = period(period, unit);
    return enqueue(
        Executors.callable(Objects.requireNonNull(command, "command")),
        unit.toNanos(initialDelay),
        periodNanos);
  }

  /** The same as {@link #scheduleAtFixedRate}: tasks take no virtual time. */
  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(
      Runnable command, long initialDelay, long delay, TimeUnit unit) {
    return scheduleAtFixedRate(command, initialDelay, delay, unit);
  }

  /** Queues the command to run now, that is at the next {@link #advance}. */
  @Override
  public void execute(Runnable command) {
    schedule(command, 0, TimeUnit.NANOSECONDS);
  }

  @Override
  public void shutdown() {
    shutdown = true;
  }

  @Override
  public List<Runnable> shutdownNow() {
    shutdown = true;
    queue.clear();
    return new ArrayList<>();
  }

  @Override
  public boolean isShutdown() {
    return shutdown;
  }

  /** Whether the scheduler is shut down and no task is pending. */
  @Override
  public boolean isTerminated() {
    return shutdown && pendingTasks() == 0;
  }

  /** Never waits: time moves only through {@link #advance}. */
  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    return isTerminated();
  }

  private final class Task<V> implements ScheduledFuture<V> {
    private final Callable<V> work;
    private final long periodNanos;
    private long dueNanos;
    private long order;
    private boolean cancelled;
    private boolean done;
    private @Nullable V result;
    private @Nullable Exception failure;

    Task(Callable<V> work, long dueNanos, long periodNanos, long order) {
      this.work = work;
      this.dueNanos = dueNanos;
      this.periodNanos = periodNanos;
      this.order = order;
    }

    void runOnce() {
      try {
        V value = work.call();
        if (periodNanos == 0) {
          result = value;
          done = true;
        }
      } catch (Exception e) {
        failure = e;
        done = true;
        throw new IllegalStateException("a task scheduled at " + dueNanos + " ns failed: " + e, e);
      }
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(dueNanos - nowNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public int compareTo(Delayed other) {
      return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      boolean wasActive = !cancelled && !done;
      if (wasActive) {
        cancelled = true;
      }
      return wasActive;
    }

    @Override
    public boolean isCancelled() {
      return cancelled;
    }

    @Override
    public boolean isDone() {
      return done || cancelled;
    }

    @Override
    public @Nullable V get() throws ExecutionException {
      if (cancelled) {
        throw new CancellationException("the task was cancelled");
      }
      Exception failed = failure;
      if (failed != null) {
        throw new ExecutionException(failed);
      }
      if (!done) {
        throw new IllegalStateException(
            "the task has not run: it is due in " + getDelay(TimeUnit.NANOSECONDS)
                + " ns of virtual time; advance the scheduler instead of waiting");
      }
      return result;
    }

    @Override
    public @Nullable V get(long timeout, TimeUnit unit) throws ExecutionException {
      return get();
    }
  }
}
