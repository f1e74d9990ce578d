package org.hybridft.report;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A file of a report (the CSV or a plot) that could not be written. The cause is the file system's
 * own exception, so a caller can say why in its own words.
 */
public final class ReportFileException extends IOException {
  private static final long serialVersionUID = 1L;

  /** The file, as a string: {@link Path} is not serializable. */
  private final String file;

  /**
   * @param file the file that could not be written
   * @param cause why
   */
  public ReportFileException(Path file, IOException cause) {
    super("cannot write " + file + ": " + cause.getMessage(), cause);
    this.file = file.toString();
  }

  /** The file that could not be written. */
  public Path file() {
    return Path.of(file);
  }

  /** The file system's exception. */
  @Override
  public synchronized IOException getCause() {
    return (IOException) super.getCause();
  }
}
