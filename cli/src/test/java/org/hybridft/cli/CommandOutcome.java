package org.hybridft.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** What one {@code hybrid-ft} invocation in a test returned and printed. */
record CommandOutcome(int exitCode, String out, String err) {

  /** Runs the command line in-process with captured streams. */
  static CommandOutcome run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = HybridFt.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new CommandOutcome(code, out.toString(), err.toString());
  }
}
