package org.hybridft.qmp;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * The one rule for tests that need a tool the README's two commands do not install (QEMU,
 * qemu-img, the testbed): outside CI they skip with a one-line reason; under {@code CI=true} they
 * fail, since {@code .ci/run} installs everything.
 */
public final class RealQemuTools {
  private RealQemuTools() {}

  /** Whether this run is CI's ({@code CI=true}), where a missing tool is a failure. */
  public static boolean underCi() {
    return "true".equals(System.getenv("CI"));
  }

  /** The executable {@code tool} on {@code PATH} (or in /usr/bin), if there is one. */
  public static Optional<Path> onPath(String tool) {
    String path = System.getenv().getOrDefault("PATH", "");
    return Stream.concat(Stream.of(path.split(":")), Stream.of("/usr/bin"))
        .filter(directory -> !directory.isEmpty())
        .map(directory -> Path.of(directory, tool))
        .filter(Files::isExecutable)
        .findFirst();
  }

  /**
   * Skips the calling test (fails it under CI) unless every tool is on {@code PATH}; {@code
   * install} says how to get them, e.g. {@code "testbed/install-deps.sh installs it"}.
   */
  public static void assumeOnPath(String install, String... tools) {
    for (String tool : tools) {
      if (onPath(tool).isEmpty()) {
        skipOrFail(tool + " is not installed (" + install + ")");
      }
    }
  }

  /** Skips the calling test with {@code problem} as its one-line reason, or fails it under CI. */
  public static void skipOrFail(String problem) {
    if (underCi()) {
      fail("needed under CI (.ci/run installs it): " + problem);
    }
    Assumptions.abort("skipping: " + problem);
  }
}
