package org.hybridft.qmp;

import com.fasterxml.jackson.databind.JsonNode;

/** One message QEMU sends to a QMP client, as classified by {@link QmpMessageDecoder}. */
sealed interface QmpMessage {

  /** The greeting that opens every connection. */
  record Greeting(QmpGreeting greeting) implements QmpMessage {}

  /** A successful reply to the command with {@code id}. */
  record Return(long id, JsonNode value) implements QmpMessage {}

  /** An error reply to the command with {@code id}. */
  record Error(long id, String errorClass, String description) implements QmpMessage {}

  /** An asynchronous event. */
  record Event(QmpEvent event) implements QmpMessage {}
}
