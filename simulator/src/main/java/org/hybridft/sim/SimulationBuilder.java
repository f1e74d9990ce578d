package org.hybridft.sim;

import java.time.Duration;
import java.util.Objects;
import org.hybridft.core.ParameterCheck;

/**
 * What the builders of {@link Comparison} and {@link Tuner} share: how many runs of which
 * simulated length, their seed, the worker threads and the replication model.
 *
 * @param <B> the builder, returned by the setters
 */
public abstract class SimulationBuilder<B extends SimulationBuilder<B>> {
  int runs;
  Duration length = Duration.ofMinutes(30);
  long seed = 1;
  int threads = Runtime.getRuntime().availableProcessors();
  ReplicationModel model = ReplicationModel.defaults();

  SimulationBuilder(int defaultRuns) {
    this.runs = defaultRuns;
  }

  /** Runs per workload and candidate, {@code >= 1}; the default is the builder's. */
  public B runs(int runs) {
    this.runs = ParameterCheck.atLeast("runs", runs, 1);
    return self();
  }

  /** Simulated time per run, {@code > 0}; default 30 minutes. */
  public B length(Duration length) {
    this.length = ParameterCheck.positive("length", length);
    return self();
  }

  /** The seed every run's seed derives from; default 1. */
  public B seed(long seed) {
    this.seed = seed;
    return self();
  }

  /** Threads that simulate runs in parallel, {@code >= 1}; default one per available processor. */
  public B threads(int threads) {
    this.threads = ParameterCheck.atLeast("threads", threads, 1);
    return self();
  }

  /** The replication model; default {@link ReplicationModel#defaults()}. */
  public B model(ReplicationModel model) {
    this.model = Objects.requireNonNull(model, "model");
    return self();
  }

  private B self() {
    @SuppressWarnings("unchecked")
    B builder = (B) this;
    return builder;
  }
}
