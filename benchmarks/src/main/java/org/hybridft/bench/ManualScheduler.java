package org.hybridft.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A {@link ScheduledExecutorService} that runs nothing by itself: it keeps the periodic task a
 * {@code ControlLoop} schedules so that a benchmark can run one tick directly with {@link
 * #runPeriodic()}, without a thread hand-off or a timer in the measurement. The loop's tick is
 * private; this is the only way in from outside the core package.
 *
 * <p>One-shot tasks (the loop's actuator retries) are refused: a benchmark that causes one has
 * left the path it claims to measure.
 */
final class ManualScheduler extends AbstractExecutorService implements ScheduledExecutorService {
  private @Nullable Runnable periodic;
  private boolean shutdown;

  /** Runs the captured periodic task once, on the caller's thread. */
  void runPeriodic() {
    Runnable task = periodic;
    if (task == null) {
      throw new IllegalStateException("nothing was scheduled at a fixed rate");
    }
    task.run();
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(
      Runnable command, long initialDelay, long period, TimeUnit unit) {
    if (periodic != null) {
      throw new IllegalStateException("this scheduler serves one periodic task");
    }
    periodic = command;
    return new Captured();
  }

  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(
      Runnable command, long initialDelay, long delay, TimeUnit unit) {
    return scheduleAtFixedRate(command, initialDelay, delay, unit);
  }

  @Override
  public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    throw new UnsupportedOperationException("one-shot task scheduled: the actuator failed");
  }

  @Override
  public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
    throw new UnsupportedOperationException("one-shot task scheduled");
  }

  @Override
  public void execute(Runnable command) {
    throw new UnsupportedOperationException("immediate task submitted");
  }

  @Override
  public void shutdown() {
    shutdown = true;
    periodic = null;
  }

  @Override
  public List<Runnable> shutdownNow() {
    shutdown();
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

  /** The handle the loop keeps to cancel its tick: cancelling forgets the task. */
  private final class Captured implements ScheduledFuture<Object> {
    private boolean cancelled;

    @Override
    public long getDelay(TimeUnit unit) {
      return 0;
    }

    @Override
    public int compareTo(Delayed other) {
      return Long.compare(0, other.getDelay(TimeUnit.NANOSECONDS));
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      cancelled = true;
      periodic = null;
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
