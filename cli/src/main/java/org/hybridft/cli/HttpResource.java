package org.hybridft.cli;

/**
 * A resource the {@link LoadGenerator} requests, and how it recognises a correct reply: status
 * 200 and a body that starts with {@code expectedBodyPrefix}.
 *
 * @param path the request target, starting with {@code /}, printable ASCII without spaces
 * @param expectedBodyPrefix what a correct reply's body starts with, ASCII
 */
public record HttpResource(String path, String expectedBodyPrefix) {
  /** The testbed guest's reply that is the same every time: no COLO divergence. */
  public static final HttpResource DETERMINISTIC =
      new HttpResource("/cgi-bin/deterministic", "hybrid-ft testbed: deterministic reply");
  /** The testbed guest's reply with a clock and random bytes: primary and secondary always differ. */
  public static final HttpResource NONDETERMINISTIC =
      new HttpResource("/cgi-bin/nondeterministic", "hybrid-ft testbed: uptime ");

  /** Validates both parts. */
  public HttpResource {
    if (path == null || !path.startsWith("/") || !path.chars().allMatch(c -> c > 32 && c < 127)) {
      throw new IllegalArgumentException("path must start with / and be printable ASCII without spaces, was '"
          + path + "'");
    }
    if (expectedBodyPrefix == null || !expectedBodyPrefix.chars().allMatch(c -> c < 128)) {
      throw new IllegalArgumentException("expectedBodyPrefix must be ASCII, was '" + expectedBodyPrefix + "'");
    }
  }
}
