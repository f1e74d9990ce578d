package org.hybridft.sim;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import org.hybridft.report.RunResult;

/**
 * Prints, per workload, the clairvoyant schedule and its {@link CausalBound causal bounds}: the
 * schedule one period late, and the probing schedule at each probe interval with the best one
 * marked, each as mean downtime ratio and p99 over the schedule's: {@code CausalBoundTable
 * [workloads, comma-separated or all] [runs] [minutes] [seed]}. A measuring program for the docs,
 * not a test.
 */
final class CausalBoundTable {
  private static final Duration CHECKPOINT_PERIOD = Duration.ofMillis(500);
  private static final int[] PROBE_SECONDS = {5, 10, 15, 20, 25, 30, 35, 40, 50, 60, 70, 90, 120, 160};
  /** At most this many of the most frequent checkpoint-stretch lengths are tried as probe offsets. */
  private static final int MAX_LEARNT_LENGTHS = 8;

  private CausalBoundTable() {}

  public static void main(String[] args) {
    List<Workload> workloads = args.length > 0 && !args[0].equals("all")
        ? Arrays.stream(args[0].split(",")).map(name -> WorkloadProfile.byName(name).orElseThrow().workload()).toList()
        : Arrays.stream(WorkloadProfile.values()).map(WorkloadProfile::workload).toList();
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    Duration length = Duration.ofMinutes(args.length > 2 ? Integer.parseInt(args[2]) : 30);
    long seed = args.length > 3 ? Long.parseLong(args[3]) : 1;
    PrintStream out = System.out;
    out.printf(Locale.ROOT, "%d runs x %d min, seed %d; cells: downtime ratio / p99 over the schedule's%n%n", runs,
        length.toMinutes(), seed);
    VmSimulator simulator = new VmSimulator();
    for (Workload workload : workloads) {
      // Per run: [0] schedule, [1] delayed, [2..] probing at each interval.
      List<ClairvoyantSchedule> schedules = IntStream.range(0, runs).parallel()
          .mapToObj(run -> ClairvoyantSchedule.plan(simulator, workload, length,
              Comparison.runSeed(seed, workload.name(), run), run, CHECKPOINT_PERIOD)).toList();
      List<CausalBound> bounds = IntStream.range(0, runs)
          .mapToObj(run -> new CausalBound(simulator, workload, length, Comparison.runSeed(seed, workload.name(), run),
              run, schedules.get(run), CHECKPOINT_PERIOD)).toList();
      List<RunResult[]> results = IntStream.range(0, runs).parallel().mapToObj(run -> {
        ClairvoyantSchedule schedule = schedules.get(run);
        CausalBound bound = bounds.get(run);
        RunResult[] row = new RunResult[2 + PROBE_SECONDS.length];
        row[0] = schedule.result();
        row[1] = bound.delayed();
        for (int i = 0; i < PROBE_SECONDS.length; i++) {
          row[2 + i] = bound.probing(Duration.ofSeconds(PROBE_SECONDS[i]));
        }
        return row;
      }).toList();
      double limitDowntime = mean(results, 0, true);
      double limitP99 = mean(results, 0, false);
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
          "%-10s limit %.4f / %.0f ms | delayed %.3f / %.3f (switches %.1f) | probing:",
          workload.name(), limitDowntime, limitP99, mean(results, 1, true) / limitDowntime,
          mean(results, 1, false) / limitP99, switches(results, 1)));
      int best = 2;
      List<String> cells = new ArrayList<>();
      for (int i = 2; i < 2 + PROBE_SECONDS.length; i++) {
        if (mean(results, i, true) < mean(results, best, true)) {
          best = i;
        }
        cells.add(String.format(Locale.ROOT, " %ds %.3f / %.3f", PROBE_SECONDS[i - 2],
            mean(results, i, true) / limitDowntime, mean(results, i, false) / limitP99));
      }
      line.append(String.join(",", cells));
      line.append(String.format(Locale.ROOT, " | best %ds: %.3f / %.3f", PROBE_SECONDS[best - 2],
          mean(results, best, true) / limitDowntime, mean(results, best, false) / limitP99));
      // The learnt lengths: probes at each subset of the schedule's most frequent checkpoint-stretch
      // lengths (pooled over the runs), then at the best fixed interval.
      Duration fallback = Duration.ofSeconds(PROBE_SECONDS[best - 2]);
      java.util.Map<Long, Long> counts = new java.util.TreeMap<>();
      for (int run = 0; run < runs; run++) {
        for (long stretch : bounds.get(run).checkpointStretches()) {
          counts.merge(stretch, 1L, Long::sum);
        }
      }
      long[] lengths = counts.entrySet().stream()
          .sorted(java.util.Map.Entry.<Long, Long>comparingByValue().reversed())
          .limit(MAX_LEARNT_LENGTHS).mapToLong(java.util.Map.Entry::getKey).sorted().toArray();
      double bestLearnt = Double.MAX_VALUE;
      double bestLearntP99 = Double.NaN;
      long[] bestOffsets = new long[0];
      for (int mask = 1; mask < 1 << lengths.length; mask++) {
        int m = mask;
        long[] offsets = IntStream.range(0, lengths.length).filter(i -> (m & 1 << i) != 0)
            .mapToLong(i -> Math.max(1, lengths[i] - 1)).distinct().toArray();
        List<RunResult> learnt = IntStream.range(0, runs).parallel()
            .mapToObj(run -> bounds.get(run).probing(offsets, fallback)).toList();
        double downtime = learnt.stream().mapToDouble(RunResult::downtimeRatio).average().orElseThrow();
        if (downtime < bestLearnt) {
          bestLearnt = downtime;
          bestLearntP99 = learnt.stream().mapToDouble(RunResult::latencyP99Ms).average().orElseThrow();
          bestOffsets = offsets;
        }
      }
      line.append(String.format(Locale.ROOT, " | learnt lengths %s (of %s s): %.3f / %.3f",
          Arrays.toString(bestOffsets), counts, bestLearnt / limitDowntime, bestLearntP99 / limitP99));
      out.println(line);
    }
  }

  private static double mean(List<RunResult[]> results, int column, boolean downtime) {
    return results.stream()
        .mapToDouble(row -> downtime ? row[column].downtimeRatio() : row[column].latencyP99Ms())
        .average().orElseThrow();
  }

  private static double switches(List<RunResult[]> results, int column) {
    return results.stream().mapToDouble(row -> row[column].switches()).average().orElseThrow();
  }
}
