package org.hybridft.evaluation;

import java.util.List;
import java.util.Locale;
import java.util.function.LongToIntFunction;
import org.hybridft.report.ComparisonReport;

/**
 * What an evaluation on a real pair asks of the testbed guest's HTTP service: which resource each
 * request names, by its arrival's offset from the start of the run.
 */
public enum RealWorkload {
  /** Always {@code /deterministic}: COLO's outputs match, COLO checkpoints rarely. */
  DETERMINISTIC("the guest's /deterministic reply: the same bytes every time, no COLO divergence"),
  /** Always {@code /nondeterministic}: every reply diverges, COLO checkpoints per request. */
  NONDETERMINISTIC("the guest's /nondeterministic reply: random bytes, every reply diverges"),
  /** Deterministic and non-deterministic stretches alternating, deterministic first. */
  PHASED("deterministic and non-deterministic stretches alternating, deterministic first");

  /** The resources, indexed as {@link #resourceAt(long)} returns them. */
  public static final List<HttpResource> RESOURCES = List.of(HttpResource.DETERMINISTIC, HttpResource.NONDETERMINISTIC);

  private final String description;

  RealWorkload(String description) {
    this.description = description;
  }

  /** The name on the command line. */
  public String cliName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The name in tables and results.csv: {@code real-<name>}. */
  public String tableName() {
    return "real-" + cliName();
  }

  /** A line for the table's title. */
  public String description(long stretchNanos) {
    return this == PHASED
        ? description + ", " + ComparisonReport.trim(stretchNanos / 1e9) + " s each"
        : description;
  }

  /**
   * Which of {@link #RESOURCES} a request arriving {@code elapsedNanos} into the run names, for
   * stretches of {@code stretchNanos} in the phased workload; allocation-free.
   */
  public LongToIntFunction resourceAt(long stretchNanos) {
    switch (this) {
      case DETERMINISTIC:
        return elapsed -> 0;
      case NONDETERMINISTIC:
        return elapsed -> 1;
      default:
        return elapsed -> (int) ((Math.max(0, elapsed) / stretchNanos) % 2);
    }
  }

  /**
   * The workload of a command-line name.
   *
   * @throws IllegalArgumentException naming the known ones
   */
  public static RealWorkload byName(String name) {
    for (RealWorkload workload : values()) {
      if (workload.cliName().equals(name.strip().toLowerCase(Locale.ROOT))) {
        return workload;
      }
    }
    throw new IllegalArgumentException("--workload: unknown workload '" + name
        + "' (known: phased, deterministic, nondeterministic)");
  }
}
