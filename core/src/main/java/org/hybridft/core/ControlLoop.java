package org.hybridft.core;

import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
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

  private final String name;
  private final EventDelivery delivery;
  private final ModeGovernor governor;

  private ControlLoop(Builder builder) {
    Object lock = new Object();
    this.name = builder.name;
    this.delivery =
        new EventDelivery(lock, builder.clock, builder.listenerExecutor, builder.listeners);
    this.governor = new ModeGovernor(builder, lock, delivery);
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
    governor.start();
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
    governor.close();
  }

  /**
   * Adds a listener; it receives the events delivered from now on. A listener added twice receives
   * each event twice. May be called from any thread, a listener included.
   */
  public void addListener(Listener listener) {
    delivery.add(Objects.requireNonNull(listener, "listener"));
  }

  /**
   * Removes one registration of {@code listener}; it receives no event whose delivery starts after
   * this returns (one being delivered to it may still finish).
   *
   * @return whether the listener was registered
   */
  public boolean removeListener(Listener listener) {
    return delivery.remove(Objects.requireNonNull(listener, "listener"));
  }

  /** The name of the VM this loop drives, as given to {@link Builder#name(String)}. */
  public String name() {
    return name;
  }

  /** The loop's state. */
  public State state() {
    return governor.state();
  }

  /** The mode last applied by the actuator, null before the first successful application. */
  public @Nullable Mode appliedMode() {
    return governor.appliedMode();
  }

  /** The checkpoint rate measured at the last tick. */
  public double checkpointsPerSecond() {
    return governor.checkpointsPerSecond();
  }

  /**
   * The downtime ratio as of the last tick: the share of wall time the guest was paused for
   * checkpoints since the counter began reporting pause totals (normally since the first tick).
   * {@link Double#NaN} while it is unknown: before the first measured tick, and while the
   * counter reports {@link CheckpointCounter#PAUSE_UNKNOWN} (after which it covers the time since
   * pause totals came back). Test with {@link Double#isNaN(double)}; unknown is not 0.
   */
  public double downtimeRatio() {
    return governor.downtimeRatio();
  }

  /** Builds a {@link ControlLoop}; every setter validates its argument. */
  public static final class Builder {
    // Package-private: the loop's parts read them when the loop is built.
    final ModeController controller;
    final CheckpointCounter counter;
    final ModeActuator actuator;
    final ScheduledExecutorService scheduler;
    String name = "unnamed";
    LongSupplier clock = System::nanoTime;
    Duration period = Duration.ofSeconds(1);
    @Nullable Duration rateWindow;
    Duration startDelay = Duration.ZERO;
    Mode failSafeMode = Mode.CHECKPOINT;
    int actuatorAttempts = 4;
    Duration retryBackoff = Duration.ofMillis(100);
    Duration maxRetryBackoff = Duration.ofSeconds(2);
    Duration counterTimeout = Duration.ofSeconds(5);
    Duration failSafeHold = Duration.ofSeconds(60);
    Duration failSafeCheckpointPeriod = DEFAULT_FAIL_SAFE_CHECKPOINT_PERIOD;
    Listener[] listeners = EventDelivery.NO_LISTENERS;
    @Nullable Executor actuationExecutor;
    Duration actuationStartTimeout = Duration.ofSeconds(10);
    @Nullable Executor listenerExecutor;

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
