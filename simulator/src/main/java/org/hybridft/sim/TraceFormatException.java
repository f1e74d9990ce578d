package org.hybridft.sim;

import java.io.IOException;
import java.nio.file.Path;

/** A trace CSV that cannot be replayed: says which file, which line (from 1) and why. */
public final class TraceFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final int line;
  private final String reason;

  /**
   * @param file the trace file
   * @param line the line number, from 1
   * @param reason what is wrong on that line
   */
  public TraceFormatException(Path file, int line, String reason) {
    super(file + ":" + line + ": " + reason);
    this.file = file;
    this.line = line;
    this.reason = reason;
  }

  /** The trace file. */
  public Path file() {
    return file;
  }

  /** The line number, from 1. */
  public int line() {
    return line;
  }

  /** What is wrong. */
  public String reason() {
    return reason;
  }
}
