package org.hybridft.controllers;

import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.hybridft.core.AbstractModeController;
import org.hybridft.core.Mode;
import org.hybridft.core.ParameterCheck;

/**
 * A baseline that always answers the same mode: the research's "COLO" and "Checkpoint" runs
 * against which the hybrids are compared.
 */
public final class StaticController extends AbstractModeController {
  /**
   * Checkpoint mode's default interval between checkpoints, 500 ms, for every controller of this
   * package that has a {@code checkpointPeriod} but ORBIT (whose prototype default is 250 ms). A
   * checkpoint pauses the calibration guest about 85 ms, so checkpoint mode costs a downtime
   * ratio near 17 % and adds at most half a second to replies. {@link #colo()} uses it only if a
   * fail-safe switches it to CHECKPOINT.
   */
  public static final Duration DEFAULT_CHECKPOINT_PERIOD = Duration.ofMillis(500);

  /** Always checkpoint mode, in the {@link ControllerRegistry} as {@code checkpoint}. */
  public static final ControllerDescriptor<Duration> CHECKPOINT =
      ControllerDescriptor.of(
          "checkpoint",
          "always checkpoint mode: the research's checkpoint baseline",
          List.of(checkpointPeriod(period -> period)),
          values -> values.duration("checkpointPeriod"),
          StaticController::checkpoint);

  /** Always COLO, in the {@link ControllerRegistry} as {@code colo}; it has no parameters. */
  public static final ControllerDescriptor<Duration> COLO =
      ControllerDescriptor.of(
          "colo",
          "always COLO: the research's COLO baseline",
          List.of(),
          values -> DEFAULT_CHECKPOINT_PERIOD,
          period -> colo());

  private final long checkpointPeriodNanos;

  private StaticController(Mode mode, Duration checkpointPeriod) {
    super(mode);
    this.checkpointPeriodNanos = ParameterCheck.positive("checkpointPeriod", checkpointPeriod).toNanos();
  }

  /** Always {@link Mode#COLO}. */
  public static StaticController colo() {
    return new StaticController(Mode.COLO, DEFAULT_CHECKPOINT_PERIOD);
  }

  /**
   * Always {@link Mode#CHECKPOINT}, one checkpoint every {@code period}.
   *
   * @param period the checkpoint interval, {@code > 0}
   */
  public static StaticController checkpoint(Duration period) {
    return new StaticController(Mode.CHECKPOINT, period);
  }

  /**
   * The {@code checkpoint-period} parameter every controller with a checkpoint period declares,
   * so that the same idea has one key, one name and one meaning.
   */
  static <C> ParameterDescriptor<C> checkpointPeriod(Function<C, Duration> getter) {
    return checkpointPeriod(getter, DEFAULT_CHECKPOINT_PERIOD);
  }

  /** {@link #checkpointPeriod(Function)} with another default. */
  static <C> ParameterDescriptor<C> checkpointPeriod(Function<C, Duration> getter, Duration defaultValue) {
    return ParameterDescriptor.duration("checkpoint-period", "checkpointPeriod", getter, defaultValue)
        .positive()
        .meaning("checkpoint mode's interval between checkpoints");
  }

  @Override
  protected Mode decide(long nowNanos, double checkpointsPerSecond, boolean first) {
    return mode();
  }

  @Override
  protected void resetState() {
    // Stateless beyond the mode.
  }

  @Override
  public long checkpointPeriodNanos() {
    return checkpointPeriodNanos;
  }

  @Override
  public String toString() {
    return mode() == Mode.COLO
        ? "StaticController[COLO]"
        : "StaticController[CHECKPOINT every " + Duration.ofNanos(checkpointPeriodNanos) + "]";
  }
}
