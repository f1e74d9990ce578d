package org.hybridft.report;

/**
 * What one run of one controller on one workload measured, in the simulator or on a real pair (a
 * figure that was not measured is NaN).
 *
 * @param workload the workload's name
 * @param controller the controller's name
 * @param run the run's index within its configuration, from 0
 * @param seed the seed the run was simulated with
 * @param wallSeconds the simulated time
 * @param downtimeRatio total checkpoint pause / wall time
 * @param pauseSeconds total checkpoint pause within the run
 * @param checkpoints checkpoints started
 * @param checkpointsPerSecond {@code checkpoints / wallSeconds}
 * @param latencyMeanMs mean reply latency (arrival of the request to release of the reply)
 * @param latencyP50Ms median reply latency
 * @param latencyP99Ms 99th percentile of the reply latency
 * @param latencyP999Ms 99.9th percentile of the reply latency
 * @param throughputRps replies released per second
 * @param dropped requests dropped because the backlog was full
 * @param cpuSeconds CPU time on both hosts. Simulated: service time on two VMs in COLO and one in
 *     CHECKPOINT mode, plus each checkpoint's pause on both hosts. On a real pair: the CPU seconds
 *     of both QEMU processes over the run
 * @param networkMb in MB (10^6 bytes). Simulated: bytes on the replication link, checkpoint bytes
 *     plus the input COLO mirrors to the secondary. On a real pair: the primary's migration bytes
 *     over the run ({@code ram.transferred}) plus the client's request and reply bytes
 * @param switches mode switches after the initial mode
 * @param coloShare the share of wall time spent in COLO mode
 * @param timeSeries per control period: cps, mode, ρ (empty if the run did not record it)
 */
public record RunResult(
    String workload,
    String controller,
    int run,
    long seed,
    double wallSeconds,
    double downtimeRatio,
    double pauseSeconds,
    long checkpoints,
    double checkpointsPerSecond,
    double latencyMeanMs,
    double latencyP50Ms,
    double latencyP99Ms,
    double latencyP999Ms,
    double throughputRps,
    long dropped,
    double cpuSeconds,
    double networkMb,
    int switches,
    double coloShare,
    TimeSeries timeSeries) {

  /**
   * Whether the run released no reply at all (e.g. a checkpoint period longer than the run holds
   * every reply): its latency fields then read 0 but mean "no latency measured", and its low
   * downtime comes from serving nothing.
   */
  public boolean completedNoRequest() {
    // throughputRps is replies released / wall time, so it is 0 exactly when none was released.
    return throughputRps == 0;
  }

  /** This run under another controller name, such as a static mode's run reused as a schedule's. */
  public RunResult withController(String name) {
    return new RunResult(workload, name, run, seed, wallSeconds, downtimeRatio, pauseSeconds, checkpoints,
        checkpointsPerSecond, latencyMeanMs, latencyP50Ms, latencyP99Ms, latencyP999Ms, throughputRps, dropped,
        cpuSeconds, networkMb, switches, coloShare, timeSeries);
  }

  /** This run with another time series, such as an empty one once its periods have been read. */
  public RunResult withTimeSeries(TimeSeries series) {
    return new RunResult(workload, controller, run, seed, wallSeconds, downtimeRatio, pauseSeconds, checkpoints,
        checkpointsPerSecond, latencyMeanMs, latencyP50Ms, latencyP99Ms, latencyP999Ms, throughputRps, dropped,
        cpuSeconds, networkMb, switches, coloShare, series);
  }
}
