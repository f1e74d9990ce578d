package org.hybridft.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The agent's log: one line per event, as text for people or as one JSON object a line for log
 * shippers ({@link AgentConfig.LogFormat}).
 *
 * <p>A JSON line has {@code time} (ISO-8601, UTC), {@code level} ({@code info}, {@code warn},
 * {@code error}), {@code event} (a fixed word such as {@code attached}, {@code detached}, {@code
 * not-a-primary}, {@code lost}, {@code mode-switch}, {@code reloaded}), {@code vm} when the event
 * is about one VM, {@code message} (the text line's words) and the event's own fields. Thread-safe:
 * lines never interleave.
 */
public final class AgentLog {
  /** A log line's severity. */
  public enum Level {
    /** Normal operation: attached, detached, switched. */
    INFO,
    /** Something to look at; the agent copes: a QEMU lost, a VM left alone, a reload refused. */
    WARN,
    /** The agent cannot do what it was asked. */
    ERROR
  }

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final PrintStream out;
  private final AgentConfig.LogFormat format;
  private final Clock clock;

  /**
   * @param out where lines go (the agent's command gives standard error, which systemd's journal
   *     keeps)
   * @param format text or JSON
   * @param clock the time stamped on each line
   */
  public AgentLog(PrintStream out, AgentConfig.LogFormat format, Clock clock) {
    this.out = Objects.requireNonNull(out, "out");
    this.format = Objects.requireNonNull(format, "format");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** The format lines are written in. */
  public AgentConfig.LogFormat format() {
    return format;
  }

  /**
   * Writes one line.
   *
   * @param level its severity
   * @param event the event's fixed name
   * @param vm the VM it is about, or null
   * @param message what happened, in words
   * @param fields the event's figures and names (values: strings, numbers, booleans)
   */
  public void log(Level level, String event, @Nullable String vm, String message, Map<String, ?> fields) {
    Instant now = clock.instant();
    String line;
    if (format == AgentConfig.LogFormat.JSON) {
      ObjectNode node = MAPPER.createObjectNode()
          .put("time", now.toString())
          .put("level", level.name().toLowerCase(Locale.ROOT))
          .put("event", event);
      if (vm != null) {
        node.put("vm", vm);
      }
      node.put("message", message);
      for (Map.Entry<String, ?> field : fields.entrySet()) {
        node.set(field.getKey(), MAPPER.valueToTree(field.getValue()));
      }
      try {
        line = MAPPER.writeValueAsString(node);
      } catch (JsonProcessingException impossible) {
        // Strings, numbers and booleans always serialize.
        throw new IllegalStateException(impossible);
      }
    } else {
      line = now + " " + level + (vm == null ? "" : " vm=" + vm) + " " + event + ": " + message;
    }
    synchronized (out) {
      out.println(line);
      out.flush();
    }
  }

  /** {@link #log} at INFO without fields. */
  public void info(String event, @Nullable String vm, String message) {
    log(Level.INFO, event, vm, message, Map.of());
  }

  /** {@link #log} at WARN without fields. */
  public void warn(String event, @Nullable String vm, String message) {
    log(Level.WARN, event, vm, message, Map.of());
  }
}
