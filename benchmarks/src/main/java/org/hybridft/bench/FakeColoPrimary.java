package org.hybridft.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * One fake QEMU of a {@link FakeQmpFleet}: a COLO primary's answers to the QMP commands the host
 * agent sends, its checkpoint events, and what QEMU keeps across QMP connections (the {@code
 * x-checkpoint-delay} last set) until it restarts. Used on the fleet's one thread only.
 */
final class FakeColoPrimary {
  /** QEMU's default {@code x-checkpoint-delay}. */
  static final long DEFAULT_CHECKPOINT_DELAY_MILLIS = 20_000;
  /** The guest's pause per checkpoint, by the events' timestamps. */
  static final long PAUSE_MICROS = 5_000;
  private static final ObjectMapper MAPPER = new ObjectMapper();

  final String name;
  final Path socket;
  /** Where in each second its checkpoint falls, so the fleet's checkpoints are spread evenly. */
  final long phaseNanos;
  @Nullable ServerSocketChannel server;
  private long checkpointDelayMillis = DEFAULT_CHECKPOINT_DELAY_MILLIS;
  private long pass;

  FakeColoPrimary(String name, Path socket, long phaseNanos) {
    this.name = name;
    this.socket = socket;
    this.phaseNanos = phaseNanos;
  }

  /**
   * The reply to a negotiated client's {@code command}, without its {@code id}: what a COLO
   * primary of QEMU 10.0 answers to {@code query-name}, {@code query-colo-status}, {@code
   * query-migrate-capabilities}, {@code qom-list} (no objects: the agent picks the {@code
   * checkpoint-delay} recipe), {@code migrate-set-parameters}, {@code query-migrate-parameters},
   * {@code query-status}, {@code query-migrate}; {@code CommandNotFound} to anything else.
   */
  ObjectNode answer(JsonNode command) {
    String execute = command.path("execute").asText("");
    ObjectNode reply = MAPPER.createObjectNode();
    switch (execute) {
      case "qmp_capabilities" -> reply.putObject("return");
      case "query-name" -> reply.putObject("return").put("name", name);
      case "query-colo-status" -> reply.putObject("return")
          .put("mode", "primary").put("last-mode", "none").put("reason", "none");
      case "query-migrate-capabilities" -> {
        ArrayNode list = reply.putArray("return");
        list.addObject().put("capability", "x-colo").put("state", true);
        list.addObject().put("capability", "events").put("state", true);
      }
      case "qom-list" -> reply.putArray("return");
      case "migrate-set-parameters" -> {
        JsonNode delay = command.path("arguments").path("x-checkpoint-delay");
        if (delay.isIntegralNumber()) {
          checkpointDelayMillis = delay.asLong();
        }
        reply.putObject("return");
      }
      case "query-migrate-parameters" -> reply.putObject("return").put("x-checkpoint-delay", checkpointDelayMillis);
      case "query-status" -> reply.putObject("return").put("status", "colo").put("running", true);
      case "query-migrate" -> reply.putObject("return").put("status", "colo");
      default -> error(reply, "CommandNotFound", "The command " + execute + " has not been found");
    }
    return reply;
  }

  /** The reply to a command sent before {@code qmp_capabilities}, as QEMU words it. */
  static ObjectNode notNegotiated() {
    ObjectNode reply = MAPPER.createObjectNode();
    error(reply, "CommandNotFound", "Expecting capabilities negotiation with 'qmp_capabilities'");
    return reply;
  }

  private static void error(ObjectNode reply, String errorClass, String desc) {
    reply.putObject("error").put("class", errorClass).put("desc", desc);
  }

  /**
   * One checkpoint's events at wall-clock {@code micros}: {@code STOP}, {@code MIGRATION_PASS}
   * (the pass number counting up), {@code RESUME} {@link #PAUSE_MICROS} later, one line each.
   */
  String checkpoint(long micros) {
    pass++;
    return event("STOP", "{}", micros)
        + event("MIGRATION_PASS", "{\"pass\": " + pass + "}", micros + 1)
        + event("RESUME", "{}", micros + PAUSE_MICROS);
  }

  private static String event(String name, String data, long micros) {
    return "{\"event\": \"" + name + "\", \"data\": " + data + ", \"timestamp\": {\"seconds\": "
        + micros / 1_000_000 + ", \"microseconds\": " + micros % 1_000_000 + "}}\n";
  }

  /** A restarted QEMU starts from its defaults. */
  void restarted() {
    checkpointDelayMillis = DEFAULT_CHECKPOINT_DELAY_MILLIS;
    pass = 0;
  }
}
