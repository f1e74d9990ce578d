package org.hybridft.report;

import org.apache.commons.math3.distribution.TDistribution;
import org.apache.commons.math3.stat.descriptive.SummaryStatistics;

/**
 * The mean of a metric across runs with the half-width of its 95 % confidence interval (Student's
 * t, n − 1 degrees of freedom; 0 for a single run).
 *
 * @param mean the sample mean
 * @param halfWidth95 the half-width of the 95 % confidence interval of the mean
 * @param runs the number of runs
 */
public record Estimate(double mean, double halfWidth95, int runs) {

  /** The estimate of the given per-run values (at least one). */
  public static Estimate of(double[] values) {
    if (values.length == 0) {
      throw new IllegalArgumentException("values must hold at least one value, was empty");
    }
    SummaryStatistics statistics = new SummaryStatistics();
    for (double value : values) {
      statistics.addValue(value);
    }
    double halfWidth = 0;
    if (values.length > 1) {
      TDistribution t = new TDistribution(null, values.length - 1.0);
      double critical = t.inverseCumulativeProbability(0.975);
      halfWidth = critical * statistics.getStandardDeviation() / Math.sqrt(values.length);
    }
    return new Estimate(statistics.getMean(), halfWidth, values.length);
  }

  /** The lower bound of the 95 % confidence interval. */
  public double low() {
    return mean - halfWidth95;
  }

  /** The upper bound of the 95 % confidence interval. */
  public double high() {
    return mean + halfWidth95;
  }
}
