package org.hybridft.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.strings;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;
import org.hybridft.qmp.testing.FakeQmpServer;

/** Properties of the framing and parsing of QEMU's byte stream. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class QmpFramingPropertiesTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final List<String> FRAGMENTS = List.of(
      "{", "}", "[", "]", "\"", ":", ",", "\n", "\r\n", " ", "\\", "\\u00", "null", "true", "1e999",
      "-0", "9223372036854775808", "\"id\"", "\"return\"", "\"error\"", "\"event\"", "\"QMP\"",
      "\"class\"", "\"desc\"", "\"data\"", "\"timestamp\"", "{\"return\": {}, \"id\": 1}",
      "{\"event\": \"STOP\"}", "{\"QMP\": {}}", "\u00e9", "\u0000", "\ud83d\ude00");

  /** Random bytes, and random sequences of JSON-like fragments that reach deeper into the parser. */
  private static Gen<byte[]> hostileInput() {
    Gen<byte[]> randomBytes = Generate.byteArrays(
        integers().between(0, 300), Generate.bytes(Byte.MIN_VALUE, Byte.MAX_VALUE, (byte) 0));
    Gen<byte[]> fragments = lists().of(Generate.pick(FRAGMENTS)).ofSizeBetween(0, 40)
        .map(parts -> String.join("", parts).getBytes(StandardCharsets.UTF_8));
    return randomBytes.mix(fragments, 50);
  }

  @Test
  void arbitraryBytesGiveMessagesOrAProtocolErrorAndNothingElse() {
    qt().withExamples(3000)
        .forAll(hostileInput(), integers().between(1, 64))
        .checkAssert((bytes, chunk) -> {
          QmpMessageDecoder decoder = new QmpMessageDecoder(MAPPER, 256);
          List<QmpMessage> messages = new ArrayList<>();
          try {
            feedInChunks(decoder, bytes, chunk, messages);
          } catch (QmpProtocolException expected) {
            assertThat(expected.getMessage()).isNotBlank();
          } catch (RuntimeException other) {
            fail("decoding " + bytes.length + " bytes threw " + other, other);
          }
          assertThat(messages).doesNotContainNull();
        });
  }

  @Test
  void validMessagesDecodeToThemselvesHoweverTheStreamIsSplit() {
    Gen<String> names = strings().allPossible().ofLengthBetween(1, 12);
    Gen<Long> ids = Generate.longRange(1, Long.MAX_VALUE);
    qt().withExamples(500)
        .forAll(lists().of(names).ofSizeBetween(0, 10), ids, integers().between(1, 50))
        .checkAssert((eventNames, firstId, chunk) -> {
          ByteArrayOutputStream stream = new ByteArrayOutputStream();
          List<String> expected = new ArrayList<>();
          long id = firstId;
          for (String name : eventNames) {
            write(stream, MAPPER.createObjectNode().put("event", name)
                .set("data", MAPPER.createObjectNode().put("name", name)));
            expected.add("event " + name);
            write(stream, MAPPER.createObjectNode().put("id", id)
                .set("return", MAPPER.createObjectNode().put("name", name)));
            expected.add("return " + id + " " + name);
            id = id == Long.MAX_VALUE ? 1 : id + 1;
          }
          QmpMessageDecoder decoder = new QmpMessageDecoder(MAPPER, 1 << 16);
          List<QmpMessage> messages = new ArrayList<>();
          feedInChunks(decoder, stream.toByteArray(), chunk, messages);

          List<String> decoded = new ArrayList<>();
          for (QmpMessage message : messages) {
            if (message instanceof QmpMessage.Event event) {
              decoded.add("event " + event.event().name());
              assertThat(event.event().text("name")).isEqualTo(event.event().name());
            } else if (message instanceof QmpMessage.Return ok) {
              decoded.add("return " + ok.id() + " " + ok.value().path("name").asText());
            } else {
              fail("unexpected " + message);
            }
          }
          assertThat(decoded).isEqualTo(expected);
          assertThat(decoder.bufferedBytes()).isZero();
        });
  }

  @Test
  void aClientFedArbitraryBytesEitherStaysUsableOrClosesWithAProtocolErrorAndNeverHangs(
      @TempDir Path dir) throws Exception {
    AtomicReference<byte[]> next = new AtomicReference<>();
    try (FakeQmpServer server = FakeQmpServer.start(dir, peer -> {
      peer.handshake();
      peer.readCommand();
      peer.send(next.get());
      peer.answerAll();
    })) {
      qt().withExamples(40)
          .forAll(hostileInput())
          .checkAssert(bytes -> {
            next.set(bytes);
            try (QmpClient client = server.client().commandTimeout(Duration.ofMillis(200)).connect()) {
              CompletableFuture<?> reply = client.execute("query-status");
              Throwable outcome = null;
              try {
                reply.get(5, TimeUnit.SECONDS);
              } catch (java.util.concurrent.ExecutionException failed) {
                outcome = failed.getCause();
              } catch (Exception hang) {
                fail("the command neither completed nor failed in 5 s: " + hang);
              }
              if (outcome instanceof QmpConnectionClosedException closed) {
                assertThat(closed.getCause()).isInstanceOf(QmpProtocolException.class);
              } else if (outcome != null) {
                // Arbitrary bytes may hold a well-formed reply or error to id 2, or nothing.
                assertThat(outcome).isInstanceOfAny(QmpTimeoutException.class, QmpErrorException.class);
              }
            }
          });
    }
    assertThat(Threads.awaitNoneNamed(QmpReactor.THREAD_NAME, Duration.ofSeconds(5))).isTrue();
  }

  static void feedInChunks(QmpMessageDecoder decoder, byte[] bytes, int chunk, List<QmpMessage> out) {
    for (int offset = 0; offset < bytes.length; offset += chunk) {
      decoder.feed(ByteBuffer.wrap(bytes, offset, Math.min(chunk, bytes.length - offset)), out::add);
    }
  }

  private static void write(ByteArrayOutputStream stream, Object message) {
    try {
      stream.write(MAPPER.writeValueAsBytes(message));
      stream.write('\n');
    } catch (java.io.IOException impossible) {
      throw new AssertionError(impossible);
    }
  }
}
