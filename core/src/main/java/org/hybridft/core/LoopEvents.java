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
 * The JFR events of a {@link ControlLoop}, category "hybrid-ft", all enabled by default (as
 * rare as the state changes they record). Each is created only when its state change happens,
 * never on a tick that changes nothing, and its fields are filled only when a recording wants
 * it ({@link Event#isEnabled()}), so with JFR off they cost a check and nothing else.
 */
final class LoopEvents {
  private LoopEvents() {}

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

  static void modeSwitch(String vm, Mode from, Mode to, double cps, double ratio,
      long actuationNanos, boolean failSafe) {
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
  }

  static void failSafeEntered(String vm, Mode mode, ControlLoopError.Kind cause, double cps,
      double ratio) {
    FailSafeEntered event = new FailSafeEntered();
    if (event.isEnabled()) {
      event.vm = vm;
      event.mode = mode.name();
      event.cause = cause.name();
      event.checkpointsPerSecond = cps;
      event.downtimeRatio = ratio;
      event.commit();
    }
  }

  static void failSafeLeft(String vm, @Nullable Mode mode, long heldNanos, double ratio) {
    FailSafeLeft event = new FailSafeLeft();
    if (event.isEnabled()) {
      event.vm = vm;
      event.mode = mode == null ? null : mode.name();
      event.held = heldNanos;
      event.downtimeRatio = ratio;
      event.commit();
    }
  }

  static void actuationFailed(String vm, Mode mode, int attempt, boolean failSafe,
      Throwable failure, long actuationNanos, double cps) {
    ActuationFailed event = new ActuationFailed();
    if (event.isEnabled()) {
      event.vm = vm;
      event.mode = mode.name();
      event.attempt = attempt;
      event.failSafe = failSafe;
      event.failure = failure.toString();
      event.actuationDuration = actuationNanos;
      event.checkpointsPerSecond = cps;
      event.commit();
    }
  }

  static void replicationEnded(String vm, String reason, @Nullable Mode mode, double ratio) {
    ReplicationEnded event = new ReplicationEnded();
    if (event.isEnabled()) {
      event.vm = vm;
      event.reason = reason;
      event.mode = mode == null ? null : mode.name();
      event.downtimeRatio = ratio;
      event.commit();
    }
  }
}
