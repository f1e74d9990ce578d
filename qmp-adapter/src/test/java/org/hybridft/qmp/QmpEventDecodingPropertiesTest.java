package org.hybridft.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The decoder reads messages member by member, building a tree only for what a caller receives
 * as one. These properties hold it to what reading each message as one whole tree gives ({@link
 * TreeReading}, the plain way): the same message, or the same protocol error, for any object made
 * of QMP's members with values of any kind, repeated members included.
 */
class QmpEventDecodingPropertiesTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String[] NAMES = {"event", "data", "timestamp", "id", "return", "error", "QMP", "other"};
  private static final String[] VALUES = {
    "\"STOP\"", "\"MIGRATION_PASS\"", "\"\"", "null", "true", "0", "-1", "7", "9223372036854775807",
    "9223372036854775808", "123456789012345678901234567890", "1.5", "[]", "[1, {\"a\": 2}]", "{}",
    "{\"pass\": 12}", "{\"status\": \"colo\", \"running\": true}",
    "{\"seconds\": 1764766000, \"microseconds\": 123456}", "{\"seconds\": 1, \"microseconds\": 999999}",
    "{\"seconds\": 1, \"microseconds\": 1000000}", "{\"seconds\": -1, \"microseconds\": 5}",
    "{\"seconds\": 1.0, \"microseconds\": 5}", "{\"microseconds\": 5, \"seconds\": 2, \"seconds\": 3}",
    "{\"seconds\": 18446744073709551617, \"microseconds\": 1}", "{\"seconds\": 9223372036854, \"microseconds\": 1}",
    "{\"class\": \"GenericError\", \"desc\": \"no\"}", "{\"class\": 1, \"desc\": \"no\"}",
    "{\"version\": {\"qemu\": {\"major\": 10, \"minor\": 0, \"micro\": 2}, \"package\": \"x\"},"
        + " \"capabilities\": [\"oob\"]}",
  };

  @Test
  void everyObjectOfQmpMembersDecodesAsItsWholeTreeDoesToTheSameMessageOrTheSameError() {
    qt().withExamples(5000)
        .forAll(lists().of(integers().between(0, NAMES.length * VALUES.length - 1)).ofSizeBetween(0, 6))
        .checkAssert(members -> {
          StringBuilder json = new StringBuilder("{");
          for (int member : members) {
            json.append(json.length() > 1 ? ", " : "").append('"').append(NAMES[member % NAMES.length])
                .append("\": ").append(VALUES[member / NAMES.length]);
          }
          byte[] line = json.append("}\n").toString().getBytes(StandardCharsets.UTF_8);

          Object expected;
          try {
            expected = TreeReading.decode(line);
          } catch (QmpProtocolException refused) {
            expected = refused.getMessage();
          }
          List<QmpMessage> decoded = new ArrayList<>();
          Throwable refused = catchThrowable(() ->
              new QmpMessageDecoder(MAPPER, 1 << 16).feed(ByteBuffer.wrap(line), decoded::add));
          Object actual = refused == null ? decoded.get(0) : refused.getMessage();
          assertThat(actual).as("%s", json).isEqualTo(expected);
          if (refused != null) {
            assertThat(refused).isInstanceOf(QmpProtocolException.class);
          }
        });
  }

  @Test
  void anEventOfQemusShapeKeepsItsNameDataAndTimestamp() {
    String stop = "{\"event\": \"MIGRATION_PASS\", \"data\": {\"pass\": 3}, "
        + "\"timestamp\": {\"seconds\": 1764766000, \"microseconds\": 42}}\n";
    List<QmpMessage> decoded = new ArrayList<>();
    new QmpMessageDecoder(MAPPER, 1 << 16).feed(ByteBuffer.wrap(stop.getBytes(StandardCharsets.UTF_8)), decoded::add);

    QmpEvent event = ((QmpMessage.Event) decoded.get(0)).event();
    assertThat(event.name()).isEqualTo("MIGRATION_PASS");
    assertThat(event.data().path("pass").asLong()).isEqualTo(3);
    assertThat(event.timestampMicros()).isEqualTo(1_764_766_000_000_042L);
  }

  /** A whole message read as one tree, then classified: what the decoder must agree with. */
  static final class TreeReading {
    static QmpMessage decode(byte[] bytes) {
      String text = new String(bytes, StandardCharsets.UTF_8).strip();
      JsonNode tree;
      try {
        tree = MAPPER.readTree(text);
      } catch (Exception malformed) {
        throw new AssertionError("the generated JSON must be valid: " + text, malformed);
      }
      String excerpt = QmpMessageDecoder.excerpt(bytes, 0, bytes.length - 1);
      if (tree.has("QMP")) {
        JsonNode qmp = tree.get("QMP");
        if (!qmp.isObject()) {
          throw new QmpProtocolException("greeting whose QMP member is not an object: " + excerpt);
        }
        JsonNode version = qmp.path("version");
        JsonNode qemu = version.path("qemu");
        List<String> capabilities = new ArrayList<>();
        for (JsonNode capability : qmp.path("capabilities")) {
          capabilities.add(capability.asText());
        }
        return new QmpMessage.Greeting(new QmpGreeting(qemu.path("major").asInt(-1),
            qemu.path("minor").asInt(-1), qemu.path("micro").asInt(-1),
            version.path("package").asText(""), capabilities));
      }
      if (tree.has("event")) {
        JsonNode name = tree.get("event");
        if (!name.isTextual() || name.asText().isEmpty()) {
          throw new QmpProtocolException("event without a name: " + excerpt);
        }
        JsonNode data = tree.path("data");
        ObjectNode object = data instanceof ObjectNode o ? o : JsonNodeFactory.instance.objectNode();
        return new QmpMessage.Event(new QmpEvent(name.asText(), QmpValue.wrap(object), timestamp(tree)));
      }
      if (tree.has("return")) {
        return new QmpMessage.Return(id(tree, excerpt), tree.get("return"));
      }
      if (tree.has("error")) {
        JsonNode error = tree.get("error");
        if (!error.path("class").isTextual() || !error.path("desc").isTextual()) {
          throw new QmpProtocolException("error reply without a textual class and desc: " + excerpt);
        }
        return new QmpMessage.Error(id(tree, excerpt), error.path("class").asText(), error.path("desc").asText());
      }
      throw new QmpProtocolException("not a QMP greeting, reply or event: " + excerpt);
    }

    private static long id(JsonNode tree, String excerpt) {
      JsonNode id = tree.path("id");
      if (!id.isIntegralNumber() || !id.canConvertToLong() || id.asLong() <= 0) {
        throw new QmpProtocolException("reply with an id this client never sent: " + excerpt);
      }
      return id.asLong();
    }

    private static long timestamp(JsonNode tree) {
      JsonNode seconds = tree.path("timestamp").path("seconds");
      JsonNode micros = tree.path("timestamp").path("microseconds");
      if (!seconds.isIntegralNumber() || !micros.isIntegralNumber()) {
        return QmpEvent.NO_TIMESTAMP;
      }
      long s = seconds.asLong();
      long us = micros.asLong();
      if (s < 0 || us < 0 || us >= 1_000_000 || s > Long.MAX_VALUE / 1_000_000 - 1) {
        return QmpEvent.NO_TIMESTAMP;
      }
      return s * 1_000_000 + us;
    }
  }
}
