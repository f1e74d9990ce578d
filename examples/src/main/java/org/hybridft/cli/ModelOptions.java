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
        defaults.backlogLimit());
  }
}
