package org.hybridft.core;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
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
 * <p><b>Start.</b> {@link #start()} schedules the periodic tick on the injected scheduler. The
 * first tick takes the counter's baseline and applies the controller's initial mode (the
 * replication's mode is unknown until then); every later tick measures a period and consults the
 * controller. So the actuator is called once at start and then once per mode change.
 *
 * <p><b>Fail-safe.</b> When the actuator throws, the loop retries with exponential backoff
 * ({@code retryBackoff}, doubled per attempt, at most {@code maxRetryBackoff}) up to {@code
 * actuatorAttempts} attempts. When they are used up, or when the counter could not be read for
 * {@code counterTimeout}, the loop reports an error and applies the fail-safe mode (default
 * {@link Mode#CHECKPOINT}, whose checkpoint rate does not depend on the workload), holds it for
 * {@code failSafeHold} (re-applying it each period until that succeeds), then resets the
 * controller and resumes control.
 *
 * <p><b>End.</b> A {@link ReplicationEndedException} from either port stops the loop for good
 * and is reported to {@link Listener#onReplicationEnded(String)}. {@link #close()} cancels the
 * loop's tasks and returns only when no tick of it is running.
 *
 * <p><b>Threads.</b> Ticks of one loop never overlap. Many loops share one scheduler: a tick is
 * a few hundred nanoseconds and allocates nothing while the mode holds. The actuator runs on the
 * tick's thread unless {@link Builder#actuationExecutor(java.util.concurrent.Executor)} moves it
 * elsewhere, which keeps one slow QEMU from delaying every VM on the scheduler. Listeners run on
 * the scheduler thread (or the actuation executor, for switches it completes) and must be quick;
 * an exception they throw is ignored.
 */
public final class ControlLoop implements AutoCloseable {

  /** Observes a loop. All methods have empty defaults; they run on the tick's thread. */
  public interface Listener {
    /** After every measured tick: the rate measured, the applied mode, the downtime ratio. */
    default void onTick(long nowNanos, double checkpointsPerSecond, Mode mode, double downtimeRatio) {}

    /** After the actuator applied a new mode. */
    default void onModeSwitch(Mode from, Mode to, double checkpointsPerSecond, long nowNanos) {}

    /** When a port or the controller failed; see {@link ControlLoopError.Kind}. */
    default void onError(ControlLoopError error) {}

    /** When the replication ended (failover, QEMU gone); the loop has stopped. */
    default void onReplicationEnded(String reason) {}
  }

  /** The life cycle of a loop. */
  public enum State {
    /** Built, not started. */
    NEW,
    /** Ticking under the controller's decisions. */
    RUNNING,
    /** Holding the fail-safe mode after a port failed. */
    FAIL_SAFE,
    /** Stopped because the replication ended. */
    ENDED,
    /** Stopped by {@link #close()}. */
    CLOSED
  }

  private static final Listener NO_LISTENER = new Listener() {};

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
  private final Listener listener;
  private final CheckpointRateEstimator estimator;
  private final @Nullable Executor actuationExecutor;

  private final Object lock = new Object();
  private volatile State state = State.NEW;
  // Set before close() takes the lock, so ticks queued behind a running one do nothing.
  private volatile boolean closeRequested;
  private volatile @Nullable Mode appliedMode;
  private volatile double lastCheckpointsPerSecond;
  private volatile double lastDowntimeRatio;

  // Guarded by lock.
  private @Nullable ScheduledFuture<?> tickTask;
  private @Nullable ScheduledFuture<?> retryTask;
  private @Nullable DowntimeMeter meter;
  private boolean baselineTaken;
  private boolean actuationInFlight;
  private long lastCounterReadNanos;
  private boolean counterFailing;
  private long lastPauseTotal = CheckpointCounter.PAUSE_UNKNOWN;
  private int failedAttempts;
  private long failSafeUntilNanos;
  private final Runnable tick = this::tick;
  private final Runnable retry = this::retry;

  private ControlLoop(Builder builder) {
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
    this.listener = builder.listener;
    this.actuationExecutor = builder.actuationExecutor;
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
   * Stops the loop: cancels its tasks, and returns once no tick is running (immediately when
   * called from a listener on the tick's own thread). Idempotent. Does not touch the replication:
   * it stays in the mode last applied.
   */
  @Override
  public void close() {
    closeRequested = true;
    synchronized (lock) {
      // Taking the lock waits for a running tick; ticks check the state first thing.
      if (state != State.ENDED) {
        state = State.CLOSED;
      }
      cancelTasks();
    }
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

  /** The downtime ratio since the loop started, as of the last tick (0 if pauses are unknown). */
  public double downtimeRatio() {
    return lastDowntimeRatio;
  }

  private void tick() {
    synchronized (lock) {
      if (closeRequested || (state != State.RUNNING && state != State.FAIL_SAFE)) {
        return;
      }
      long now = clock.getAsLong();
      try {
        measureAndControl(now);
      } catch (RuntimeException | Error unexpected) {
        // A periodic task that throws is silently cancelled by the JDK's schedulers: report the
        // failure (an injected clock going backwards, say) and keep the loop alive instead.
        report(ControlLoopError.Kind.CONTROLLER_FAILED,
            "tick failed: " + unexpected, unexpected, now);
      }
    }
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
      meter = new DowntimeMeter(now, state == State.FAIL_SAFE ? failSafeMode : controller.mode());
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
    DowntimeMeter downtime = Objects.requireNonNull(meter);
    if (pauseTotal >= 0) {
      // A total lower than before is a restarted counter: its value is the pause since then.
      long pause = lastPauseTotal >= 0 && pauseTotal >= lastPauseTotal
          ? pauseTotal - lastPauseTotal
          : pauseTotal;
      downtime.onPause(pause);
      lastPauseTotal = pauseTotal;
    }
    if (state == State.FAIL_SAFE) {
      holdFailSafe(now);
    } else {
      control(now, cps);
    }
    double ratio = downtime.downtimeRatio(now);
    lastDowntimeRatio = ratio;
    Mode applied = appliedMode;
    if (applied != null) {
      try {
        listener.onTick(now, cps, applied, ratio);
      } catch (RuntimeException | Error ignored) {
        // A listener must not break the loop.
      }
    }
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
    if (now >= failSafeUntilNanos && appliedMode == failSafeMode) {
      state = State.RUNNING;
      controller.reset();
      failedAttempts = 0;
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
    long checkpointPeriod = controller.checkpointPeriodNanos();
    Executor executor = actuationExecutor;
    if (executor == null) {
      onApplied(mode, failSafe, attempt(mode, checkpointPeriod), now, cps);
      return;
    }
    actuationInFlight = true;
    try {
      executor.execute(() -> {
        RuntimeException failure = attempt(mode, checkpointPeriod);
        synchronized (lock) {
          actuationInFlight = false;
          if (closeRequested || state == State.ENDED || state == State.CLOSED) {
            return;
          }
          onApplied(mode, failSafe, failure, clock.getAsLong(), cps);
        }
      });
    } catch (RejectedExecutionException rejected) {
      actuationInFlight = false;
      onApplied(mode, failSafe, rejected, now, cps);
    }
  }

  /** Calls the actuator; returns its failure, null on success. */
  private @Nullable RuntimeException attempt(Mode mode, long checkpointPeriodNanos) {
    try {
      actuator.apply(mode, checkpointPeriodNanos);
      return null;
    } catch (RuntimeException failure) {
      return failure;
    }
  }

  private void onApplied(Mode mode, boolean failSafe, @Nullable RuntimeException failure, long now, double cps) {
    if (failure instanceof ReplicationEndedException ended) {
      end(ended.reason());
      return;
    }
    if (failure == null) {
      if (!failSafe) {
        failedAttempts = 0;
      }
      switched(mode, now, cps);
      return;
    }
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
      enterFailSafe(now);
    } else {
      long backoff = retryBackoffNanos << Math.min(30, failedAttempts - 1);
      if (backoff <= 0 || backoff > maxRetryBackoffNanos) {
        backoff = maxRetryBackoffNanos;
      }
      report(
          ControlLoopError.Kind.ACTUATOR_FAILED,
          "applying " + mode + " failed (attempt " + failedAttempts + " of " + actuatorAttempts
              + "); retrying in " + backoff / 1_000_000 + " ms",
          failure,
          now);
      retryTask = scheduler.schedule(retry, backoff, TimeUnit.NANOSECONDS);
    }
  }

  private void retry() {
    synchronized (lock) {
      retryTask = null;
      if (closeRequested || state != State.RUNNING) {
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
  }

  private void enterFailSafe(long now) {
    state = State.FAIL_SAFE;
    failSafeUntilNanos = now + failSafeHoldNanos;
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

  private void switched(Mode mode, long now, double cps) {
    Mode from = appliedMode;
    appliedMode = mode;
    if (meter != null) {
      meter.switchMode(now, mode);
    }
    if (from != null && from != mode) {
      try {
        listener.onModeSwitch(from, mode, cps, now);
      } catch (RuntimeException | Error ignored) {
        // A listener must not break the loop.
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
        "reading the checkpoint counter failed; unreadable for " + unreadable / 1_000_000 + " ms",
        failure,
        now);
    if (unreadable >= counterTimeoutNanos && state == State.RUNNING) {
      report(
          ControlLoopError.Kind.COUNTER_UNAVAILABLE,
          "checkpoint counter unreadable for " + unreadable / 1_000_000 + " ms (limit "
              + counterTimeoutNanos / 1_000_000 + " ms); entering fail-safe " + failSafeMode,
          failure,
          now);
      enterFailSafe(now);
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
    cancelTasks();
    try {
      listener.onReplicationEnded(reason);
    } catch (RuntimeException | Error ignored) {
      // A listener must not break the loop.
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
    try {
      listener.onError(new ControlLoopError(kind, message, cause, now));
    } catch (RuntimeException | Error ignored) {
      // A listener must not break the loop.
    }
  }

  /** Builds a {@link ControlLoop}; every setter validates its argument. */
  public static final class Builder {
    private final ModeController controller;
    private final CheckpointCounter counter;
    private final ModeActuator actuator;
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

    private Builder(ModeController controller, CheckpointCounter counter, ModeActuator actuator) {
      this.controller = Objects.requireNonNull(controller, "controller");
      this.counter = Objects.requireNonNull(counter, "counter");
      this.actuator = Objects.requireNonNull(actuator, "actuator");
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
     * retry, fail-safe) is handled when it completes. After {@link #close()} an outcome is
     * ignored. Default: none (the actuator runs on the tick's thread).
     */
    public Builder actuationExecutor(Executor executor) {
      this.actuationExecutor = Objects.requireNonNull(executor, "executor");
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
