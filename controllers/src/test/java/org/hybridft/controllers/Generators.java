package org.hybridft.controllers;

import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.quicktheories.core.Gen;

/** QuickTheories generators of valid controller configs and rate sequences. */
final class Generators {
  private Generators() {}

  static Gen<Duration> millis(int min, int max) {
    return integers().between(min, max).map(Duration::ofMillis);
  }

  static Gen<ThresholdConfig> thresholdConfigs() {
    Gen<double[]> factors =
        doubles().between(1.01, 8.0).zip(doubles().between(0.05, 0.99), (a, b) -> new double[] {a, b});
    Gen<long[]> stretches =
        integers().between(500, 30_000)
            .zip(integers().between(0, 300_000), doubles().between(0, 1),
                (min, extra, where) -> new long[] {min, min + extra, min + (long) (extra * where)});
    return millis(500, 60_000)
        .zip(doubles().between(0, 20), factors, stretches, millis(20, 5_000),
            (window, threshold, ab, s, period) ->
                ThresholdConfig.builder()
                    .coloWindow(window)
                    .coloThresholdCps(threshold)
                    .alpha(ab[0])
                    .beta(ab[1])
                    .minCheckpointStretch(Duration.ofMillis(s[0]))
                    .maxCheckpointStretch(Duration.ofMillis(s[1]))
                    .initialCheckpointStretch(Duration.ofMillis(s[2]))
                    .checkpointPeriod(period)
                    .earlyJudgementFactor(
                        threshold < 10 ? Double.POSITIVE_INFINITY : 1 + threshold / 4)
                    .build());
  }

  static Gen<PiConfig> piConfigs() {
    Gen<double[]> gains =
        doubles().between(0, 2).zip(doubles().between(0.001, 1), (kp, ki) -> new double[] {kp, ki});
    return doubles().between(0.01, 20)
        .zip(gains, millis(100, 5_000), integers().between(1, 30), integers().between(0, 6),
            (sp, g, period, window, dwellPeriods) ->
                PiConfig.builder()
                    .setPointCps(sp)
                    .kp(g[0])
                    .ki(g[1])
                    .controlPeriod(period)
                    .dutyWindowPeriods(window)
                    .minDwell(period.multipliedBy(dwellPeriods).plusMillis(dwellPeriods == 0 ? 0 : -1))
                    .probeBackoff(1)
                    .earlyExitFactor(Double.POSITIVE_INFINITY)
                    .fastReturnFactor(Double.POSITIVE_INFINITY)
                    .build());
  }

  /** PI configs with the extensions on, at random strengths. */
  static Gen<PiConfig> piConfigsWithExtensions() {
    return piConfigs()
        .zip(doubles().between(1, 8), doubles().between(1, 1_000), doubles().between(1, 10),
            doubles().between(1, 10),
            (config, backoff, max, exit, fastReturn) ->
                config.toBuilder()
                    .probeBackoff(backoff)
                    .maxProbeBackoff(max)
                    .earlyExitFactor(exit)
                    .fastReturnFactor(fastReturn)
                    .build());
  }

  static Gen<OrbitHybridConfig> orbitConfigs() {
    return millis(10, 5_000)
        .zip(integers().between(1, 500), millis(20, 2_000), integers().between(1, 50),
            doubles().between(0.01, 1.0),
            (limit, count, period, min, smoothing) ->
                new OrbitHybridConfig(limit, count, period, min, smoothing));
  }

  /**
   * Any controller of the built-in registry with a config drawn from its tuner's search space
   * (uniformly per searched parameter; the others at their defaults): a controller added to the
   * registry is covered with no edit here.
   */
  static Gen<ControllerConfiguration<?>> registered() {
    List<ControllerDescriptor<?>> descriptors = ControllerRegistry.builtIn().descriptors();
    int most = descriptors.stream().mapToInt(d -> d.parameters().size()).max().orElse(0);
    return integers().between(0, descriptors.size() - 1)
        .zip(lists().of(doubles().between(0, 1)).ofSize(most), (index, where) -> drawn(descriptors.get(index), where));
  }

  private static ControllerConfiguration<?> drawn(ControllerDescriptor<?> descriptor, List<Double> where) {
    Map<String, String> values = new LinkedHashMap<>();
    for (int i = 0; i < descriptor.parameters().size(); i++) {
      ParameterDescriptor<?> parameter = descriptor.parameters().get(i);
      ParameterDescriptor.SearchRange range = parameter.searchRange();
      if (range != null) {
        double number = range.low() + where.get(i) * (range.high() - range.low());
        values.put(parameter.key(), parameter.format(parameter.type().fromNumber(number)));
      }
    }
    return descriptor.configured(descriptor.name(), values);
  }

  /** Rate sequences: mostly modest, with bursts of the very high rates of non-deterministic work. */
  static Gen<List<Double>> rates(int minLength, int maxLength) {
    Gen<Double> rate = doubles().between(0, 5).mix(doubles().between(0, 200), 30);
    return lists().of(rate).ofSizeBetween(minLength, maxLength);
  }

  static double[] toArray(List<Double> rates) {
    return rates.stream().mapToDouble(Double::doubleValue).toArray();
  }
}
