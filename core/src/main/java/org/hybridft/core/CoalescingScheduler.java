package org.hybridft.core;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * A {@link ScheduledExecutorService} for thousands of {@link ControlLoop}s: fixed-rate tasks of
 * the same period whose due instants fall into the same slot of the period run together, one
 * after the other, from one task of the underlying scheduler.
 *
 * <p>Why: with one scheduler task per loop, every tick of every VM costs the underlying {@code
 * ScheduledThreadPoolExecutor} a queue removal and re-insertion under its lock and a thread
 * wake-up, and that, not the tick itself (tens of nanoseconds), is what 10,000 loops pay for:
 * about a fifth of a core at a 1 s period on a 2-core machine. Grouping pays it once per slot.
 *
 * <p>Timing: a task's first run is rounded up to the next slot boundary of its period (a last,
 * partial slot to the start of the next period), so a tick is never early and at most one slot
 * late, plus the underlying scheduler's own lateness. A 5 ms
 * slot at a 1 s period gives at most 200 underlying tasks whatever the number of loops.
 *
 * <p>Everything else ({@code schedule}, {@code scheduleWithFixedDelay}, {@code execute}: a loop's
 * retries, for instance) goes straight to the underlying scheduler, and so do shutdown and
 * termination. A coalesced task that throws does not stop the others in its group; unlike the
 * JDK's schedulers, it keeps running at its next period. Cancelling a coalesced task removes it
 * from its group; a group left empty is cancelled. Of concurrent cancels of one task exactly one
 * returns {@code true}, and a cancel never touches a newer group that took the same slot.
 */
public final class CoalescingScheduler extends AbstractExecutorService
    implements ScheduledExecutorService {

  private final ScheduledExecutorService delegate;
  private final long slotNanos;
  private final Object groupsLock = new Object();
  private final Map<GroupKey, Group> groups = new HashMap<>();

  private record GroupKey(long periodNanos, long slot) {}

  /**
   * @param delegate the scheduler that runs the groups and everything not coalesced
   * @param slot the width of a slot, {@code > 0}: the most a tick may be delayed to share a run
   */
  public CoalescingScheduler(ScheduledExecutorService delegate, Duration slot) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.slotNanos = ParameterCheck.positive("slot", slot).toNanos();
  }

  /** The number of underlying periodic tasks that run the coalesced ones. */
  public int groupCount() {
    synchronized (groupsLock) {
      return groups.size();
    }
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(
      Runnable command, long initialDelay, long period, TimeUnit unit) {
    Objects.requireNonNull(command, "command");
    long periodNanos = unit.toNanos(period);
    if (periodNanos <= 0) {
      throw new IllegalArgumentException("period must be > 0, was " + period + " " + unit);
    }
    long due = System.nanoTime() + Math.max(0, unit.toNanos(initialDelay));
    long phase = Math.floorMod(due, periodNanos);
    long slot = (phase + slotNanos - 1) / slotNanos;
    // Round up to the slot's start; a last, partial slot rounds to the next period's start, so
    // every member of a group has exactly the group's phase and no run is ever early.
    long offset = Math.min(slot * slotNanos, periodNanos);
    long firstRunNanos = due + (offset - phase);
    GroupKey key = new GroupKey(periodNanos, offset == periodNanos ? 0 : slot);
    Member member = new Member(command, firstRunNanos, periodNanos);
    synchronized (groupsLock) {
      Group group = groups.get(key);
      if (group == null) {
        group = new Group(key);
        // Scheduled before it is registered: a rejected group never strands later members.
        group.future =
            delegate.scheduleAtFixedRate(
                group, firstRunNanos - System.nanoTime(), periodNanos, TimeUnit.NANOSECONDS);
        groups.put(key, group);
      }
      member.group = group;
      group.members.add(member);
    }
    // The group may already have passed this period's instant: the first run is also a one-shot,
    // and whichever comes first runs the task (runIfDue claims each run exactly once).
    delegate.schedule(member::runIfDue, firstRunNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
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

  private void leave(Member member) {
    synchronized (groupsLock) {
      Group group = member.group;
      if (group == null) {
        return;
      }
      if (!group.members.remove(member)) {
        return;
      }
      // The key may by now name a newer group of the same slot: remove only this one.
      if (group.members.isEmpty() && groups.remove(group.key, group)) {
        ScheduledFuture<?> future = group.future;
        if (future != null) {
          future.cancel(false);
        }
      }
    }
  }

  /** The tasks sharing one slot of one period, run by one underlying periodic task. */
  private static final class Group implements Runnable {
    final GroupKey key;
    final CopyOnWriteArrayList<Member> members = new CopyOnWriteArrayList<>();
    @Nullable ScheduledFuture<?> future;

    Group(GroupKey key) {
      this.key = key;
    }

    @Override
    public void run() {
      for (Member member : members) {
        member.runIfDue();
      }
    }
  }

  /** One coalesced task and its future. */
  private final class Member implements ScheduledFuture<Object> {
    final Runnable task;
    final long periodNanos;
    // The next run's due instant; claimed by compare-and-set so that no run happens twice.
    final AtomicLong nextRunNanos;
    final CountDownLatch cancelled = new CountDownLatch(1);
    // Claimed by compare-and-set, so that of concurrent cancels exactly one succeeds and leaves.
    final AtomicBoolean cancelClaimed = new AtomicBoolean();
    @Nullable Group group;

    Member(Runnable task, long firstRunNanos, long periodNanos) {
      this.task = task;
      this.periodNanos = periodNanos;
      this.nextRunNanos = new AtomicLong(firstRunNanos);
    }

    /** Runs the task if its next run is due, once per period. */
    void runIfDue() {
      if (isCancelled()) {
        return;
      }
      long due = nextRunNanos.get();
      if (System.nanoTime() - due < 0 || !nextRunNanos.compareAndSet(due, due + periodNanos)) {
        return;
      }
      try {
        task.run();
      } catch (RuntimeException | Error ignored) {
        // One task's failure must not stop the other tasks of its group.
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
      if (!cancelClaimed.compareAndSet(false, true)) {
        return false;
      }
      cancelled.countDown();
      leave(this);
      return true;
    }

    @Override
    public boolean isCancelled() {
      return cancelled.getCount() == 0;
    }

    @Override
    public boolean isDone() {
      return isCancelled();
    }

    /** Waits until the task is cancelled, as for any periodic task, then throws. */
    @Override
    public Object get() throws InterruptedException {
      cancelled.await();
      throw new CancellationException("periodic task cancelled");
    }

    @Override
    public Object get(long timeout, TimeUnit unit) throws InterruptedException, TimeoutException {
      if (!cancelled.await(timeout, unit)) {
        throw new TimeoutException("a periodic task completes only when cancelled");
      }
      throw new CancellationException("periodic task cancelled");
    }
  }
}
