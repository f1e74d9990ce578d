package org.hybridft.qmp;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.hybridft.core.CheckpointCounter;
import org.hybridft.core.ParameterCheck;
import org.hybridft.core.ReplicationEndedException;
import org.jspecify.annotations.Nullable;

/**
 * Counts the checkpoints of a QEMU COLO primary from its QMP events: one {@code MIGRATION_PASS}
 * per checkpoint, and the guest's pause per checkpoint from the timestamps of each {@code STOP} /
 * {@code RESUME} pair.
 *
 * <p><b>Without events</b> (a client over a {@link QmpTransport}, such as libvirt's passthrough,
 * where {@link QmpClient#deliversEvents()} is false) it counts from {@code query-migrate} instead:
 * during COLO, {@code ram.dirty-sync-count} grows by exactly one per checkpoint (QEMU synchronises
 * the dirty bitmap once in each checkpoint, and {@code MIGRATION_PASS} reports that same counter),
 * so the checkpoints are its growth since the attach. Each {@link #checkpoints()} sends one query
 * when none is in flight and returns what the last reply said, so the count lags by up to one read;
 * a status other than {@code colo} ({@code completed} after a failover, {@code failed},
 * {@code cancelled}) ends the replication. Pauses are not known this way ({@link
 * #totalPauseNanos()} is {@link CheckpointCounter#PAUSE_UNKNOWN}). Stock QEMU reports only the
 * status during COLO; the count needs a QEMU that reports {@code ram} there too (the testbed's
 * patch), which {@link #attach} checks. {@code COLO_EXIT} or a lost connection end the replication: from then on
 * {@link #checkpoints()} throws {@link ReplicationEndedException}, which stops the {@link
 * org.hybridft.core.ControlLoop}. A QEMU that stops answering (hung, or a half-open connection)
 * makes the counter unavailable instead, through a liveness probe; see {@link #checkpoints()}.
 *
 * <p><b>Protocol errors.</b> A malformed message from QEMU makes the client close the connection
 * (the stream can no longer be trusted to match replies to commands). The counter and the actuator
 * then end the replication with a reason that starts {@code "QMP protocol error from"} and has
 * the {@link QmpProtocolException} as its cause, and {@link #protocolError()} returns it: the loop
 * stops steering, but this is no failover and QEMU's replication may go on in the mode last
 * applied. Callers must report it as a failure (the {@code hybrid-ft run} command exits non-zero).
 *
 * <p>QEMU emits {@code MIGRATION_PASS} only with the {@code events} migration capability on; it
 * must be set together with {@code x-colo} before {@code migrate}, and {@link #attach} checks it.
 * Every {@code STOP}/{@code RESUME} pair counts as a pause, so pausing the VM by hand during COLO
 * is counted as downtime too. Reads are lock-free: the client's I/O thread writes, the loop reads.
 */
public final class QmpCheckpointCounter implements CheckpointCounter, AutoCloseable {
  /** Default of how long a liveness probe may go unanswered: 3 s. */
  public static final Duration DEFAULT_LIVENESS_TIMEOUT = Duration.ofSeconds(3);

  private static final long NANOS_PER_MICRO = 1000;
  private static final String PROBE = "query-status";
  private static final String QUERY = "query-migrate";
  private static final String DIRTY_SYNC_COUNT = "dirty-sync-count";

  private final QmpClient client;
  private final boolean byQuery;
  private final String probeCommand;
  private volatile long dirtySyncBase;
  private volatile long dirtySyncLast;
  private final Duration livenessTimeout;
  private final long livenessTimeoutNanos;
  private final long probeIntervalNanos;
  private final AtomicBoolean probing = new AtomicBoolean();
  private volatile long lastProbeSentNanos;
  // When QEMU last sent an event this counter hears: a sign of life, so no probe is needed then.
  private volatile long lastHeardNanos;
  private volatile boolean unanswered;
  private volatile long unansweredSinceNanos;
  private volatile boolean closed;
  private volatile @Nullable Throwable endCause;
  private volatile @Nullable QmpProtocolException protocolError;
  private final List<QmpSubscription> subscriptions;
  private volatile long checkpoints;
  private volatile long totalPauseNanos;
  private volatile long pauses;
  private volatile @Nullable String endReason;
  // Written on the I/O thread only.
  private long stoppedAtMicros = -1;
  private long stoppedAtNanoTime;

  private QmpCheckpointCounter(QmpClient client, Duration livenessTimeout) {
    this.client = client;
    this.byQuery = !client.deliversEvents();
    this.probeCommand = byQuery ? QUERY : PROBE;
    this.livenessTimeout = livenessTimeout;
    this.livenessTimeoutNanos = livenessTimeout.toNanos();
    // Counting by query asks at every read; the liveness probe of the event stream, at most twice
    // per timeout.
    this.probeIntervalNanos = byQuery ? 0 : Math.max(1, livenessTimeoutNanos / 2);
    this.lastProbeSentNanos = System.nanoTime() - probeIntervalNanos;
    this.lastHeardNanos = System.nanoTime(); // the attach's own calls were answered
    QmpSubscription closedSubscription = client.onClosed(reason -> {
      if (reason.getCause() instanceof QmpProtocolException broken) {
        protocolError = broken;
        end(protocolErrorReason(client, broken), broken);
      } else {
        end("QMP connection lost: " + reason.getMessage(), reason);
      }
    });
    this.subscriptions = byQuery ? List.of(closedSubscription) : List.of(
        client.subscribe("MIGRATION_PASS", event -> {
          checkpoints++;
          heard();
        }),
        client.subscribe("STOP", this::onStop),
        client.subscribe("RESUME", this::onResume),
        client.subscribe("COLO_EXIT", event -> end(
            "COLO_EXIT mode=" + event.text("mode") + " reason=" + event.text("reason"))),
        closedSubscription);
  }

  /**
   * Starts counting on {@code client}, a connection to the COLO primary.
   *
   * @throws QmpStateException if the {@code events} migration capability is off, so no
   *     checkpoint could ever be counted; without events, if {@code query-migrate} reports no
   *     {@code ram.dirty-sync-count} in COLO
   * @throws QmpException if the capability check failed
   */
  public static QmpCheckpointCounter attach(QmpClient client) {
    return attach(client, DEFAULT_LIVENESS_TIMEOUT);
  }

  /**
   * Starts counting on {@code client}, a connection to the COLO primary, with its own liveness
   * timeout.
   *
   * @param livenessTimeout how long a liveness probe may go unanswered before {@link
   *     #checkpoints()} reports the counter unavailable, {@code > 0} and at most ten years; probes
   *     are sent at most every half of it
   * @throws IllegalArgumentException if the timeout is out of range
   * @throws QmpStateException if the {@code events} migration capability is off; without events,
   *     if {@code query-migrate} reports no {@code ram.dirty-sync-count} in COLO
   * @throws QmpException if the capability check failed
   */
  public static QmpCheckpointCounter attach(QmpClient client, Duration livenessTimeout) {
    Objects.requireNonNull(client, "client");
    ParameterCheck.positive("livenessTimeout", livenessTimeout);
    // Subscribe first: an event between the check and the subscription would be lost.
    QmpCheckpointCounter counter = new QmpCheckpointCounter(client, livenessTimeout);
    try {
      if (counter.byQuery) {
        counter.dirtySyncBase = dirtySyncCount(client, client.call(QUERY, null));
        counter.dirtySyncLast = counter.dirtySyncBase;
        return counter;
      }
      QmpValue capabilities = client.call("query-migrate-capabilities", null);
      boolean events = false;
      for (QmpValue capability : capabilities) {
        if ("events".equals(capability.path("capability").asText())) {
          events = capability.path("state").asBoolean(false);
        }
      }
      if (!events) {
        throw new QmpStateException(
            "the 'events' migration capability is off on " + client.peer()
                + ": QEMU sends no MIGRATION_PASS event to count checkpoints by; set it with"
                + " migrate-set-capabilities together with x-colo before migrate");
      }
      return counter;
    } catch (RuntimeException failed) {
      counter.close();
      throw failed;
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>Also checks that QEMU is alive: every event and every reply it sends proves it; after half
   * the liveness timeout without one, it sends a cheap {@code query-status} without waiting for
   * it. A QEMU that is hung (SIGSTOP, a stuck main loop) or behind a half-open TCP connection sends
   * nothing, which would read as 0 checkpoints/s forever; once nothing has come from it for the
   * liveness timeout while a probe has waited half of it for its reply, this method throws {@link
   * QmpTimeoutException} (the counter is unavailable, the loop retries and then applies its
   * fail-safe) until QEMU answers or sends an event again.
   *
   * @throws ReplicationEndedException after {@code COLO_EXIT}, a lost connection or a protocol
   *     error (then its cause is the {@link QmpProtocolException}, see {@link #protocolError()})
   * @throws QmpTimeoutException while QEMU answers no liveness probe
   */
  @Override
  public long checkpoints() {
    String ended = endReason;
    if (ended != null) {
      Throwable cause = endCause;
      throw cause == null ? new ReplicationEndedException(ended) : new ReplicationEndedException(ended, cause);
    }
    long now = System.nanoTime();
    probe(now);
    // A probe just sent after a long gap between reads has had no time to be answered: it must
    // wait half a timeout before the silence counts against QEMU.
    if (unanswered && now - unansweredSinceNanos >= livenessTimeoutNanos / 2
        && now - lastHeardNanos >= livenessTimeoutNanos) {
      throw new QmpTimeoutException(
          probeCommand + " (liveness probe; QEMU at " + client.peer() + " hung or the connection half-open)",
          Duration.ofNanos(now - lastHeardNanos));
    }
    return checkpoints;
  }

  /**
   * Sends a liveness probe if none is in flight, the last one is old enough, and nothing came from
   * QEMU for half the timeout: a QEMU whose checkpoints' events arrive is alive, and 500 VMs'
   * probes would cost the agent more than their events.
   */
  private void probe(long now) {
    if (closed || probing.get() || now - lastProbeSentNanos < probeIntervalNanos
        || now - lastHeardNanos < probeIntervalNanos
        || !probing.compareAndSet(false, true)) {
      return;
    }
    lastProbeSentNanos = now;
    if (!unanswered) {
      unansweredSinceNanos = now;
      unanswered = true;
    }
    client.execute(probeCommand, null, livenessTimeout).whenComplete((reply, failure) -> {
      Throwable cause = failure instanceof CompletionException wrapped ? wrapped.getCause() : failure;
      if (cause == null || cause instanceof QmpErrorException) {
        unanswered = false; // an error reply is an answer too
        heard();
      }
      if (cause == null && byQuery) {
        onMigrationStatus(reply);
      }
      probing.set(false);
    });
  }

  /** A {@code query-migrate} reply while counting by query: the count, or the end. */
  private void onMigrationStatus(QmpValue migration) {
    String status = migration.path("status").asText("");
    switch (status) {
      case "colo" -> {
        QmpValue count = migration.path("ram").path(DIRTY_SYNC_COUNT);
        if (count.isIntegral()) {
          long raw = count.asLong();
          if (raw < dirtySyncLast) {
            dirtySyncBase = 0; // a new migration restarted QEMU's count: a counter reset to the loop
          }
          dirtySyncLast = raw;
          checkpoints = raw - dirtySyncBase;
        }
      }
      case "completed", "failed", "cancelled", "none" -> end(
          QUERY + " on " + client.peer() + " reports status " + status + ": the COLO replication ended");
      default -> { } // still setting up or migrating: nothing to count yet
    }
  }

  /** The primary's {@code ram.dirty-sync-count} in COLO, or why it cannot be counted. */
  private static long dirtySyncCount(QmpClient client, QmpValue migration) {
    String status = migration.path("status").asText("");
    QmpValue count = migration.path("ram").path(DIRTY_SYNC_COUNT);
    if (!"colo".equals(status)) {
      throw new QmpStateException(QUERY + " on " + client.peer() + " reports status '" + status
          + "', not colo: checkpoints are counted only on a COLO primary");
    }
    if (!count.isIntegral()) {
      throw new QmpStateException(QUERY + " on " + client.peer() + " reports no ram." + DIRTY_SYNC_COUNT
          + " during COLO, and its monitor delivers no events: this QEMU's checkpoints cannot be counted."
          + " Reach it over a QMP socket of its own (-qmp unix:PATH,server=on,wait=off), or use a QEMU that"
          + " reports ram statistics in COLO (the testbed's patch 0002)");
    }
    return count.asLong();
  }

  /** {@inheritDoc} Unknown when counting by query: only events time the pauses. */
  @Override
  public long totalPauseNanos() {
    return byQuery ? PAUSE_UNKNOWN : totalPauseNanos;
  }

  /** How many STOP/RESUME pairs were seen. */
  public long pauses() {
    return pauses;
  }

  /**
   * The protocol error that closed the connection and so ended counting, or null. A protocol
   * error is not a failover: the replication may go on in the mode last applied, unsteered.
   */
  public @Nullable QmpProtocolException protocolError() {
    return protocolError;
  }

  /** Why the replication ended, or null while it runs. */
  public @Nullable String endReason() {
    return endReason;
  }

  /** Stops counting (the client stays open). Idempotent. */
  @Override
  public void close() {
    closed = true;
    subscriptions.forEach(QmpSubscription::close);
  }

  private void heard() {
    lastHeardNanos = System.nanoTime();
  }

  private void onStop(QmpEvent event) {
    heard();
    stoppedAtMicros = event.timestampMicros();
    stoppedAtNanoTime = System.nanoTime();
  }

  private void onResume(QmpEvent event) {
    heard();
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

  private void end(String reason, Throwable cause) {
    if (endReason == null) {
      endCause = cause;
      endReason = reason;
    }
  }

  /** The end reason of a connection closed by a protocol error; shared with the actuator. */
  static String protocolErrorReason(QmpClient client, QmpProtocolException error) {
    return "QMP protocol error from " + client.peer() + ": " + error.getMessage();
  }
}
