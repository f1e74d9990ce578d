package org.hybridft.core;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * How a {@link ControlLoop} applies modes: one attempt at a time through the {@link ModeActuator},
 * on the caller's thread or on an actuation executor, each with the checkpoint period handed over
 * with its mode; failed attempts at the controller's mode are retried after an exponential backoff
 * ({@code retryBackoff}, doubled per attempt, saturating at {@code maxRetryBackoff}); after {@code
 * attempts} failures it gives up, and the owner enters its fail-safe.
 *
 * <p>What became of an attempt is one {@link Outcome}, handed back once: returned by the call that
 * made the attempt on the caller's thread, else passed to {@link Owner#onOutcome(Outcome)} when
 * the attempt on the executor completes. When a retry's backoff has passed, the owner hears {@link
 * #RETRY_DUE} and decides what to apply. The actuation decides nothing: which mode, and when, is
 * the owner's call.
 *
 * <p>Not thread-safe on its own: it shares its owner's lock. Every method is called with that lock
 * held; the retry task and the task handed to the actuation executor take it themselves, hand
 * their outcome over under it, and call {@link Owner#lockReleased()} once they have left it.
 */
final class Actuation {

  /** The loop that owns this actuation. */
  interface Owner {
    /** Whether the loop has stopped for good: no port call may start, no outcome is handed back. */
    boolean stopped();

    /** The outcome of an attempt made on the executor, or {@link #RETRY_DUE}; under the lock. */
    void onOutcome(Outcome outcome);

    /** A task of this actuation has left the lock: the owner may deliver its events. */
    void lockReleased();
  }

  /** What became of an attempt to apply a mode; or that a retry is due. */
  sealed interface Outcome permits Applied, Failed, Ended, RetryDue {}

  /**
   * The actuator applied {@code mode} in {@code durationNanos}.
   *
   * @param checkpointsPerSecond the rate measured when the attempt was asked for
   */
  record Applied(Mode mode, boolean failSafe, long durationNanos, long atNanos,
      double checkpointsPerSecond) implements Outcome {}

  /**
   * An attempt failed: the actuator threw ({@code attempted}), or the attempt never started.
   *
   * @param attempt the failed attempts at this mode so far (0 for the fail-safe mode)
   * @param kind {@link ControlLoopError.Kind#ACTUATOR_FAILED} (retried after a backoff), {@link
   *     ControlLoopError.Kind#ACTUATOR_GAVE_UP} (the attempts are used up: fail-safe) or {@link
   *     ControlLoopError.Kind#FAIL_SAFE_FAILED} (tried again at the next tick)
   * @param message the error's message
   * @param retryRefused the scheduler's refusal of the retry task, if it refused it
   */
  record Failed(Mode mode, boolean failSafe, boolean attempted, Throwable failure, int attempt,
      ControlLoopError.Kind kind, String message, long durationNanos, long atNanos,
      double checkpointsPerSecond, @Nullable RejectedExecutionException retryRefused)
      implements Outcome {}

  /** The actuator (or, oddly, the executor) said the replication ended. */
  record Ended(Mode mode, boolean attempted, String reason, long durationNanos, long atNanos)
      implements Outcome {}

  /** A retry's backoff has passed and no attempt is in flight: apply the controller's mode again. */
  record RetryDue() implements Outcome {}

  /** The one {@link RetryDue}. */
  static final RetryDue RETRY_DUE = new RetryDue();

  private final ModeActuator actuator;
  private final ScheduledExecutorService scheduler;
  private final LongSupplier clock;
  private final @Nullable Executor executor;
  private final int attempts;
  private final long retryBackoffNanos;
  private final long maxRetryBackoffNanos;
  private final long startTimeoutNanos;
  private final Mode failSafeMode;
  private final Object lock;
  private final Owner owner;
  private final Runnable retry = this::retry;

  // Guarded by lock.
  private @Nullable ScheduledFuture<?> retryTask;
  private int failedAttempts;
  // The attempt handed to the executor, if any; a new sequence number abandons it.
  private boolean inFlight;
  private boolean started;
  private long sequence;
  private long queuedNanos;
  private Mode queuedMode = Mode.COLO;
  private boolean queuedFailSafe;
  private double queuedCps;

  Actuation(Settings settings, Object lock, Owner owner) {
    this.actuator = settings.actuator;
    this.scheduler = settings.scheduler;
    this.clock = settings.clock;
    this.executor = settings.executor;
    this.attempts = settings.attempts;
    this.retryBackoffNanos = settings.retryBackoffNanos;
    this.maxRetryBackoffNanos = settings.maxRetryBackoffNanos;
    this.startTimeoutNanos = settings.startTimeoutNanos;
    this.failSafeMode = settings.failSafeMode;
    this.lock = lock;
    this.owner = owner;
  }

  /** The configuration of an {@link Actuation}; plain fields, validated by the loop's builder. */
  static final class Settings {
    ModeActuator actuator;
    ScheduledExecutorService scheduler;
    LongSupplier clock = System::nanoTime;
    @Nullable Executor executor;
    int attempts = 4;
    long retryBackoffNanos = 100_000_000L;
    long maxRetryBackoffNanos = 2_000_000_000L;
    long startTimeoutNanos = 10_000_000_000L;
    Mode failSafeMode = Mode.CHECKPOINT;

    Settings(ModeActuator actuator, ScheduledExecutorService scheduler) {
      this.actuator = actuator;
      this.scheduler = scheduler;
    }
  }

  /** Whether an attempt or a retry is pending: the controller's new wishes wait for it. */
  boolean busy() {
    return inFlight || retryTask != null;
  }

  /**
   * Applies the controller's {@code mode} with its checkpoint period.
   *
   * @return the outcome, if the attempt ran on this thread; null if it was handed to the executor
   *     (its outcome goes to {@link Owner#onOutcome}) or the loop has stopped
   */
  @Nullable Outcome apply(Mode mode, long checkpointPeriodNanos, long now, double cps) {
    return start(mode, checkpointPeriodNanos, false, now, cps);
  }

  /**
   * Applies the fail-safe {@code mode} with the fail-safe checkpoint period, unless an attempt is
   * in flight; a failure is not retried (the owner tries again at its next tick).
   *
   * @return as {@link #apply}
   */
  @Nullable Outcome applyFailSafe(Mode mode, long checkpointPeriodNanos, long now, double cps) {
    return inFlight ? null : start(mode, checkpointPeriodNanos, true, now, cps);
  }

  /** The loop entered its fail-safe: a pending retry of the controller's mode is moot. */
  void cancelRetry() {
    if (retryTask != null) {
      retryTask.cancel(false);
      retryTask = null;
    }
  }

  /** The controller's mode holds (or control resumes): its next mode gets all its attempts. */
  void resetAttempts() {
    failedAttempts = 0;
  }

  /** The loop stopped: no retry, and a queued attempt that has not started never will. */
  void stop() {
    cancelRetry();
    abandon();
  }

  /**
   * An attempt the executor has not started by its deadline counts as a failed attempt.
   *
   * @return its outcome, null if none expired
   */
  @Nullable Outcome expireUnstarted(long now) {
    if (inFlight && !started && now - queuedNanos >= startTimeoutNanos) {
      abandon();
      return settle(queuedMode, queuedFailSafe, false, new TimeoutException(
          "the actuation executor did not start the actuation within "
              + startTimeoutNanos / 1_000_000 + " ms (dropped, or queued too long)"),
          0, now, queuedCps);
    }
    return null;
  }

  private @Nullable Outcome start(Mode mode, long checkpointPeriod, boolean failSafe, long now,
      double cps) {
    if (owner.stopped()) {
      return null;
    }
    Executor runner = executor;
    if (runner == null) {
      long begun = clock.getAsLong();
      Throwable failure = attempt(mode, checkpointPeriod);
      return settle(mode, failSafe, true, failure, clock.getAsLong() - begun, now, cps);
    }
    long number = ++sequence;
    inFlight = true;
    started = false;
    queuedNanos = now;
    queuedMode = mode;
    queuedFailSafe = failSafe;
    queuedCps = cps;
    try {
      runner.execute(() -> runQueued(number, mode, failSafe, checkpointPeriod, cps));
    } catch (RuntimeException | Error notQueued) {
      // Refused (RejectedExecutionException) or broken: either way this attempt failed. Unless
      // the executor ran it inline before failing, in which case its outcome is already handled.
      if (inFlight && sequence == number && !started) {
        inFlight = false;
        return settle(mode, failSafe, false, notQueued, 0, now, cps);
      }
    }
    return null;
  }

  /** The task handed to the actuation executor. */
  private void runQueued(long number, Mode mode, boolean failSafe, long checkpointPeriod, double cps) {
    synchronized (lock) {
      if (!inFlight || sequence != number || owner.stopped()) {
        return; // abandoned (it started after its deadline) or the loop stopped: no port call
      }
      started = true;
    }
    long begun = clock.getAsLong();
    Throwable failure = attempt(mode, checkpointPeriod);
    long finished = clock.getAsLong();
    synchronized (lock) {
      if (sequence != number) {
        return;
      }
      inFlight = false;
      Outcome outcome = settle(mode, failSafe, true, failure, finished - begun, finished, cps);
      if (outcome == null) {
        return; // the loop stopped while the actuator worked: its outcome is ignored
      }
      owner.onOutcome(outcome);
    }
    owner.lockReleased();
  }

  private void abandon() {
    if (inFlight && !started) {
      sequence++;
      inFlight = false;
    }
  }

  /** Calls the actuator; returns its failure, null on success. */
  private @Nullable Throwable attempt(Mode mode, long checkpointPeriodNanos) {
    try {
      actuator.apply(mode, checkpointPeriodNanos);
      return null;
    } catch (RuntimeException | Error failure) {
      // An Error too: the attempt failed, and the loop must go on retrying or fall back.
      return failure;
    }
  }

  /**
   * Counts the attempt and schedules its retry if it failed; returns its outcome, null once the
   * loop has stopped (an outcome after the loop stopped is ignored).
   */
  private @Nullable Outcome settle(Mode mode, boolean failSafe, boolean attempted,
      @Nullable Throwable failure, long durationNanos, long now, double cps) {
    if (owner.stopped()) {
      return null;
    }
    if (failure instanceof ReplicationEndedException ended) {
      return new Ended(mode, attempted, ended.reason(), durationNanos, now);
    }
    if (failure == null) {
      if (!failSafe) {
        failedAttempts = 0;
      }
      return new Applied(mode, failSafe, durationNanos, now, cps);
    }
    if (failSafe) {
      return new Failed(mode, true, attempted, failure, 0, ControlLoopError.Kind.FAIL_SAFE_FAILED,
          "applying the fail-safe mode " + mode + " failed; trying again next period",
          durationNanos, now, cps, null);
    }
    failedAttempts++;
    if (failedAttempts >= attempts) {
      return new Failed(mode, false, attempted, failure, failedAttempts,
          ControlLoopError.Kind.ACTUATOR_GAVE_UP, "applying " + mode + " failed " + failedAttempts
              + " times; entering fail-safe " + failSafeMode,
          durationNanos, now, cps, null);
    }
    long backoff = backoffNanos(failedAttempts);
    String problem = failure instanceof TimeoutException ? failure.getMessage() : "failed";
    String message = "applying " + mode + " " + problem + " (attempt " + failedAttempts + " of "
        + attempts + "); retrying in " + backoff / 1_000_000 + " ms";
    RejectedExecutionException refused = null;
    try {
      retryTask = scheduler.schedule(retry, backoff, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException shutDown) {
      refused = shutDown; // no retry task: the next tick, if any, tries again
    }
    return new Failed(mode, false, attempted, failure, failedAttempts,
        ControlLoopError.Kind.ACTUATOR_FAILED, message, durationNanos, now, cps, refused);
  }

  /** {@code retryBackoff * 2^(failedAttempts - 1)}, saturating at {@code maxRetryBackoff}. */
  private long backoffNanos(int failed) {
    int shift = failed - 1;
    if (shift >= Long.SIZE - 1 || retryBackoffNanos > maxRetryBackoffNanos >> shift) {
      return maxRetryBackoffNanos;
    }
    return retryBackoffNanos << shift;
  }

  private void retry() {
    synchronized (lock) {
      retryTask = null;
      if (inFlight || owner.stopped()) {
        return;
      }
      owner.onOutcome(RETRY_DUE);
    }
    owner.lockReleased();
  }
}
