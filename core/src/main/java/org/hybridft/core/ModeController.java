package org.hybridft.core;

/**
 * The pure decision function of hybrid-ft: one instance per VM, called once per control period
 * with the checkpoint rate measured over the period that just ended, it answers the mode to run
 * for the next period.
 *
 * <p>Contract for implementations:
 *
 * <ul>
 *   <li>No clock reads, threads or I/O: time comes in as {@code nowNanos} (any monotonic origin,
 *       such as {@link System#nanoTime()} or a simulator's clock), so runs replay exactly.
 *   <li>No allocation and O(1) work per {@link #update} call: it sits in the control path of
 *       thousands of VMs.
 *   <li>{@code nowNanos} lower than the previous call's, and a negative, NaN or infinite
 *       {@code checkpointsPerSecond}, throw {@link IllegalArgumentException} naming the value
 *       and change no state. {@link AbstractModeController} implements this.
 *   <li>Not thread-safe: one thread (the VM's {@link ControlLoop} tick) calls it at a time.
 * </ul>
 */
public interface ModeController {

  /**
   * Feeds one measurement and returns the mode for the next control period.
   *
   * @param nowNanos the end of the period just measured, in nanoseconds on a monotonic clock
   * @param checkpointsPerSecond the checkpoint rate measured over that period, finite and {@code
   *     >= 0}
   * @return the mode to run until the next call
   * @throws IllegalArgumentException if time went backwards or the rate is not a finite,
   *     non-negative number
   */
  Mode update(long nowNanos, double checkpointsPerSecond);

  /** The mode the controller currently asks for (its initial mode before any update). */
  Mode mode();

  /** Returns the controller to the exact state it had when it was constructed. */
  void reset();

  /**
   * The interval between checkpoints this controller wants while in {@link Mode#CHECKPOINT}, in
   * nanoseconds. Part of the controller's configuration; the {@link ModeActuator} applies it.
   */
  long checkpointPeriodNanos();
}
