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
 * on the caller's thread or on an actuation executor; failed attempts retried with exponential
 * backoff ({@code retryBackoff}, doubled per attempt, saturating at {@code maxRetryBackoff}); after
 * {@code attempts} failures it gives up and the owner enters its fail-safe, whose mode it applies
 * with the fail-safe checkpoint period.
 *
 * <p>Not thread-safe on its own: it shares its owner's lock. Every method is called with that lock
 * held; the retry task and the task handed to the actuation executor take it themselves, and call
 * {@link Owner#lockReleased()} once they have left it. Outcomes go to the {@link Owner}, always under
 * the lock.
 */
final class Actuation {

  /** The loop that owns this actuation: its state, and where the outcomes go. */
  interface Owner {
    /** Whether the loop has stopped for good: no port call may start. */
    boolean stopped();

    /** Whether the controller is in charge (not fail-safe, not stopped): retries apply its mode. */
    boolean controlling();

    /** The mode last applied, null before the first. */
    @Nullable Mode appliedMode();

    /** The checkpoint rate measured last, for the events of a retry. */
    double checkpointsPerSecond();

    /** An actuator call returned or threw after {@code durationNanos}. */
    void attempted(Mode mode, long durationNanos, boolean succeeded, long nowNanos);

    /** {@code mode} is now applied. */
    void applied(Mode mode, boolean failSafe, long durationNanos, long nowNanos, double cps);

    /** An attempt failed: {@link ControlLoopError.Kind#ACTUATOR_FAILED} or {@code FAIL_SAFE_FAILED}. */
    void failed(ControlLoopError.Kind kind, String message, Throwable cause, long nowNanos);

    /** The attempts are used up ({@code ACTUATOR_GAVE_UP}, reported by the owner): fail-safe. */
    void gaveUp(String message, Throwable cause, long nowNanos);

    /** The actuator said the replication ended. */
    void ended(String reason, long nowNanos);

    /** A task of this actuation has left the lock: the owner may deliver its events. */
    void lockReleased();
  }

  private final String name;
  private final ModeController controller;
  private final ModeActuator actuator;
  private final ScheduledExecutorService scheduler;
  private final LongSupplier clock;
  private final @Nullable Executor executor;
  private final int attempts;
  private final long retryBackoffNanos;
  private final long maxRetryBackoffNanos;
  private final long startTimeoutNanos;
  private final Mode failSafeMode;
  private final long failSafeCheckpointPeriodNanos;
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
    this.name = settings.name;
    this.controller = settings.controller;
    this.actuator = settings.actuator;
    this.scheduler = settings.scheduler;
    this.clock = settings.clock;
    this.executor = settings.executor;
    this.attempts = settings.attempts;
    this.retryBackoffNanos = settings.retryBackoffNanos;
    this.maxRetryBackoffNanos = settings.maxRetryBackoffNanos;
    this.startTimeoutNanos = settings.startTimeoutNanos;
    this.failSafeMode = settings.failSafeMode;
    this.failSafeCheckpointPeriodNanos = settings.failSafeCheckpointPeriodNanos;
    this.lock = lock;
    this.owner = owner;
  }

  /** The configuration of an {@link Actuation}; plain fields, validated by the loop's builder. */
  static final class Settings {
    String name = "unnamed";
    ModeController controller;
    ModeActuator actuator;
    ScheduledExecutorService scheduler;
    LongSupplier clock = System::nanoTime;
    @Nullable Executor executor;
    int attempts = 4;
    long retryBackoffNanos = 100_000_000L;
    long maxRetryBackoffNanos = 2_000_000_000L;
    long startTimeoutNanos = 10_000_000_000L;
    Mode failSafeMode = Mode.CHECKPOINT;
    long failSafeCheckpointPeriodNanos = 500_000_000L;

    Settings(ModeController controller, ModeActuator actuator, ScheduledExecutorService scheduler) {
      this.controller = controller;
      this.actuator = actuator;
      this.scheduler = scheduler;
    }
  }

  /** The mode applied when the loop is in fail-safe. */
  Mode failSafeMode() {
    return failSafeMode;
  }

  /** Whether an attempt or a retry is pending: the controller's new wishes wait for it. */
  boolean busy() {
    return inFlight || retryTask != null;
  }

  /** Applies the controller's {@code mode}, with the controller's checkpoint period. */
  void apply(Mode mode, long now, double cps) {
    start(mode, false, now, cps);
  }

  /** Applies the fail-safe mode with the fail-safe checkpoint period, unless an attempt is in flight. */
  void applyFailSafe(long now, double cps) {
    if (!inFlight) {
      start(failSafeMode, true, now, cps);
    }
  }

  /** The loop entered its fail-safe: a pending retry of the controller's mode is moot. */
  void cancelRetry() {
    if (retryTask != null) {
      retryTask.cancel(false);
      retryTask = null;
    }
  }

  /** Control resumes after the fail-safe: the controller's next mode gets all its attempts. */
  void resetAttempts() {
    failedAttempts = 0;
  }

  /** The loop stopped: no retry, and a queued attempt that has not started never will. */
  void stop() {
    cancelRetry();
    abandon();
  }

  /** An attempt the executor has not started by its deadline counts as a failed attempt. */
  void expireUnstarted(long now) {
    if (inFlight && !started && now - queuedNanos >= startTimeoutNanos) {
      abandon();
      handle(queuedMode, queuedFailSafe, new TimeoutException(
          "the actuation executor did not start the actuation within "
              + startTimeoutNanos / 1_000_000 + " ms (dropped, or queued too long)"),
          0, now, queuedCps);
    }
  }

  private void start(Mode mode, boolean failSafe, long now, double cps) {
    if (owner.stopped()) {
      return;
    }
    long checkpointPeriod =
        failSafe ? failSafeCheckpointPeriodNanos : controller.checkpointPeriodNanos();
    Executor runner = executor;
    if (runner == null) {
      long begun = clock.getAsLong();
      Throwable failure = attempt(mode, checkpointPeriod);
      attempted(mode, failSafe, failure, clock.getAsLong() - begun, now, cps);
      return;
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
        handle(mode, failSafe, notQueued, 0, now, cps);
      }
    }
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
      if (owner.stopped()) {
        return;
      }
      attempted(mode, failSafe, failure, finished - begun, finished, cps);
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

  private void attempted(Mode mode, boolean failSafe, @Nullable Throwable failure,
      long durationNanos, long now, double cps) {
    if (!owner.stopped()) {
      owner.attempted(mode, durationNanos, failure == null, now);
    }
    handle(mode, failSafe, failure, durationNanos, now, cps);
  }

  /** The outcome of an attempt: applied, retried later, given up, or the end of the replication. */
  private void handle(Mode mode, boolean failSafe, @Nullable Throwable failure,
      long durationNanos, long now, double cps) {
    if (owner.stopped()) {
      return;
    }
    if (failure instanceof ReplicationEndedException ended) {
      owner.ended(ended.reason(), now);
      return;
    }
    if (failure == null) {
      if (!failSafe) {
        failedAttempts = 0;
      }
      owner.applied(mode, failSafe, durationNanos, now, cps);
      return;
    }
    LoopEvents.actuationFailed(name, mode, failSafe ? 0 : failedAttempts + 1, failSafe, failure,
        durationNanos, cps);
    if (failSafe) {
      owner.failed(ControlLoopError.Kind.FAIL_SAFE_FAILED,
          "applying the fail-safe mode " + failSafeMode + " failed; trying again next period",
          failure, now);
      return;
    }
    failedAttempts++;
    if (failedAttempts >= attempts) {
      owner.gaveUp("applying " + mode + " failed " + failedAttempts + " times; entering fail-safe "
          + failSafeMode, failure, now);
      return;
    }
    long backoff = backoffNanos(failedAttempts);
    String problem = failure instanceof TimeoutException ? failure.getMessage() : "failed";
    owner.failed(ControlLoopError.Kind.ACTUATOR_FAILED,
        "applying " + mode + " " + problem + " (attempt " + failedAttempts + " of " + attempts
            + "); retrying in " + backoff / 1_000_000 + " ms",
        failure, now);
    try {
      retryTask = scheduler.schedule(retry, backoff, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException shutDown) {
      // No retry task: the next tick, if any, tries again.
      owner.failed(ControlLoopError.Kind.ACTUATOR_FAILED,
          "the scheduler refused the retry of " + mode, shutDown, now);
    }
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
      if (!owner.controlling() || inFlight) {
        return;
      }
      Mode wanted = controller.mode();
      if (wanted != owner.appliedMode()) {
        apply(wanted, clock.getAsLong(), owner.checkpointsPerSecond());
      } else {
        failedAttempts = 0;
      }
    }
    owner.lockReleased();
  }
}
