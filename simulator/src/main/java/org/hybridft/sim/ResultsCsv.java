package org.hybridft.sim;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Writes runs as {@code results.csv}: one row per workload × controller × run under the header
 * {@value #HEADER}. Numbers use a dot as decimal separator; latencies are in milliseconds,
 * network in MB (10^6 bytes), CPU in seconds.
 */
public final class ResultsCsv {
  /** The header line, exactly. */
  public static final String HEADER =
      "workload,controller,run,downtime_ratio,checkpoints_per_second,latency_mean_ms,"
          + "latency_p99_ms,throughput_rps,cpu_seconds,network_mb,switches,colo_share";

  private ResultsCsv() {}

  /**
   * Writes (replacing) {@code file}.
   *
   * @throws IOException if the file cannot be written
   */
  public static void write(Path file, List<RunResult> runs) throws IOException {
    try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      write(out, runs);
    }
  }

  /**
   * Writes the header and one line per run.
   *
   * @throws IOException if the writer fails
   */
  public static void write(Writer out, List<RunResult> runs) throws IOException {
    out.write(HEADER);
    out.write('\n');
    for (RunResult run : runs) {
      out.write(row(run));
      out.write('\n');
    }
  }

  /** One run's row, without the line break. */
  public static String row(RunResult run) {
    return String.format(
        Locale.ROOT,
        "%s,%s,%d,%.6f,%.4f,%.3f,%.3f,%.3f,%.3f,%.3f,%d,%.4f",
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
        run.coloShare());
  }

  private static String quoted(String field) {
    if (field.indexOf(',') < 0 && field.indexOf('"') < 0 && field.indexOf('\n') < 0) {
      return field;
    }
    return '"' + field.replace("\"", "\"\"") + '"';
  }
}
