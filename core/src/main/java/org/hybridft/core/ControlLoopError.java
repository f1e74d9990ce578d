package org.hybridft.core;

import org.jspecify.annotations.Nullable;

/**
 * Something that went wrong in a {@link ControlLoop}, reported to {@link
 * ControlLoop.Listener#onError(ControlLoopError)}.
 *
 * @param kind what failed
 * @param message a one-line description with the figures that matter (attempt, elapsed time)
 * @param cause the exception thrown by a port or the controller, if any
 * @param atNanos the loop clock's time of the failure
 */
public record ControlLoopError(Kind kind, String message, @Nullable Throwable cause, long atNanos) {

  /** One line for logs and terminals: {@code KIND: message}, then the cause's message in brackets. */
  public String describe() {
    return kind + ": " + message + (cause == null ? "" : " (" + cause.getMessage() + ")");
  }

  /** What failed. */
  public enum Kind {
    /** One read of the {@link CheckpointCounter} failed; the loop retries next period. */
    COUNTER_READ_FAILED,
    /** The counter could not be read for the configured time; the loop enters fail-safe. */
    COUNTER_UNAVAILABLE,
    /** One {@link ModeActuator#apply} failed; the loop retries with backoff. */
    ACTUATOR_FAILED,
    /** The actuator kept failing; the loop enters fail-safe. */
    ACTUATOR_GAVE_UP,
    /** Applying the fail-safe mode itself failed; the loop tries again next period. */
    FAIL_SAFE_FAILED,
    /** The controller rejected its input (for instance a clock going backwards). */
    CONTROLLER_FAILED,
    /**
     * The listener fell too far behind and events were dropped (the message says how many);
     * control was not affected. See {@link ControlLoop#MAX_QUEUED_EVENTS}.
     */
    LISTENER_BEHIND
  }
}
