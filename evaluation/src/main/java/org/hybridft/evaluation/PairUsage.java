package org.hybridft.evaluation;

/**
 * What a COLO pair has used, cumulative, as a {@link PairMeter} reads it; a run's use is the
 * difference of the readings at its start and end ({@link #since}).
 *
 * @param primaryCpuSeconds CPU time of the primary's QEMU process, user and system, in seconds
 * @param secondaryCpuSeconds CPU time of the secondary's QEMU process, in seconds
 * @param checkpointBytes bytes the primary's migration stream sent ({@code ram.transferred}): the
 *     checkpoints, see {@link org.hybridft.qmp.MigrationTraffic}
 */
public record PairUsage(double primaryCpuSeconds, double secondaryCpuSeconds, long checkpointBytes) {

  /** The CPU time of both QEMU processes, in seconds. */
  public double cpuSeconds() {
    return primaryCpuSeconds + secondaryCpuSeconds;
  }

  /** What was used between {@code start} and this reading. */
  public PairUsage since(PairUsage start) {
    return new PairUsage(primaryCpuSeconds - start.primaryCpuSeconds,
        secondaryCpuSeconds - start.secondaryCpuSeconds, checkpointBytes - start.checkpointBytes);
  }
}
