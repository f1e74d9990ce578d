package org.hybridft.micrometer;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A single-threaded scheduler on a virtual clock: tasks run on the caller's thread inside
 * {@link #advance(long)}, at their virtual due time, so loop tests replay exactly and instantly.
 */
final class VirtualScheduler extends AbstractExecutorService
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

  VirtualScheduler(long startNanos) {
    this.nowNanos = startNanos;
  }

  @Override
  public long getAsLong() {
    return nowNanos;
  }

  /** Runs every task due within the next {@code nanos}, in due order, then sets the clock. */
  void advance(long nanos) {
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

  /** Tasks queued and not cancelled. */
  int pendingTasks() {
    return (int) queue.stream().filter(task -> !task.isCancelled()).count();
  }

  private <V> Task<V> enqueue(Callable<V> work, long delayNanos, long periodNanos) {
    if (shutdown) {
      throw new java.util.concurrent.RejectedExecutionException("shut down");
    }
    Task<V> task = new Task<>(work, nowNanos + Math.max(0, delayNanos), periodNanos, sequence++);
    queue.add(task);
    return task;
  }

  @Override
  public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    return enqueue(Executors.callable(command), unit.toNanos(delay), 0);
  }

  @Override
  public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
    return enqueue(callable, unit.toNanos(delay), 0);
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(
      Runnable command, long initialDelay, long period, TimeUnit unit) {
    return enqueue(Executors.callable(command), unit.toNanos(initialDelay), unit.toNanos(period));
  }

  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(
      Runnable command, long initialDelay, long delay, TimeUnit unit) {
    return scheduleAtFixedRate(command, initialDelay, delay, unit);
  }

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

  @Override
  public boolean isTerminated() {
    return shutdown;
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    return shutdown;
  }

  private final class Task<V> implements ScheduledFuture<V> {
    private final Callable<V> work;
    private final long periodNanos;
    private long dueNanos;
    private long order;
    private boolean cancelled;
    private boolean done;

    Task(Callable<V> work, long dueNanos, long periodNanos, long order) {
      this.work = work;
      this.dueNanos = dueNanos;
      this.periodNanos = periodNanos;
      this.order = order;
    }

    void runOnce() {
      try {
        work.call();
      } catch (Exception e) {
        // A periodic task that throws is cancelled, as in ScheduledThreadPoolExecutor.
        cancelled = true;
        throw new IllegalStateException("scheduled task failed", e);
      }
      if (periodNanos == 0) {
        done = true;
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
      cancelled = true;
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
    public V get() {
      throw new UnsupportedOperationException("virtual tasks are not awaited");
    }

    @Override
    public V get(long timeout, TimeUnit unit) {
      throw new UnsupportedOperationException("virtual tasks are not awaited");
    }
  }
}
