package org.hybridft.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Objects;
import org.hybridft.core.CheckpointCounter;
import org.hybridft.core.ReplicationEndedException;
import org.jspecify.annotations.Nullable;

/**
 * Counts the checkpoints of a QEMU COLO primary from its QMP events: one {@code MIGRATION_PASS}
 * per checkpoint, and the guest's pause per checkpoint from the timestamps of each {@code STOP} /
 * {@code RESUME} pair. {@code COLO_EXIT} or a lost connection end the replication: from then on
 * {@link #checkpoints()} throws {@link ReplicationEndedException}, which stops the {@link
 * org.hybridft.core.ControlLoop}.
 *
 * <p>QEMU emits {@code MIGRATION_PASS} only with the {@code events} migration capability on; it
 * must be set together with {@code x-colo} before {@code migrate}, and {@link #attach} checks it.
 * Every {@code STOP}/{@code RESUME} pair counts as a pause, so pausing the VM by hand during COLO
 * is counted as downtime too. Reads are lock-free: the client's I/O thread writes, the loop reads.
 */
public final class QmpCheckpointCounter implements CheckpointCounter, AutoCloseable {
  private static final long NANOS_PER_MICRO = 1000;

  private final List<QmpSubscription> subscriptions;
  private volatile long checkpoints;
  private volatile long totalPauseNanos;
  private volatile long pauses;
  private volatile @Nullable String endReason;
  // Written on the I/O thread only.
  private long stoppedAtMicros = -1;
  private long stoppedAtNanoTime;

  private QmpCheckpointCounter(QmpClient client) {
    this.subscriptions = List.of(
        client.subscribe("MIGRATION_PASS", event -> checkpoints++),
        client.subscribe("STOP", this::onStop),
        client.subscribe("RESUME", this::onResume),
        client.subscribe("COLO_EXIT", event -> end(
            "COLO_EXIT mode=" + event.text("mode") + " reason=" + event.text("reason"))));
    client.closed().thenAccept(reason -> end("QMP connection lost: " + reason.getMessage()));
  }

  /**
   * Starts counting on {@code client}, a connection to the COLO primary.
   *
   * @throws IllegalStateException if the {@code events} migration capability is off, so no
   *     checkpoint could ever be counted
   * @throws QmpException if the capability check failed
   */
  public static QmpCheckpointCounter attach(QmpClient client) {
    Objects.requireNonNull(client, "client");
    // Subscribe first: an event between the check and the subscription would be lost.
    QmpCheckpointCounter counter = new QmpCheckpointCounter(client);
    try {
      JsonNode capabilities = client.call("query-migrate-capabilities", null);
      boolean events = false;
      for (JsonNode capability : capabilities) {
        if ("events".equals(capability.path("capability").asText())) {
          events = capability.path("state").asBoolean(false);
        }
      }
      if (!events) {
        throw new IllegalStateException(
            "the 'events' migration capability is off on " + client.address()
                + ": QEMU sends no MIGRATION_PASS event to count checkpoints by; set it with"
                + " migrate-set-capabilities together with x-colo before migrate");
      }
      return counter;
    } catch (RuntimeException failed) {
      counter.close();
      throw failed;
    }
  }

  @Override
  public long checkpoints() {
    String ended = endReason;
    if (ended != null) {
      throw new ReplicationEndedException(ended);
    }
    return checkpoints;
  }

  @Override
  public long totalPauseNanos() {
    return totalPauseNanos;
  }

  /** How many STOP/RESUME pairs were seen. */
  public long pauses() {
    return pauses;
  }

  /** Why the replication ended, or null while it runs. */
  public @Nullable String endReason() {
    return endReason;
  }

  /** Stops counting (the client stays open). Idempotent. */
  @Override
  public void close() {
    subscriptions.forEach(QmpSubscription::close);
  }

  private void onStop(QmpEvent event) {
    stoppedAtMicros = event.timestampMicros();
    stoppedAtNanoTime = System.nanoTime();
  }

  private void onResume(QmpEvent event) {
    if (stoppedAtNanoTime == 0) {
      return; // a RESUME without a STOP seen: the pause began before we attached
    }
    long pause;
    if (stoppedAtMicros >= 0 && event.timestampMicros() >= stoppedAtMicros) {
      // QEMU's timestamps measure the pause where it happened, free of our socket latency.
      pause = (event.timestampMicros() - stoppedAtMicros) * NANOS_PER_MICRO;
    } else {
      pause = System.nanoTime() - stoppedAtNanoTime;
    }
    stoppedAtNanoTime = 0;
    totalPauseNanos += pause;
    pauses++;
  }

  private void end(String reason) {
    if (endReason == null) {
      endReason = reason;
    }
  }
}
