package org.hybridft.qmp;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.hybridft.core.Mode;

/**
 * The built-in recipe for any QEMU with {@code x-colo}: it steers the period of COLO's checkpoint
 * timer, {@code migrate-set-parameters {"x-checkpoint-delay": ms}}, which QEMU applies at once
 * during COLO. {@link Mode#COLO} sets a long idle period ({@code coloIdlePeriod}, default 10 s), so
 * checkpoints come from divergence only; {@link Mode#CHECKPOINT} sets the controller's checkpoint
 * period.
 *
 * <p><b>Limit on upstream QEMU.</b> Upstream has no passive mode: colo-compare still takes a
 * checkpoint whenever the primary's and the secondary's network output diverge, in both modes.
 * This recipe steers the periodic rate only; on a divergent workload CHECKPOINT mode checkpoints
 * at least as often as COLO. A QEMU patched with a true passive mode needs a {@link
 * JsonModeRecipe} that switches it.
 *
 * @param coloIdlePeriod the timer period used in COLO mode, between 1 ms and 2^32-1 ms
 */
public record CheckpointDelayRecipe(Duration coloIdlePeriod) implements ModeRecipe {
  /** The recipe's name, as {@link ModeRecipe#named} takes it. */
  public static final String NAME = "checkpoint-delay";
  /** The default COLO idle period, in milliseconds. */
  public static final long DEFAULT_COLO_IDLE_MILLIS = 10_000;
  /** QEMU's {@code x-checkpoint-delay} is a uint32 of milliseconds. */
  static final long MAX_DELAY_MILLIS = 0xFFFF_FFFFL;
  static final String PARAMETER = "x-checkpoint-delay";

  /** Validates the period. */
  public CheckpointDelayRecipe {
    if (coloIdlePeriod == null
        || coloIdlePeriod.toMillis() < 1
        || coloIdlePeriod.toMillis() > MAX_DELAY_MILLIS) {
      throw new IllegalArgumentException(
          "coloIdlePeriod must be between 1 ms and " + MAX_DELAY_MILLIS + " ms, was " + coloIdlePeriod);
    }
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<QmpCommand> commands(Mode mode, long periodMillis) {
    return List.of(new QmpCommand(
        "migrate-set-parameters", QmpValue.from(Map.of(PARAMETER, delayMillis(mode, periodMillis)))));
  }

  @Override
  public Map<String, QmpValue> expectedMigrateParameters(Mode mode, long periodMillis) {
    return Map.of(PARAMETER, QmpValue.of(delayMillis(mode, periodMillis)));
  }

  private long delayMillis(Mode mode, long periodMillis) {
    if (mode == Mode.COLO) {
      return coloIdlePeriod.toMillis();
    }
    if (periodMillis < 1 || periodMillis > MAX_DELAY_MILLIS) {
      throw new IllegalArgumentException(
          "the checkpoint period must be between 1 ms and " + MAX_DELAY_MILLIS + " ms, was "
              + periodMillis + " ms");
    }
    return periodMillis;
  }
}
