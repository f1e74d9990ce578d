package org.hybridft.core;

import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Drives the replication of one VM: every control period it reads the {@link CheckpointCounter},
 * feeds the {@link CheckpointRateEstimator} and the {@link ModeController}, and calls the {@link
 * ModeActuator} only when the controller's mode differs from the mode last applied.
 *
 * <p><b>Start.</b> {@link #start()} schedules the periodic tick on the scheduler given to {@link
 * #builder}. The first tick takes the counter's baseline and applies the controller's initial mode
 * (the replication's mode is unknown until then); every later tick measures a period and consults
 * the controller. So the actuator is called once at start and then once per mode change, with the
 * controller's {@link ModeController#checkpointPeriodNanos() checkpoint period}.
 *
 * <p><b>Fail-safe.</b> When an actuation fails (the actuator throws any exception or {@code
 * Error}, the actuation executor refuses or drops the task), the loop retries with exponential
 * backoff ({@code retryBackoff}, doubled per attempt and saturating at {@code maxRetryBackoff},
 * however many attempts) up to {@code actuatorAttempts} attempts. When they are used up, or when
 * the counter could not be read for {@code counterTimeout}, the loop reports an error, enters
 * {@link State#FAIL_SAFE} and applies the fail-safe mode (default {@link Mode#CHECKPOINT}, whose
 * checkpoint rate does not depend on the workload) with the loop's own {@link
 * Builder#failSafeCheckpointPeriod(Duration) fail-safe checkpoint period}; it holds that mode for
 * {@code failSafeHold} (re-applying it each period until that succeeds), then resets the
 * controller and returns to {@link State#RUNNING}.
 *
 * <p><b>Counter faults.</b> A read that throws, and a negative count (a count is never negative,
 * so it can only be a broken adapter), are both a failed read: {@link
 * ControlLoopError.Kind#COUNTER_READ_FAILED} each period, and the fail-safe after {@code
 * counterTimeout}. A negative pause total is read as {@link CheckpointCounter#PAUSE_UNKNOWN}.
 *
 * <p><b>End.</b> A {@link ReplicationEndedException} from either port stops the loop for good
 * ({@link State#ENDED}, the exception's reason in the {@link StateChange}). {@link #close()} stops
 * it for good too ({@link State#CLOSED}): both states are final, and once {@code close()} has
 * returned the loop calls neither port again and starts no task (an actuator call already under
 * way on the actuation executor finishes, and its outcome is ignored).
 *
 * <p><b>Events.</b> Any number of {@link Listener}s, added with {@link
 * Builder#addListener(Listener)} or at any time with {@link #addListener(Listener)}, removed with
 * {@link #removeListener(Listener)}. Every callback takes the loop clock's time first. Each state
 * change ({@link State#RUNNING} at start, {@link State#FAIL_SAFE} entered and left, {@link
 * State#ENDED}, {@link State#CLOSED}) is one {@link Listener#onStateChanged(StateChange)} with its
 * reason.
 *
 * <p><b>Threads.</b> A loop is thread-safe: {@link #start()}, {@link #close()}, {@link
 * #addListener(Listener)}, {@link #removeListener(Listener)} and the getters may be called from any
 * thread, listeners included. Three kinds of threads do its work:
 *
 * <ul>
 *   <li><em>The scheduler's threads</em> run the ticks and the actuation retries: they read the
 *       counter, update the controller and, unless an actuation executor is set, call the
 *       actuator. Ticks of one loop never overlap, and the ports and the controller of one loop
 *       are never called concurrently. Many loops share one scheduler: a tick is a few hundred
 *       nanoseconds and allocates nothing while the mode holds, with or without listeners.
 *   <li><em>The {@link Builder#actuationExecutor(Executor) actuation executor's} threads</em>, if
 *       one is set, call the actuator, so one slow QEMU does not delay every VM on the scheduler.
 *       An actuation handed to it must start within {@code actuationStartTimeout} (checked at each
 *       tick), else it counts as a failed attempt and, should it start later, does nothing.
 *   <li><em>Listeners</em> run on the {@link Builder#listenerExecutor(Executor) listener executor}
 *       if one is set (one task at a time). Without one, they run on the thread that produced the
 *       event, right after it left the loop's lock: a scheduler thread (ticks, retries), an
 *       actuation executor thread (actuations it completed), or the thread that called {@link
 *       #start()} or {@link #close()}; if another thread is delivering this loop's events at that
 *       moment, that thread delivers the new ones too. A listener that blocks there holds that
 *       thread, and so this loop's next tick.
 * </ul>
 *
 * <p>Listeners never run under the loop's lock, so a listener that blocks delays neither {@link
 * #close()} (which returns within the time of a port call, whatever the listeners do) nor other
 * loops. Events are delivered one at a time, never concurrently, in the order the loop produced
 * them, each to every listener in the order they were added. A listener sees the events delivered
 * after it was added and before it was removed (so possibly a few produced just before it was
 * added). Up to {@value #MAX_QUEUED_EVENTS} undelivered events are queued in reused slots;
 * beyond that new events are dropped, counted and reported as one {@link
 * ControlLoopError.Kind#LISTENER_BEHIND} error once the listeners catch up. The final state change
 * ({@link State#ENDED} or {@link State#CLOSED}) is never dropped, and events already queued when
 * the loop stops are still delivered. An exception or {@code Error} a listener throws is ignored;
 * the other listeners still get the event.
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
   * Observes a loop. Every callback takes the loop clock's time ({@code nowNanos}) first; all have
   * empty defaults. They run outside the loop's lock, one at a time and in order, on the threads
   * described in the class comment.
   */
  public interface Listener {
    /**
     * After every measured tick: the applied mode, the rate measured and the downtime ratio
     * ({@link Double#NaN} while unknown, see {@link ControlLoop#downtimeRatio()}).
     */
    default void onTick(long nowNanos, Mode mode, double checkpointsPerSecond,
        double downtimeRatio) {}

    /** After the actuator applied a new mode, at the checkpoint rate last measured. */
    default void onModeSwitch(long nowNanos, Mode from, Mode to, double checkpointsPerSecond) {}

    /**
     * After every call of the actuator, successful or not: the mode it was asked to apply and
     * how long the call took on the loop's clock. Not called for an actuation that never started
     * (refused or dropped by the actuation executor), which is still reported by {@link
     * #onError(ControlLoopError)}.
     */
    default void onActuation(long nowNanos, Mode mode, long durationNanos, boolean succeeded) {}

    /** After every change of the loop's {@link State}, with its reason. */
    default void onStateChanged(StateChange change) {}

    /** When a port or the controller failed; the error carries its time and kind. */
    default void onError(ControlLoopError error) {}
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

  /**
   * One change of a loop's {@link State}.
   *
   * @param atNanos the loop clock's time of the change
   * @param from the state left
   * @param to the state entered
   * @param reason why, in one line: "started", the error that led to the fail-safe, how long the
   *     fail-safe was held, the reason the replication ended, "closed"
   * @param cause for a change to {@link State#FAIL_SAFE}, the kind of failure that led to it
   *     ({@link ControlLoopError.Kind#ACTUATOR_GAVE_UP} or {@link
   *     ControlLoopError.Kind#COUNTER_UNAVAILABLE}); null for the other changes
   */
  public record StateChange(long atNanos, State from, State to, String reason,
      ControlLoopError.@Nullable Kind cause) {

    /** Validates the components. */
    public StateChange {
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(to, "to");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /** The most listener events queued for delivery; beyond it new events are dropped. */
  public static final int MAX_QUEUED_EVENTS = 1024;

  /**
   * The default interval between checkpoints while the loop holds the fail-safe mode: 500 ms, the
   * default checkpoint period of the controllers in hybridft-controllers.
   */
  public static final Duration DEFAULT_FAIL_SAFE_CHECKPOINT_PERIOD = Duration.ofMillis(500);

  private static final Listener[] NO_LISTENERS = new Listener[0];
  private static final int TICK_EVENT = 0;
  private static final int SWITCH_EVENT = 1;
  private static final int ERROR_EVENT = 2;
  private static final int ACTUATION_EVENT = 3;
  private static final int STATE_EVENT = 4;

  private final String name;
  private final ModeController controller;
  private final CheckpointCounter counter;
  private final ScheduledExecutorService scheduler;
  private final LongSupplier clock;
  private final long periodNanos;
  private final long startDelayNanos;
  private final Mode failSafeMode;
  private final long counterTimeoutNanos;
  private final long failSafeHoldNanos;
  private final CheckpointRateEstimator estimator;
  private final @Nullable Executor listenerExecutor;
  private final Actuation actuation;

  private final Object lock = new Object();
  private final Object listenersLock = new Object();
  // Replaced, never mutated: delivery reads one snapshot per event without allocating.
  private volatile Listener[] listeners;
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
  // Listener events not yet delivered: a ring of reused slots, grown on demand (never per tick).
  private Event[] events = new Event[0];
  private int eventHead;
  private int eventCount;
  private long droppedEvents;
  // The change to ENDED or CLOSED, delivered after the queue and never dropped.
  private @Nullable StateChange finalChange;
  private boolean delivering;

  private final Runnable tick = this::tick;
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
    @Nullable StateChange change;
  }

  private ControlLoop(Builder builder) {
    this.name = builder.name;
    this.controller = builder.controller;
    this.counter = builder.counter;
    this.scheduler = builder.scheduler;
    this.clock = builder.clock;
    this.periodNanos = builder.period.toNanos();
    this.startDelayNanos = builder.startDelay.toNanos();
    this.failSafeMode = builder.failSafeMode;
    this.counterTimeoutNanos = builder.counterTimeout.toNanos();
    this.failSafeHoldNanos = builder.failSafeHold.toNanos();
    this.listeners = builder.listeners;
    this.listenerExecutor = builder.listenerExecutor;
    Duration window = builder.rateWindow == null ? builder.period : builder.rateWindow;
    this.estimator = CheckpointRateEstimator.forCounter(window, builder.period);
    Actuation.Settings settings =
        new Actuation.Settings(builder.controller, builder.actuator, builder.scheduler);
    settings.name = builder.name;
    settings.clock = builder.clock;
    settings.executor = builder.actuationExecutor;
    settings.attempts = builder.actuatorAttempts;
    settings.retryBackoffNanos = builder.retryBackoff.toNanos();
    settings.maxRetryBackoffNanos = builder.maxRetryBackoff.toNanos();
    settings.startTimeoutNanos = builder.actuationStartTimeout.toNanos();
    settings.failSafeMode = builder.failSafeMode;
    settings.failSafeCheckpointPeriodNanos = builder.failSafeCheckpointPeriod.toNanos();
    this.actuation = new Actuation(settings, lock, new Outcomes());
  }

  /**
   * Starts a builder for a loop that drives {@code controller} through the two ports, ticking on
   * {@code scheduler}.
   *
   * @param controller the decision function, owned by this loop from now on
   * @param counter where checkpoints are counted
   * @param actuator where modes are applied
   * @param scheduler runs the ticks and retries; many loops may share one (a {@link
   *     CoalescingScheduler} for thousands)
   * @throws NullPointerException naming the argument that is null
   */
  public static Builder builder(ModeController controller, CheckpointCounter counter,
      ModeActuator actuator, ScheduledExecutorService scheduler) {
    return new Builder(controller, counter, actuator, scheduler);
  }

  /**
   * Schedules the loop's periodic tick and enters {@link State#RUNNING}.
   *
   * @throws IllegalStateException if the loop was already started or closed
   */
  public void start() {
    synchronized (lock) {
      if (state != State.NEW) {
        throw new IllegalStateException("the loop can start only once; it is " + state);
      }
      changeState(State.RUNNING, "started", null, clock.getAsLong());
      tickTask =
          scheduler.scheduleAtFixedRate(tick, startDelayNanos, periodNanos, TimeUnit.NANOSECONDS);
    }
    deliverEvents();
  }

  /**
   * Stops the loop for good ({@link State#CLOSED}, unless it had {@link State#ENDED}): cancels its
   * tasks and returns once no tick of it is running, so that after it returns neither port is
   * called again. It waits at most for the port call of a running tick, never for a listener, and
   * may be called from a listener. Idempotent. Does not touch the replication: it stays in the
   * mode last applied.
   */
  @Override
  public void close() {
    closeRequested = true;
    synchronized (lock) {
      // Taking the lock waits for a running tick; ticks check closeRequested first thing.
      if (state != State.ENDED && state != State.CLOSED) {
        State from = state;
        state = State.CLOSED;
        if (listeners.length > 0) {
          finalChange = new StateChange(clock.getAsLong(), from, State.CLOSED, "closed", null);
        }
      }
      cancelTasks();
    }
    deliverEvents();
  }

  /**
   * Adds a listener; it receives the events delivered from now on. A listener added twice receives
   * each event twice. May be called from any thread, a listener included.
   */
  public void addListener(Listener listener) {
    Objects.requireNonNull(listener, "listener");
    synchronized (listenersLock) {
      Listener[] current = listeners;
      Listener[] grown = Arrays.copyOf(current, current.length + 1);
      grown[current.length] = listener;
      listeners = grown;
    }
  }

  /**
   * Removes one registration of {@code listener}; it receives no event whose delivery starts after
   * this returns (one being delivered to it may still finish).
   *
   * @return whether the listener was registered
   */
  public boolean removeListener(Listener listener) {
    Objects.requireNonNull(listener, "listener");
    synchronized (listenersLock) {
      Listener[] current = listeners;
      for (int i = 0; i < current.length; i++) {
        if (current[i] == listener) {
          Listener[] shrunk = new Listener[current.length - 1];
          System.arraycopy(current, 0, shrunk, 0, i);
          System.arraycopy(current, i + 1, shrunk, i, current.length - i - 1);
          listeners = shrunk.length == 0 ? NO_LISTENERS : shrunk;
          return true;
        }
      }
      return false;
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

  private boolean hasListener() {
    return listeners.length > 0;
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
        actuation.expireUnstarted(now);
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
        actuation.apply(controller.mode(), now, 0);
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
    if (applied != null && hasListener() && !stopped()) {
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
    if (wanted != appliedMode && !actuation.busy()) {
      actuation.apply(wanted, now, cps);
    }
  }

  private void holdFailSafe(long now) {
    if (appliedMode != failSafeMode) {
      actuation.applyFailSafe(now, lastCheckpointsPerSecond);
    }
    if (now >= failSafeUntilNanos && appliedMode == failSafeMode && state == State.FAIL_SAFE) {
      controller.reset();
      actuation.resetAttempts();
      long held = now - failSafeSinceNanos;
      LoopEvents.failSafeLeft(name, appliedMode, held, lastDowntimeRatio);
      changeState(State.RUNNING, "fail-safe " + failSafeMode + " held for " + held / 1_000_000
          + " ms; the controller decides again", null, now);
    }
  }

  private void enterFailSafe(ControlLoopError.Kind cause, String reason, long now) {
    if (stopped()) {
      return;
    }
    failSafeSinceNanos = now;
    failSafeUntilNanos = now + failSafeHoldNanos;
    LoopEvents.failSafeEntered(name, failSafeMode, cause, lastCheckpointsPerSecond,
        lastDowntimeRatio);
    changeState(State.FAIL_SAFE, reason, cause, now);
    actuation.cancelRetry();
    actuation.applyFailSafe(now, lastCheckpointsPerSecond);
  }

  /** The one place a running loop changes state (start and close aside): state, then event. */
  private void changeState(State to, String reason, ControlLoopError.@Nullable Kind cause,
      long now) {
    State from = state;
    state = to;
    if (hasListener()) {
      Event event = queueEvent(STATE_EVENT, now);
      if (event != null) {
        event.change = new StateChange(now, from, to, reason, cause);
      }
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
      if (hasListener()) {
        Event event = queueEvent(SWITCH_EVENT, now);
        if (event != null) {
          event.from = from;
          event.to = mode;
          event.cps = cps;
        }
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
      String message = "checkpoint counter unreadable for " + unreadable / 1_000_000 + " ms (limit "
          + counterTimeoutNanos / 1_000_000 + " ms); entering fail-safe " + failSafeMode;
      report(ControlLoopError.Kind.COUNTER_UNAVAILABLE, message, failure, now);
      enterFailSafe(ControlLoopError.Kind.COUNTER_UNAVAILABLE, message, now);
    } else if (state == State.FAIL_SAFE) {
      // Keep the fail-safe mode until the counter is back; then the hold runs out.
      failSafeUntilNanos = Math.max(failSafeUntilNanos, now + failSafeHoldNanos);
      if (appliedMode != failSafeMode) {
        actuation.applyFailSafe(now, lastCheckpointsPerSecond);
      }
    }
  }

  private void end(String reason, long now) {
    State from = state;
    state = State.ENDED;
    LoopEvents.replicationEnded(name, reason, appliedMode, lastDowntimeRatio);
    cancelTasks();
    if (hasListener()) {
      finalChange = new StateChange(now, from, State.ENDED, reason, null);
    }
  }

  private void cancelTasks() {
    if (tickTask != null) {
      tickTask.cancel(false);
      tickTask = null;
    }
    actuation.stop();
  }

  private void report(ControlLoopError.Kind kind, String message, @Nullable Throwable cause, long now) {
    if (!hasListener()) {
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
    if (Thread.holdsLock(lock)) {
      return;
    }
    synchronized (lock) {
      if (delivering || (eventCount == 0 && droppedEvents == 0 && finalChange == null)) {
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
      double cps = 0;
      double ratio = 0;
      long duration = 0;
      boolean succeeded = false;
      Mode from = null;
      Mode to = null;
      ControlLoopError error = null;
      StateChange change = null;
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
          change = event.change;
          duration = event.duration;
          succeeded = event.succeeded;
          event.error = null;
          event.change = null;
        } else if (droppedEvents > 0) {
          kind = ERROR_EVENT;
          nanos = clock.getAsLong();
          error = new ControlLoopError(ControlLoopError.Kind.LISTENER_BEHIND,
              droppedEvents + " listener events were dropped: the listeners fell more than "
                  + MAX_QUEUED_EVENTS + " events behind", null, nanos);
          droppedEvents = 0;
        } else if (finalChange != null) {
          kind = STATE_EVENT;
          change = finalChange;
          nanos = change.atNanos();
          finalChange = null;
        } else {
          delivering = false;
          return;
        }
      }
      for (Listener listener : listeners) {
        try {
          if (kind == TICK_EVENT) {
            listener.onTick(nanos, Objects.requireNonNull(to), cps, ratio);
          } else if (kind == SWITCH_EVENT) {
            listener.onModeSwitch(nanos, Objects.requireNonNull(from), Objects.requireNonNull(to),
                cps);
          } else if (kind == ACTUATION_EVENT) {
            listener.onActuation(nanos, Objects.requireNonNull(to), duration, succeeded);
          } else if (kind == STATE_EVENT) {
            listener.onStateChanged(Objects.requireNonNull(change));
          } else {
            listener.onError(Objects.requireNonNull(error));
          }
        } catch (RuntimeException | Error ignored) {
          // A listener must break neither the loop nor the other listeners.
        }
      }
    }
  }

  /** Where the {@link Actuation}'s outcomes land; called under the lock. */
  private final class Outcomes implements Actuation.Owner {
    @Override
    public boolean stopped() {
      return ControlLoop.this.stopped();
    }

    @Override
    public boolean controlling() {
      return !ControlLoop.this.stopped() && state == State.RUNNING;
    }

    @Override
    public @Nullable Mode appliedMode() {
      return appliedMode;
    }

    @Override
    public double checkpointsPerSecond() {
      return lastCheckpointsPerSecond;
    }

    @Override
    public void attempted(Mode mode, long durationNanos, boolean succeeded, long nowNanos) {
      if (hasListener()) {
        Event event = queueEvent(ACTUATION_EVENT, nowNanos);
        if (event != null) {
          event.to = mode;
          event.duration = durationNanos;
          event.succeeded = succeeded;
        }
      }
    }

    @Override
    public void applied(Mode mode, boolean failSafe, long durationNanos, long nowNanos,
        double cps) {
      switched(mode, failSafe, durationNanos, nowNanos, cps);
    }

    @Override
    public void failed(ControlLoopError.Kind kind, String message, Throwable cause,
        long nowNanos) {
      report(kind, message, cause, nowNanos);
    }

    @Override
    public void gaveUp(String message, Throwable cause, long nowNanos) {
      report(ControlLoopError.Kind.ACTUATOR_GAVE_UP, message, cause, nowNanos);
      enterFailSafe(ControlLoopError.Kind.ACTUATOR_GAVE_UP, message, nowNanos);
    }

    @Override
    public void ended(String reason, long nowNanos) {
      end(reason, nowNanos);
    }

    @Override
    public void lockReleased() {
      deliverEvents();
    }
  }

  /** Builds a {@link ControlLoop}; every setter validates its argument. */
  public static final class Builder {
    private final ModeController controller;
    private final CheckpointCounter counter;
    private final ModeActuator actuator;
    private final ScheduledExecutorService scheduler;
    private String name = "unnamed";
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
    private Duration failSafeCheckpointPeriod = DEFAULT_FAIL_SAFE_CHECKPOINT_PERIOD;
    private Listener[] listeners = NO_LISTENERS;
    private @Nullable Executor actuationExecutor;
    private Duration actuationStartTimeout = Duration.ofSeconds(10);
    private @Nullable Executor listenerExecutor;

    private Builder(ModeController controller, CheckpointCounter counter, ModeActuator actuator,
        ScheduledExecutorService scheduler) {
      this.controller = Objects.requireNonNull(controller, "controller must not be null");
      this.counter = Objects.requireNonNull(counter, "counter must not be null");
      this.actuator = Objects.requireNonNull(actuator, "actuator must not be null");
      this.scheduler = Objects.requireNonNull(scheduler,
          "scheduler must not be null: the loop ticks on it (many loops may share one)");
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

    /**
     * The interval between checkpoints while the loop holds the fail-safe mode, {@code > 0};
     * default {@link ControlLoop#DEFAULT_FAIL_SAFE_CHECKPOINT_PERIOD} (500 ms). Passed to the
     * actuator with the fail-safe mode; the controller's own period applies the rest of the time.
     */
    public Builder failSafeCheckpointPeriod(Duration failSafeCheckpointPeriod) {
      this.failSafeCheckpointPeriod =
          ParameterCheck.positive("failSafeCheckpointPeriod", failSafeCheckpointPeriod);
      return this;
    }

    /**
     * Adds a listener of ticks, switches, actuations, state changes and errors; may be called
     * several times (each listener gets every event, in the order they were added). More can be
     * added after {@link #build()} with {@link ControlLoop#addListener(Listener)}. Default: none.
     */
    public Builder addListener(Listener listener) {
      Objects.requireNonNull(listener, "listener");
      Listener[] grown = Arrays.copyOf(listeners, listeners.length + 1);
      grown[listeners.length] = listener;
      this.listeners = grown;
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

    /** Builds the loop (not started). */
    public ControlLoop build() {
      return new ControlLoop(this);
    }
  }
}
