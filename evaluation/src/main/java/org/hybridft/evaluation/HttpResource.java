package org.hybridft.evaluation;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

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

  /**
   * Sends one {@code GET} of this resource to {@code target} on a connection of its own and reads
   * the whole reply (at most 64 KiB), so that a wrong address fails before a run starts.
   *
   * @param timeout how long the connection and each read may take
   * @return the reply's first line ({@code nothing} for an empty reply) when it is not this
   *     resource's correct reply; empty when it is
   * @throws IOException if no reply came
   */
  public Optional<String> probe(InetSocketAddress target, Duration timeout) throws IOException {
    int timeoutMillis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
    try (Socket socket = new Socket()) {
      socket.connect(target, timeoutMillis);
      socket.setSoTimeout(timeoutMillis);
      OutputStream request = socket.getOutputStream();
      request.write(("GET " + path + " HTTP/1.0\r\nHost: " + target.getHostString() + ":"
          + target.getPort() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      request.flush();
      InputStream reply = socket.getInputStream();
      String text = new String(reply.readNBytes(64 * 1024), StandardCharsets.ISO_8859_1);
      if (text.startsWith("HTTP/1.") && text.contains(expectedBodyPrefix)) {
        return Optional.empty();
      }
      return Optional.of(text.lines().findFirst().orElse("nothing"));
    }
  }
}
