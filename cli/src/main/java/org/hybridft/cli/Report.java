package org.hybridft.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.Locale;
import org.hybridft.sim.ComparisonResult;
import org.hybridft.sim.ResultsCsv;

/** Prints the tables and writes {@code results.csv} and the plots; shared by the commands. */
final class Report {
  /** The names under which the static modes run: the baselines of the regret columns. */
  static final List<String> STATIC_MODES = List.of("checkpoint", "colo");

  private Report() {}

  static void publish(
      ComparisonResult result,
      List<String> descriptions,
      SimulationOptions options,
      PrintWriter out,
      PrintWriter err) {
    String runsLine =
        String.format(
            Locale.ROOT,
            "%d run%s x %s simulated min, seed %d; %s, * = the one best of a column",
            options.runs,
            options.runs == 1 ? "" : "s",
            trim(options.minutes),
            options.seed,
            options.runs == 1 ? "one run, so no confidence interval" : "mean ± 95% CI");
    publish(result, descriptions, runsLine, options.out, options.noPlots ? 0 : options.threads,
        ComparisonPlot.SeriesSource.simulated(result), out, err);
  }

  /**
   * Prints the tables under {@code runsLine}, writes {@code results.csv} and, unless {@code
   * plotThreads} is 0, one plot per workload drawn from {@code series}.
   */
  static void publish(
      ComparisonResult result,
      List<String> descriptions,
      String runsLine,
      Path outDirectory,
      int plotThreads,
      ComparisonPlot.SeriesSource series,
      PrintWriter out,
      PrintWriter err) {
    Path dir = OutputDirectory.create(outDirectory);
    out.print(ResultTable.format(result, descriptions, runsLine));
    Path csv = dir.resolve("results.csv");
    try {
      ResultsCsv.write(csv, result, STATIC_MODES);
    } catch (IOException cannot) {
      throw new UsageException("cannot write " + csv + ": " + OutputDirectory.reason(cannot), cannot);
    }
    int plots = plotThreads == 0 ? 0 : writePlots(result, series, dir, plotThreads);
    out.println();
    out.println("wrote " + csv + (plots > 0 ? " and " + plots + " plot" + (plots == 1 ? "" : "s") + " to " + dir : ""));
    out.flush();
    err.flush();
  }

  /**
   * One PNG per workload and, for two or more controllers, {@code summary.png} across the
   * workloads; drawn in parallel (each picture is independent). Returns the number written.
   */
  private static int writePlots(
      ComparisonResult result, ComparisonPlot.SeriesSource series, Path dir, int threads) {
    List<String> workloads = result.workloads();
    boolean summary = result.controllers().size() > 1
        && workloads.stream().noneMatch(w -> ComparisonPlot.fileName(w).equals(SummaryPlot.FILE_NAME));
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(threads, workloads.size())));
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (String workload : workloads) {
        Path png = dir.resolve(ComparisonPlot.fileName(workload));
        futures.add(
            pool.submit(
                () -> {
                  try {
                    ComparisonPlot.write(result, workload, series, png);
                  } catch (IOException cannot) {
                    throw new UsageException("cannot write " + png + ": " + OutputDirectory.reason(cannot), cannot);
                  }
                }));
      }
      if (summary) {
        Path png = dir.resolve(SummaryPlot.FILE_NAME);
        futures.add(
            pool.submit(
                () -> {
                  try {
                    SummaryPlot.write(result, png);
                  } catch (IOException cannot) {
                    throw new UsageException("cannot write " + png + ": " + OutputDirectory.reason(cannot), cannot);
                  }
                }));
      }
      for (Future<?> future : futures) {
        try {
          future.get();
        } catch (ExecutionException failed) {
          Throwable cause = failed.getCause();
          if (cause instanceof RuntimeException runtime) {
            throw runtime;
          }
          throw new IllegalStateException("drawing a plot failed: " + cause, cause);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while drawing the plots", interrupted);
        }
      }
    } finally {
      pool.shutdownNow();
    }
    return workloads.size() + (summary ? 1 : 0);
  }

  /** Minutes as the runs line shows them: whole numbers without decimals. */
  static String trim(double minutes) {
    return minutes == Math.rint(minutes)
        ? Long.toString((long) minutes)
        : String.format(Locale.ROOT, "%.3f", minutes).replaceAll("0+$", "");
  }
}
