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
 * network in MB (10^6 bytes), CPU in seconds. {@code regret_downtime} and {@code regret_p99} are
 * the run's {@link Regret} over the better static mode's run of the same index (empty when no
 * static mode ran on the workload, and the p99 one when either run served nothing). The last
 * three are its {@link ClairvoyantRegret} over the clairvoyant schedule's run of the same index:
 * downtime ratio and p99 over the schedule's, and the share of the gap from the better static
 * mode to the schedule closed (empty where the schedule is no better than that mode on the seed).
 * The schedule's own runs are not rows (it is the reference, not a controller). {@link
 * ComparisonReport} always writes the three columns (empty without the schedule), so that every
 * {@code results.csv} has the same header; {@link #write(Writer, ComparisonResult, Collection)}
 * writes them only for a result that holds the schedule, and otherwise {@value
 * #HEADER_WITHOUT_CLAIRVOYANT}.
 */
public final class ResultsCsv {
  /** The header line without the clairvoyant schedule's columns, exactly. */
  public static final String HEADER_WITHOUT_CLAIRVOYANT =
      "workload,controller,run,downtime_ratio,checkpoints_per_second,latency_mean_ms,"
          + "latency_p99_ms,throughput_rps,cpu_seconds,network_mb,switches,colo_share,"
          + "regret_downtime,regret_p99";

  /** The header line, exactly, of a result that holds the clairvoyant schedule. */
  public static final String HEADER =
      HEADER_WITHOUT_CLAIRVOYANT + ",regret_clairvoyant_downtime,regret_clairvoyant_p99,clairvoyant_gap_closed";

  private ResultsCsv() {}

  /**
   * Writes (replacing) {@code file} with every run of {@code result}.
   *
   * @param staticModes the names under which the static modes ran, for the regret columns
   * @throws IOException if the file cannot be written
   */
  public static void write(Path file, ComparisonResult result, Collection<String> staticModes)
      throws IOException {
    write(file, result, staticModes, result.hasClairvoyant());
  }

  /**
   * Writes (replacing) {@code file} with every run of {@code result}.
   *
   * @param staticModes the names under which the static modes ran, for the regret columns
   * @param clairvoyantColumns whether to write the clairvoyant schedule's columns, empty if it did
   *     not run
   * @throws IOException if the file cannot be written
   */
  public static void write(
      Path file, ComparisonResult result, Collection<String> staticModes, boolean clairvoyantColumns)
      throws IOException {
    try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      write(out, result, staticModes, clairvoyantColumns);
    }
  }

  /**
   * Writes the header and one line per controller's run of {@code result}, with the clairvoyant
   * schedule's columns if it holds the schedule.
   *
   * @param staticModes the names under which the static modes ran, for the regret columns
   * @throws IOException if the writer fails
   */
  public static void write(Writer out, ComparisonResult result, Collection<String> staticModes)
      throws IOException {
    write(out, result, staticModes, result.hasClairvoyant());
  }

  /**
   * Writes the header and one line per controller's run of {@code result}.
   *
   * @param staticModes the names under which the static modes ran, for the regret columns
   * @param clairvoyant whether to write the clairvoyant schedule's columns, empty if it did not run
   * @throws IOException if the writer fails
   */
  public static void write(Writer out, ComparisonResult result, Collection<String> staticModes, boolean clairvoyant)
      throws IOException {
    out.write(clairvoyant ? HEADER : HEADER_WITHOUT_CLAIRVOYANT);
    out.write('\n');
    for (RunResult run : result.runs()) {
      if (!result.controllers().contains(run.controller())) {
        continue;
      }
      Optional<Regret> regret = Regret.ofRun(result, run, staticModes);
      out.write(clairvoyant
          ? row(run, regret, ClairvoyantRegret.ofRun(result, run, staticModes))
          : row(run, regret));
      out.write('\n');
    }
  }

  /**
   * One run's row with its regret, if known, without the line break, under {@value
   * #HEADER_WITHOUT_CLAIRVOYANT}.
   */
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

  /**
   * One run's row with its regret over the better static mode and over the clairvoyant schedule,
   * if known, without the line break, under {@value #HEADER}.
   */
  public static String row(RunResult run, Optional<Regret> regret, Optional<ClairvoyantRegret> limit) {
    return row(run, regret) + ","
        + limit.map(r -> ratio(r.downtime())).orElse("") + ","
        + limit.map(r -> ratio(r.p99())).orElse("") + ","
        + limit.map(r -> ratio(r.gapClosed())).orElse("");
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
