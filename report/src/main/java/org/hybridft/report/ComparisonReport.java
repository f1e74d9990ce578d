package org.hybridft.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The files of a comparison's report in one directory: {@code results.csv} ({@link ResultsCsv}),
 * one {@link ComparisonPlot} per workload and, for two or more controllers, the {@link
 * SummaryPlot} across the workloads. The same for a simulated comparison and for an evaluation on
 * a real pair; the tables to print come from {@link ResultTable}.
 */
public final class ComparisonReport {
  /** The names under which the static modes run: the baselines of the regret columns. */
  public static final List<String> STATIC_MODES = List.of("checkpoint", "colo");

  /** The name of the CSV file. */
  public static final String CSV_FILE_NAME = "results.csv";

  private ComparisonReport() {}

  /**
   * Writes (replacing) {@value #CSV_FILE_NAME} into {@code dir}, which must exist.
   *
   * @return the file written
   * @throws ReportFileException if it cannot be written
   */
  public static Path writeCsv(ComparisonResult result, Path dir) throws ReportFileException {
    Path csv = dir.resolve(CSV_FILE_NAME);
    try {
      // Every results.csv has the same columns, the schedule's empty where it did not run.
      ResultsCsv.write(csv, result, STATIC_MODES, true);
    } catch (IOException cannot) {
      throw new ReportFileException(csv, cannot);
    }
    return csv;
  }

  /**
   * Draws one PNG per workload and, for two or more controllers, {@value SummaryPlot#FILE_NAME}
   * across the workloads into {@code dir}, which must exist; in parallel on up to {@code threads}
   * threads (each picture is independent).
   *
   * @param series where each controller's first run's periods come from
   * @return the number of pictures written
   * @throws ReportFileException if a picture cannot be written
   */
  public static int writePlots(ComparisonResult result, ComparisonPlot.SeriesSource series, Path dir, int threads)
      throws ReportFileException {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, was " + threads);
    }
    List<String> workloads = result.workloads();
    boolean summary = result.controllers().size() > 1
        && workloads.stream().noneMatch(w -> ComparisonPlot.fileName(w).equals(SummaryPlot.FILE_NAME));
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(threads, workloads.size())));
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (String workload : workloads) {
        Path png = dir.resolve(ComparisonPlot.fileName(workload));
        futures.add(pool.submit(() -> {
          try {
            ComparisonPlot.write(result, workload, series, png);
          } catch (IOException cannot) {
            throw new ReportFileException(png, cannot);
          }
          return null;
        }));
      }
      if (summary) {
        Path png = dir.resolve(SummaryPlot.FILE_NAME);
        futures.add(pool.submit(() -> {
          try {
            SummaryPlot.write(result, png);
          } catch (IOException cannot) {
            throw new ReportFileException(png, cannot);
          }
          return null;
        }));
      }
      for (Future<?> future : futures) {
        try {
          future.get();
        } catch (ExecutionException failed) {
          Throwable cause = failed.getCause();
          if (cause instanceof ReportFileException file) {
            throw file;
          }
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

  /**
   * A number as a runs line shows it: a whole number without decimals, any other with at most
   * three ({@code 30}, {@code 0.5}, {@code 2.125}).
   */
  public static String trim(double value) {
    return value == Math.rint(value)
        ? Long.toString((long) value)
        : String.format(Locale.ROOT, "%.3f", value).replaceAll("0+$", "");
  }
}
