package org.hybridft.core;

/**
 * Port through which a {@link ControlLoop} reads how many checkpoints the replication has taken.
 *
 * <p>Implementations: the QMP adapter counts QEMU's {@code MIGRATION_PASS} events; tests and the
 * simulator count in memory. Called from the loop's tick, so reads must be quick (no blocking
 * I/O; keep a counter that events update).
 */
public interface CheckpointCounter {

  /** Returned by {@link #totalPauseNanos()} when the counter cannot measure pauses. */
  long PAUSE_UNKNOWN = -1;

  /**
   * The number of checkpoints taken so far: increases monotonically, except that it may restart
   * from a lower value when the replication restarts, which {@link CheckpointRateEstimator}
   * treats as a counter reset. A negative value is a counter fault: the loop treats it exactly as
   * a read that threw (reported, and the fail-safe after the loop's counter timeout).
   *
   * @throws ReplicationEndedException when the replication has ended (failover, QEMU gone): the
   *     loop stops and reports it
   * @throws RuntimeException when the count cannot be read now: the loop retries next period and
   *     falls back to its fail-safe mode if reads keep failing
   */
  long checkpoints();

  /**
   * Total time the guest has been paused for checkpoints so far, in nanoseconds, or {@link
   * #PAUSE_UNKNOWN} (any negative value reads as unknown). The loop feeds its increase to its
   * {@link DowntimeMeter}; while it is unknown the loop's downtime ratio is {@link Double#NaN}.
   */
  default long totalPauseNanos() {
    return PAUSE_UNKNOWN;
  }
}
