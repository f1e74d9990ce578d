package org.hybridft.core;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Drives the replication of one VM: every control period it reads the {@link CheckpointCounter},
 * feeds the {@link CheckpointRateEstimator} and the {@link ModeController}, and calls the {@link
 * ModeActuator} only when the controller's mode differs from the mode last applied.
 *
 * <p><b>Start.</b> {@link #start()} schedules the periodic tick on the injected scheduler. The
 * first tick takes the counter's baseline and applies the controller's initial mode (the
 * replication's mode is unknown until then); every later tick measures a period and consults the
 * controller. So the actuator is called once at start and then once per mode change.
 *
 * <p><b>Fail-safe.</b> When an actuation fails (the actuator throws any exception or {@code
 * Error}, the actuation executor refuses or drops the task), the loop retries with exponential
 * backoff ({@code retryBackoff}, doubled per attempt and saturating at {@code maxRetryBackoff},
 * however many attempts) up to {@code actuatorAttempts} attempts. When they are used up, or when
 * the counter could not be read for {@code counterTimeout}, the loop reports an error and applies
 * the fail-safe mode (default {@link Mode#CHECKPOINT}, whose checkpoint rate does not depend on
 * the workload), holds it for {@code failSafeHold} (re-applying it each period until that
 * succeeds), then resets the controller and resumes control.
 *
 * <p><b>Counter faults.</b> A read that throws, and a negative count (a count is never negative,
 * so it can only be a broken adapter), are both a failed read: {@link
 * ControlLoopError.Kind#COUNTER_READ_FAILED} each period, and the fail-safe after {@code
 * counterTimeout}. A negative pause total is read as {@link CheckpointCounter#PAUSE_UNKNOWN}.
 *
 * <p><b>End.</b> A {@link ReplicationEndedException} from either port stops the loop for good
 * and is reported to {@link Listener#onReplicationEnded(String)}. {@link #close()} stops it for
 * good too: {@link State#CLOSED} and {@link State#ENDED} are final, and once {@code close()} has
 * returned the loop calls neither port again and starts no task (an actuator call already under
 * way on the actuation executor finishes, and its outcome is ignored).
 *
 * <p><b>Threads.</b> Ticks of one loop never overlap, and the ports of one loop are never called
 * concurrently. Many loops share one scheduler: a tick is a few hundred nanoseconds and allocates
 * nothing while the mode holds (with or without a listener). The actuator runs on the tick's
 * thread unless {@link Builder#actuationExecutor(Executor)} moves it elsewhere, which keeps one
 * slow QEMU from delaying every VM on the scheduler. An actuation handed to that executor must
 * start within {@code actuationStartTimeout} (checked at each tick), else it counts as a failed
 * attempt and, should it start later, does nothing.
 *
 * <p><b>Listeners.</b> Listeners never run under the loop's lock, so a listener that blocks
 * delays neither {@link #close()} (which returns within the time of a port call, whatever the
 * listener does) nor other loops' ticks on other threads. Events are queued in the order the loop
 * produced them and delivered one at a time, never concurrently, in that order. By default they
 * are delivered on the thread that produced them (the scheduler thread for ticks and retries, the
 * actuation executor for actuations it completes) right after it leaves the lock; a listener that
 * blocks there holds that thread, and so this loop's next tick. With {@link
 * Builder#listenerExecutor(Executor)} they are delivered by one task at a time on that executor
 * instead, so a listener that blocks (a terminal that stopped reading) stops nothing but the
 * delivery. Up to {@value #MAX_QUEUED_EVENTS} undelivered events are queued; beyond that new
 * events are dropped, counted and reported as one {@link ControlLoopError.Kind#LISTENER_BEHIND}
 * error once the listener catches up; {@link Listener#onReplicationEnded(String)} is never
 * dropped. Events already queued when the loop closes are still delivered. An exception or
 * {@code Error} a listener throws is ignored. A loop has one listener: to have several (metrics
 * and a log, say), pass one that calls the others.
 *
 * <p><b>JFR.</b> The loop records a JDK Flight Recorder event, category "hybrid-ft", at each state
 * change: {@code org.hybridft.ModeSwitch}, {@code org.hybridft.FailSafeEntered}, {@code
 * org.hybridft.FailSafeLeft}, {@code org.hybridft.ActuationFailed} and {@code
 * org.hybridft.ReplicationEnded}, each with the loop's {@link Builder#name(String) name} and the
 * figures of the moment (mode, checkpoints per second, downtime ratio, actuation duration). They
 * are enabled or disabled by the recording's settings like any JFR event; a tick that changes
 * nothing records none, so with or without a recording the tick stays allocation-free.
 */
public final class ControlLoop implements AutoCloseable {

  /**
   * Observes a loop. All methods have empty defaults. They run outside the loop's lock, one at a
   * time and in order, on the threads described in the class comment.
   */
  public interface Listener {
    /**
     * After every measured tick: the rate measured, the applied mode, the downtime ratio ({@link
     * Double#NaN} while unknown, see {@link ControlLoop#downtimeRatio()}).
     */
    default void onTick(long nowNanos, double checkpointsPerSecond, Mode mode, double downtimeRatio) {}

    /** After the actuator applied a new mode. */
    default void onModeSwitch(Mode from, Mode to, double checkpointsPerSecond, long nowNanos) {}

    /** When a port or the controller failed; see {@link ControlLoopError.Kind}. */
    default void onError(ControlLoopError error) {}

    /** When the replication ended (failover, QEMU gone); the loop has stopped. */
    default void onReplicationEnded(String reason) {}

    /**
     * After every call of the actuator, successful or not: the mode it was asked to apply and
     * how long the call took on the loop's clock. Not called for an actuation that never started
     * (refused or dropped by the actuation executor), which is still reported by {@link
     * #onError(ControlLoopError)}.
     */
    default void onActuation(Mode mode, long durationNanos, boolean succeeded, long nowNanos) {}

    /**
     * When the loop entered {@link State#FAIL_SAFE}: the fail-safe mode it now applies and the
     * error that led to it ({@link ControlLoopError.Kind#ACTUATOR_GAVE_UP} or {@link
     * ControlLoopError.Kind#COUNTER_UNAVAILABLE}).
     */
    default void onFailSafeEntered(Mode failSafeMode, ControlLoopError.Kind cause, long nowNanos) {}

    /** When the fail-safe hold ran out and the controller decides again, after {@code heldNanos}. */
    default void onFailSafeLeft(long heldNanos, long nowNanos) {}
  }

  /** The life cycle of a loop. */
  public enum State {
    /** Built, not started. */
    NEW,
    /** Ticking under the controller's decisions. */
    RUNNING,
    /** Holding the fail-safe mode after a port failed. */
    FAIL_SAFE,
    /** Stopped because the replication ended; final. */
    ENDED,
    /** Stopped by {@link #close()}; final. */
    CLOSED
  }

  /** The most listener events queued for delivery; beyond it new events are dropped. */
  public static final int MAX_QUEUED_EVENTS = 1024;

  private static final Listener NO_LISTENER = new Listener() {};
  private static final int TICK_EVENT = 0;
  private static final int SWITCH_EVENT = 1;
  private static final int ERROR_EVENT = 2;
  private static final int ACTUATION_EVENT = 3;
  private static final int FAIL_SAFE_ENTERED_EVENT = 4;
  private static final int FAIL_SAFE_LEFT_EVENT = 5;

  private final String name;
  private final ModeController controller;
  private final CheckpointCounter counter;
  private final ModeActuator actuator;
  private final ScheduledExecutorService scheduler;
  private final LongSupplier clock;
  private final long periodNanos;
  private final long startDelayNanos;
  private final Mode failSafeMode;
  private final int actuatorAttempts;
  private final long retryBackoffNanos;
  private final long maxRetryBackoffNanos;
  private final long counterTimeoutNanos;
  private final long failSafeHoldNanos;
  private final long actuationStartTimeoutNanos;
  private final Listener listener;
  private final boolean hasListener;
  private final CheckpointRateEstimator estimator;
  private final @Nullable Executor actuationExecutor;
  private final @Nullable Executor listenerExecutor;

  private final Object lock = new Object();
  private volatile State state = State.NEW;
  // Set before close() takes the lock, so ticks queued behind a running one do nothing.
  private volatile boolean closeRequested;
  private volatile @Nullable Mode appliedMode;
  private volatile double lastCheckpointsPerSecond;
  private volatile double lastDowntimeRatio = Double.NaN;

  // Guarded by lock.
  private @Nullable ScheduledFuture<?> tickTask;
  private @Nullable ScheduledFuture<?> retryTask;
  private @Nullable DowntimeMeter meter;
  private boolean baselineTaken;
  private long lastCounterReadNanos;
  private boolean counterFailing;
  private long lastPauseTotal = CheckpointCounter.PAUSE_UNKNOWN;
  private int failedAttempts;
  private long failSafeUntilNanos;
  private long failSafeSinceNanos;
  // The actuation handed to the actuation executor, if any; a new sequence number abandons it.
  private boolean actuationInFlight;
  private boolean actuationStarted;
  private long actuationSequence;
  private long actuationQueuedNanos;
  private Mode actuationMode = Mode.COLO;
  private boolean actuationFailSafe;
  private double actuationCps;
  // Listener events not yet delivered: a ring of reused slots, grown on demand (never per tick).
  private Event[] events = new Event[0];
  private int eventHead;
  private int eventCount;
  private long droppedEvents;
  private @Nullable String endedReason;
  private boolean delivering;

  private final Runnable tick = this::tick;
  private final Runnable retry = this::retry;
  private final Runnable drain = this::drainEvents;

  /** One queued listener event; slots are reused. */
  private static final class Event {
    int kind;
    long nanos;
    double cps;
    double ratio;
    long duration;
    boolean succeeded;
    @Nullable Mode from;
    @Nullable Mode to;
    @Nullable ControlLoopError error;
    ControlLoopError.@Nullable Kind cause;
  }

  private ControlLoop(Builder builder) {
    this.name = builder.name;
    this.controller = builder.controller;
    this.counter = builder.counter;
    this.actuator = builder.actuator;
    this.scheduler =
        Objects.requireNonNull(builder.scheduler, "scheduler must be set: builder.scheduler(...)");
    this.clock = builder.clock;
    this.periodNanos = builder.period.toNanos();
    this.startDelayNanos = builder.startDelay.toNanos();
    this.failSafeMode = builder.failSafeMode;
    this.actuatorAttempts = builder.actuatorAttempts;
    this.retryBackoffNanos = builder.retryBackoff.toNanos();
    this.maxRetryBackoffNanos = builder.maxRetryBackoff.toNanos();
    this.counterTimeoutNanos = builder.counterTimeout.toNanos();
    this.failSafeHoldNanos = builder.failSafeHold.toNanos();
    this.actuationStartTimeoutNanos = builder.actuationStartTimeout.toNanos();
    this.listener = builder.listener;
    this.hasListener = builder.listener != NO_LISTENER;
    this.actuationExecutor = builder.actuationExecutor;
    this.listenerExecutor = builder.listenerExecutor;
    Duration window = builder.rateWindow == null ? builder.period : builder.rateWindow;
    this.estimator = CheckpointRateEstimator.forCounter(window, builder.period);
  }

  /**
   * Starts a builder for a loop that drives {@code controller} through the two ports.
   *
   * @param controller the decision function, owned by this loop from now on
   * @param counter where checkpoints are counted
   * @param actuator where modes are applied
   */
  public static Builder builder(
      ModeController controller, CheckpointCounter counter, ModeActuator actuator) {
    return new Builder(controller, counter, actuator);
  }

  /**
   * Schedules the loop's periodic tick.
   *
   * @throws IllegalStateException if the loop was already started or closed
   */
  public void start() {
    synchronized (lock) {
      if (state != State.NEW) {
        throw new IllegalStateException("the loop can start only once; it is " + state);
      }
      state = State.RUNNING;
      tickTask =
          scheduler.scheduleAtFixedRate(tick, startDelayNanos, periodNanos, TimeUnit.NANOSECONDS);
    }
  }

  /**
   * Stops the loop for good: cancels its tasks and returns once no tick of it is running, so that
   * after it returns neither port is called again. It waits at most for the port call of a
   * running tick, never for a listener, and may be called from a listener. Idempotent. Does not
   * touch the replication: it stays in the mode last applied.
   */
  @Override
  public void close() {
    closeRequested = true;
    synchronized (lock) {
      // Taking the lock waits for a running tick; ticks check closeRequested first thing.
      if (state != State.ENDED) {
        state = State.CLOSED;
      }
      cancelTasks();
      abandonActuation();
    }
  }

  /** The name of the VM this loop drives, as given to {@link Builder#name(String)}. */
  public String name() {
    return name;
  }

  /** The loop's state. */
  public State state() {
    return state;
  }

  /** The mode last applied by the actuator, null before the first successful application. */
  public @Nullable Mode appliedMode() {
    return appliedMode;
  }

  /** The checkpoint rate measured at the last tick. */
  public double checkpointsPerSecond() {
    return lastCheckpointsPerSecond;
  }

  /**
   * The downtime ratio as of the last tick: the share of wall time the guest was paused for
   * checkpoints since the counter began reporting pause totals (normally since the first tick).
   * {@link Double#NaN} while it is unknown: before the first measured tick, and while the
   * counter reports {@link CheckpointCounter#PAUSE_UNKNOWN} (after which it covers the time since
   * pause totals came back). Test with {@link Double#isNaN(double)}; unknown is not 0.
   */
  public double downtimeRatio() {
    return lastDowntimeRatio;
  }

  private boolean stopped() {
    return closeRequested || state == State.ENDED || state == State.CLOSED;
  }

  private void tick() {
    synchronized (lock) {
      if (closeRequested || (state != State.RUNNING && state != State.FAIL_SAFE)) {
        return;
      }
      long now = clock.getAsLong();
      try {
        expireUnstartedActuation(now);
        if (!stopped()) {
          measureAndControl(now);
        }
      } catch (RuntimeException | Error unexpected) {
        // A periodic task that throws is silently cancelled by the JDK's schedulers: report the
        // failure (an injected clock going backwards, say) and keep the loop alive instead.
        report(ControlLoopError.Kind.CONTROLLER_FAILED,
            "tick failed: " + unexpected, unexpected, now);
      }
    }
    deliverEvents();
  }

  private void measureAndControl(long now) {
    long count;
    long pauseTotal;
    try {
      count = counter.checkpoints();
      pauseTotal = counter.totalPauseNanos();
    } catch (ReplicationEndedException ended) {
      end(ended.reason());
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
      report(ControlLoopError.Kind.CONTROLLER_FAILED, clockWentBack.getMessage(), clockWentBack, now);
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
        actuate(controller.mode(), now, 0);
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
    if (applied != null && hasListener && !stopped()) {
      Event event = queueEvent(TICK_EVENT, now);
      if (event != null) {
        event.cps = cps;
        event.to = applied;
        event.ratio = ratio;
      }
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
      report(ControlLoopError.Kind.CONTROLLER_FAILED, String.valueOf(rejected.getMessage()), rejected, now);
      return;
    }
    if (wanted != appliedMode && retryTask == null && !actuationInFlight) {
      actuate(wanted, now, cps);
    }
  }

  private void holdFailSafe(long now) {
    if (appliedMode != failSafeMode) {
      applyFailSafe(now);
    }
    if (now >= failSafeUntilNanos && appliedMode == failSafeMode && state == State.FAIL_SAFE) {
      state = State.RUNNING;
      controller.reset();
      failedAttempts = 0;
      long held = now - failSafeSinceNanos;
      LoopEvents.failSafeLeft(name, appliedMode, held, lastDowntimeRatio);
      if (hasListener) {
        Event event = queueEvent(FAIL_SAFE_LEFT_EVENT, now);
        if (event != null) {
          event.duration = held;
        }
      }
    }
  }

  private void actuate(Mode mode, long now, double cps) {
    apply(mode, false, now, cps);
  }

  /**
   * Applies a mode through the actuator, on the scheduler thread or, when an actuation executor
   * is set, on that executor; the outcome is handled under the lock either way.
   */
  private void apply(Mode mode, boolean failSafe, long now, double cps) {
    if (stopped()) {
      return;
    }
    long checkpointPeriod = controller.checkpointPeriodNanos();
    Executor executor = actuationExecutor;
    if (executor == null) {
      long started = clock.getAsLong();
      Throwable failure = attempt(mode, checkpointPeriod);
      onActuated(mode, failSafe, failure, clock.getAsLong() - started, now, cps);
      return;
    }
    long sequence = ++actuationSequence;
    actuationInFlight = true;
    actuationStarted = false;
    actuationQueuedNanos = now;
    actuationMode = mode;
    actuationFailSafe = failSafe;
    actuationCps = cps;
    try {
      executor.execute(() -> runActuation(sequence, mode, failSafe, checkpointPeriod, cps));
    } catch (RuntimeException | Error notQueued) {
      // Refused (RejectedExecutionException) or broken: either way this attempt failed. Unless
      // the executor ran it inline before failing, in which case its outcome is already handled.
      if (actuationInFlight && actuationSequence == sequence && !actuationStarted) {
        actuationInFlight = false;
        onApplied(mode, failSafe, notQueued, 0, now, cps);
      }
    }
  }

  /** The task handed to the actuation executor. */
  private void runActuation(long sequence, Mode mode, boolean failSafe, long checkpointPeriod, double cps) {
    synchronized (lock) {
      if (!actuationInFlight || actuationSequence != sequence || stopped()) {
        return; // abandoned (it started after its deadline) or the loop stopped: no port call
      }
      actuationStarted = true;
    }
    long started = clock.getAsLong();
    Throwable failure = attempt(mode, checkpointPeriod);
    long finished = clock.getAsLong();
    synchronized (lock) {
      if (actuationSequence != sequence) {
        return;
      }
      actuationInFlight = false;
      if (stopped()) {
        return;
      }
      onActuated(mode, failSafe, failure, finished - started, finished, cps);
    }
    deliverEvents();
  }

  /** An actuation the executor has not started by its deadline counts as a failed attempt. */
  private void expireUnstartedActuation(long now) {
    if (actuationInFlight && !actuationStarted
        && now - actuationQueuedNanos >= actuationStartTimeoutNanos) {
      abandonActuation();
      onApplied(actuationMode, actuationFailSafe, new TimeoutException(
          "the actuation executor did not start the actuation within "
              + actuationStartTimeoutNanos / 1_000_000 + " ms (dropped, or queued too long)"),
          0, now, actuationCps);
    }
  }

  private void abandonActuation() {
    if (actuationInFlight && !actuationStarted) {
      actuationSequence++;
      actuationInFlight = false;
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

  /** The outcome of an actuator call that took {@code durationNanos}: reported, then handled. */
  private void onActuated(Mode mode, boolean failSafe, @Nullable Throwable failure,
      long durationNanos, long now, double cps) {
    if (hasListener && !stopped()) {
      Event event = queueEvent(ACTUATION_EVENT, now);
      if (event != null) {
        event.to = mode;
        event.duration = durationNanos;
        event.succeeded = failure == null;
      }
    }
    onApplied(mode, failSafe, failure, durationNanos, now, cps);
  }

  private void onApplied(Mode mode, boolean failSafe, @Nullable Throwable failure,
      long durationNanos, long now, double cps) {
    if (stopped()) {
      return;
    }
    if (failure instanceof ReplicationEndedException ended) {
      end(ended.reason());
      return;
    }
    if (failure == null) {
      if (!failSafe) {
        failedAttempts = 0;
      }
      switched(mode, failSafe, durationNanos, now, cps);
      return;
    }
    LoopEvents.actuationFailed(name, mode, failSafe ? 0 : failedAttempts + 1, failSafe, failure,
        durationNanos, cps);
    if (failSafe) {
      report(
          ControlLoopError.Kind.FAIL_SAFE_FAILED,
          "applying the fail-safe mode " + failSafeMode + " failed; trying again next period",
          failure,
          now);
      return;
    }
    failedAttempts++;
    if (failedAttempts >= actuatorAttempts) {
      report(
          ControlLoopError.Kind.ACTUATOR_GAVE_UP,
          "applying " + mode + " failed " + failedAttempts + " times; entering fail-safe "
              + failSafeMode,
          failure,
          now);
      enterFailSafe(ControlLoopError.Kind.ACTUATOR_GAVE_UP, now);
    } else {
      long backoff = backoffNanos(failedAttempts);
      String problem = failure instanceof TimeoutException ? failure.getMessage() : "failed";
      report(
          ControlLoopError.Kind.ACTUATOR_FAILED,
          "applying " + mode + " " + problem + " (attempt " + failedAttempts + " of "
              + actuatorAttempts + "); retrying in " + backoff / 1_000_000 + " ms",
          failure,
          now);
      try {
        retryTask = scheduler.schedule(retry, backoff, TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException shutDown) {
        // No retry task: the next tick, if any, tries again.
        report(ControlLoopError.Kind.ACTUATOR_FAILED,
            "the scheduler refused the retry of " + mode, shutDown, now);
      }
    }
  }

  /** {@code retryBackoff * 2^(failedAttempts - 1)}, saturating at {@code maxRetryBackoff}. */
  private long backoffNanos(int failedAttempts) {
    int shift = failedAttempts - 1;
    if (shift >= Long.SIZE - 1 || retryBackoffNanos > maxRetryBackoffNanos >> shift) {
      return maxRetryBackoffNanos;
    }
    return retryBackoffNanos << shift;
  }

  private void retry() {
    synchronized (lock) {
      retryTask = null;
      if (stopped() || state != State.RUNNING) {
        return;
      }
      Mode wanted = controller.mode();
      if (actuationInFlight) {
        return;
      }
      if (wanted != appliedMode) {
        actuate(wanted, clock.getAsLong(), lastCheckpointsPerSecond);
      } else {
        failedAttempts = 0;
      }
    }
    deliverEvents();
  }

  private void enterFailSafe(ControlLoopError.Kind cause, long now) {
    if (stopped()) {
      return;
    }
    state = State.FAIL_SAFE;
    failSafeSinceNanos = now;
    failSafeUntilNanos = now + failSafeHoldNanos;
    LoopEvents.failSafeEntered(name, failSafeMode, cause, lastCheckpointsPerSecond,
        lastDowntimeRatio);
    if (hasListener) {
      Event event = queueEvent(FAIL_SAFE_ENTERED_EVENT, now);
      if (event != null) {
        event.to = failSafeMode;
        event.cause = cause;
      }
    }
    if (retryTask != null) {
      retryTask.cancel(false);
      retryTask = null;
    }
    applyFailSafe(now);
  }

  private void applyFailSafe(long now) {
    if (!actuationInFlight) {
      apply(failSafeMode, true, now, lastCheckpointsPerSecond);
    }
  }

  private void switched(Mode mode, boolean failSafe, long durationNanos, long now, double cps) {
    Mode from = appliedMode;
    appliedMode = mode;
    if (meter != null) {
      meter.switchMode(now, mode);
    }
    if (from != null && from != mode) {
      LoopEvents.modeSwitch(name, from, mode, cps, lastDowntimeRatio, durationNanos, failSafe);
    }
    if (from != null && from != mode && hasListener) {
      Event event = queueEvent(SWITCH_EVENT, now);
      if (event != null) {
        event.from = from;
        event.to = mode;
        event.cps = cps;
      }
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
    report(
        ControlLoopError.Kind.COUNTER_READ_FAILED,
        "reading the checkpoint counter failed (" + failure.getMessage() + "); unreadable for "
            + unreadable / 1_000_000 + " ms",
        failure,
        now);
    if (unreadable >= counterTimeoutNanos && state == State.RUNNING) {
      report(
          ControlLoopError.Kind.COUNTER_UNAVAILABLE,
          "checkpoint counter unreadable for " + unreadable / 1_000_000 + " ms (limit "
              + counterTimeoutNanos / 1_000_000 + " ms); entering fail-safe " + failSafeMode,
          failure,
          now);
      enterFailSafe(ControlLoopError.Kind.COUNTER_UNAVAILABLE, now);
    } else if (state == State.FAIL_SAFE) {
      // Keep the fail-safe mode until the counter is back; then the hold runs out.
      failSafeUntilNanos = Math.max(failSafeUntilNanos, now + failSafeHoldNanos);
      if (appliedMode != failSafeMode) {
        applyFailSafe(now);
      }
    }
  }

  private void end(String reason) {
    state = State.ENDED;
    LoopEvents.replicationEnded(name, reason, appliedMode, lastDowntimeRatio);
    cancelTasks();
    abandonActuation();
    if (hasListener) {
      endedReason = reason;
    }
  }

  private void cancelTasks() {
    if (tickTask != null) {
      tickTask.cancel(false);
      tickTask = null;
    }
    if (retryTask != null) {
      retryTask.cancel(false);
      retryTask = null;
    }
  }

  private void report(ControlLoopError.Kind kind, String message, @Nullable Throwable cause, long now) {
    if (!hasListener) {
      return;
    }
    Event event = queueEvent(ERROR_EVENT, now);
    if (event != null) {
      event.error = new ControlLoopError(kind, message, cause, now);
    }
  }

  /** A slot for a new event at the tail of the queue, null if the queue is full (counted). */
  private @Nullable Event queueEvent(int kind, long now) {
    Event[] ring = events;
    if (eventCount == ring.length) {
      if (ring.length == MAX_QUEUED_EVENTS) {
        droppedEvents++;
        return null;
      }
      ring = growEvents(ring);
    }
    int index = eventHead + eventCount;
    if (index >= ring.length) {
      index -= ring.length;
    }
    eventCount++;
    Event event = ring[index];
    event.kind = kind;
    event.nanos = now;
    return event;
  }

  private Event[] growEvents(Event[] ring) {
    Event[] grown = new Event[Math.min(MAX_QUEUED_EVENTS, Math.max(4, ring.length * 2))];
    for (int i = 0; i < eventCount; i++) {
      int from = eventHead + i;
      grown[i] = ring[from >= ring.length ? from - ring.length : from];
    }
    for (int i = eventCount; i < grown.length; i++) {
      grown[i] = new Event();
    }
    events = grown;
    eventHead = 0;
    return grown;
  }

  /**
   * Delivers the queued events, or hands their delivery to the listener executor, unless another
   * thread is delivering already (it delivers them in order) or the lock is held (the outermost
   * entry point delivers once it has left the lock).
   */
  private void deliverEvents() {
    if (!hasListener || Thread.holdsLock(lock)) {
      return;
    }
    synchronized (lock) {
      if (delivering || (eventCount == 0 && droppedEvents == 0 && endedReason == null)) {
        return;
      }
      delivering = true;
    }
    Executor executor = listenerExecutor;
    if (executor != null) {
      try {
        executor.execute(drain);
        return;
      } catch (RuntimeException | Error refused) {
        // The listener executor is gone: deliver here rather than lose the events.
      }
    }
    drainEvents();
  }

  /** Delivers queued events one at a time, outside the lock, until none is left. */
  private void drainEvents() {
    while (true) {
      int kind;
      long nanos;
      double cps;
      double ratio;
      long duration = 0;
      boolean succeeded = false;
      ControlLoopError.Kind cause = null;
      Mode from;
      Mode to;
      ControlLoopError error = null;
      String ended = null;
      synchronized (lock) {
        if (eventCount > 0) {
          Event event = events[eventHead];
          eventHead = eventHead + 1 == events.length ? 0 : eventHead + 1;
          eventCount--;
          kind = event.kind;
          nanos = event.nanos;
          cps = event.cps;
          ratio = event.ratio;
          from = event.from;
          to = event.to;
          error = event.error;
          duration = event.duration;
          succeeded = event.succeeded;
          cause = event.cause;
          event.error = null;
        } else if (droppedEvents > 0) {
          kind = ERROR_EVENT;
          nanos = 0;
          cps = 0;
          ratio = 0;
          from = null;
          to = null;
          error = new ControlLoopError(ControlLoopError.Kind.LISTENER_BEHIND,
              droppedEvents + " listener events were dropped: the listener fell more than "
                  + MAX_QUEUED_EVENTS + " events behind", null, clock.getAsLong());
          droppedEvents = 0;
        } else if (endedReason != null) {
          ended = endedReason;
          endedReason = null;
          kind = -1;
          nanos = 0;
          cps = 0;
          ratio = 0;
          from = null;
          to = null;
        } else {
          delivering = false;
          return;
        }
      }
      try {
        if (ended != null) {
          listener.onReplicationEnded(ended);
        } else if (kind == TICK_EVENT) {
          listener.onTick(nanos, cps, Objects.requireNonNull(to), ratio);
        } else if (kind == SWITCH_EVENT) {
          listener.onModeSwitch(Objects.requireNonNull(from), Objects.requireNonNull(to), cps, nanos);
        } else if (kind == ACTUATION_EVENT) {
          listener.onActuation(Objects.requireNonNull(to), duration, succeeded, nanos);
        } else if (kind == FAIL_SAFE_ENTERED_EVENT) {
          listener.onFailSafeEntered(Objects.requireNonNull(to), Objects.requireNonNull(cause), nanos);
        } else if (kind == FAIL_SAFE_LEFT_EVENT) {
          listener.onFailSafeLeft(duration, nanos);
        } else {
          listener.onError(Objects.requireNonNull(error));
        }
      } catch (RuntimeException | Error ignored) {
        // A listener must not break the loop.
      }
    }
  }

  /** Builds a {@link ControlLoop}; every setter validates its argument. */
  public static final class Builder {
    private final ModeController controller;
    private final CheckpointCounter counter;
    private final ModeActuator actuator;
    private String name = "unnamed";
    private @Nullable ScheduledExecutorService scheduler;
    private LongSupplier clock = System::nanoTime;
    private Duration period = Duration.ofSeconds(1);
    private @Nullable Duration rateWindow;
    private Duration startDelay = Duration.ZERO;
    private Mode failSafeMode = Mode.CHECKPOINT;
    private int actuatorAttempts = 4;
    private Duration retryBackoff = Duration.ofMillis(100);
    private Duration maxRetryBackoff = Duration.ofSeconds(2);
    private Duration counterTimeout = Duration.ofSeconds(5);
    private Duration failSafeHold = Duration.ofSeconds(60);
    private Listener listener = NO_LISTENER;
    private @Nullable Executor actuationExecutor;
    private Duration actuationStartTimeout = Duration.ofSeconds(10);
    private @Nullable Executor listenerExecutor;

    private Builder(ModeController controller, CheckpointCounter counter, ModeActuator actuator) {
      this.controller = Objects.requireNonNull(controller, "controller");
      this.counter = Objects.requireNonNull(counter, "counter");
      this.actuator = Objects.requireNonNull(actuator, "actuator");
    }

    /**
     * The name of the VM the loop drives, as it should appear in JFR events, metrics and logs
     * (the QEMU {@code -name}, say); not blank; default "unnamed".
     */
    public Builder name(String name) {
      Objects.requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("name must not be blank; it names the VM in events");
      }
      this.name = name;
      return this;
    }

    /** The scheduler that runs the ticks; required. Many loops may share one. */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /** The monotonic nanosecond clock; default {@link System#nanoTime()}. */
    public Builder clock(LongSupplier clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The control period, {@code > 0}; default 1 s. */
    public Builder period(Duration period) {
      this.period = ParameterCheck.positive("period", period);
      return this;
    }

    /** The window of the checkpoint rate estimate, {@code > 0}; default one period. */
    public Builder rateWindow(Duration rateWindow) {
      this.rateWindow = ParameterCheck.positive("rateWindow", rateWindow);
      return this;
    }

    /**
     * Delay before the first tick, {@code >= 0}; default 0. Spread it over the period when
     * thousands of loops start together, so their ticks do not all fall on the same instant, and
     * run them on a {@link CoalescingScheduler} so that loops in the same slot share one
     * scheduler task.
     */
    public Builder startDelay(Duration startDelay) {
      this.startDelay = ParameterCheck.nonNegative("startDelay", startDelay);
      return this;
    }

    /** The mode applied when a port keeps failing; default {@link Mode#CHECKPOINT}. */
    public Builder failSafeMode(Mode failSafeMode) {
      this.failSafeMode = Objects.requireNonNull(failSafeMode, "failSafeMode");
      return this;
    }

    /** Attempts to apply one mode before giving up and entering fail-safe, {@code >= 1}; default 4. */
    public Builder actuatorAttempts(int actuatorAttempts) {
      this.actuatorAttempts = ParameterCheck.atLeast("actuatorAttempts", actuatorAttempts, 1);
      return this;
    }

    /**
     * First retry delay, doubled per further attempt up to {@code max}; defaults 100 ms and 2 s.
     */
    public Builder retryBackoff(Duration initial, Duration max) {
      ParameterCheck.positive("retryBackoff", initial);
      ParameterCheck.positive("maxRetryBackoff", max);
      ParameterCheck.ordered("retryBackoff", initial, "maxRetryBackoff", max);
      this.retryBackoff = initial;
      this.maxRetryBackoff = max;
      return this;
    }

    /** How long the counter may stay unreadable before fail-safe, {@code > 0}; default 5 s. */
    public Builder counterTimeout(Duration counterTimeout) {
      this.counterTimeout = ParameterCheck.positive("counterTimeout", counterTimeout);
      return this;
    }

    /** How long the fail-safe mode is held before control resumes, {@code >= 0}; default 60 s. */
    public Builder failSafeHold(Duration failSafeHold) {
      this.failSafeHold = ParameterCheck.nonNegative("failSafeHold", failSafeHold);
      return this;
    }

    /** The observer of switches, errors and ticks; default none. */
    public Builder listener(Listener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Runs the actuator on {@code executor} instead of on the scheduler thread, so that a slow
     * or hung replication endpoint (a QMP command waits up to its timeout) delays only its own VM,
     * not the ticks of the other loops sharing the scheduler. While an actuation is in flight the
     * loop keeps ticking and measuring but starts no other actuation; its outcome (switch,
     * retry, fail-safe) is handled when it completes. If {@code execute} throws (any exception),
     * or the task does not start within {@link #actuationStartTimeout(Duration)}, the attempt
     * failed. After {@link #close()} a queued actuation does not call the actuator, and the outcome
     * of one under way is ignored. Default: none (the actuator runs on the tick's thread).
     */
    public Builder actuationExecutor(Executor executor) {
      this.actuationExecutor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * How long an actuation handed to the {@link #actuationExecutor(Executor) actuation executor}
     * may wait to start, {@code > 0}; default 10 s. Checked at each tick: an actuation the executor
     * dropped (a {@code DiscardPolicy}, a pool after {@code shutdownNow()}) or left queued longer
     * counts as a failed attempt (retry, then fail-safe), and does nothing should it start later.
     * An actuation that has started is never abandoned: the actuator bounds its own time.
     */
    public Builder actuationStartTimeout(Duration actuationStartTimeout) {
      this.actuationStartTimeout =
          ParameterCheck.positive("actuationStartTimeout", actuationStartTimeout);
      return this;
    }

    /**
     * Delivers listener events on {@code executor}, one task at a time and in order, instead of on
     * the thread that produced them; a listener that blocks then delays only the delivery, never
     * control or the fail-safe. The delivery task is one reused {@code Runnable}: no allocation per
     * event. If the executor refuses it, the events are delivered on the producing thread. Default:
     * none (events are delivered on the producing thread, outside the loop's lock).
     */
    public Builder listenerExecutor(Executor executor) {
      this.listenerExecutor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * Builds the loop (not started).
     *
     * @throws NullPointerException if no scheduler was set
     */
    public ControlLoop build() {
      return new ControlLoop(this);
    }
  }
}
