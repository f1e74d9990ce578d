package org.hybridft.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.hybridft.controllers.LearningController;
import org.hybridft.controllers.OrbitHybridController;
import org.hybridft.controllers.PiController;
import org.hybridft.controllers.StaticController;
import org.hybridft.controllers.ThresholdController;
import org.hybridft.sim.ControllerSpec;

/**
 * The controllers the command knows, by name: {@code checkpoint} and {@code colo} (the static
 * baselines), {@code threshold} (α/β), {@code pi} and {@code orbit} (the prototype's rule). Each
 * is built from its documented defaults with the given options applied; the config records
 * validate the values.
 */
public final class ControllerCatalog {
  /** Every controller name, in the order tables list them. */
  public static final List<String> NAMES = List.of("checkpoint", "colo", "threshold", "pi", "orbit", "learning");

  private ControllerCatalog() {}

  /**
   * The specs of the named controllers.
   *
   * @throws UsageException for an unknown name
   * @throws IllegalArgumentException for a parameter out of its range
   */
  public static List<ControllerSpec> specs(List<String> names, ControllerOptions options) {
    List<ControllerSpec> specs = new ArrayList<>(names.size());
    for (String name : names) {
      specs.add(spec(name, options));
    }
    return specs;
  }

  /**
   * The spec of one named controller.
   *
   * @throws UsageException for an unknown name
   * @throws IllegalArgumentException for a parameter out of its range
   */
  public static ControllerSpec spec(String name, ControllerOptions options) {
    String key = name.strip().toLowerCase(Locale.ROOT);
    switch (key) {
      case "checkpoint": {
        Duration period =
            options.checkpointPeriod == null
                ? ThresholdController.Config.DEFAULT_CHECKPOINT_PERIOD
                : options.checkpointPeriod;
        StaticController.checkpoint(period); // validates
        return new ControllerSpec(key, () -> StaticController.checkpoint(period));
      }
      case "colo":
        return new ControllerSpec(key, StaticController::colo);
      case "threshold": {
        ThresholdController.Config config = threshold(options);
        return new ControllerSpec(key, () -> new ThresholdController(config));
      }
      case "pi": {
        PiController.Config config = pi(options);
        return new ControllerSpec(key, () -> new PiController(config));
      }
      case "orbit": {
        OrbitHybridController.Config config = orbit(options);
        return new ControllerSpec(key, () -> new OrbitHybridController(config));
      }
      case "learning": {
        LearningController.Config config = learning(options);
        return new ControllerSpec(key, () -> new LearningController(config));
      }
      default:
        throw new UsageException(
            "unknown controller '" + name + "' (known: " + String.join(", ", NAMES) + ")");
    }
  }

  static ThresholdController.Config threshold(ControllerOptions o) {
    ThresholdController.Config.Builder b = ThresholdController.Config.builder();
    if (o.coloWindow != null) {
      b.coloWindow(o.coloWindow);
    }
    if (o.thresholdCps != null) {
      b.coloThresholdCps(o.thresholdCps);
    }
    if (o.initialStretch != null) {
      b.initialCheckpointStretch(o.initialStretch);
    }
    if (o.alpha != null) {
      b.alpha(o.alpha);
    }
    if (o.beta != null) {
      b.beta(o.beta);
    }
    if (o.minStretch != null) {
      b.minCheckpointStretch(o.minStretch);
    }
    if (o.maxStretch != null) {
      b.maxCheckpointStretch(o.maxStretch);
    }
    if (o.checkpointPeriod != null) {
      b.checkpointPeriod(o.checkpointPeriod);
    }
    return b.build();
  }

  static PiController.Config pi(ControllerOptions o) {
    PiController.Config.Builder b = PiController.Config.builder();
    if (o.setPoint != null) {
      b.setPointCps(o.setPoint);
    }
    if (o.kp != null) {
      b.kp(o.kp);
    }
    if (o.ki != null) {
      b.ki(o.ki);
    }
    if (o.dutyWindow != null) {
      b.dutyWindowPeriods(o.dutyWindow);
    }
    if (o.minDwell != null) {
      b.minDwell(o.minDwell);
    }
    if (o.checkpointPeriod != null) {
      b.checkpointPeriod(o.checkpointPeriod);
    }
    return b.build();
  }

  static OrbitHybridController.Config orbit(ControllerOptions o) {
    OrbitHybridController.Config.Builder b = OrbitHybridController.Config.builder();
    if (o.passiveLimit != null) {
      b.passiveLimit(o.passiveLimit);
    }
    if (o.passiveCount != null) {
      b.passiveCount(o.passiveCount);
    }
    if (o.passivePeriod != null) {
      b.passivePeriod(o.passivePeriod);
    }
    if (o.minCheckpoints != null) {
      b.minCheckpoints(o.minCheckpoints);
    }
    if (o.smoothing != null) {
      b.smoothing(o.smoothing);
    }
    return b.build();
  }

  static LearningController.Config learning(ControllerOptions o) {
    LearningController.Config.Builder b = LearningController.Config.builder();
    if (o.latencyWeight != null) {
      b.latencyWeight(o.latencyWeight);
    }
    if (o.pausePerCheckpoint != null) {
      b.pausePerCheckpoint(o.pausePerCheckpoint);
    }
    if (o.discount != null) {
      b.discount(o.discount);
    }
    if (o.exploration != null) {
      b.exploration(o.exploration);
    }
    if (o.minDwell != null) {
      b.minDwell(o.minDwell);
    }
    if (o.checkpointPeriod != null) {
      b.checkpointPeriod(o.checkpointPeriod);
    }
    return b.build();
  }
}
