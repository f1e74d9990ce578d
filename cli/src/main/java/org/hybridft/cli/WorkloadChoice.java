package org.hybridft.cli;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.hybridft.sim.Trace;
import org.hybridft.sim.TraceFormatException;
import org.hybridft.sim.Workload;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/** One workload to simulate: a built-in one ({@code --workload}) or a trace ({@code --trace}); for simulate and tune. */
public final class WorkloadChoice {
  @Option(names = "--workload", paramLabel = "W",
      description = "built-in workload: rubis, bugzilla, video, phased, synthetic, bursty, drift (simulate's default"
          + " synthetic)")
  @Nullable String workload;

  @Option(names = "--trace", paramLabel = "FILE",
      description = "replay a trace CSV instead (seconds,divergences_per_second[,requests_per_second"
          + "[,dirty_mb_per_second[,service_ms]]])")
  @Nullable Path trace;

  /**
   * Checks that at most one of the two is given, and one when there is no {@code fallback}.
   *
   * @throws UsageException if not
   */
  void check(@Nullable String fallback) {
    if (fallback == null && (workload == null) == (trace == null)) {
      throw new UsageException("give exactly one of --workload or --trace");
    }
    if (workload != null && trace != null) {
      throw new UsageException("give --workload or --trace, not both");
    }
  }

  /**
   * The workload chosen, {@code fallback} (a built-in name) if neither option is given.
   *
   * @throws UsageException as {@link #check}, or for an unknown name or a bad trace
   */
  Workload resolve(@Nullable String fallback) {
    check(fallback);
    return trace != null
        ? read(trace)
        : CompareCommand.resolveWorkloads(List.of(workload != null ? workload : fallback)).get(0);
  }

  private static Workload read(Path file) {
    try {
      return Trace.read(file);
    } catch (TraceFormatException bad) {
      throw new UsageException("bad trace " + bad.getMessage(), bad);
    } catch (NoSuchFileException missing) {
      throw new UsageException("cannot read trace " + file + ": no such file", missing);
    } catch (IOException unreadable) {
      throw new UsageException("cannot read trace " + file + ": " + unreadable.getMessage(), unreadable);
    }
  }
}
