package org.hybridft.sim;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.commons.math3.exception.TooManyEvaluationsException;
import org.apache.commons.math3.optim.InitialGuess;
import org.apache.commons.math3.optim.MaxEval;
import org.apache.commons.math3.optim.MaxIter;
import org.apache.commons.math3.optim.SimpleBounds;
import org.apache.commons.math3.optim.nonlinear.scalar.GoalType;
import org.apache.commons.math3.optim.nonlinear.scalar.ObjectiveFunction;
import org.apache.commons.math3.optim.nonlinear.scalar.noderiv.CMAESOptimizer;
import org.apache.commons.math3.random.MersenneTwister;
import org.hybridft.core.ModeController;
import org.hybridft.core.ParameterCheck;
import org.hybridft.report.RunResult;
import org.jspecify.annotations.Nullable;

/**
 * Fits a controller's parameters to a workload or a recorded trace in the simulator, with
 * commons-math3's CMA-ES (derivative-free, bounded).
 *
 * <p>The search runs in the unit cube mapped onto each parameter's bounds (which lie within the
 * config's valid range), so every candidate is valid; whole-valued parameters are rounded.
 * Every candidate is scored on the <em>same</em> training runs (the same seeds, hence the same
 * arrivals and divergences: common random numbers), so candidates are compared fairly and the
 * objective is deterministic. The defaults are scored first and the result is the best candidate
 * seen, so a tuning never returns parameters that score worse than the defaults on its training
 * runs. A candidate whose combination a config rejects scores +∞.
 */
public final class Tuner {

  /** Observes progress; called on the tuning thread. */
  @FunctionalInterface
  public interface ProgressListener {
    /** One more candidate was scored. */
    void onEvaluation(int evaluation, int budget, double score, double bestScore);
  }

  private final ParameterSpace space;
  private final Workload workload;
  private final TuningObjective objective;
  private final double latencyWeight;
  private final int budget;
  private final int runs;
  private final Duration length;
  private final long seed;
  private final int threads;
  private final VmSimulator simulator;
  private final ProgressListener progress;

  private Tuner(Builder builder) {
    this.space = Objects.requireNonNull(builder.space, "space must be set");
    this.workload = Objects.requireNonNull(builder.workload, "workload must be set");
    this.objective = builder.objective;
    this.latencyWeight = builder.latencyWeight;
    this.budget = builder.budget;
    this.runs = builder.runs;
    this.length = builder.length;
    this.seed = builder.seed;
    this.threads = builder.threads;
    this.simulator = new VmSimulator(builder.model);
    this.progress = builder.progress;
  }

  /** A builder; space and workload are required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Runs the search.
   *
   * @throws InterruptedException if interrupted
   */
  public TuningResult tune() throws InterruptedException {
    ExecutorService pool = Executors.newFixedThreadPool(threads, runnable -> {
      Thread thread = new Thread(runnable, "hybrid-ft-tuner");
      thread.setDaemon(true);
      return thread;
    });
    try {
      Search search = new Search(pool);
      double[] defaults = space.defaults();
      double defaultScore = search.score(defaults);
      if (budget > 1) {
        int dimension = space.dimension();
        double[] lower = new double[dimension];
        double[] upper = new double[dimension];
        double[] sigma = new double[dimension];
        java.util.Arrays.fill(upper, 1.0);
        java.util.Arrays.fill(sigma, 0.3); // a third of each range: wide enough to leave the defaults' basin
        int population = 4 + (int) (3 * Math.log(dimension));
        CMAESOptimizer optimizer =
            new CMAESOptimizer(
                budget, 0.0, true, 0, 0, new MersenneTwister(seed), false, null);
        try {
          optimizer.optimize(
              new MaxEval(budget - 1),
              new MaxIter(budget),
              new ObjectiveFunction(unit -> search.scoreUnit(unit)),
              GoalType.MINIMIZE,
              new InitialGuess(space.toUnit(defaults)),
              new SimpleBounds(lower, upper),
              new CMAESOptimizer.Sigma(sigma),
              new CMAESOptimizer.PopulationSize(population));
        } catch (TooManyEvaluationsException budgetSpent) {
          // The budget is the stopping rule; the best candidate is kept by the search.
        } catch (SearchInterrupted interrupted) {
          throw new InterruptedException("tuning interrupted");
        }
      }
      return new TuningResult(
          space, objective, search.best, search.bestScore, defaults, defaultScore, search.history,
          search.scores);
    } finally {
      pool.shutdownNow();
    }
  }

  /** Thrown through the optimiser when the tuning thread is interrupted. */
  private static final class SearchInterrupted extends RuntimeException {
    private static final long serialVersionUID = 1L;
  }

  /** Scores candidates and remembers the best. */
  private final class Search {
    private final ExecutorService pool;
    private final List<Double> history = new ArrayList<>();
    private final List<Double> scores = new ArrayList<>();
    private double[] best = space.defaults();
    private double bestScore = Double.POSITIVE_INFINITY;

    Search(ExecutorService pool) {
      this.pool = pool;
    }

    double scoreUnit(double[] unit) {
      try {
        return score(space.fromUnit(unit));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SearchInterrupted();
      }
    }

    double score(double[] values) throws InterruptedException {
      double score;
      try {
        score = objective.score(simulate(values), latencyWeight);
      } catch (IllegalArgumentException rejected) {
        score = Double.POSITIVE_INFINITY;
      }
      if (score < bestScore) {
        bestScore = score;
        best = values.clone();
      }
      history.add(bestScore);
      scores.add(score);
      progress.onEvaluation(history.size(), budget, score, bestScore);
      return Double.isFinite(score) ? score : Double.MAX_VALUE;
    }

    private List<RunResult> simulate(double[] values) throws InterruptedException {
      space.create(values); // fail fast on a rejected combination, before any thread starts
      List<Future<RunResult>> futures = new ArrayList<>(runs);
      for (int run = 0; run < runs; run++) {
        int index = run;
        long runSeed = Comparison.runSeed(seed, workload.name(), run);
        futures.add(pool.submit(() -> {
          ModeController controller = space.create(values);
          return simulator.run(workload, space.controller(), controller, length, runSeed, index);
        }));
      }
      List<RunResult> results = new ArrayList<>(runs);
      for (Future<RunResult> future : futures) {
        try {
          results.add(future.get());
        } catch (ExecutionException failed) {
          Throwable cause = failed.getCause();
          if (cause instanceof IllegalArgumentException rejected) {
            throw rejected;
          }
          throw new IllegalStateException("a training run failed", cause);
        }
      }
      return results;
    }
  }

  /** Builds a {@link Tuner}; every setter validates its argument. Default: 3 training runs per candidate. */
  public static final class Builder extends SimulationBuilder<Builder> {
    private @Nullable ParameterSpace space;
    private @Nullable Workload workload;
    private TuningObjective objective = TuningObjective.COST;
    private double latencyWeight = 0.05;
    private int budget = 60;
    private ProgressListener progress = (evaluation, total, score, best) -> {};

    private Builder() {
      super(3);
    }

    /** The controller's parameters to search; required. */
    public Builder space(ParameterSpace space) {
      this.space = Objects.requireNonNull(space, "space");
      return this;
    }

    /** The workload or replayed trace to fit to; required. */
    public Builder workload(Workload workload) {
      this.workload = Objects.requireNonNull(workload, "workload");
      return this;
    }

    /** What to minimise; default {@link TuningObjective#COST}. */
    public Builder objective(TuningObjective objective) {
      this.objective = Objects.requireNonNull(objective, "objective");
      return this;
    }

    /** The weight of checkpoint-mode time in {@link TuningObjective#COST}, {@code >= 0}; default 0.05. */
    public Builder latencyWeight(double latencyWeight) {
      this.latencyWeight = ParameterCheck.atLeast("latencyWeight", latencyWeight, 0.0);
      return this;
    }

    /** Candidates to evaluate, the defaults included, {@code >= 1}; default 60. */
    public Builder budget(int budget) {
      this.budget = ParameterCheck.atLeast("budget", budget, 1);
      return this;
    }

    /** Progress observer; default none. */
    public Builder progress(ProgressListener progress) {
      this.progress = Objects.requireNonNull(progress, "progress");
      return this;
    }

    /** Builds the tuner. */
    public Tuner build() {
      return new Tuner(this);
    }
  }
}
