package org.hybridft.sim;

import static org.quicktheories.QuickTheory.qt;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.hybridft.report.ClairvoyantRegret;
import org.hybridft.report.ComparisonResult;
import org.hybridft.report.Regret;


/**
 * Prints each adaptive controller's regret against the clairvoyant schedule on random phase
 * sequences: {@code PhaseSequenceRegrets draws [minutes] [runs]}. A measuring program, not a test.
 */
final class PhaseSequenceRegrets {
  private PhaseSequenceRegrets() {}

  public static void main(String[] args) throws InterruptedException {
    int draws = Integer.parseInt(args[0]);
    int minutes = args.length > 1 ? Integer.parseInt(args[1]) : 12;
    int runs = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    List<String> adaptive = List.of("threshold", "pi", "learning", "orbit");
    double[] worstDowntime = new double[adaptive.size()];
    double[] worstP99 = new double[adaptive.size()];
    double[] worstStatic = new double[adaptive.size()];
    int[] draw = new int[1];
    qt().withExamples(draws).withFixedSeed(Long.getLong("seed", 42)).withShrinkCycles(0).forAll(PhaseSequences.workloads()).checkAssert(workload -> {
      int d = draw[0]++;
      List<String> all = new java.util.ArrayList<>(List.of("checkpoint", "colo"));
      all.addAll(adaptive);
      ComparisonResult result;
      try {
        result = PhaseSequences.compare(workload, all, runs, Duration.ofMinutes(minutes), d);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
      StringBuilder line = new StringBuilder(PhaseSequences.describe(workload)).append(" ->");
      for (int c = 0; c < adaptive.size(); c++) {
        ClairvoyantRegret regret =
            ClairvoyantRegret.of(result, "random", adaptive.get(c), ClairvoyantComparison.STATIC).orElseThrow();
        Regret stat = Regret.of(result, "random", adaptive.get(c), ClairvoyantComparison.STATIC).orElseThrow();
        worstDowntime[c] = Math.max(worstDowntime[c], regret.downtime());
        worstP99[c] = Math.max(worstP99[c], regret.p99());
        worstStatic[c] = Math.max(worstStatic[c], stat.downtime());
        line.append(String.format(Locale.ROOT, " %s %.2f/%.2f (st %.2f)", adaptive.get(c), regret.downtime(),
            regret.p99(), stat.downtime()));
      }
      System.out.println(line);
    });
    for (int c = 0; c < adaptive.size(); c++) {
      System.out.printf(Locale.ROOT, "worst %s: downtime %.3f p99 %.3f static downtime %.3f%n", adaptive.get(c),
          worstDowntime[c], worstP99[c], worstStatic[c]);
    }
  }
}
