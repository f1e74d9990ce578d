package org.hybridft.bench;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * An experiment of the scale harness, not a product: a {@link ScheduledExecutorService} that
 * coalesces fixed-rate tasks of the same period whose due instants fall into the same slot of the
 * period (of {@code slot} length) into one task of the underlying scheduler, which runs the
 * group's tasks one after the other.
 *
 * <p>Why: with one scheduler task per control loop, every tick of every VM costs the
 * {@code ScheduledThreadPoolExecutor} a queue removal and re-insertion under its lock and,
 * with two threads, a hand-off between them (the leader/follower wake-up of its delay queue);
 * that, not the tick itself, is what thousands of loops pay for. Grouping pays it once per slot.
 * A task's first run is rounded up to its slot's boundary, so a tick is at most one slot late
 * by construction and never early.
 *
 * <p>One-shot tasks (a loop's actuator retries) go straight to the underlying scheduler.
 */
final class TickCoalescingScheduler extends AbstractExecutorService
    implements ScheduledExecutorService {
  private final ScheduledExecutorService delegate;
  private final long slotNanos;
  private final ConcurrentHashMap<GroupKey, Group> groups = new ConcurrentHashMap<>();

  private record GroupKey(long periodNanos, long slot) {}

  TickCoalescingScheduler(ScheduledExecutorService delegate, long slotNanos) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    if (slotNanos <= 0) {
      throw new IllegalArgumentException("slotNanos must be > 0, was " + slotNanos);
    }
    this.slotNanos = slotNanos;
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(
      Runnable command, long initialDelay, long period, TimeUnit unit) {
    long periodNanos = unit.toNanos(period);
    long now = System.nanoTime();
    long due = now + Math.max(0, unit.toNanos(initialDelay));
    long slots = Math.max(1, periodNanos / slotNanos);
    // Round the due instant up to the next slot boundary of the period: late by < one slot.
    long phase = Math.floorMod(due, periodNanos);
    long slot = (phase + slotNanos - 1) / slotNanos;
    long firstRun = due + (slot * slotNanos - phase);
    slot %= slots;
    Member member = new Member(command, firstRun, periodNanos, slotNanos);
    Group group =
        groups.computeIfAbsent(
            new GroupKey(periodNanos, slot), key -> new Group(key, firstRun, periodNanos));
    member.group = group;
    group.members.add(member);
    // The group may already have run its instant of this period: the first run is a one-shot,
    // and whichever of it and the group comes first runs the task (see Member#runIfDue).
    delegate.schedule(member::runIfDue, firstRun - System.nanoTime(), TimeUnit.NANOSECONDS);
    return member;
  }

  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(
      Runnable command, long initialDelay, long delay, TimeUnit unit) {
    return delegate.scheduleWithFixedDelay(command, initialDelay, delay, unit);
  }

  @Override
  public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    return delegate.schedule(command, delay, unit);
  }

  @Override
  public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
    return delegate.schedule(callable, delay, unit);
  }

  @Override
  public void execute(Runnable command) {
    delegate.execute(command);
  }

  @Override
  public void shutdown() {
    delegate.shutdown();
  }

  @Override
  public List<Runnable> shutdownNow() {
    return delegate.shutdownNow();
  }

  @Override
  public boolean isShutdown() {
    return delegate.isShutdown();
  }

  @Override
  public boolean isTerminated() {
    return delegate.isTerminated();
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    return delegate.awaitTermination(timeout, unit);
  }

  /** The tasks sharing one slot of one period, run by one task of the underlying scheduler. */
  private final class Group implements Runnable {
    final CopyOnWriteArrayList<Member> members = new CopyOnWriteArrayList<>();

    Group(GroupKey key, long firstRun, long periodNanos) {
      delegate.scheduleAtFixedRate(
          this, firstRun - System.nanoTime(), periodNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void run() {
      for (Member member : members) {
        member.runIfDue();
      }
    }
  }

  /** One coalesced task; cancelling removes it from its group. */
  private static final class Member implements ScheduledFuture<Object> {
    final Runnable task;
    final long periodNanos;
    final long slotNanos;
    // The next run's due instant; claimed by compare-and-set so a run is never doubled.
    final AtomicLong nextRunNanos;
    volatile boolean cancelled;
    @Nullable Group group;

    Member(Runnable task, long firstRunNanos, long periodNanos, long slotNanos) {
      this.task = task;
      this.periodNanos = periodNanos;
      this.slotNanos = slotNanos;
      this.nextRunNanos = new AtomicLong(firstRunNanos);
    }

    /** Runs the task if its next run is due (within a slot), once per period. */
    void runIfDue() {
      if (cancelled) {
        return;
      }
      long due = nextRunNanos.get();
      if (System.nanoTime() - (due - slotNanos) < 0
          || !nextRunNanos.compareAndSet(due, due + periodNanos)) {
        return;
      }
      try {
        task.run();
      } catch (RuntimeException ignored) {
        // One task's failure must not stop the group's other tasks.
      }
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(nextRunNanos.get() - System.nanoTime(), TimeUnit.NANOSECONDS);
    }

    @Override
    public int compareTo(Delayed other) {
      return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      cancelled = true;
      Group owner = group;
      if (owner != null) {
        owner.members.remove(this);
      }
      return true;
    }

    @Override
    public boolean isCancelled() {
      return cancelled;
    }

    @Override
    public boolean isDone() {
      return cancelled;
    }

    @Override
    public @Nullable Object get() {
      return null;
    }

    @Override
    public @Nullable Object get(long timeout, TimeUnit unit) {
      return null;
    }
  }
}
