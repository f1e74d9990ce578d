package org.hybridft.qmp;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.async.ByteArrayFeeder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Splits the byte stream from QEMU into messages and classifies them. QEMU ends every message
 * with a newline and never puts one inside (it does not pretty-print QMP), so framing is by line,
 * as in QEMU's own python client. Not thread-safe: one connection's I/O thread feeds it.
 */
final class QmpMessageDecoder {
  private static final int EXCERPT_CHARS = 120;

  private final ObjectMapper mapper;
  private final int maxMessageBytes;
  private byte[] pending = new byte[256];
  private int pendingLength;

  /**
   * @param mapper the JSON mapper to build trees with
   * @param maxMessageBytes the longest message accepted, newline excluded, {@code >= 2}
   */
  QmpMessageDecoder(ObjectMapper mapper, int maxMessageBytes) {
    if (maxMessageBytes < 2) {
      throw new IllegalArgumentException("maxMessageBytes must be >= 2, was " + maxMessageBytes);
    }
    this.mapper = mapper;
    this.maxMessageBytes = maxMessageBytes;
  }

  /**
   * Consumes all of {@code input}, handing every complete message to {@code sink} in order.
   * Bytes after the last newline are kept for the next call.
   *
   * @throws QmpProtocolException at the first malformed or oversized message; the decoder must
   *     not be fed again after that (the connection closes)
   */
  void feed(ByteBuffer input, Consumer<QmpMessage> sink) {
    while (input.hasRemaining()) {
      byte b = input.get();
      if (b == '\n') {
        int length = pendingLength;
        pendingLength = 0;
        decodeLine(pending, length, sink);
        continue;
      }
      if (pendingLength == maxMessageBytes) {
        throw new QmpProtocolException(
            "message over the limit of " + maxMessageBytes + " bytes: " + excerpt(pending, 0, pendingLength));
      }
      if (pendingLength == pending.length) {
        pending = Arrays.copyOf(pending, (int) Math.min((long) pending.length * 2, maxMessageBytes));
      }
      pending[pendingLength++] = b;
    }
  }

  /** Bytes received that do not yet end with a newline. */
  int bufferedBytes() {
    return pendingLength;
  }

  private void decodeLine(byte[] line, int length, Consumer<QmpMessage> sink) {
    int start = 0;
    int end = length;
    while (start < end && isJsonWhitespace(line[start])) {
      start++;
    }
    while (end > start && isJsonWhitespace(line[end - 1])) {
      end--;
    }
    if (start == end) {
      return; // blank lines carry nothing
    }
    JsonNode tree = parse(line, start, end);
    sink.accept(classify(tree, line, start, end));
  }

  private JsonNode parse(byte[] line, int start, int end) {
    // The non-blocking parser reads UTF-8 only: no encoding guess on arbitrary bytes.
    try (JsonParser parser = mapper.getFactory().createNonBlockingByteArrayParser()) {
      ByteArrayFeeder feeder = (ByteArrayFeeder) parser.getNonBlockingInputFeeder();
      feeder.feedInput(line, start, end);
      feeder.endOfInput();
      JsonToken first = parser.nextToken();
      if (first != JsonToken.START_OBJECT) {
        throw new QmpProtocolException("message is not a JSON object: " + excerpt(line, start, end));
      }
      JsonNode tree = mapper.readTree(parser);
      if (tree == null || parser.nextToken() != null) {
        throw new QmpProtocolException(
            "more than one JSON value on one line: " + excerpt(line, start, end));
      }
      return tree;
    } catch (IOException | RuntimeException malformed) {
      if (malformed instanceof QmpProtocolException protocol) {
        throw protocol;
      }
      throw new QmpProtocolException(
          "malformed JSON (" + firstLine(malformed.getMessage()) + "): " + excerpt(line, start, end),
          malformed);
    }
  }

  private static QmpMessage classify(JsonNode tree, byte[] line, int start, int end) {
    if (tree.has("QMP")) {
      return new QmpMessage.Greeting(greeting(tree.get("QMP"), line, start, end));
    }
    if (tree.has("event")) {
      JsonNode name = tree.get("event");
      if (!name.isTextual() || name.asText().isEmpty()) {
        throw new QmpProtocolException("event without a name: " + excerpt(line, start, end));
      }
      JsonNode data = tree.path("data");
      ObjectNode dataObject =
          data instanceof ObjectNode object ? object : JsonNodeFactory.instance.objectNode();
      // The tree is this decoder's own and goes nowhere else: wrapping it makes it immutable.
      return new QmpMessage.Event(new QmpEvent(name.asText(), QmpValue.wrap(dataObject), timestamp(tree)));
    }
    if (tree.has("return")) {
      return new QmpMessage.Return(id(tree, line, start, end), tree.get("return"));
    }
    if (tree.has("error")) {
      JsonNode error = tree.get("error");
      JsonNode errorClass = error.path("class");
      JsonNode description = error.path("desc");
      if (!errorClass.isTextual() || !description.isTextual()) {
        throw new QmpProtocolException(
            "error reply without a textual class and desc: " + excerpt(line, start, end));
      }
      return new QmpMessage.Error(
          id(tree, line, start, end), errorClass.asText(), description.asText());
    }
    throw new QmpProtocolException(
        "not a QMP greeting, reply or event: " + excerpt(line, start, end));
  }

  private static QmpGreeting greeting(JsonNode qmp, byte[] line, int start, int end) {
    if (!qmp.isObject()) {
      throw new QmpProtocolException("greeting whose QMP member is not an object: " + excerpt(line, start, end));
    }
    JsonNode version = qmp.path("version");
    JsonNode qemu = version.path("qemu");
    List<String> capabilities = new ArrayList<>();
    for (JsonNode capability : qmp.path("capabilities")) {
      capabilities.add(capability.asText());
    }
    return new QmpGreeting(
        qemu.path("major").asInt(-1),
        qemu.path("minor").asInt(-1),
        qemu.path("micro").asInt(-1),
        version.path("package").asText(""),
        capabilities);
  }

  private static long id(JsonNode tree, byte[] line, int start, int end) {
    JsonNode id = tree.path("id");
    // This client sends positive integer ids only; anything else was never sent.
    if (!id.isIntegralNumber() || !id.canConvertToLong() || id.asLong() <= 0) {
      throw new QmpProtocolException(
          "reply with an id this client never sent: " + excerpt(line, start, end));
    }
    return id.asLong();
  }

  private static long timestamp(JsonNode tree) {
    JsonNode timestamp = tree.path("timestamp");
    JsonNode seconds = timestamp.path("seconds");
    JsonNode micros = timestamp.path("microseconds");
    if (!seconds.isIntegralNumber() || !micros.isIntegralNumber()) {
      return QmpEvent.NO_TIMESTAMP;
    }
    long s = seconds.asLong();
    long us = micros.asLong();
    // QEMU sends microseconds within the second; anything else is no usable time (and could
    // overflow the sum).
    if (s < 0 || us < 0 || us >= 1_000_000 || s > Long.MAX_VALUE / 1_000_000 - 1) {
      return QmpEvent.NO_TIMESTAMP;
    }
    return s * 1_000_000 + us;
  }

  private static boolean isJsonWhitespace(byte b) {
    return b == ' ' || b == '\t' || b == '\r' || b == '\n';
  }

  private static String firstLine(@Nullable String message) {
    if (message == null) {
      return "no detail";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  static String excerpt(byte[] bytes, int start, int end) {
    int length = Math.min(end - start, EXCERPT_CHARS * 4);
    String text = new String(bytes, start, length, StandardCharsets.UTF_8);
    StringBuilder shown = new StringBuilder();
    long total = text.codePoints().count();
    // Control characters are shown as dots so an excerpt stays on one line.
    text.codePoints()
        .limit(EXCERPT_CHARS)
        .forEach(c -> {
          if (c < 0x20 || c == 0x7f) {
            shown.append('.');
          } else {
            shown.appendCodePoint(c);
          }
        });
    if (total > EXCERPT_CHARS || end - start > length) {
      shown.append("...");
    }
    return shown.toString();
  }
}
