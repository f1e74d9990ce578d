package org.hybridft.qmp;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.async.ByteArrayFeeder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
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
  /** No usable reply id: the ids this client sends are positive. */
  private static final long NO_ID = 0;

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
    sink.accept(parse(line, start, end).classify(line, start, end));
  }

  /**
   * Reads the message's members with Jackson's streaming parser: what makes an event (its name,
   * timestamp and empty data) is read as tokens, and only what a caller receives as a tree
   * (non-empty event data, a reply's value, an error, the greeting) is built as one. Events are
   * most of what QEMU sends (three per checkpoint), and most build no tree at all.
   */
  private Members parse(byte[] line, int start, int end) {
    // The non-blocking parser reads UTF-8 only: no encoding guess on arbitrary bytes.
    try (JsonParser parser = mapper.getFactory().createNonBlockingByteArrayParser()) {
      ByteArrayFeeder feeder = (ByteArrayFeeder) parser.getNonBlockingInputFeeder();
      feeder.feedInput(line, start, end);
      feeder.endOfInput();
      JsonToken first = parser.nextToken();
      if (first != JsonToken.START_OBJECT) {
        throw new QmpProtocolException("message is not a JSON object: " + excerpt(line, start, end));
      }
      Members members = new Members();
      JsonToken token;
      while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        JsonToken value = parser.nextToken();
        // A repeated member replaces the earlier one, as in a tree.
        switch (name) {
          case "event" -> {
            members.event = true;
            members.eventName = value == JsonToken.VALUE_STRING ? parser.getText() : null;
          }
          case "data" -> members.data = data(parser, value);
          case "timestamp" -> members.timestampMicros = timestamp(parser, value);
          case "id" -> members.id = id(parser, value);
          case "QMP" -> members.qmp = tree(parser);
          case "return" -> members.returned = tree(parser);
          case "error" -> members.error = tree(parser);
          default -> { }
        }
        parser.skipChildren(); // a no-op after a scalar or a value read to its end
      }
      if (token != JsonToken.END_OBJECT) {
        throw new QmpProtocolException(
            "malformed JSON (" + token + " where a member belongs): " + excerpt(line, start, end));
      }
      if (parser.nextToken() != null) {
        throw new QmpProtocolException(
            "more than one JSON value on one line: " + excerpt(line, start, end));
      }
      return members;
    } catch (IOException | RuntimeException malformed) {
      if (malformed instanceof QmpProtocolException protocol) {
        throw protocol;
      }
      throw new QmpProtocolException(
          "malformed JSON (" + firstLine(malformed.getMessage()) + "): " + excerpt(line, start, end),
          malformed);
    }
  }

  /** The value the parser is at, as a tree; JSON {@code null} is a {@code NullNode}. */
  private JsonNode tree(JsonParser parser) throws IOException {
    JsonNode tree = mapper.readTree(parser);
    return tree == null ? JsonNodeFactory.instance.nullNode() : tree;
  }

  /** An event's data: an object (the shared empty one when it has no member), else null. */
  private @Nullable QmpValue data(JsonParser parser, JsonToken value) throws IOException {
    if (value != JsonToken.START_OBJECT) {
      return null;
    }
    if (parser.nextToken() == JsonToken.END_OBJECT) {
      return QmpValue.EMPTY_OBJECT;
    }
    // At the first member's name, from where the tree reader takes the object to its end. The
    // tree is this decoder's own and goes nowhere else: wrapping it makes it immutable.
    return QmpValue.wrap(mapper.readTree(parser));
  }

  /**
   * QEMU's {@code {"seconds": S, "microseconds": U}} in microseconds; {@link
   * QmpEvent#NO_TIMESTAMP} when either is missing, not an integer or out of range.
   */
  private static long timestamp(JsonParser parser, JsonToken value) throws IOException {
    if (value != JsonToken.START_OBJECT) {
      return QmpEvent.NO_TIMESTAMP;
    }
    long s = -1;
    long us = -1;
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String name = parser.currentName();
      long read = parser.nextToken() == JsonToken.VALUE_NUMBER_INT ? asLong(parser) : -1;
      if (name.equals("seconds")) {
        s = read;
      } else if (name.equals("microseconds")) {
        us = read;
      }
      parser.skipChildren();
    }
    // QEMU sends microseconds within the second; anything else is no usable time (and could
    // overflow the sum).
    if (s < 0 || us < 0 || us >= 1_000_000 || s > Long.MAX_VALUE / 1_000_000 - 1) {
      return QmpEvent.NO_TIMESTAMP;
    }
    return s * 1_000_000 + us;
  }

  /** An integer as {@code JsonNode.asLong()} reads it: one beyond a long keeps its low 64 bits. */
  private static long asLong(JsonParser parser) throws IOException {
    return parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER
        ? parser.getBigIntegerValue().longValue()
        : parser.getLongValue();
  }

  /** A reply's id: a positive integer that fits a long, else {@link #NO_ID}. */
  private static long id(JsonParser parser, JsonToken value) throws IOException {
    if (value != JsonToken.VALUE_NUMBER_INT
        || parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
      return NO_ID;
    }
    long id = parser.getLongValue();
    return id > 0 ? id : NO_ID;
  }

  /** The members of one message that tell what it is; of a repeated member, the last. */
  private static final class Members {
    boolean event;
    @Nullable String eventName;
    @Nullable QmpValue data;
    long timestampMicros = QmpEvent.NO_TIMESTAMP;
    long id = NO_ID;
    @Nullable JsonNode qmp;
    @Nullable JsonNode returned;
    @Nullable JsonNode error;

    QmpMessage classify(byte[] line, int start, int end) {
      if (qmp != null) {
        return new QmpMessage.Greeting(greeting(qmp, line, start, end));
      }
      if (event) {
        if (eventName == null || eventName.isEmpty()) {
          throw new QmpProtocolException("event without a name: " + excerpt(line, start, end));
        }
        return new QmpMessage.Event(
            new QmpEvent(eventName, data == null ? QmpValue.EMPTY_OBJECT : data, timestampMicros));
      }
      if (returned != null) {
        return new QmpMessage.Return(checkedId(line, start, end), returned);
      }
      if (error != null) {
        JsonNode errorClass = error.path("class");
        JsonNode description = error.path("desc");
        if (!errorClass.isTextual() || !description.isTextual()) {
          throw new QmpProtocolException(
              "error reply without a textual class and desc: " + excerpt(line, start, end));
        }
        return new QmpMessage.Error(
            checkedId(line, start, end), errorClass.asText(), description.asText());
      }
      throw new QmpProtocolException(
          "not a QMP greeting, reply or event: " + excerpt(line, start, end));
    }

    private long checkedId(byte[] line, int start, int end) {
      // This client sends positive integer ids only; anything else was never sent.
      if (id == NO_ID) {
        throw new QmpProtocolException(
            "reply with an id this client never sent: " + excerpt(line, start, end));
      }
      return id;
    }
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
