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
 * {@code RESUME} pair. {@code COLO_EXIT} or a lost connection end the replication: from then on
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

  private final QmpClient client;
  private final Duration livenessTimeout;
  private final long livenessTimeoutNanos;
  private final long probeIntervalNanos;
  private final AtomicBoolean probing = new AtomicBoolean();
  private volatile long lastProbeSentNanos;
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
    this.livenessTimeout = livenessTimeout;
    this.livenessTimeoutNanos = livenessTimeout.toNanos();
    this.probeIntervalNanos = Math.max(1, livenessTimeoutNanos / 2);
    this.lastProbeSentNanos = System.nanoTime() - probeIntervalNanos;
    this.subscriptions = List.of(
        client.subscribe("MIGRATION_PASS", event -> checkpoints++),
        client.subscribe("STOP", this::onStop),
        client.subscribe("RESUME", this::onResume),
        client.subscribe("COLO_EXIT", event -> end(
            "COLO_EXIT mode=" + event.text("mode") + " reason=" + event.text("reason"))),
        client.onClosed(reason -> {
          if (reason.getCause() instanceof QmpProtocolException broken) {
            protocolError = broken;
            end(protocolErrorReason(client, broken), broken);
          } else {
            end("QMP connection lost: " + reason.getMessage(), reason);
          }
        }));
  }

  /**
   * Starts counting on {@code client}, a connection to the COLO primary.
   *
   * @throws QmpStateException if the {@code events} migration capability is off, so no
   *     checkpoint could ever be counted
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
   * @throws QmpStateException if the {@code events} migration capability is off
   * @throws QmpException if the capability check failed
   */
  public static QmpCheckpointCounter attach(QmpClient client, Duration livenessTimeout) {
    Objects.requireNonNull(client, "client");
    ParameterCheck.positive("livenessTimeout", livenessTimeout);
    // Subscribe first: an event between the check and the subscription would be lost.
    QmpCheckpointCounter counter = new QmpCheckpointCounter(client, livenessTimeout);
    try {
      QmpValue capabilities = client.call("query-migrate-capabilities", null);
      boolean events = false;
      for (QmpValue capability : capabilities) {
        if ("events".equals(capability.path("capability").asText())) {
          events = capability.path("state").asBoolean(false);
        }
      }
      if (!events) {
        throw new QmpStateException(
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

  /**
   * {@inheritDoc}
   *
   * <p>Also checks that QEMU is alive: at most every half liveness timeout it sends a cheap
   * {@code query-status} without waiting for it. A QEMU that is hung (SIGSTOP, a stuck main loop)
   * or behind a half-open TCP connection sends no events, which would read as 0 checkpoints/s
   * forever; once a probe has gone unanswered for the liveness timeout this method throws {@link
   * QmpTimeoutException} (the counter is unavailable, the loop retries and then applies its
   * fail-safe) until a probe is answered again.
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
    if (unanswered && now - unansweredSinceNanos >= livenessTimeoutNanos) {
      throw new QmpTimeoutException(
          PROBE + " (liveness probe; QEMU at " + client.address() + " hung or the connection half-open)",
          Duration.ofNanos(now - unansweredSinceNanos));
    }
    return checkpoints;
  }

  /** Sends a liveness probe if none is in flight and the last one is old enough. */
  private void probe(long now) {
    if (closed || probing.get() || now - lastProbeSentNanos < probeIntervalNanos
        || !probing.compareAndSet(false, true)) {
      return;
    }
    lastProbeSentNanos = now;
    if (!unanswered) {
      unansweredSinceNanos = now;
      unanswered = true;
    }
    client.execute(PROBE, null, livenessTimeout).whenComplete((status, failure) -> {
      Throwable cause = failure instanceof CompletionException wrapped ? wrapped.getCause() : failure;
      if (cause == null || cause instanceof QmpErrorException) {
        unanswered = false; // an error reply is an answer too
      }
      probing.set(false);
    });
  }

  @Override
  public long totalPauseNanos() {
    return totalPauseNanos;
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

  private void end(String reason, Throwable cause) {
    if (endReason == null) {
      endCause = cause;
      endReason = reason;
    }
  }

  /** The end reason of a connection closed by a protocol error; shared with the actuator. */
  static String protocolErrorReason(QmpClient client, QmpProtocolException error) {
    return "QMP protocol error from " + client.address() + ": " + error.getMessage();
  }
}
