package org.hybridft.qmp;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An asynchronous QMP event: {@code {"event": NAME, "data": {...}, "timestamp": {"seconds": S,
 * "microseconds": U}}}.
 *
 * @param name the event name, for instance {@code STOP} or {@code COLO_EXIT}
 * @param data the event's data, an empty object when QEMU sent none
 * @param timestampMicros QEMU's wall-clock time of the event in microseconds since the epoch,
 *     or {@link #NO_TIMESTAMP} when the event had none
 */
public record QmpEvent(String name, ObjectNode data, long timestampMicros) {
  /** {@link #timestampMicros()} of an event that came without a timestamp. */
  public static final long NO_TIMESTAMP = -1;

  /** The text of the data member {@code field}, or {@code ""} when absent. */
  public String text(String field) {
    return data.path(field).asText("");
  }
}
