package org.hybridft.cli;

import java.io.PrintWriter;
import java.util.Locale;
import org.hybridft.sim.Comparison;

/** A one-line progress bar on stderr, redrawn at most ten times a second and at the end. */
final class ProgressBar implements Comparison.ProgressListener {
  private static final int WIDTH = 30;
  private final PrintWriter err;
  private final long startNanos = System.nanoTime();
  private long lastDrawNanos;

  ProgressBar(PrintWriter err) {
    this.err = err;
  }

  @Override
  public synchronized void onRunFinished(int done, int total) {
    draw(done, total, "runs");
  }

  @Override
  public synchronized void onScheduleFinished(int done, int total) {
    draw(done, total, "clairvoyant schedules");
  }

  private void draw(int done, int total, String what) {
    long now = System.nanoTime();
    if (done < total && now - lastDrawNanos < 100_000_000L) {
      return;
    }
    lastDrawNanos = now;
    int filled = (int) ((long) WIDTH * done / total);
    String bar = "#".repeat(filled) + ".".repeat(WIDTH - filled);
    err.printf(Locale.ROOT, "\r[%s] %d/%d %s  %.1f s", bar, done, total, what, (now - startNanos) / 1e9);
    if (done == total) {
      err.println();
    }
    err.flush();
  }
}
