package org.hybridft.bench;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.hybridft.controllers.ControllerRegistry;
import org.hybridft.core.Mode;
import org.hybridft.core.ModeController;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One {@link ModeController#update} per operation for every registered controller: the work a
 * control loop asks of its controller once per control period. Rates come from {@link
 * MeasuredRates} and time advances one 1 s period per call, so each controller runs through its
 * real decisions, mode switches included. The returned mode is consumed by JMH's blackhole.
 */
@State(Scope.Thread)
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ControllerUpdateBenchmark {
  private static final long PERIOD_NANOS = 1_000_000_000L;

  /**
   * A controller of the {@link ControllerRegistry}, with its defaults: the built-in ones listed
   * here; {@code -p controller=NAME} measures any registered one.
   */
  @Param({"checkpoint", "colo", "threshold", "pi", "orbit", "learning"})
  public String controller;

  private ModeController modeController;
  private double[] rates;
  private int index;
  private long nowNanos;

  /**
   * Builds the controller in its initial state and the rates it is fed, for each iteration: one
   * period per call would overflow the clock in an iteration of JMH's default 10 s.
   */
  @Setup(Level.Iteration)
  public void setUp() {
    modeController = ControllerRegistry.installed().create(controller, Map.of());
    rates = MeasuredRates.checkpointsPerSecond(42);
    index = 0;
    nowNanos = 0;
  }

  /** One control period's decision. */
  @Benchmark
  public Mode update() {
    nowNanos += PERIOD_NANOS;
    return modeController.update(nowNanos, rates[index++ & MeasuredRates.MASK]);
  }
}
