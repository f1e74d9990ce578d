package org.hybridft.cli;

import java.time.Duration;
import org.hybridft.sim.ReplicationModel;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/** The replication model's costs as options; each left out keeps its documented default. */
public final class ModelOptions {
  @Option(names = "--fixed-cost", converter = DurationConverter.class,
      description = "checkpoint pause with nothing dirty (default 85ms, measured)")
  @Nullable Duration fixedCost;

  @Option(names = "--link-mb-per-second", description = "replication link bandwidth in MB/s (default 125)")
  @Nullable Double linkMbPerSecond;

  @Option(names = "--colo-delay", converter = DurationConverter.class,
      description = "COLO's periodic checkpoint timer, x-checkpoint-delay (default 20s)")
  @Nullable Duration coloDelay;

  @Option(names = "--divergence-detection-delay", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "how long after a diverging reply COLO's checkpoint starts, as the lagging secondary's "
          + "copy reaches colo-compare; replies diverging meanwhile share it (default 0s; the TCG testbed fits "
          + "a few hundred ms)")
  @Nullable Duration divergenceDetectionDelay;

  @Option(names = "--stale-checkpoint-interval", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "COLO checkpoints this long after the first reply following a checkpoint, as colo-compare "
          + "does for a packet left unmatched (compare_timeout + expired_scan_cycle, 4s with a connection per "
          + "request); default 0s, off")
  @Nullable Duration staleCheckpointInterval;

  @Option(names = "--connection-per-request",
      description = "every request opens a TCP connection: in checkpoint mode its SYN-ACK waits for a "
          + "checkpoint too, so a request is served after the next commit (default off)")
  boolean connectionPerRequest;

  /** The model with the options applied. */
  ReplicationModel model() {
    ReplicationModel defaults = ReplicationModel.defaults();
    return new ReplicationModel(
        fixedCost == null ? defaults.checkpointFixedCost() : fixedCost,
        linkMbPerSecond == null ? defaults.linkMbPerSecond() : linkMbPerSecond,
        defaults.deviceStateMb(),
        coloDelay == null ? defaults.coloCheckpointDelay() : coloDelay,
        defaults.controlPeriod(),
        defaults.rateWindow(),
        defaults.backlogLimit(),
        divergenceDetectionDelay == null ? defaults.divergenceDetectionDelay() : divergenceDetectionDelay,
        staleCheckpointInterval == null ? defaults.coloStaleCheckpointInterval() : staleCheckpointInterval,
        connectionPerRequest || defaults.connectionPerRequest());
  }
}
