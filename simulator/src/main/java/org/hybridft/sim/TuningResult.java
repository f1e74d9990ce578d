package org.hybridft.sim;

import java.util.List;

/**
 * What a {@link Tuner} found.
 *
 * @param space the space searched
 * @param objective what was minimised
 * @param best the best parameter values found (the defaults if nothing beat them)
 * @param bestScore their mean objective on the training runs
 * @param defaults the default values
 * @param defaultScore the defaults' mean objective on the same training runs
 * @param bestScoreByEvaluation the best score seen after each evaluation, for convergence plots
 * @param scoreByEvaluation each candidate's own score, in the order evaluated (+∞ for a
 *     combination its config rejects)
 */
public record TuningResult(
    ParameterSpace space,
    TuningObjective objective,
    double[] best,
    double bestScore,
    double[] defaults,
    double defaultScore,
    List<Double> bestScoreByEvaluation,
    List<Double> scoreByEvaluation) {

  /** Copies the arrays. */
  public TuningResult {
    best = best.clone();
    defaults = defaults.clone();
    bestScoreByEvaluation = List.copyOf(bestScoreByEvaluation);
    scoreByEvaluation = List.copyOf(scoreByEvaluation);
  }

  /** A copy of the best parameter values found. */
  @Override
  public double[] best() {
    return best.clone();
  }

  /** A copy of the default parameter values. */
  @Override
  public double[] defaults() {
    return defaults.clone();
  }

  /** The number of candidates evaluated, the defaults included. */
  public int evaluations() {
    return bestScoreByEvaluation.size();
  }
}
