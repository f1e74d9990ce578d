package org.hybridft.sim;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.hybridft.report.ClairvoyantRegret;
import org.hybridft.report.ComparisonResult;
import org.hybridft.report.Metric;
import org.hybridft.report.Regret;

/**
 * Prints, for every built-in workload, each controller's regret against the better static mode
 * and against the clairvoyant schedule, as a Markdown table: {@code ClairvoyantTable [runs]
 * [minutes] [seed]}. A measuring program for the docs, not a test.
 */
final class ClairvoyantTable {
  private ClairvoyantTable() {}

  public static void main(String[] args) throws InterruptedException {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    int minutes = args.length > 1 ? Integer.parseInt(args[1]) : 30;
    long seed = args.length > 2 ? Long.parseLong(args[2]) : 1;
    List<String> adaptive = List.of("threshold", "pi", "learning", "orbit");
    List<String> controllers = List.of("checkpoint", "colo", "threshold", "pi", "learning", "orbit");
    List<Workload> workloads = Arrays.stream(WorkloadProfile.values()).map(WorkloadProfile::workload).toList();
    ComparisonResult result = ClairvoyantComparison.run(
        workloads, controllers, runs, Duration.ofMinutes(minutes), seed);
    PrintStream out = System.out;
    out.printf(Locale.ROOT, "%d runs x %d min, seed %d%n%n", runs, minutes, seed);
    out.println("| workload | better static (downtime / p99 ms) | clairvoyant (downtime / p99 ms / switches)"
        + " | " + String.join(" | ", adaptive) + " |");
    out.println("|---|---|---|" + "---|".repeat(adaptive.size()));
    for (String workload : result.workloads()) {
      Regret base = Regret.of(result, workload, "threshold", ClairvoyantComparison.STATIC).orElseThrow();
      StringBuilder row = new StringBuilder();
      row.append(String.format(Locale.ROOT, "| `%s` | %s %.4f / %.0f | %.4f / %.0f / %.1f |", workload,
          base.baseline(),
          result.estimate(workload, base.baseline(), Metric.DOWNTIME_RATIO).mean(),
          result.estimate(workload, base.baseline(), Metric.LATENCY_P99).mean(),
          result.estimate(workload, ClairvoyantSchedule.NAME, Metric.DOWNTIME_RATIO).mean(),
          result.estimate(workload, ClairvoyantSchedule.NAME, Metric.LATENCY_P99).mean(),
          result.estimate(workload, ClairvoyantSchedule.NAME, Metric.SWITCHES).mean()));
      for (String controller : adaptive) {
        Regret regret = Regret.of(result, workload, controller, ClairvoyantComparison.STATIC).orElseThrow();
        ClairvoyantRegret limit =
            ClairvoyantRegret.of(result, workload, controller, ClairvoyantComparison.STATIC).orElseThrow();
        row.append(String.format(Locale.ROOT, " %.3f / %.3f (static %.3f / %.3f, gap %s)%s |",
            limit.downtime(), limit.p99(), regret.downtime(), regret.p99(),
            Double.isNaN(limit.gapClosed()) ? "-" : String.format(Locale.ROOT, "%.2f", limit.gapClosed()),
            limit.beyondBound() ? "!" : ""));
      }
      out.println(row);
    }
  }
}
