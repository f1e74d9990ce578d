package org.hybridft.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code hybrid-ft} command. Subcommands are listed in the {@link Command} annotation: add a
 * new one there (it needs only to be a picocli command class).
 *
 * <p>Exit codes: 0 on success; 2 for a user error (unknown name, invalid value, unreadable file),
 * reported as one line on stderr; 1 for an internal failure, also one line.
 */
@Command(
    name = "hybrid-ft",
    mixinStandardHelpOptions = true,
    version = "hybrid-ft 0.1.0",
    description = "Hybrid COLO / checkpoint replication: simulate and compare mode controllers, drive and evaluate a live pair.",
    subcommands = {
      CompareCommand.class, SimulateCommand.class, TuneCommand.class, RunCommand.class, EvaluateCommand.class, AgentCommand.class,
      CommandLine.HelpCommand.class
    })
public final class HybridFt implements Callable<Integer> {
  /** Exit code of a user error. */
  public static final int USAGE_ERROR = 2;

  @Spec CommandSpec spec;

  /** Without a subcommand: the usage on stderr, exit code 2. */
  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return USAGE_ERROR;
  }

  /** Runs the command and exits with its exit code. */
  public static void main(String[] args) {
    System.setProperty("java.awt.headless", "true");
    PrintWriter out = new PrintWriter(System.out, true);
    PrintWriter err = new PrintWriter(System.err, true);
    System.exit(execute(out, err, args));
  }

  /**
   * Runs the command with the given streams and returns its exit code, without exiting.
   *
   * @param out where tables and results go
   * @param err where progress and errors go
   * @param args the command line
   */
  public static int execute(PrintWriter out, PrintWriter err, String... args) {
    CommandLine line = commandLine(out, err);
    return line.execute(args);
  }

  /** The configured command line: streams, one-line error handlers and exit codes. */
  public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
    CommandLine line = new CommandLine(new HybridFt());
    line.setOut(out);
    line.setErr(err);
    line.setParameterExceptionHandler(
        (failure, args) -> {
          err.println("hybrid-ft: " + oneLine(failure.getMessage()));
          err.flush();
          return USAGE_ERROR;
        });
    line.setExecutionExceptionHandler(
        (failure, command, parseResult) -> {
          if (failure instanceof UsageException
              || failure instanceof IllegalArgumentException
              || failure instanceof IOException) {
            err.println("hybrid-ft: " + oneLine(failure.getMessage()));
            err.flush();
            return USAGE_ERROR;
          }
          err.println("hybrid-ft: internal error: " + oneLine(String.valueOf(failure)));
          err.flush();
          return 1;
        });
    return line;
  }

  private static String oneLine(String message) {
    return message == null ? "error" : message.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
  }
}
