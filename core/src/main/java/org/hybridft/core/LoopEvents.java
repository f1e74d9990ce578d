package org.hybridft.core;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Percentage;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;
import org.jspecify.annotations.Nullable;

/**
 * The one place where each fact of a {@link ControlLoop} is reported: from here the listeners
 * hear it (through the loop's {@link EventDelivery}) and, for a change of state, JDK Flight
 * Recorder records it.
 *
 * <p>The JFR events, category "hybrid-ft", are all enabled by default (as rare as the state
 * changes they record). Each is created only when its state change happens, never on a tick that
 * changes nothing, and its fields are filled only when a recording wants it ({@link
 * Event#isEnabled()}), so with JFR off they cost a check and nothing else.
 *
 * <p>Called with the loop's lock held.
 */
final class LoopEvents {
  private final String vm;
  private final EventDelivery listeners;

  /**
   * @param vm the loop's name, as JFR events carry it
   * @param listeners where the listeners' events are queued
   */
  LoopEvents(String vm, EventDelivery listeners) {
    this.vm = vm;
    this.listeners = listeners;
  }

  @Name("org.hybridft.ModeSwitch")
  @Label("Mode Switch")
  @Category("hybrid-ft")
  @Description("The actuator applied a new replication mode to a VM")
  @StackTrace(false)
  static final class ModeSwitch extends Event {
    @Label("VM") String vm;
    @Label("From") String from;
    @Label("To") String to;
    @Label("Checkpoints per Second") double checkpointsPerSecond;
    @Label("Downtime Ratio") @Percentage double downtimeRatio;
    @Label("Actuation Duration") @Timespan(Timespan.NANOSECONDS) long actuationDuration;
    @Label("Fail-Safe") @Description("The fail-safe mode was applied") boolean failSafe;
  }

  @Name("org.hybridft.FailSafeEntered")
  @Label("Fail-Safe Entered")
  @Category("hybrid-ft")
  @Description("A port kept failing: the loop holds the fail-safe mode")
  @StackTrace(false)
  static final class FailSafeEntered extends Event {
    @Label("VM") String vm;
    @Label("Mode") @Description("The fail-safe mode") String mode;
    @Label("Cause") @Description("The error kind that led to it") String cause;
    @Label("Checkpoints per Second") double checkpointsPerSecond;
    @Label("Downtime Ratio") @Percentage double downtimeRatio;
  }

  @Name("org.hybridft.FailSafeLeft")
  @Label("Fail-Safe Left")
  @Category("hybrid-ft")
  @Description("The fail-safe hold ran out: the controller decides again")
  @StackTrace(false)
  static final class FailSafeLeft extends Event {
    @Label("VM") String vm;
    @Label("Mode") @Description("The mode applied when control resumed") @Nullable String mode;
    @Label("Held") @Timespan(Timespan.NANOSECONDS) long held;
    @Label("Downtime Ratio") @Percentage double downtimeRatio;
  }

  @Name("org.hybridft.ActuationFailed")
  @Label("Actuation Failed")
  @Category("hybrid-ft")
  @Description("Applying a mode failed: the actuator threw, or the actuation never started")
  @StackTrace(false)
  static final class ActuationFailed extends Event {
    @Label("VM") String vm;
    @Label("Mode") String mode;
    @Label("Attempt") @Description("Failed attempts so far at this mode (0 for the fail-safe)")
    int attempt;
    @Label("Fail-Safe") @Description("Applying the fail-safe mode failed") boolean failSafe;
    @Label("Failure") String failure;
    @Label("Actuation Duration") @Timespan(Timespan.NANOSECONDS) long actuationDuration;
    @Label("Checkpoints per Second") double checkpointsPerSecond;
  }

  @Name("org.hybridft.ReplicationEnded")
  @Label("Replication Ended")
  @Category("hybrid-ft")
  @Description("The replication ended (failover, QEMU gone): the loop stopped for good")
  @StackTrace(false)
  static final class ReplicationEnded extends Event {
    @Label("VM") String vm;
    @Label("Reason") String reason;
    @Label("Mode") @Description("The mode last applied, if any") @Nullable String mode;
    @Label("Downtime Ratio") @Percentage double downtimeRatio;
  }

  /** A measured tick: for the listeners only (JFR records changes, never a tick). */
  void ticked(long now, Mode mode, double cps, double ratio) {
    listeners.tick(now, mode, cps, ratio);
  }

  /** The loop started: {@link ControlLoop.State#NEW} to {@link ControlLoop.State#RUNNING}. */
  void started(long now) {
    listeners.stateChange(now, ControlLoop.State.NEW, ControlLoop.State.RUNNING, "started", null);
  }

  /** A call of the actuator returned or threw, after {@code durationNanos}. */
  void actuated(long now, Mode mode, long durationNanos, boolean succeeded) {
    listeners.actuation(now, mode, durationNanos, succeeded);
  }

  /** The actuator applied a mode other than the one applied before. */
  void modeSwitched(long now, Mode from, Mode to, double cps, double ratio, long actuationNanos,
      boolean failSafe) {
    ModeSwitch event = new ModeSwitch();
    if (event.isEnabled()) {
      event.vm = vm;
      event.from = from.name();
      event.to = to.name();
      event.checkpointsPerSecond = cps;
      event.downtimeRatio = ratio;
      event.actuationDuration = actuationNanos;
      event.failSafe = failSafe;
      event.commit();
    }
    listeners.modeSwitch(now, from, to, cps);
  }

  /** An attempt to apply a mode failed (or never started): an error of the failure's kind. */
  void actuationFailed(Actuation.Failed failed) {
    ActuationFailed event = new ActuationFailed();
    if (event.isEnabled()) {
      event.vm = vm;
      event.mode = failed.mode().name();
      event.attempt = failed.attempt();
      event.failSafe = failed.failSafe();
      event.failure = failed.failure().toString();
      event.actuationDuration = failed.durationNanos();
      event.checkpointsPerSecond = failed.checkpointsPerSecond();
      event.commit();
    }
    listeners.error(failed.kind(), failed.message(), failed.failure(), failed.atNanos());
  }

  /** A port or the controller failed in a way that has no JFR event of its own. */
  void failed(ControlLoopError.Kind kind, String message, @Nullable Throwable cause, long now) {
    listeners.error(kind, message, cause, now);
  }

  /** The loop entered its fail-safe, {@code from} {@link ControlLoop.State#RUNNING}. */
  void failSafeEntered(long now, ControlLoop.State from, ControlLoopError.Kind cause,
      String reason, Mode mode, double cps, double ratio) {
    FailSafeEntered event = new FailSafeEntered();
    if (event.isEnabled()) {
      event.vm = vm;
      event.mode = mode.name();
      event.cause = cause.name();
      event.checkpointsPerSecond = cps;
      event.downtimeRatio = ratio;
      event.commit();
    }
    listeners.stateChange(now, from, ControlLoop.State.FAIL_SAFE, reason, cause);
  }

  /** The fail-safe hold ran out after {@code heldNanos}: the controller decides again. */
  void failSafeLeft(long now, String reason, @Nullable Mode mode, long heldNanos, double ratio) {
    FailSafeLeft event = new FailSafeLeft();
    if (event.isEnabled()) {
      event.vm = vm;
      event.mode = mode == null ? null : mode.name();
      event.held = heldNanos;
      event.downtimeRatio = ratio;
      event.commit();
    }
    listeners.stateChange(now, ControlLoop.State.FAIL_SAFE, ControlLoop.State.RUNNING, reason,
        null);
  }

  /** The replication ended: the loop stopped for good. */
  void ended(long now, ControlLoop.State from, String reason, @Nullable Mode mode, double ratio) {
    ReplicationEnded event = new ReplicationEnded();
    if (event.isEnabled()) {
      event.vm = vm;
      event.reason = reason;
      event.mode = mode == null ? null : mode.name();
      event.downtimeRatio = ratio;
      event.commit();
    }
    listeners.finalChange(now, from, ControlLoop.State.ENDED, reason);
  }

  /** {@link ControlLoop#close()} stopped the loop for good. */
  void closed(long now, ControlLoop.State from) {
    listeners.finalChange(now, from, ControlLoop.State.CLOSED, "closed");
  }
}
