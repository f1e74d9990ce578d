package org.hybridft.core.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.hybridft.core.AbstractModeController;
import org.hybridft.core.Mode;
import org.jspecify.annotations.Nullable;

/**
 * A controller for the tests of what drives controllers (the control loop, the simulator, the
 * metrics, the real-pair evaluation): it wants the modes of a script, one per update and then the
 * last one again, or one mode before a time and another from it on. It records the rates it was
 * given (a reset keeps them). Published in core's test jar.
 */
public final class ScriptedController extends AbstractModeController {
  /** The checkpoint period unless another is given: 500 ms. */
  public static final Duration DEFAULT_CHECKPOINT_PERIOD = Duration.ofMillis(500);

  private final Mode initial;
  private final Mode @Nullable [] script;
  private final Mode before;
  private final Mode after;
  private final long switchAtNanos;
  private final long checkpointPeriodNanos;
  private final List<Double> ratesSeen = new ArrayList<>();
  private int next;

  private ScriptedController(Mode initial, Mode @Nullable [] script, Mode before, Mode after, long switchAtNanos,
      Duration checkpointPeriod) {
    super(initial);
    if (script != null && script.length == 0) {
      throw new IllegalArgumentException("script must name at least one mode");
    }
    this.initial = initial;
    this.script = script;
    this.before = before;
    this.after = after;
    this.switchAtNanos = switchAtNanos;
    this.checkpointPeriodNanos = checkpointPeriod.toNanos();
  }

  /** Starts in {@code initial}; the n-th update wants {@code script[n]}, then the last one. */
  public ScriptedController(Mode initial, Mode... script) {
    this(initial, script.clone(), initial, initial, Long.MAX_VALUE, DEFAULT_CHECKPOINT_PERIOD);
  }

  /** Always {@code mode}, with checkpoint period {@code checkpointPeriod}. */
  public static ScriptedController always(Mode mode, Duration checkpointPeriod) {
    return new ScriptedController(mode, null, mode, mode, Long.MAX_VALUE, checkpointPeriod);
  }

  /** Always {@code mode}, with the {@link #DEFAULT_CHECKPOINT_PERIOD}. */
  public static ScriptedController always(Mode mode) {
    return always(mode, DEFAULT_CHECKPOINT_PERIOD);
  }

  /** {@code before} until the loop's clock reads {@code at}, {@code after} from then on. */
  public static ScriptedController switching(Mode before, Mode after, Duration at, Duration checkpointPeriod) {
    return new ScriptedController(before, null, before, after, at.toNanos(), checkpointPeriod);
  }

  /** The same script with checkpoint period {@code checkpointPeriod}, in its initial state. */
  public ScriptedController withCheckpointPeriod(Duration checkpointPeriod) {
    return new ScriptedController(initial, script, before, after, switchAtNanos, checkpointPeriod);
  }

  /** The rates the updates were given, in order. */
  public List<Double> ratesSeen() {
    return Collections.unmodifiableList(ratesSeen);
  }

  @Override
  protected Mode decide(long nowNanos, double checkpointsPerSecond, boolean first) {
    ratesSeen.add(checkpointsPerSecond);
    Mode[] modes = script;
    if (modes != null) {
      return next < modes.length ? modes[next++] : modes[modes.length - 1];
    }
    return nowNanos >= switchAtNanos ? after : before;
  }

  @Override
  protected void resetState() {
    next = 0;
  }

  @Override
  public long checkpointPeriodNanos() {
    return checkpointPeriodNanos;
  }
}
