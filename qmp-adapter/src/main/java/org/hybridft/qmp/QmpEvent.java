package org.hybridft.qmp;

import java.util.Objects;

/**
 * An asynchronous QMP event: {@code {"event": NAME, "data": {...}, "timestamp": {"seconds": S,
 * "microseconds": U}}}. Immutable: every subscriber of an event receives the same instance, and
 * none can change it for the others.
 *
 * @param name the event name, for instance {@code STOP} or {@code COLO_EXIT}
 * @param data the event's data, a JSON object, {@link QmpValue#EMPTY_OBJECT} when QEMU sent none
 * @param timestampMicros QEMU's wall-clock time of the event in microseconds since the epoch,
 *     or {@link #NO_TIMESTAMP} when the event had none
 */
public record QmpEvent(String name, QmpValue data, long timestampMicros) {
  /** {@link #timestampMicros()} of an event that came without a timestamp. */
  public static final long NO_TIMESTAMP = -1;

  /** Validates the name and the data. */
  public QmpEvent {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("a QMP event needs a name, was '" + name + "'");
    }
    Objects.requireNonNull(data, "data");
    if (!data.isObject()) {
      throw new IllegalArgumentException("the data of QMP event " + name + " must be an object, was " + data);
    }
  }

  /** The text of the data member {@code field}, or {@code ""} when absent. */
  public String text(String field) {
    return data.path(field).asText("");
  }
}
