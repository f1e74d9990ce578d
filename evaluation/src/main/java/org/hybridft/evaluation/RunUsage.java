package org.hybridft.evaluation;

/**
 * What one run on a real pair used: the {@link PairMeter}'s difference over the run, and the
 * client traffic the {@link LoadGenerator} counted.
 *
 * @param pair CPU seconds of each QEMU process and the primary's checkpoint bytes over the run
 * @param clientBytes request and reply bytes between the load generator and the guest
 */
public record RunUsage(PairUsage pair, long clientBytes) {
  /** The usage of a run the replication's end cut short: unknown, NaN and -1. */
  public static final RunUsage UNKNOWN = new RunUsage(new PairUsage(Double.NaN, Double.NaN, -1), -1);

  /** The results' CPU column: CPU seconds of both QEMU processes. */
  public double cpuSeconds() {
    return pair.cpuSeconds();
  }

  /** The results' network column: checkpoint bytes plus client bytes, in MB (10^6 bytes). */
  public double networkMb() {
    return pair.checkpointBytes() < 0 ? Double.NaN : (pair.checkpointBytes() + clientBytes) / 1e6;
  }
}
