package org.hybridft.evaluation.faults;

import java.time.Duration;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The faults a {@link FaultTry} injects, each with the failover COLO's documentation calls for and
 * what the control loop must report. "The loop's report" is its sequence of state changes: a
 * {@code ENDED} with its reason, or {@code FAIL_SAFE} entered, or neither.
 */
public enum FaultKind {
  /** The primary QEMU killed (SIGKILL) at a random moment. */
  PRIMARY_KILL(Failover.TO_SECONDARY, LoopOutcome.ENDED_CONNECTION_LOST, Duration.ofSeconds(20),
      "primary SIGKILL"),
  /** The primary killed while the VM is paused for a checkpoint (between STOP and RESUME). */
  PRIMARY_KILL_IN_CHECKPOINT(Failover.TO_SECONDARY, LoopOutcome.ENDED_CONNECTION_LOST, Duration.ofSeconds(20),
      "primary SIGKILL during a checkpoint"),
  /** The primary killed during a mode switch, after the recipe's first command and before its second. */
  PRIMARY_KILL_IN_SWITCH(Failover.TO_SECONDARY, LoopOutcome.ENDED_CONNECTION_LOST, Duration.ofSeconds(20),
      "primary SIGKILL between a mode switch's recipe steps"),
  /** The primary frozen (SIGSTOP) for 0.5 to 1.5 s, then resumed (SIGCONT): shorter than the heartbeat. */
  PRIMARY_PAUSE(Failover.NONE, LoopOutcome.RUNNING, Duration.ofSeconds(6),
      "primary SIGSTOP, SIGCONT after 0.5-1.5 s"),
  /** The primary frozen for good: the watch fences it (SIGKILL) after its heartbeat. */
  PRIMARY_FREEZE(Failover.TO_SECONDARY, LoopOutcome.ENDED_CONNECTION_LOST, Duration.ofSeconds(20),
      "primary SIGSTOP for good"),
  /** Every replication link closed (the link proxy's SIGUSR1). */
  LINK_CUT(Failover.PRIMARY_ALONE, LoopOutcome.ENDED_COLO_EXIT, Duration.ofSeconds(25),
      "replication links closed"),
  /** Every replication link blackholed: open, but no byte passes (the link proxy's SIGUSR2). */
  LINK_BLACKHOLE(Failover.PRIMARY_ALONE, LoopOutcome.ENDED_COLO_EXIT, Duration.ofSeconds(30),
      "replication links blackholed"),
  /** The secondary QEMU killed (SIGKILL). */
  SECONDARY_KILL(Failover.PRIMARY_ALONE, LoopOutcome.ENDED_COLO_EXIT, Duration.ofSeconds(25),
      "secondary SIGKILL"),
  /** The control loop's QMP connection closed under it (the QMP proxy drops both ends). */
  QMP_CLOSED(Failover.NONE, LoopOutcome.ENDED_CONNECTION_LOST, Duration.ofSeconds(4),
      "the loop's QMP connection closed"),
  /**
   * QEMU's QMP answering slowly: every message to the loop delayed 10 s, for 14 s, so the counter's
   * liveness probe (3 s) goes unanswered for longer than the loop's counter timeout (5 s). It strikes
   * at the first command of a mode switch, the worst moment: the switch waits for its reply with
   * the rest, and the loop must still notice the silence (its actuation runs on an executor of its
   * own, as the agent's does). A 4 s delay left the loop running in one try of two: its probes
   * were answered before it gave up.
   */
  QMP_SLOW(Failover.NONE, LoopOutcome.FAIL_SAFE, Duration.ofSeconds(16),
      "QMP messages to the loop delayed 10 s for 14 s, from a switch's first command");

  /** What the control loop must have reported by the end of a try. */
  public enum LoopOutcome {
    /** Still running: never ENDED, never in FAIL_SAFE. */
    RUNNING("running, no fail-safe"),
    /** Entered FAIL_SAFE at least once and never ENDED. */
    FAIL_SAFE("fail-safe entered, not ended"),
    /** ENDED with a reason that says the QMP connection was lost. */
    ENDED_CONNECTION_LOST("ended: QMP connection lost"),
    /** ENDED with a reason that is QEMU's COLO_EXIT event. */
    ENDED_COLO_EXIT("ended: COLO_EXIT");

    private final String text;

    LoopOutcome(String text) {
      this.text = text;
    }

    /** One line, for the report. */
    public String text() {
      return text;
    }

    /**
     * Whether the loop's report matches: {@code endReason} is the reason of its ENDED (null if it
     * never ended), {@code failSafeEntered} whether it ever entered FAIL_SAFE.
     */
    public boolean matches(@Nullable String endReason, boolean failSafeEntered) {
      return switch (this) {
        case RUNNING -> endReason == null && !failSafeEntered;
        case FAIL_SAFE -> endReason == null && failSafeEntered;
        case ENDED_CONNECTION_LOST -> endReason != null && endReason.contains("QMP connection lost");
        case ENDED_COLO_EXIT -> endReason != null && endReason.startsWith("COLO_EXIT");
      };
    }
  }

  private final Failover failover;
  private final LoopOutcome loopOutcome;
  private final Duration observe;
  private final String description;

  FaultKind(Failover failover, LoopOutcome loopOutcome, Duration observe, String description) {
    this.failover = failover;
    this.loopOutcome = loopOutcome;
    this.observe = observe;
    this.description = description;
  }

  /** The failover COLO's documentation calls for after this fault. */
  public Failover expectedFailover() {
    return failover;
  }

  /** What the control loop must report. */
  public LoopOutcome expectedLoopOutcome() {
    return loopOutcome;
  }

  /**
   * How long a try watches the pair after the fault, at most: until the failover for a fault
   * that needs one, the whole time for the others.
   */
  public Duration observe() {
    return observe;
  }

  /** One line, for the report. */
  public String description() {
    return description;
  }

  /** The kind's name as the command line and the report spell it: {@code primary-kill}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /**
   * The kind a label names, {@code primary-kill} or {@code PRIMARY_KILL}.
   *
   * @throws IllegalArgumentException naming the label and the kinds there are
   */
  public static FaultKind parse(String label) {
    for (FaultKind kind : values()) {
      if (kind.label().equalsIgnoreCase(label) || kind.name().equalsIgnoreCase(label)) {
        return kind;
      }
    }
    StringBuilder kinds = new StringBuilder();
    for (FaultKind kind : values()) {
      kinds.append(kinds.length() == 0 ? "" : ", ").append(kind.label());
    }
    throw new IllegalArgumentException("fault kind must be one of " + kinds + ", was '" + label + "'");
  }
}
