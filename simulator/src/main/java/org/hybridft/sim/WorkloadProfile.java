package org.hybridft.sim;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The built-in workloads: five named after the research's evaluation, and two that test how a
 * controller follows change, {@link #BURSTY} (short bursts at irregular intervals) and {@link
 * #DRIFT} (a gradual drift). Every value here is a modelling assumption, not a measurement: this
 * is the one place they are written down, with the reason for each. They are chosen so that each
 * of the five shows the behaviour the research reports for its namesake, with the {@link
 * ReplicationModel#defaults() default replication costs} (85 ms fixed checkpoint pause, 1 Gbit/s
 * link, 20 s COLO timer).
 *
 * <p>Common choices: service times are log-normal (web and database request times are
 * right-skewed); the divergence probability p is per reply; memory dirtied between checkpoints is
 * capped by a working set well below guest memory, as guests rewrite the same buffers.
 */
public enum WorkloadProfile {
  /**
   * RUBiS, the online-auction benchmark: I/O-bound database work, very deterministic. 100
   * requests/s on 8 threads, 6 ms mean service (cv 1.5: cheap page views, some slow searches), p =
   * 0.0005 (one reply in 2,000 differs: a timestamp in a rare page), 12 MB/s dirtied (buffer
   * cache) within a 48 MB working set, 2 kB requests. COLO checkpoints about every 10 s: COLO
   * should win on every metric but CPU.
   */
  RUBIS(
      "rubis",
      "online auction (RUBiS): I/O-bound, very deterministic",
      8,
      2.0,
      true,
      List.of(new Phase(Duration.ofMinutes(30), 100, 6, 1.5, 0.0005, 12, 48))),
  /**
   * Bugzilla, the bug tracker: multi-threaded request handling, non-deterministic (thread
   * interleaving, unique ids). 60 requests/s on 8 threads, 10 ms mean service (cv 1), p = 0.05 (3
   * divergences/s), 20 MB/s dirtied within a 96 MB working set, 4 kB requests (bug reports with
   * attachments). COLO checkpoints about as often as checkpoint mode: the ambiguous middle case.
   */
  BUGZILLA(
      "bugzilla",
      "bug tracker (Bugzilla): multi-threaded, non-deterministic",
      8,
      4.0,
      true,
      List.of(new Phase(Duration.ofMinutes(30), 60, 10, 1.0, 0.05, 20, 96))),
  /**
   * Video streaming: heavily threaded, highly non-deterministic (every chunk reply carries
   * timing-dependent state). 150 requests/s on 16 threads, 4 ms mean service (cv 0.5, chunk reads
   * are regular), p = 0.3 (45 divergences/s), 30 MB/s dirtied within a 128 MB working set, 0.5 kB
   * requests (chunk requests are small, the replies large). COLO checkpoints back to back:
   * checkpoint mode should win the downtime ratio.
   */
  VIDEO(
      "video",
      "video streaming: heavily threaded, highly non-deterministic",
      16,
      0.5,
      true,
      List.of(new Phase(Duration.ofMinutes(30), 150, 4, 0.5, 0.3, 30, 128))),
  /**
   * Deterministic and non-deterministic phases alternating every 3 minutes, where only an
   * adaptive controller can win: 3 minutes of RUBiS-like traffic (120 requests/s, p = 0.0005, 12
   * MB/s dirtied, 48 MB working set), then 3 minutes of a non-deterministic batch (a report
   * generator: 40 requests/s of 10 ms, p = 0.3, 25 MB/s dirtied, 96 MB working set). 8 threads,
   * 2 kB requests. Three minutes is long enough for the hybrids to settle and short enough that a
   * 30-minute run holds five of each.
   */
  PHASED(
      "phased",
      "deterministic and non-deterministic phases alternating every 3 minutes",
      8,
      2.0,
      true,
      List.of(
          new Phase(Duration.ofMinutes(3), 120, 6, 1.5, 0.0005, 12, 48),
          new Phase(Duration.ofMinutes(3), 15, 10, 1.0, 0.5, 8, 96))),
  /**
   * The research's synthetic workload, and the values a trace leaves out: a steady moderate
   * service, 50 requests/s on 4 threads, 5 ms mean service (cv 1), p = 0.01 (0.5 divergences/s),
   * 10 MB/s dirtied within a 64 MB working set (the calibration guest's size), 1 kB requests.
   */
  SYNTHETIC(
      "synthetic",
      "synthetic: steady moderate load, mildly non-deterministic",
      4,
      1.0,
      true,
      List.of(new Phase(Duration.ofMinutes(30), 50, 5, 1.0, 0.01, 10, 64))),
  /**
   * {@link #PHASED}'s two phases in short, irregular bursts: the deterministic service (120
   * requests/s of 6 ms, p = 0.0005, 12 MB/s dirtied, 48 MB working set) for 45 to 120 s, then a
   * non-deterministic burst of 20 to 50 s (the report generator: 15 requests/s of 10 ms, p = 0.5,
   * 7.5 divergences/s, 8 MB/s dirtied, 96 MB working set). Six calm/burst pairs of different
   * lengths make an 11-minute cycle, so no controller can learn the bursts' rhythm within a run.
   * 8 threads, 2 kB requests. Well below saturation in either mode (the busiest phase needs 9 %
   * of the threads' time, 12 % of what checkpoint mode leaves them): what a burst costs is
   * pauses, and the question is how fast a controller leaves COLO when one starts and returns
   * when it ends.
   */
  BURSTY(
      "bursty",
      "deterministic service with short non-deterministic bursts of 20 to 50 s",
      8,
      2.0,
      true,
      bursts(
          new Phase(Duration.ofSeconds(1), 120, 6, 1.5, 0.0005, 12, 48),
          new Phase(Duration.ofSeconds(1), 15, 10, 1.0, 0.5, 8, 96),
          new int[] {60, 100, 45, 120, 80, 70},
          new int[] {20, 40, 30, 20, 50, 30})),
  /**
   * Non-determinism that drifts slowly: a steady 80 requests/s of 8 ms (cv 1) on 8 threads
   * whose divergence rate climbs from 0.1 to 8 per second in 12 steps of 30 s (each step ×1.44)
   * and falls back the same way, a 12-minute cycle (a service whose share of timing-dependent
   * replies follows its users' daily mix, sped up). 15 MB/s dirtied within a 64 MB working set,
   * 1 kB requests. COLO checkpoints less often than checkpoint mode for about half of the cycle
   * and more often for the other half, with no abrupt change for a controller to notice.
   */
  DRIFT(
      "drift",
      "divergence rate drifting between 0.1 and 8 per second over 12 minutes",
      8,
      1.0,
      true,
      drift(80, 8, 1.0, 0.1, 8.0, 12, Duration.ofSeconds(30), 15, 64));

  private final Workload workload;

  /** Alternates calm and burst phases with the given lengths in seconds. */
  private static List<Phase> bursts(Phase calm, Phase burst, int[] calmSeconds, int[] burstSeconds) {
    List<Phase> phases = new java.util.ArrayList<>();
    for (int i = 0; i < calmSeconds.length; i++) {
      phases.add(calm.withDuration(Duration.ofSeconds(calmSeconds[i])));
      phases.add(burst.withDuration(Duration.ofSeconds(burstSeconds[i])));
    }
    return phases;
  }

  /**
   * Divergence rates growing geometrically from {@code low} to {@code high} in {@code steps}
   * steps, then falling back the same way (neither end repeated), each step lasting {@code step}.
   */
  private static List<Phase> drift(
      double requestsPerSecond,
      double serviceMillis,
      double serviceCv,
      double low,
      double high,
      int steps,
      Duration step,
      double dirtyMbPerSecond,
      double workingSetMb) {
    List<Phase> phases = new java.util.ArrayList<>();
    double factor = Math.pow(high / low, 1.0 / steps);
    for (int i = 0; i < 2 * steps; i++) {
      int level = i <= steps ? i : 2 * steps - i;
      double divergences = low * Math.pow(factor, level);
      phases.add(
          new Phase(step, requestsPerSecond, serviceMillis, serviceCv,
              divergences / requestsPerSecond, dirtyMbPerSecond, workingSetMb));
    }
    return phases;
  }

  WorkloadProfile(
      String name, String description, int servers, double requestKb, boolean cyclic, List<Phase> phases) {
    this.workload = new Workload(name, description, servers, requestKb, phases, cyclic);
  }

  /** The profile's workload. */
  public Workload workload() {
    return workload;
  }

  /** The profile's name, as used on the command line and in results. */
  public String profileName() {
    return workload.name();
  }

  /** The profile with that name (case-insensitive), if any. */
  public static Optional<WorkloadProfile> byName(String name) {
    String wanted = name.toLowerCase(Locale.ROOT);
    for (WorkloadProfile profile : values()) {
      if (profile.profileName().equals(wanted)) {
        return Optional.of(profile);
      }
    }
    return Optional.empty();
  }

  /** Every profile's name, in declaration order. */
  public static List<String> names() {
    return java.util.Arrays.stream(values()).map(WorkloadProfile::profileName).toList();
  }
}
