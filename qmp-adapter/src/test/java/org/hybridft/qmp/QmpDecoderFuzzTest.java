package org.hybridft.qmp;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Jazzer fuzz test of the framing and parsing of QEMU's byte stream. Without JAZZER_FUZZ it runs
 * in regression mode over the inputs in src/test/resources (what CI does); with {@code
 * JAZZER_FUZZ=1 mvn -pl qmp-adapter test -Dtest=QmpDecoderFuzzTest} it fuzzes for maxDuration.
 */
class QmpDecoderFuzzTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @FuzzTest(maxDuration = "5m")
  void decodingGivesMessagesOrAProtocolError(FuzzedDataProvider data) {
    int limit = data.consumeInt(2, 4096);
    int chunk = data.consumeInt(1, 512);
    byte[] stream = data.consumeRemainingAsBytes();
    QmpMessageDecoder decoder = new QmpMessageDecoder(MAPPER, limit);
    List<QmpMessage> messages = new ArrayList<>();
    try {
      for (int offset = 0; offset < stream.length; offset += chunk) {
        decoder.feed(ByteBuffer.wrap(stream, offset, Math.min(chunk, stream.length - offset)), messages::add);
      }
    } catch (QmpProtocolException expected) {
      return; // the connection would close: the one allowed failure
    }
    for (QmpMessage message : messages) {
      if (message == null) {
        throw new AssertionError("a null message");
      }
      if (message instanceof QmpMessage.Return ok && ok.id() <= 0
          || message instanceof QmpMessage.Error error && error.id() <= 0) {
        throw new AssertionError("a reply with an id this client never sends: " + message);
      }
    }
    if (decoder.bufferedBytes() > limit) {
      throw new AssertionError("buffered " + decoder.bufferedBytes() + " bytes over the limit " + limit);
    }
  }
}
