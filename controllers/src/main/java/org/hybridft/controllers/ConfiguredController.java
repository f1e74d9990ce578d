package org.hybridft.controllers;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;
import org.hybridft.core.AbstractModeController;
import org.hybridft.core.Mode;

/**
 * The base of the controllers built from a config record: it keeps the config and the checkpoint
 * period the config names, and answers {@link #config()}, {@link #checkpointPeriodNanos()} and
 * {@link #toString()} from them, so that a subclass is its algorithm alone.
 *
 * @param <C> the config record
 */
public abstract class ConfiguredController<C extends Record> extends AbstractModeController {
  private final C config;
  private final long checkpointPeriodNanos;

  /**
   * @param initialMode the mode before the first update and after a reset
   * @param config the parameters, already validated by the record
   * @param checkpointPeriod the config's checkpoint-mode interval, such as {@code
   *     ThresholdConfig::checkpointPeriod}
   */
  protected ConfiguredController(Mode initialMode, C config, Function<? super C, Duration> checkpointPeriod) {
    super(initialMode);
    this.config = Objects.requireNonNull(config, "config");
    this.checkpointPeriodNanos = checkpointPeriod.apply(config).toNanos();
  }

  /** The parameters. */
  public final C config() {
    return config;
  }

  @Override
  public final long checkpointPeriodNanos() {
    return checkpointPeriodNanos;
  }

  /** The class's simple name and the config, such as {@code ThresholdController[...]}. */
  @Override
  public String toString() {
    return getClass().getSimpleName() + config;
  }
}
