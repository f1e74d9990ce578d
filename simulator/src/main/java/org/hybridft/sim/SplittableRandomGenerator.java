package org.hybridft.sim;

import java.util.SplittableRandom;
import org.apache.commons.math3.random.AbstractRandomGenerator;

/**
 * A commons-math3 {@code RandomGenerator} over {@link SplittableRandom}: fast, allocation-free per
 * draw, and splittable into independent streams so that each random process of a run (arrivals,
 * service times, divergences) has its own and two controllers see the same arrivals for the same
 * seed (common random numbers).
 */
final class SplittableRandomGenerator extends AbstractRandomGenerator {
  private SplittableRandom random;
  private double spareGaussian;
  private boolean hasSpareGaussian;

  SplittableRandomGenerator(SplittableRandom random) {
    this.random = random;
  }

  @Override
  public void setSeed(long seed) {
    random = new SplittableRandom(seed);
    hasSpareGaussian = false;
    clear();
  }

  @Override
  public double nextDouble() {
    return random.nextDouble();
  }

  @Override
  public int nextInt() {
    return random.nextInt();
  }

  @Override
  public long nextLong() {
    return random.nextLong();
  }

  /**
   * Marsaglia's polar method, as the superclass, but with the JIT's intrinsic {@link Math#log}
   * and {@link Math#sqrt}: service times draw one Gaussian per request.
   */
  @Override
  public double nextGaussian() {
    if (hasSpareGaussian) {
      hasSpareGaussian = false;
      return spareGaussian;
    }
    double u;
    double v;
    double s;
    do {
      u = 2 * random.nextDouble() - 1;
      v = 2 * random.nextDouble() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s == 0);
    double scale = Math.sqrt(-2 * Math.log(s) / s);
    spareGaussian = v * scale;
    hasSpareGaussian = true;
    return u * scale;
  }
}
