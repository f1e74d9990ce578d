package org.hybridft.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The floors the controller figures are read against: an empty benchmark (JMH's own cost per
 * call on this machine) and the bare arithmetic of a PI step, {@code e = sp − cps}, the clamped
 * integral and the clamped output, fed the same rates as {@link ControllerUpdateBenchmark}.
 * {@code PiController} over {@link #piArithmetic()} is the overhead hybrid-ft owns: input
 * validation, the duty cycle and the minimum dwell.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ControlFloorBenchmark {
  // PiController's defaults, so the floor computes what the controller computes.
  private static final double SET_POINT_CPS = 2.5;
  private static final double KP = 0.05;
  private static final double KI = 0.02;
  private static final double PERIOD_SECONDS = 1.0;
  private static final double INTEGRAL_LIMIT = 1 / KI;

  private double[] rates;
  private int index;
  private double integral;

  /** The rates of {@link MeasuredRates}. */
  @Setup
  public void setUp() {
    rates = MeasuredRates.checkpointsPerSecond(42);
    index = 0;
    integral = INTEGRAL_LIMIT;
  }

  /** Nothing: what a call costs the harness. */
  @Benchmark
  public void empty() {}

  /** One PI step without validation, duty cycle or dwell: returns ρ. */
  @Benchmark
  public double piArithmetic() {
    double error = SET_POINT_CPS - rates[index++ & MeasuredRates.MASK];
    double next = integral + error * PERIOD_SECONDS;
    integral = next < 0 ? 0 : Math.min(next, INTEGRAL_LIMIT);
    double output = KP * error + KI * integral;
    return output < 0 ? 0 : Math.min(output, 1);
  }
}
