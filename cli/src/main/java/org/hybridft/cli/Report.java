package org.hybridft.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.hybridft.report.ComparisonPlot;
import org.hybridft.report.ComparisonReport;
import org.hybridft.report.ComparisonResult;
import org.hybridft.report.ReportFileException;
import org.hybridft.report.ResultTable;

/** Prints the tables and has {@link ComparisonReport} write the files; shared by the commands. */
final class Report {
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
            ComparisonReport.trim(options.minutes),
            options.seed,
            options.runs == 1 ? "one run, so no confidence interval" : "mean ± 95% CI");
    publish(result, descriptions, runsLine, options.out, options.noPlots ? 0 : options.threads,
        ComparisonPlot.SeriesSource.simulated(result), out, err);
  }

  /**
   * Prints the tables under {@code runsLine}, writes {@code results.csv} and, unless {@code
   * plotThreads} is 0, one plot per workload drawn from {@code series}.
   *
   * @throws UsageException naming a file that cannot be written and why
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
    try {
      Path csv = ComparisonReport.writeCsv(result, dir);
      int plots = plotThreads == 0 ? 0 : ComparisonReport.writePlots(result, series, dir, plotThreads);
      out.println();
      out.println("wrote " + csv + (plots > 0 ? " and " + plots + " plot" + (plots == 1 ? "" : "s") + " to " + dir : ""));
    } catch (ReportFileException cannot) {
      throw new UsageException("cannot write " + cannot.file() + ": " + OutputDirectory.reason(cannot.getCause()),
          cannot);
    }
    out.flush();
    err.flush();
  }
}
