package org.hybridft.sim;

import java.time.Duration;
import java.util.Objects;
import org.hybridft.core.ParameterCheck;

/**
 * The costs and timers of COLO replication that do not depend on the workload, and how the
 * control loop samples it.
 *
 * <p>A checkpoint pauses the guest for {@code checkpointFixedCost + dirty / linkMbPerSecond},
 * where {@code dirty} is the memory dirtied since the previous checkpoint, capped by the phase's
 * working set. Each checkpoint sends {@code dirty + deviceStateMb} over the link.
 *
 * @param checkpointFixedCost the pause of a checkpoint with nothing dirty, {@code > 0}. Default
 *     85 ms: measured on this project's machines with QEMU 7.2's COLO pair, an idle 64 MiB guest
 *     pauses about 85 ms per checkpoint on the primary (46 ms on the secondary)
 * @param linkMbPerSecond the replication link's bandwidth in MB/s, {@code > 0}. Default 125 MB/s
 *     (1 Gbit/s Ethernet, the research testbed's class of link)
 * @param deviceStateMb bytes besides dirty pages sent per checkpoint (device state, the
 *     checkpoint protocol), in MB, {@code >= 0}. Default 0.5 MB, a modelling assumption
 * @param coloCheckpointDelay COLO's periodic checkpoint timer ({@code x-checkpoint-delay}),
 *     measured from the previous checkpoint's start, {@code > 0}. Default 20 s, QEMU's default
 * @param controlPeriod the control loop's period, {@code > 0}. Default 1 s, {@code
 *     ControlLoop}'s default
 * @param rateWindow the window of the checkpoint rate estimate, {@code > 0}. Default one control
 *     period, {@code ControlLoop}'s default
 * @param backlogLimit requests that can wait for a worker thread; arrivals beyond it are dropped
 *     (clients time out), {@code >= 1}. Default 10,000
 */
public record ReplicationModel(
    Duration checkpointFixedCost,
    double linkMbPerSecond,
    double deviceStateMb,
    Duration coloCheckpointDelay,
    Duration controlPeriod,
    Duration rateWindow,
    int backlogLimit) {

  /** Validates every component; see the record components for the ranges. */
  public ReplicationModel {
    Objects.requireNonNull(checkpointFixedCost, "checkpointFixedCost");
    ParameterCheck.positive("checkpointFixedCost", checkpointFixedCost);
    ParameterCheck.greaterThan("linkMbPerSecond", linkMbPerSecond, 0.0);
    ParameterCheck.atLeast("deviceStateMb", deviceStateMb, 0.0);
    ParameterCheck.positive("coloCheckpointDelay", coloCheckpointDelay);
    ParameterCheck.positive("controlPeriod", controlPeriod);
    ParameterCheck.positive("rateWindow", rateWindow);
    ParameterCheck.atLeast("backlogLimit", backlogLimit, 1);
  }

  /** The defaults documented on the components. */
  public static ReplicationModel defaults() {
    return new ReplicationModel(
        Duration.ofMillis(85),
        125.0,
        0.5,
        Duration.ofSeconds(20),
        Duration.ofSeconds(1),
        Duration.ofSeconds(1),
        10_000);
  }

  /** A copy with another COLO timer. */
  public ReplicationModel withColoCheckpointDelay(Duration delay) {
    return new ReplicationModel(
        checkpointFixedCost, linkMbPerSecond, deviceStateMb, delay, controlPeriod, rateWindow,
        backlogLimit);
  }

  /** A copy with another fixed checkpoint cost. */
  public ReplicationModel withCheckpointFixedCost(Duration cost) {
    return new ReplicationModel(
        cost, linkMbPerSecond, deviceStateMb, coloCheckpointDelay, controlPeriod, rateWindow,
        backlogLimit);
  }
}
