package org.hybridft.sim;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The built-in workloads, named after the research's evaluation. Every value here is a modelling
 * assumption, not a measurement: this is the one place they are written down, with the reason for
 * each. They are chosen so that each profile shows the behaviour the research reports for its
 * namesake, with the {@link ReplicationModel#defaults() default replication costs} (85 ms fixed
 * checkpoint pause, 1 Gbit/s link, 20 s COLO timer).
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
      List.of(new Phase(Duration.ofMinutes(30), 50, 5, 1.0, 0.01, 10, 64)));

  private final Workload workload;

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
