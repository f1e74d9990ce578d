package org.hybridft.sim;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a recorded checkpoint trace into a {@link Workload} that replays it.
 *
 * <p><b>Format.</b> A header line {@code seconds,divergences_per_second}, optionally followed by
 * {@code ,requests_per_second}, then {@code ,dirty_mb_per_second}, then {@code ,service_ms} (the
 * mean CPU time of one request on one worker thread, in milliseconds, {@code > 0}; columns are
 * positional, so giving a service time needs the two before it). Each following row starts a
 * stretch at {@code seconds} (the first row at 0, then strictly increasing) whose rates hold until
 * the next row's time; the last row's rates hold to the end of the run. Blank lines and lines
 * starting with {@code #} are ignored. Columns left out take the {@link WorkloadProfile#SYNTHETIC}
 * profile's values, as do the service time's coefficient of variation, worker threads, request
 * size and working set.
 *
 * <p><b>Mapping.</b> Each row becomes a {@link Phase} with λ = {@code requests_per_second} and p =
 * {@code divergences_per_second / λ}; a row with more divergences than requests raises λ to the
 * divergence rate (every reply diverges).
 *
 * <p>Bad input (a missing or unknown column, an unparsable or non-finite number, a first row not at
 * 0, time not increasing, a negative rate, no rows) throws {@link TraceFormatException} with the
 * file, the line and the reason.
 */
public final class Trace {
  private static final String[] COLUMNS = {
    "seconds", "divergences_per_second", "requests_per_second", "dirty_mb_per_second", "service_ms"
  };
  private static final int SERVICE = 4;

  private Trace() {}

  /**
   * Reads a trace file; the workload is named after the file.
   *
   * @throws TraceFormatException if the content is not a valid trace
   * @throws IOException if the file cannot be read
   */
  public static Workload read(Path file) throws IOException {
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      Path name = file.getFileName();
      return read(reader, file, name == null ? file.toString() : name.toString());
    }
  }

  /**
   * Reads a trace from {@code reader}.
   *
   * @param source the file named in error messages
   * @param name the workload's name
   * @throws TraceFormatException if the content is not a valid trace
   * @throws IOException if reading fails
   */
  public static Workload read(Reader reader, Path source, String name) throws IOException {
    Workload base = WorkloadProfile.SYNTHETIC.workload();
    Phase defaults = base.phases().get(0);
    BufferedReader lines = new BufferedReader(reader);
    int columns = 0;
    int lineNumber = 0;
    List<double[]> rows = new ArrayList<>();
    List<Integer> rowLines = new ArrayList<>();
    String line;
    while ((line = lines.readLine()) != null) {
      lineNumber++;
      if (lineNumber == 1 && line.startsWith("\uFEFF")) {
        line = line.substring(1);
      }
      String trimmed = line.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("#")) {
        continue;
      }
      String[] fields = trimmed.split(",", -1);
      if (columns == 0) {
        columns = header(fields, source, lineNumber);
        continue;
      }
      rows.add(row(fields, columns, source, lineNumber, rows.isEmpty() ? null : rows.get(rows.size() - 1)));
      rowLines.add(lineNumber);
    }
    if (columns == 0) {
      throw new TraceFormatException(
          source, Math.max(1, lineNumber), "no header: expected " + String.join(",", COLUMNS[0], COLUMNS[1]));
    }
    if (rows.isEmpty()) {
      throw new TraceFormatException(source, Math.max(1, lineNumber), "no rows after the header");
    }
    List<Phase> phases = new ArrayList<>(rows.size());
    for (int i = 0; i < rows.size(); i++) {
      double[] row = rows.get(i);
      double divergences = row[1];
      double requests = columns > 2 ? row[2] : defaults.requestsPerSecond();
      double dirty = columns > 3 ? row[3] : defaults.dirtyMbPerSecond();
      double serviceMillis = columns > SERVICE ? row[SERVICE] : defaults.meanServiceMillis();
      double lambda = Math.max(requests, divergences);
      double p = lambda > 0 ? Math.min(1.0, divergences / lambda) : 0;
      long nanos =
          i + 1 < rows.size()
              ? Math.round((rows.get(i + 1)[0] - row[0]) * 1e9)
              : 1_000_000_000L;
      if (nanos <= 0) {
        throw new TraceFormatException(
            source, rowLines.get(i + 1), "stretch shorter than a nanosecond after line " + rowLines.get(i));
      }
      phases.add(
          new Phase(
              Duration.ofNanos(nanos),
              lambda,
              serviceMillis,
              defaults.serviceCv(),
              p,
              dirty,
              defaults.workingSetMb()));
    }
    return new Workload(
        name,
        "trace " + source + " (" + rows.size() + (rows.size() == 1 ? " stretch)" : " stretches)"),
        base.servers(),
        base.requestKb(),
        phases,
        false);
  }

  private static int header(String[] fields, Path source, int lineNumber) throws TraceFormatException {
    if (fields.length < 2 || fields.length > COLUMNS.length) {
      throw new TraceFormatException(
          source,
          lineNumber,
          "header must be seconds,divergences_per_second optionally followed by "
              + ",requests_per_second,dirty_mb_per_second,service_ms; was '" + String.join(",", fields) + "'");
    }
    for (int i = 0; i < fields.length; i++) {
      String column = fields[i].strip();
      if (!column.equals(COLUMNS[i])) {
        throw new TraceFormatException(
            source,
            lineNumber,
            "header column " + (i + 1) + " must be " + COLUMNS[i] + ", was '" + column + "'");
      }
    }
    return fields.length;
  }

  private static double[] row(
      String[] fields, int columns, Path source, int lineNumber, double[] previous)
      throws TraceFormatException {
    if (fields.length < columns) {
      throw new TraceFormatException(
          source, lineNumber, "missing column " + COLUMNS[fields.length] + " (" + columns + " expected, " + fields.length + " found)");
    }
    if (fields.length > columns) {
      throw new TraceFormatException(
          source, lineNumber, fields.length + " columns, the header has " + columns);
    }
    double[] values = new double[columns];
    for (int i = 0; i < columns; i++) {
      String field = fields[i].strip();
      double value;
      try {
        value = Double.parseDouble(field);
      } catch (NumberFormatException notANumber) {
        throw new TraceFormatException(
            source, lineNumber, COLUMNS[i] + " is not a number: '" + field + "'");
      }
      if (!Double.isFinite(value)) {
        throw new TraceFormatException(
            source, lineNumber, COLUMNS[i] + " must be finite, was " + field);
      }
      if (i == SERVICE && value <= 0) {
        throw new TraceFormatException(source, lineNumber, "service_ms must be > 0, was " + field);
      }
      if (value < 0) {
        throw new TraceFormatException(
            source,
            lineNumber,
            (i == 0 ? "seconds" : "negative rate: " + COLUMNS[i]) + " must be >= 0, was " + field);
      }
      values[i] = value;
    }
    if (previous == null && values[0] != 0) {
      throw new TraceFormatException(
          source, lineNumber, "the first row must start at 0 seconds, was " + fields[0].strip());
    }
    if (previous != null && values[0] <= previous[0]) {
      throw new TraceFormatException(
          source,
          lineNumber,
          "time goes backwards: seconds " + fields[0].strip() + " is not after " + previous[0]);
    }
    return values;
  }
}
