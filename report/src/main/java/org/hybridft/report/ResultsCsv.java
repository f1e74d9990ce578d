package org.hybridft.report;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Optional;
import java.util.Locale;

/**
 * Writes runs as {@code results.csv}: one row per workload × controller × run under the header
 * {@value #HEADER}. Numbers use a dot as decimal separator; latencies are in milliseconds,
 * network in MB (10^6 bytes), CPU in seconds. The last two columns are the run's {@link Regret}
 * over the better static mode's run of the same index (empty when no static mode ran on the
 * workload, and the p99 one when either run served nothing).
 */
public final class ResultsCsv {
  /** The header line, exactly. */
  public static final String HEADER =
      "workload,controller,run,downtime_ratio,checkpoints_per_second,latency_mean_ms,"
          + "latency_p99_ms,throughput_rps,cpu_seconds,network_mb,switches,colo_share,"
          + "regret_downtime,regret_p99";

  private ResultsCsv() {}

  /**
   * Writes (replacing) {@code file} with every run of {@code result}.
   *
   * @param staticModes the names under which the static modes ran, for the regret columns
   * @throws IOException if the file cannot be written
   */
  public static void write(Path file, ComparisonResult result, Collection<String> staticModes)
      throws IOException {
    try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      write(out, result, staticModes);
    }
  }

  /**
   * Writes the header and one line per run of {@code result}.
   *
   * @param staticModes the names under which the static modes ran, for the regret columns
   * @throws IOException if the writer fails
   */
  public static void write(Writer out, ComparisonResult result, Collection<String> staticModes)
      throws IOException {
    out.write(HEADER);
    out.write('\n');
    for (RunResult run : result.runs()) {
      out.write(row(run, Regret.ofRun(result, run, staticModes)));
      out.write('\n');
    }
  }

  /** One run's row with its regret, if known, without the line break. */
  public static String row(RunResult run, Optional<Regret> regret) {
    return String.format(
        Locale.ROOT,
        "%s,%s,%d,%.6f,%.4f,%.3f,%.3f,%.3f,%.3f,%.3f,%d,%.4f,%s,%s",
        quoted(run.workload()),
        quoted(run.controller()),
        run.run(),
        run.downtimeRatio(),
        run.checkpointsPerSecond(),
        run.latencyMeanMs(),
        run.latencyP99Ms(),
        run.throughputRps(),
        run.cpuSeconds(),
        run.networkMb(),
        run.switches(),
        run.coloShare(),
        regret.map(r -> ratio(r.downtime())).orElse(""),
        regret.map(r -> ratio(r.p99())).orElse(""));
  }

  private static String ratio(double value) {
    return Double.isFinite(value) ? String.format(Locale.ROOT, "%.4f", value) : "";
  }

  private static String quoted(String field) {
    if (field.indexOf(',') < 0 && field.indexOf('"') < 0 && field.indexOf('\n') < 0) {
      return field;
    }
    return '"' + field.replace("\"", "\"\"") + '"';
  }
}
