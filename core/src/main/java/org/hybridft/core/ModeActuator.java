package org.hybridft.core;

/**
 * Port through which a {@link ControlLoop} applies a mode to the replication, for instance by
 * QMP commands to QEMU. The loop calls it only when the mode changes (and once at start), never
 * concurrently for the same VM.
 */
@FunctionalInterface
public interface ModeActuator {

  /**
   * Puts the replication into {@code mode}. Must return within a bounded time (its own
   * timeout): it runs on the scheduler thread the loop shares with other VMs, or on the loop's
   * actuation executor, and the loop never starts another call for the same VM before it returns.
   *
   * @param mode the mode to run
   * @param checkpointPeriodNanos the interval between checkpoints wanted in {@link
   *     Mode#CHECKPOINT}: the controller's {@link ModeController#checkpointPeriodNanos()}, or the
   *     loop's {@link ControlLoop.Builder#failSafeCheckpointPeriod fail-safe checkpoint period}
   *     while it holds the fail-safe mode
   * @throws ReplicationEndedException when the replication has ended: the loop stops
   * @throws RuntimeException when the mode could not be applied: the loop retries with
   *     exponential backoff, then falls back to its fail-safe mode (an {@code Error} thrown here
   *     counts as a failed attempt too)
   */
  void apply(Mode mode, long checkpointPeriodNanos);
}
