package org.hybridft.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * The controllers' parameters as options. Each option left out keeps the controller's documented
 * default; each given one is validated by the controller's config record.
 */
public final class ControllerOptions {
  @Option(
      names = "--checkpoint-period",
      converter = DurationConverter.class,
      description = "checkpoint mode's interval for checkpoint, threshold, pi and learning (default 500ms)")
  @Nullable Duration checkpointPeriod;

  @Option(names = "--colo-window", converter = DurationConverter.class,
      description = "threshold: how long a COLO stretch lasts before it is judged (default 10s)")
  @Nullable Duration coloWindow;

  @Option(names = "--threshold-cps",
      description = "threshold: average cps above which a COLO stretch is bad (default 2.0)")
  @Nullable Double thresholdCps;

  @Option(names = "--initial-stretch", converter = DurationConverter.class,
      description = "threshold: first checkpoint stretch (default 10s)")
  @Nullable Duration initialStretch;

  @Option(names = "--alpha", description = "threshold: stretch factor after bad COLO, > 1 (default 2)")
  @Nullable Double alpha;

  @Option(names = "--beta", description = "threshold: stretch factor after good COLO, in (0, 1) (default 0.5)")
  @Nullable Double beta;

  @Option(names = "--min-stretch", converter = DurationConverter.class,
      description = "threshold: shortest checkpoint stretch (default 5s)")
  @Nullable Duration minStretch;

  @Option(names = "--max-stretch", converter = DurationConverter.class,
      description = "threshold: longest checkpoint stretch (default 160s)")
  @Nullable Duration maxStretch;

  @Option(names = "--set-point", description = "pi: the cps to hold (default 2.5)")
  @Nullable Double setPoint;

  @Option(names = "--kp", description = "pi: proportional gain, >= 0 (default 0.05)")
  @Nullable Double kp;

  @Option(names = "--ki", description = "pi: integral gain, > 0 (default 0.02)")
  @Nullable Double ki;

  @Option(names = "--duty-window", description = "pi: control periods per duty window, >= 1 (default 10)")
  @Nullable Integer dutyWindow;

  @Option(names = "--min-dwell", converter = DurationConverter.class,
      description = "pi, learning: shortest time in one mode (default 2s)")
  @Nullable Duration minDwell;

  @Option(names = "--latency-weight",
      description = "learning: cost of a period in checkpoint mode, in downtime ratio, >= 0 (default 0.05)")
  @Nullable Double latencyWeight;

  @Option(names = "--pause-per-checkpoint", converter = DurationConverter.class,
      description = "learning: guest pause of one checkpoint (default 85ms)")
  @Nullable Duration pausePerCheckpoint;

  @Option(names = "--discount",
      description = "learning: per-period discount of past evidence, in (0, 1) (default 0.98)")
  @Nullable Double discount;

  @Option(names = "--exploration",
      description = "learning: exploration constant of the optimism bonus, >= 0 (default 0.01)")
  @Nullable Double exploration;

  @Option(names = "--passive-limit", converter = DurationConverter.class,
      description = "orbit: mean checkpoint interval below which COLO is abandoned (default 400ms)")
  @Nullable Duration passiveLimit;

  @Option(names = "--passive-count", description = "orbit: checkpoints per passive stretch (default 100)")
  @Nullable Integer passiveCount;

  @Option(names = "--passive-period", converter = DurationConverter.class,
      description = "orbit: checkpoint interval in passive mode (default 250ms)")
  @Nullable Duration passivePeriod;

  @Option(names = "--min-checkpoints",
      description = "orbit: checkpoints seen before the mean is trusted (default 5)")
  @Nullable Integer minCheckpoints;

  @Option(names = "--smoothing", description = "orbit: weight of the newest interval, in (0, 1] (default 0.3)")
  @Nullable Double smoothing;

  /**
   * The options given that none of {@code controllers} reads, such as {@code --alpha} with only
   * {@code pi}: the command warns about them rather than ignore them silently.
   */
  List<String> unusedBy(List<String> controllers) {
    Map<String, Object> given = new LinkedHashMap<>();
    put(given, "--checkpoint-period", checkpointPeriod);
    put(given, "--colo-window", coloWindow);
    put(given, "--threshold-cps", thresholdCps);
    put(given, "--initial-stretch", initialStretch);
    put(given, "--alpha", alpha);
    put(given, "--beta", beta);
    put(given, "--min-stretch", minStretch);
    put(given, "--max-stretch", maxStretch);
    put(given, "--set-point", setPoint);
    put(given, "--kp", kp);
    put(given, "--ki", ki);
    put(given, "--duty-window", dutyWindow);
    put(given, "--min-dwell", minDwell);
    put(given, "--passive-limit", passiveLimit);
    put(given, "--passive-count", passiveCount);
    put(given, "--passive-period", passivePeriod);
    put(given, "--min-checkpoints", minCheckpoints);
    put(given, "--smoothing", smoothing);
    put(given, "--latency-weight", latencyWeight);
    put(given, "--pause-per-checkpoint", pausePerCheckpoint);
    put(given, "--discount", discount);
    put(given, "--exploration", exploration);
    List<String> unused = new ArrayList<>();
    for (String option : given.keySet()) {
      boolean read = false;
      for (String controller : controllers) {
        read |= readers(option).contains(controller);
      }
      if (!read) {
        List<String> readers = readers(option);
        unused.add(
            option + " is ignored: only " + String.join(" and ", readers)
                + (readers.size() == 1
                    ? " reads it, and it is not simulated"
                    : " read it, and none of them is simulated"));
      }
    }
    return unused;
  }

  /**
   * Fills every option not given here from {@code defaults} (a config file's values), so that
   * options on the command line override the file.
   */
  void fillFrom(ControllerOptions defaults) {
    for (java.lang.reflect.Field field : ControllerOptions.class.getDeclaredFields()) {
      if (!field.isAnnotationPresent(Option.class)) {
        continue;
      }
      try {
        if (field.get(this) == null) {
          field.set(this, field.get(defaults));
        }
      } catch (IllegalAccessException impossible) {
        throw new IllegalStateException(impossible);
      }
    }
  }

  private static void put(Map<String, Object> given, String option, @Nullable Object value) {
    if (value != null) {
      given.put(option, value);
    }
  }

  private static List<String> readers(String option) {
    switch (option) {
      case "--checkpoint-period":
        return List.of("checkpoint", "threshold", "pi", "learning");
      case "--colo-window":
      case "--threshold-cps":
      case "--initial-stretch":
      case "--alpha":
      case "--beta":
      case "--min-stretch":
      case "--max-stretch":
        return List.of("threshold");
      case "--set-point":
      case "--kp":
      case "--ki":
      case "--duty-window":
        return List.of("pi");
      case "--min-dwell":
        return List.of("pi", "learning");
      case "--latency-weight":
      case "--pause-per-checkpoint":
      case "--discount":
      case "--exploration":
        return List.of("learning");
      default:
        return List.of("orbit");
    }
  }
}
