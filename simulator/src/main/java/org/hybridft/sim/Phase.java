package org.hybridft.sim;

import java.time.Duration;
import java.util.Objects;
import org.hybridft.core.ParameterCheck;

/**
 * One stretch of a {@link Workload} with constant statistics.
 *
 * @param duration how long the phase lasts, {@code > 0}
 * @param requestsPerSecond λ, the rate of the Poisson request arrival process, finite {@code >= 0}
 * @param meanServiceMillis the mean CPU time one request needs on one worker thread, {@code > 0}
 * @param serviceCv the coefficient of variation of the (log-normal) service time, {@code >= 0};
 *     0 makes every service take exactly the mean
 * @param divergenceProbability p, the probability that the primary's and the secondary's reply
 *     to one request differ, in {@code [0, 1]}
 * @param dirtyMbPerSecond the rate at which the guest dirties memory while it runs, in MB (10^6
 *     bytes) per second, {@code >= 0}
 * @param workingSetMb the most memory that can be dirty between two checkpoints (the working set
 *     the guest rewrites), in MB, {@code >= 0}
 */
public record Phase(
    Duration duration,
    double requestsPerSecond,
    double meanServiceMillis,
    double serviceCv,
    double divergenceProbability,
    double dirtyMbPerSecond,
    double workingSetMb) {

  /** Validates every component; see the record components for the ranges. */
  public Phase {
    Objects.requireNonNull(duration, "duration");
    ParameterCheck.positive("duration", duration);
    ParameterCheck.atLeast("requestsPerSecond", requestsPerSecond, 0.0);
    ParameterCheck.greaterThan("meanServiceMillis", meanServiceMillis, 0.0);
    ParameterCheck.atLeast("serviceCv", serviceCv, 0.0);
    ParameterCheck.inRange("divergenceProbability", divergenceProbability, 0.0, 1.0);
    ParameterCheck.atLeast("dirtyMbPerSecond", dirtyMbPerSecond, 0.0);
    ParameterCheck.atLeast("workingSetMb", workingSetMb, 0.0);
  }

  /** The rate of diverging replies, {@code λ·p}, in divergences per second. */
  public double divergencesPerSecond() {
    return requestsPerSecond * divergenceProbability;
  }

  /** A copy with another duration. */
  public Phase withDuration(Duration newDuration) {
    return new Phase(
        newDuration,
        requestsPerSecond,
        meanServiceMillis,
        serviceCv,
        divergenceProbability,
        dirtyMbPerSecond,
        workingSetMb);
  }
}
