package org.hybridft.core;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.hybridft.core.ControlLoop.State;
import org.jspecify.annotations.Nullable;

/**
 * The work of a {@link ControlLoop}: every period it measures the checkpoint rate and the downtime
 * ratio, asks the controller for a mode, applies it through the {@link Actuation} and handles the
 * outcome; it runs the loop's states ({@link State}): the fail-safe entered when a port keeps
 * failing and left when its hold runs out, the end of the replication, and close.
 *
 * <p>Each fact goes to {@link LoopEvents}, once. Everything here runs under the loop's lock; each
 * entry point (start, close, the tick) delivers the listeners' events once it has left it.
 */
final class ModeGovernor implements Actuation.Owner {
  private final ModeController controller;
  private final CheckpointCounter counter;
  private final ScheduledExecutorService scheduler;
  private final LongSupplier clock;
  private final long periodNanos;
  private final long startDelayNanos;
  private final Mode failSafeMode;
  private final long failSafeCheckpointPeriodNanos;
  private final long counterTimeoutNanos;
  private final long failSafeHoldNanos;
  private final CheckpointRateEstimator estimator;
  private final Object lock;
  private final EventDelivery delivery;
  private final LoopEvents events;
  private final Actuation actuation;
  private final Runnable tick = this::tick;

  private volatile State state = State.NEW;
  // Set before close() takes the lock, so ticks queued behind a running one do nothing.
  private volatile boolean closeRequested;
  private volatile @Nullable Mode appliedMode;
  private volatile double lastCheckpointsPerSecond;
  private volatile double lastDowntimeRatio = Double.NaN;

  // Guarded by lock.
  private @Nullable ScheduledFuture<?> tickTask;
  private @Nullable DowntimeMeter meter;
  private boolean baselineTaken;
  private long lastCounterReadNanos;
  private boolean counterFailing;
  private long lastPauseTotal = CheckpointCounter.PAUSE_UNKNOWN;
  private long failSafeUntilNanos;
  private long failSafeSinceNanos;

  ModeGovernor(ControlLoop.Builder builder, Object lock, EventDelivery delivery) {
    this.controller = builder.controller;
    this.counter = builder.counter;
    this.scheduler = builder.scheduler;
    this.clock = builder.clock;
    this.periodNanos = builder.period.toNanos();
    this.startDelayNanos = builder.startDelay.toNanos();
    this.failSafeMode = builder.failSafeMode;
    this.failSafeCheckpointPeriodNanos = builder.failSafeCheckpointPeriod.toNanos();
    this.counterTimeoutNanos = builder.counterTimeout.toNanos();
    this.failSafeHoldNanos = builder.failSafeHold.toNanos();
    Duration window = builder.rateWindow == null ? builder.period : builder.rateWindow;
    this.estimator = CheckpointRateEstimator.forCounter(window, builder.period);
    this.lock = lock;
    this.delivery = delivery;
    this.events = new LoopEvents(builder.name, delivery);
    Actuation.Settings settings = new Actuation.Settings(builder.actuator, builder.scheduler);
    settings.clock = builder.clock;
    settings.executor = builder.actuationExecutor;
    settings.attempts = builder.actuatorAttempts;
    settings.retryBackoffNanos = builder.retryBackoff.toNanos();
    settings.maxRetryBackoffNanos = builder.maxRetryBackoff.toNanos();
    settings.startTimeoutNanos = builder.actuationStartTimeout.toNanos();
    settings.failSafeMode = builder.failSafeMode;
    this.actuation = new Actuation(settings, lock, this);
  }

  State state() {
    return state;
  }

  @Nullable Mode appliedMode() {
    return appliedMode;
  }

  double checkpointsPerSecond() {
    return lastCheckpointsPerSecond;
  }

  double downtimeRatio() {
    return lastDowntimeRatio;
  }

  /** See {@link ControlLoop#start()}. */
  void start() {
    synchronized (lock) {
      if (state != State.NEW) {
        throw new IllegalStateException("the loop can start only once; it is " + state);
      }
      state = State.RUNNING;
      events.started(clock.getAsLong());
      tickTask =
          scheduler.scheduleAtFixedRate(tick, startDelayNanos, periodNanos, TimeUnit.NANOSECONDS);
    }
    delivery.deliver();
  }

  /** See {@link ControlLoop#close()}. */
  void close() {
    closeRequested = true;
    synchronized (lock) {
      // Taking the lock waits for a running tick; ticks check closeRequested first thing.
      if (state != State.ENDED && state != State.CLOSED) {
        State from = state;
        state = State.CLOSED;
        if (delivery.hasListeners()) {
          events.closed(clock.getAsLong(), from);
        }
      }
      cancelTasks();
    }
    delivery.deliver();
  }

  private void tick() {
    synchronized (lock) {
      if (closeRequested || (state != State.RUNNING && state != State.FAIL_SAFE)) {
        return;
      }
      long now = clock.getAsLong();
      try {
        handle(actuation.expireUnstarted(now));
        if (!stopped()) {
          measureAndControl(now);
        }
      } catch (RuntimeException | Error unexpected) {
        // A periodic task that throws is silently cancelled by the JDK's schedulers: report the
        // failure (an injected clock going backwards, say) and keep the loop alive instead.
        events.failed(ControlLoopError.Kind.CONTROLLER_FAILED,
            "tick failed: " + unexpected, unexpected, now);
      }
    }
    delivery.deliver();
  }

  private void measureAndControl(long now) {
    long count;
    long pauseTotal;
    try {
      count = counter.checkpoints();
      pauseTotal = counter.totalPauseNanos();
    } catch (ReplicationEndedException ended) {
      end(ended.reason(), now);
      return;
    } catch (RuntimeException failure) {
      onCounterFailure(now, failure);
      return;
    }
    if (count < 0) {
      onCounterFailure(now, new IllegalStateException(
          "the checkpoint counter read " + count + "; a count is never negative"));
      return;
    }
    counterFailing = false;
    lastCounterReadNanos = now;
    try {
      estimator.onCounter(now, count);
    } catch (IllegalArgumentException clockWentBack) {
      events.failed(ControlLoopError.Kind.CONTROLLER_FAILED, clockWentBack.getMessage(),
          clockWentBack, now);
      estimator.reset();
      estimator.onCounter(now, count);
      return;
    }
    if (!baselineTaken) {
      baselineTaken = true;
      Mode initial = state == State.FAIL_SAFE ? failSafeMode : controller.mode();
      if (pauseTotal >= 0) {
        meter = new DowntimeMeter(now, initial);
      }
      lastPauseTotal = pauseTotal;
      if (state == State.FAIL_SAFE) {
        // The counter was unreadable from the start: the fail-safe mode holds, not the controller's.
        holdFailSafe(now);
      } else {
        handle(actuation.apply(controller.mode(), controller.checkpointPeriodNanos(), now, 0));
      }
      return;
    }
    double cps = estimator.checkpointsPerSecond(now);
    lastCheckpointsPerSecond = cps;
    measurePause(now, pauseTotal);
    if (state == State.FAIL_SAFE) {
      holdFailSafe(now);
    } else {
      control(now, cps);
    }
    DowntimeMeter downtime = meter;
    // No meter, or one that has just started measuring (no wall time yet): unknown, not 0.
    double ratio =
        downtime == null || downtime.wallNanos(now) <= 0 ? Double.NaN : downtime.downtimeRatio(now);
    lastDowntimeRatio = ratio;
    Mode applied = appliedMode;
    if (applied != null && !stopped()) {
      events.ticked(now, applied, cps, ratio);
    }
  }

  /** Feeds the pause since the last reading to the meter; unknown pauses make the ratio unknown. */
  private void measurePause(long now, long pauseTotal) {
    if (pauseTotal < 0) {
      meter = null;
      lastPauseTotal = CheckpointCounter.PAUSE_UNKNOWN;
      return;
    }
    DowntimeMeter downtime = meter;
    if (downtime == null) {
      // Pause totals are back (or came only now): measure from here, in the applied mode.
      Mode current = appliedMode;
      meter = new DowntimeMeter(now, current != null ? current : controller.mode());
      lastPauseTotal = pauseTotal;
      return;
    }
    // A total lower than before is a restarted counter: its value is the pause since then.
    long pause = pauseTotal >= lastPauseTotal ? pauseTotal - lastPauseTotal : pauseTotal;
    downtime.onPause(pause);
    lastPauseTotal = pauseTotal;
  }

  private void control(long now, double cps) {
    Mode wanted;
    try {
      wanted = controller.update(now, cps);
    } catch (RuntimeException rejected) {
      events.failed(ControlLoopError.Kind.CONTROLLER_FAILED, String.valueOf(rejected.getMessage()),
          rejected, now);
      return;
    }
    if (wanted != appliedMode && !actuation.busy()) {
      handle(actuation.apply(wanted, controller.checkpointPeriodNanos(), now, cps));
    }
  }

  /** An attempt made on the actuation executor completed, or a retry is due. */
  @Override
  public void onOutcome(Actuation.Outcome outcome) {
    handle(outcome);
  }

  /** What became of an attempt: a switch, a retry, the fail-safe, or the end. */
  private void handle(Actuation.@Nullable Outcome outcome) {
    if (outcome == null || stopped()) {
      return;
    }
    if (outcome instanceof Actuation.RetryDue) {
      retry();
    } else if (outcome instanceof Actuation.Applied applied) {
      events.actuated(applied.atNanos(), applied.mode(), applied.durationNanos(), true);
      switched(applied);
    } else if (outcome instanceof Actuation.Ended ended) {
      if (ended.attempted()) {
        events.actuated(ended.atNanos(), ended.mode(), ended.durationNanos(), false);
      }
      end(ended.reason(), ended.atNanos());
    } else if (outcome instanceof Actuation.Failed failed) {
      if (failed.attempted()) {
        events.actuated(failed.atNanos(), failed.mode(), failed.durationNanos(), false);
      }
      events.actuationFailed(failed);
      if (failed.kind() == ControlLoopError.Kind.ACTUATOR_GAVE_UP) {
        enterFailSafe(ControlLoopError.Kind.ACTUATOR_GAVE_UP, failed.message(), failed.atNanos());
      }
      RuntimeException refused = failed.retryRefused();
      if (refused != null) {
        events.failed(ControlLoopError.Kind.ACTUATOR_FAILED,
            "the scheduler refused the retry of " + failed.mode(), refused, failed.atNanos());
      }
    }
  }

  /** A failed attempt's backoff has passed: the controller's mode, if it still is not applied. */
  private void retry() {
    if (state != State.RUNNING) {
      return; // the fail-safe holds its own mode
    }
    Mode wanted = controller.mode();
    if (wanted != appliedMode) {
      handle(actuation.apply(wanted, controller.checkpointPeriodNanos(), clock.getAsLong(),
          lastCheckpointsPerSecond));
    } else {
      actuation.resetAttempts();
    }
  }

  private void switched(Actuation.Applied applied) {
    Mode from = appliedMode;
    Mode mode = applied.mode();
    appliedMode = mode;
    if (meter != null) {
      meter.switchMode(applied.atNanos(), mode);
    }
    if (from != null && from != mode) {
      events.modeSwitched(applied.atNanos(), from, mode, applied.checkpointsPerSecond(),
          lastDowntimeRatio, applied.durationNanos(), applied.failSafe());
    }
  }

  private void onCounterFailure(long now, RuntimeException failure) {
    if (!counterFailing) {
      counterFailing = true;
      if (!baselineTaken) {
        lastCounterReadNanos = now;
      }
    }
    long unreadable = now - lastCounterReadNanos;
    events.failed(
        ControlLoopError.Kind.COUNTER_READ_FAILED,
        "reading the checkpoint counter failed (" + failure.getMessage() + "); unreadable for "
            + unreadable / 1_000_000 + " ms",
        failure,
        now);
    if (unreadable >= counterTimeoutNanos && state == State.RUNNING) {
      String message = "checkpoint counter unreadable for " + unreadable / 1_000_000 + " ms (limit "
          + counterTimeoutNanos / 1_000_000 + " ms); entering fail-safe " + failSafeMode;
      events.failed(ControlLoopError.Kind.COUNTER_UNAVAILABLE, message, failure, now);
      enterFailSafe(ControlLoopError.Kind.COUNTER_UNAVAILABLE, message, now);
    } else if (state == State.FAIL_SAFE) {
      // Keep the fail-safe mode until the counter is back; then the hold runs out.
      failSafeUntilNanos = Math.max(failSafeUntilNanos, now + failSafeHoldNanos);
      if (appliedMode != failSafeMode) {
        applyFailSafe(now);
      }
    }
  }

  private void enterFailSafe(ControlLoopError.Kind cause, String reason, long now) {
    if (stopped()) {
      return;
    }
    failSafeSinceNanos = now;
    failSafeUntilNanos = now + failSafeHoldNanos;
    State from = state;
    state = State.FAIL_SAFE;
    events.failSafeEntered(now, from, cause, reason, failSafeMode, lastCheckpointsPerSecond,
        lastDowntimeRatio);
    actuation.cancelRetry();
    applyFailSafe(now);
  }

  private void holdFailSafe(long now) {
    if (appliedMode != failSafeMode) {
      applyFailSafe(now);
    }
    if (now >= failSafeUntilNanos && appliedMode == failSafeMode && state == State.FAIL_SAFE) {
      controller.reset();
      actuation.resetAttempts();
      long held = now - failSafeSinceNanos;
      state = State.RUNNING;
      events.failSafeLeft(now, "fail-safe " + failSafeMode + " held for " + held / 1_000_000
          + " ms; the controller decides again", appliedMode, held, lastDowntimeRatio);
    }
  }

  private void applyFailSafe(long now) {
    handle(actuation.applyFailSafe(failSafeMode, failSafeCheckpointPeriodNanos, now,
        lastCheckpointsPerSecond));
  }

  private void end(String reason, long now) {
    State from = state;
    state = State.ENDED;
    events.ended(now, from, reason, appliedMode, lastDowntimeRatio);
    cancelTasks();
  }

  private void cancelTasks() {
    if (tickTask != null) {
      tickTask.cancel(false);
      tickTask = null;
    }
    actuation.stop();
  }

  /** Whether the loop has stopped for good, or close() is under way. */
  @Override
  public boolean stopped() {
    return closeRequested || state == State.ENDED || state == State.CLOSED;
  }

  @Override
  public void lockReleased() {
    delivery.deliver();
  }
}
