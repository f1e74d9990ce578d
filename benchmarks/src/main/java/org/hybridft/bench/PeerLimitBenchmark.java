package org.hybridft.bench;

import com.netflix.concurrency.limits.limit.AIMDLimit;
import com.netflix.concurrency.limits.limit.Gradient2Limit;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The peer: Netflix concurrency-limits' adaptive limits, the best-known Java controllers of the
 * same shape as ours (primitive samples in, a decision out). Measured in the same run as {@link
 * ControllerUpdateBenchmark} so the README can give ratios rather than absolute times.
 *
 * <p>Each operation feeds one sample from pre-generated arrays: round-trip times of 1 to 50 ms
 * (log-uniform), in-flight counts of 0 to 200 (around AIMD's default limits) and 2 % drops. The
 * new limit is returned to JMH's blackhole. Default builders, as a user would start.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PeerLimitBenchmark {
  private static final int LENGTH = 1 << 14;
  private static final int MASK = LENGTH - 1;
  private static final long SAMPLE_SPACING_NANOS = 1_000_000L;

  private AIMDLimit aimd;
  private Gradient2Limit gradient2;
  private long[] rttNanos;
  private int[] inflight;
  private boolean[] dropped;
  private int index;
  private long startNanos;

  /** Builds both limits with their defaults and the samples they are fed. */
  @Setup
  public void setUp() {
    aimd = AIMDLimit.newBuilder().build();
    gradient2 = Gradient2Limit.newBuilder().build();
    SplittableRandom random = new SplittableRandom(42);
    rttNanos = new long[LENGTH];
    inflight = new int[LENGTH];
    dropped = new boolean[LENGTH];
    for (int i = 0; i < LENGTH; i++) {
      rttNanos[i] = (long) (1e6 * Math.pow(50, random.nextDouble()));
      inflight[i] = random.nextInt(201);
      dropped[i] = random.nextInt(50) == 0;
    }
    index = 0;
    startNanos = 0;
  }

  /** One sample into {@link AIMDLimit}: the reference figure our controllers must be no slower than. */
  @Benchmark
  public int aimdOnSample() {
    int i = index++ & MASK;
    startNanos += SAMPLE_SPACING_NANOS;
    aimd.onSample(startNanos, rttNanos[i], inflight[i], dropped[i]);
    return aimd.getLimit();
  }

  /** One sample into {@link Gradient2Limit}. */
  @Benchmark
  public int gradient2OnSample() {
    int i = index++ & MASK;
    startNanos += SAMPLE_SPACING_NANOS;
    gradient2.onSample(startNanos, rttNanos[i], inflight[i], dropped[i]);
    return gradient2.getLimit();
  }
}
