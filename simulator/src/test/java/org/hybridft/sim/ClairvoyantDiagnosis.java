package org.hybridft.sim;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.hybridft.controllers.ControllerRegistry;
import org.hybridft.report.RunResult;
import org.hybridft.report.TimeSeries;

/**
 * Prints, per stretch of one run, what a controller did against the clairvoyant schedule: COLO
 * share, checkpoints, switches, and the control periods before its first switch after the
 * stretch starts: {@code ClairvoyantDiagnosis workload controller [minutes] [run]}. A measuring
 * program, not a test.
 */
final class ClairvoyantDiagnosis {
  private ClairvoyantDiagnosis() {}

  public static void main(String[] args) {
    Workload workload = WorkloadProfile.byName(args[0]).orElseThrow().workload();
    String name = args[1];
    Duration length = Duration.ofMinutes(args.length > 2 ? Integer.parseInt(args[2]) : 30);
    int run = args.length > 3 ? Integer.parseInt(args[3]) : 0;
    Map<String, String> params = new java.util.HashMap<>();
    for (int i = 4; i < args.length; i++) {
      String[] kv = args[i].split("=", 2);
      params.put(kv[0], kv[1]);
    }
    long seed = Comparison.runSeed(1, workload.name(), run);
    VmSimulator simulator = new VmSimulator();
    RunResult controlled = simulator.run(
        workload, name, ControllerRegistry.builtIn().create(name, params), length, seed, run, true);
    ClairvoyantSchedule schedule =
        ClairvoyantSchedule.plan(simulator, workload, length, seed, run, Duration.ofMillis(500));
    RunResult limit = schedule.result();
    System.out.printf(Locale.ROOT, "%s on %s: downtime %.4f p99 %.0f switches %d | limit %.4f p99 %.0f switches %d%n",
        name, workload.name(), controlled.downtimeRatio(), controlled.latencyP99Ms(), controlled.switches(),
        limit.downtimeRatio(), limit.latencyP99Ms(), limit.switches());
    TimeSeries ts = controlled.timeSeries();
    TimeSeries ls = limit.timeSeries();
    double p = ts.periodNanos() / 1e9;
    for (Stretch stretch : Stretch.of(workload, length)) {
      int from = (int) (stretch.startNanos() / ts.periodNanos());
      int to = (int) Math.min(ts.size(), stretch.endNanos() / ts.periodNanos());
      int colo = 0;
      int limitColo = 0;
      double checkpoints = 0;
      double limitCheckpoints = 0;
      int switches = 0;
      int firstSwitch = -1;
      for (int k = from; k < to; k++) {
        // sample k is period k; the mode after sample k runs in period k + 1
        if (k > 0 && ts.mode(k) != ts.mode(k - 1)) {
          switches++;
          if (firstSwitch < 0) {
            firstSwitch = k - from;
          }
        }
        colo += ts.mode(k) == org.hybridft.core.Mode.COLO ? 1 : 0;
        limitColo += ls.mode(k) == org.hybridft.core.Mode.COLO ? 1 : 0;
        checkpoints += ts.checkpointsPerSecond(k) * p;
        limitCheckpoints += ls.checkpointsPerSecond(k) * p;
      }
      System.out.printf(Locale.ROOT,
          "%6.0f-%6.0f s div/s %5.2f: colo %3d/%3d (limit %3d) ckpts %5.0f (limit %5.0f) switches %2d first after %d%n",
          stretch.startNanos() / 1e9, stretch.endNanos() / 1e9, stretch.phase().divergencesPerSecond(),
          colo, to - from, limitColo, checkpoints, limitCheckpoints, switches, firstSwitch);
    }
  }
}
