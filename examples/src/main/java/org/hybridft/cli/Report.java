package org.hybridft.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.hybridft.sim.ComparisonResult;
import org.hybridft.sim.ResultsCsv;

/** Prints the tables and writes {@code results.csv} and the plots; shared by the commands. */
final class Report {
  private Report() {}

  static void publish(
      ComparisonResult result,
      List<String> descriptions,
      RunOptions options,
      PrintWriter out,
      PrintWriter err) {
    Path dir = options.out;
    try {
      Files.createDirectories(dir);
    } catch (IOException cannot) {
      throw new UsageException("cannot create the output directory " + dir + ": " + cannot.getMessage(), cannot);
    }
    String runsLine =
        String.format(
            Locale.ROOT,
            "%d run%s x %s simulated min, seed %d; mean ± 95%% CI, * = best",
            options.runs,
            options.runs == 1 ? "" : "s",
            trim(options.minutes),
            options.seed);
    out.print(ResultTable.format(result, descriptions, runsLine));
    Path csv = dir.resolve("results.csv");
    try {
      ResultsCsv.write(csv, result.runs());
    } catch (IOException cannot) {
      throw new UsageException("cannot write " + csv + ": " + cannot.getMessage(), cannot);
    }
    int plots = 0;
    if (!options.noPlots) {
      for (String workload : result.workloads()) {
        Path png = dir.resolve(ComparisonPlot.fileName(workload));
        try {
          ComparisonPlot.write(result, workload, png);
          plots++;
        } catch (IOException cannot) {
          throw new UsageException("cannot write " + png + ": " + cannot.getMessage(), cannot);
        }
      }
    }
    out.println();
    out.println("wrote " + csv + (plots > 0 ? " and " + plots + " plot" + (plots == 1 ? "" : "s") + " to " + dir : ""));
    out.flush();
    err.flush();
  }

  private static String trim(double minutes) {
    return minutes == Math.rint(minutes)
        ? Long.toString((long) minutes)
        : String.format(Locale.ROOT, "%.3f", minutes).replaceAll("0+$", "");
  }
}
