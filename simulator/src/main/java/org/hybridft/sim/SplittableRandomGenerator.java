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

  SplittableRandomGenerator(SplittableRandom random) {
    this.random = random;
  }

  @Override
  public void setSeed(long seed) {
    random = new SplittableRandom(seed);
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
}
