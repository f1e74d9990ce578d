package org.hybridft.bench;

import java.util.SplittableRandom;

/**
 * Pre-generated checkpoint rates as a control loop measures them, one per control period, so a
 * benchmark feeds varied input that the JIT cannot fold into a constant.
 *
 * <p>The sequence alternates workload phases of 20 to 120 periods, as the research's workloads
 * do: deterministic work (COLO checkpoints rarely: 0 to 1.5 cps), non-deterministic work (every
 * reply diverges: 20 to 300 cps) and mixed work around the controllers' thresholds (1 to 6 cps).
 * So every controller meets both bad and good COLO stretches and switches modes while being
 * measured. Seeded: every run measures the same sequence.
 */
final class MeasuredRates {
  /** A power of two, so a benchmark steps through the rates with a mask instead of a modulo. */
  static final int LENGTH = 1 << 14;

  static final int MASK = LENGTH - 1;

  private MeasuredRates() {}

  /** {@link #LENGTH} checkpoint rates in checkpoints per second, finite and {@code >= 0}. */
  static double[] checkpointsPerSecond(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    double[] rates = new double[LENGTH];
    int i = 0;
    while (i < LENGTH) {
      int phaseLength = random.nextInt(20, 121);
      int kind = random.nextInt(3);
      for (int p = 0; p < phaseLength && i < LENGTH; p++, i++) {
        rates[i] =
            switch (kind) {
              case 0 -> random.nextDouble(0, 1.5);
              case 1 -> random.nextDouble(20, 300);
              default -> random.nextDouble(1, 6);
            };
      }
    }
    return rates;
  }
}
