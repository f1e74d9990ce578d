package org.hybridft.cli;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.hybridft.controllers.LearningController;
import org.hybridft.controllers.OrbitHybridController;
import org.hybridft.controllers.PiController;
import org.hybridft.controllers.ThresholdController;
import org.hybridft.sim.ParameterSpace;
import org.hybridft.sim.TunableParameter;

/**
 * The parameters {@code hybrid-ft tune} searches for each controller. Every parameter is named by
 * its command-line option (without dashes), so a tuned point is written as a {@link
 * ControllerConfigFile}; durations are searched in seconds. Bounds lie inside each config's valid
 * range and around its default; parameters left out (the stretch bounds, the checkpoint period,
 * the learning controller's cost weights) keep their defaults, because they state what the user
 * wants rather than how the controller gets there.
 */
final class ControllerParameterSpaces {
  /** The controllers that can be tuned. */
  static final List<String> TUNABLE = List.of("threshold", "pi", "orbit", "learning");

  private static final Set<String> IN_SECONDS =
      Set.of("colo-window", "initial-stretch", "min-dwell", "passive-limit", "passive-period");

  private ControllerParameterSpaces() {}

  /**
   * The search space of {@code controller}.
   *
   * @throws UsageException if it cannot be tuned
   */
  static ParameterSpace of(String controller) {
    String key = controller.strip().toLowerCase(Locale.ROOT);
    List<TunableParameter> parameters;
    switch (key) {
      case "threshold": {
        ThresholdController.Config d = ThresholdController.Config.defaults();
        parameters = List.of(
            TunableParameter.continuous("threshold-cps", 0.1, 10, d.coloThresholdCps()),
            TunableParameter.continuous("alpha", 1.05, 8, d.alpha()),
            TunableParameter.continuous("beta", 0.05, 0.95, d.beta()),
            TunableParameter.continuous("colo-window", 2, 60, seconds(d.coloWindow())),
            TunableParameter.continuous(
                "initial-stretch", seconds(d.minCheckpointStretch()), seconds(d.maxCheckpointStretch()),
                seconds(d.initialCheckpointStretch())));
        break;
      }
      case "pi": {
        PiController.Config d = PiController.Config.defaults();
        parameters = List.of(
            TunableParameter.continuous("set-point", 0.1, 10, d.setPointCps()),
            TunableParameter.continuous("kp", 0, 1, d.kp()),
            TunableParameter.continuous("ki", 0.001, 0.5, d.ki()),
            TunableParameter.whole("duty-window", 2, 30, d.dutyWindowPeriods()),
            TunableParameter.continuous("min-dwell", 0, 10, seconds(d.minDwell())));
        break;
      }
      case "orbit": {
        OrbitHybridController.Config d = OrbitHybridController.Config.defaults();
        parameters = List.of(
            TunableParameter.continuous("passive-limit", 0.05, 2, seconds(d.passiveLimit())),
            TunableParameter.whole("passive-count", 10, 500, d.passiveCount()),
            TunableParameter.continuous("passive-period", 0.1, 2, seconds(d.passivePeriod())),
            TunableParameter.whole("min-checkpoints", 1, 50, d.minCheckpoints()),
            TunableParameter.continuous("smoothing", 0.05, 1, d.smoothing()));
        break;
      }
      case "learning": {
        LearningController.Config d = LearningController.Config.defaults();
        parameters = List.of(
            TunableParameter.continuous("discount", 0.8, 0.999, d.discount()),
            TunableParameter.continuous("exploration", 0, 0.2, d.exploration()),
            TunableParameter.continuous("min-dwell", 1, 10, seconds(d.minDwell())));
        break;
      }
      default:
        throw new UsageException(
            "cannot tune controller '" + controller + "' (tunable: " + String.join(", ", TUNABLE) + ")");
    }
    return new ParameterSpace(
        key, parameters, values -> ControllerCatalog.spec(key, options(parameters, values)).create());
  }

  /** The values as command-line option values, in the space's order. */
  static Map<String, String> asOptions(ParameterSpace space, double[] values) {
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 0; i < values.length; i++) {
      TunableParameter parameter = space.parameters().get(i);
      options.put(parameter.name(), format(parameter, values[i]));
    }
    return options;
  }

  /** One value as the command line takes it: whole numbers bare, seconds with a unit. */
  static String format(TunableParameter parameter, double value) {
    if (parameter.integer()) {
      return Long.toString(Math.round(value));
    }
    String number = String.format(Locale.ROOT, "%.6g", value).replaceAll("(\\.\\d*?)0+$", "$1").replaceAll("\\.$", "");
    return IN_SECONDS.contains(parameter.name()) ? number + "s" : number;
  }

  private static ControllerOptions options(List<TunableParameter> parameters, double[] values) {
    ControllerOptions options = new ControllerOptions();
    for (int i = 0; i < values.length; i++) {
      set(options, parameters.get(i).name(), values[i]);
    }
    return options;
  }

  private static void set(ControllerOptions o, String name, double value) {
    switch (name) {
      case "threshold-cps" -> o.thresholdCps = value;
      case "alpha" -> o.alpha = value;
      case "beta" -> o.beta = value;
      case "colo-window" -> o.coloWindow = ofSeconds(value);
      case "initial-stretch" -> o.initialStretch = ofSeconds(value);
      case "set-point" -> o.setPoint = value;
      case "kp" -> o.kp = value;
      case "ki" -> o.ki = value;
      case "duty-window" -> o.dutyWindow = (int) Math.round(value);
      case "min-dwell" -> o.minDwell = ofSeconds(value);
      case "passive-limit" -> o.passiveLimit = ofSeconds(value);
      case "passive-count" -> o.passiveCount = (int) Math.round(value);
      case "passive-period" -> o.passivePeriod = ofSeconds(value);
      case "min-checkpoints" -> o.minCheckpoints = (int) Math.round(value);
      case "smoothing" -> o.smoothing = value;
      case "discount" -> o.discount = value;
      case "exploration" -> o.exploration = value;
      default -> throw new IllegalStateException("no option for parameter " + name);
    }
  }

  private static double seconds(Duration duration) {
    return duration.toNanos() / 1e9;
  }

  private static Duration ofSeconds(double seconds) {
    return Duration.ofNanos(Math.round(seconds * 1e9));
  }
}
