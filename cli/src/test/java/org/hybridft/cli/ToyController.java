package org.hybridft.cli;

import java.time.Duration;
import java.util.List;
import org.hybridft.controllers.ControllerDescriptor;
import org.hybridft.controllers.ControllerProvider;
import org.hybridft.controllers.ParameterDescriptor;
import org.hybridft.core.AbstractModeController;
import org.hybridft.core.Mode;

/**
 * A user's controller as docs/controllers.md's "Write your own controller" describes it: one
 * class, registered by one line in {@code META-INF/services/org.hybridft.controllers.ControllerProvider}.
 * COLO while the rate is at most {@code limit-cps}, else checkpoint mode.
 */
public final class ToyController extends AbstractModeController {

  /**
   * The toy's parameters; their ranges are checked by their descriptors.
   *
   * @param limitCps the highest rate COLO is kept at
   * @param checkpointPeriod checkpoint mode's interval
   */
  public record Config(double limitCps, Duration checkpointPeriod) {
    static final List<ParameterDescriptor<Config>> PARAMETERS =
        List.of(
            ParameterDescriptor.decimal("limit-cps", "limitCps", Config::limitCps, 3.0)
                .unit("cps")
                .atLeast(0)
                .meaning("the highest rate COLO is kept at")
                .searchedIn(0.5, 10),
            ParameterDescriptor.duration(
                    "checkpoint-period", "checkpointPeriod", Config::checkpointPeriod, Duration.ofMillis(500))
                .positive()
                .meaning("checkpoint mode's interval between checkpoints"));

    /** Validates both parameters. */
    public Config {
      ParameterDescriptor.validate(PARAMETERS, limitCps, checkpointPeriod);
    }
  }

  /** The toy in a registry, named {@code toy}. */
  public static final ControllerDescriptor<Config> DESCRIPTOR =
      ControllerDescriptor.ofRecord(
          "toy", "COLO up to a rate, checkpoint mode above it", Config.class, Config.PARAMETERS, ToyController::new);

  /** The registration the service file names. */
  public static final class Registration implements ControllerProvider {
    @Override
    public ControllerDescriptor<?> descriptor() {
      return DESCRIPTOR;
    }
  }

  private final Config config;

  /** A toy with the given parameters. */
  public ToyController(Config config) {
    super(Mode.COLO);
    this.config = config;
  }

  @Override
  protected Mode decide(long nowNanos, double checkpointsPerSecond, boolean first) {
    return checkpointsPerSecond > config.limitCps() ? Mode.CHECKPOINT : Mode.COLO;
  }

  @Override
  protected void resetState() {
    // Nothing beyond the mode.
  }

  @Override
  public long checkpointPeriodNanos() {
    return config.checkpointPeriod().toNanos();
  }
}
