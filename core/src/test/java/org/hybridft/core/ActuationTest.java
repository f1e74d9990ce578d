package org.hybridft.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.hybridft.testing.VirtualScheduler;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** The attempts, retries and fail-safe of {@link Actuation}, without a loop around it. */
class ActuationTest {
  private static final long SECOND = 1_000_000_000L;
  private static final long MS = 1_000_000L;

  private final VirtualScheduler scheduler = new VirtualScheduler(0);
  private final Object lock = new Object();
  private final RecordingOwner owner = new RecordingOwner();
  private final List<String> calls = new ArrayList<>();
  private int failuresLeft;

  /**
   * Records every outcome as one line; decides as a running loop would whose controller always
   * wants COLO with a checkpoint period of 500 ms.
   */
  private final class RecordingOwner implements Actuation.Owner {
    final List<String> heard = new ArrayList<>();
    final List<ControlLoopError.Kind> errors = new ArrayList<>();
    @Nullable Mode applied;
    @Nullable Actuation actuation;
    boolean stopped;
    boolean controlling = true;

    @Override
    public boolean stopped() {
      return stopped;
    }

    @Override
    public void onOutcome(Actuation.Outcome outcome) {
      hear(outcome);
    }

    void hear(Actuation.@Nullable Outcome outcome) {
      if (outcome instanceof Actuation.RetryDue) {
        if (controlling && !stopped && actuation != null) {
          if (applied != Mode.COLO) {
            hear(actuation.apply(Mode.COLO, 500 * MS, scheduler.getAsLong(), 3));
          } else {
            actuation.resetAttempts();
          }
        }
      } else if (outcome instanceof Actuation.Applied done) {
        heard.add("attempt " + done.mode() + " ok");
        applied = done.mode();
        heard.add("applied " + done.mode() + (done.failSafe() ? " (fail-safe)" : ""));
      } else if (outcome instanceof Actuation.Ended ended) {
        if (ended.attempted()) {
          heard.add("attempt " + ended.mode() + " failed");
        }
        heard.add("ended: " + ended.reason());
      } else if (outcome instanceof Actuation.Failed failed) {
        if (failed.attempted()) {
          heard.add("attempt " + failed.mode() + " failed");
        }
        errors.add(failed.kind());
        if (failed.kind() == ControlLoopError.Kind.ACTUATOR_GAVE_UP) {
          heard.add("gave up: " + failed.message());
        } else {
          heard.add(failed.kind() + ": " + failed.message() + " [" + failed.failure().getMessage()
              + "]");
        }
      }
    }

    @Override
    public void lockReleased() {}
  }

  /** An actuator that records its calls and fails while {@code failuresLeft > 0}. */
  private ModeActuator actuator() {
    return (mode, period) -> {
      calls.add(mode + " at " + scheduler.getAsLong() / MS + " ms every " + period / MS + " ms");
      if (failuresLeft > 0) {
        failuresLeft--;
        throw new IllegalStateException("QEMU said no");
      }
    };
  }

  private Actuation actuation(ModeActuator actuator, @Nullable Executor executor, int attempts,
      long retryBackoffNanos, long maxRetryBackoffNanos) {
    Actuation.Settings settings = new Actuation.Settings(actuator, scheduler);
    settings.clock = scheduler;
    settings.executor = executor;
    settings.attempts = attempts;
    settings.retryBackoffNanos = retryBackoffNanos;
    settings.maxRetryBackoffNanos = maxRetryBackoffNanos;
    Actuation actuation = new Actuation(settings, lock, owner);
    owner.actuation = actuation;
    return actuation;
  }

  /** The controller's COLO, with its 500 ms period, as the loop hands it over. */
  private void applyColo(Actuation actuation, long now) {
    owner.hear(actuation.apply(Mode.COLO, 500 * MS, now, 3));
  }

  /** The fail-safe CHECKPOINT, with the loop's fail-safe period of 100 ms. */
  private void applyFailSafe(Actuation actuation, long now) {
    owner.hear(actuation.applyFailSafe(Mode.CHECKPOINT, 100 * MS, now, 3));
  }

  private Actuation actuation(@Nullable Executor executor) {
    return actuation(actuator(), executor, 4, 100 * MS, 2 * SECOND);
  }

  @Test
  void aFailedAttemptIsRetriedWithDoublingBackoffUntilItSucceeds() {
    failuresLeft = 2;
    Actuation actuation = actuation(null);
    synchronized (lock) {
      applyColo(actuation, scheduler.getAsLong());
    }
    scheduler.advance(100 * MS);
    assertThat(owner.applied).isNull();
    scheduler.advance(199 * MS); // the second retry is due 200 ms after the first
    assertThat(calls).hasSize(2);
    scheduler.advance(MS);

    assertThat(calls).containsExactly(
        "COLO at 0 ms every 500 ms", "COLO at 100 ms every 500 ms", "COLO at 300 ms every 500 ms");
    assertThat(owner.errors).containsExactly(
        ControlLoopError.Kind.ACTUATOR_FAILED, ControlLoopError.Kind.ACTUATOR_FAILED);
    assertThat(owner.applied).isEqualTo(Mode.COLO);
    assertThat(actuation.busy()).isFalse();
  }

  @Test
  void afterItsLastAttemptItGivesUpAndTheFailSafeUsesItsOwnCheckpointPeriod() {
    failuresLeft = 3;
    Actuation actuation = actuation(actuator(), null, 3, 100 * MS, 2 * SECOND);
    synchronized (lock) {
      applyColo(actuation, scheduler.getAsLong());
    }
    scheduler.advance(SECOND);
    assertThat(owner.heard).last().isEqualTo("gave up: applying COLO failed 3 times; entering"
        + " fail-safe CHECKPOINT");
    synchronized (lock) {
      applyFailSafe(actuation, scheduler.getAsLong());
    }

    assertThat(calls).last().isEqualTo("CHECKPOINT at 1000 ms every 100 ms");
    assertThat(owner.heard).last().isEqualTo("applied CHECKPOINT (fail-safe)");
  }

  @Test
  void aFailedFailSafeIsReportedAndNotRetried() {
    failuresLeft = 1;
    Actuation actuation = actuation(null);
    synchronized (lock) {
      applyFailSafe(actuation, scheduler.getAsLong());
    }
    scheduler.advance(10 * SECOND);

    assertThat(owner.errors).containsExactly(ControlLoopError.Kind.FAIL_SAFE_FAILED);
    assertThat(calls).hasSize(1);
    assertThat(actuation.busy()).isFalse();
  }

  @Test
  void theRetryBackoffSaturatesAtItsMaximumHoweverManyAttempts() {
    List<Long> attemptTimes = new ArrayList<>();
    ModeActuator alwaysFails = (mode, period) -> {
      attemptTimes.add(scheduler.getAsLong());
      throw new IllegalStateException("QEMU said no");
    };
    long max = ParameterCheck.MAX_DURATION.toNanos();
    // 2^34 + 1 ns: shifted by 30 it wraps to 2^30 ns, a positive value below the maximum.
    Actuation actuation = actuation(alwaysFails, null, 40, (1L << 34) + 1, max);
    synchronized (lock) {
      applyColo(actuation, scheduler.getAsLong());
    }
    while (attemptTimes.size() < 34) {
      scheduler.advance(max / 4);
    }
    long previousGap = 0;
    for (int i = 1; i < attemptTimes.size(); i++) {
      long gap = attemptTimes.get(i) - attemptTimes.get(i - 1);
      assertThat(gap).as("the wait before attempt %d", i + 1)
          .isGreaterThanOrEqualTo(previousGap).isLessThanOrEqualTo(max);
      previousGap = gap;
    }
    assertThat(previousGap).isEqualTo(max);
  }

  @Test
  void anExecutorThatRefusesOrThrowsCountsAsAFailedAttempt() {
    AtomicInteger executions = new AtomicInteger();
    List<Runnable> queued = new ArrayList<>();
    Actuation actuation = actuation(task -> {
      int execution = executions.incrementAndGet();
      if (execution == 1) {
        throw new RejectedExecutionException("executor shut down");
      } else if (execution == 2) {
        throw new IllegalStateException("pool is broken");
      }
      queued.add(task);
    });
    synchronized (lock) {
      applyColo(actuation, scheduler.getAsLong());
    }
    scheduler.advance(300 * MS); // two retries
    queued.remove(0).run();

    assertThat(owner.heard).containsExactly(
        "ACTUATOR_FAILED: applying COLO failed (attempt 1 of 4); retrying in 100 ms"
            + " [executor shut down]",
        "ACTUATOR_FAILED: applying COLO failed (attempt 2 of 4); retrying in 200 ms"
            + " [pool is broken]",
        "attempt COLO ok",
        "applied COLO");
  }

  @Test
  void anErrorFromTheActuatorOnTheExecutorCountsAsAFailedAttempt() {
    List<Runnable> queued = new ArrayList<>();
    AtomicInteger attempts = new AtomicInteger();
    ModeActuator failsOnceWithAnError = (mode, period) -> {
      if (attempts.incrementAndGet() == 1) {
        throw new AssertionError("actuator bug");
      }
    };
    Actuation actuation = actuation(failsOnceWithAnError, queued::add, 4, 100 * MS, 2 * SECOND);
    synchronized (lock) {
      applyColo(actuation, scheduler.getAsLong());
    }
    queued.remove(0).run();
    scheduler.advance(100 * MS);
    queued.remove(0).run();

    assertThat(owner.heard).containsExactly(
        "attempt COLO failed",
        "ACTUATOR_FAILED: applying COLO failed (attempt 1 of 4); retrying in 100 ms"
            + " [actuator bug]",
        "attempt COLO ok",
        "applied COLO");
  }

  @Test
  void anAttemptTheExecutorDidNotStartByItsDeadlineFailsAndNeverCallsTheActuator() {
    List<Runnable> queued = new ArrayList<>();
    Actuation actuation = actuation(queued::add);
    synchronized (lock) {
      applyColo(actuation, scheduler.getAsLong());
      owner.hear(actuation.expireUnstarted(9 * SECOND));
      assertThat(owner.errors).as("within the 10 s deadline").isEmpty();
      owner.hear(actuation.expireUnstarted(10 * SECOND));
    }
    assertThat(owner.heard).singleElement().asString()
        .contains("did not start the actuation within 10000 ms");
    scheduler.advance(100 * MS); // the retry queues a new attempt
    queued.remove(0).run(); // the late one: abandoned
    assertThat(calls).isEmpty();
    queued.remove(0).run();

    assertThat(calls).hasSize(1);
    assertThat(owner.applied).isEqualTo(Mode.COLO);
  }

  @Test
  void stoppingCancelsTheRetryAndAbandonsAQueuedAttempt() {
    List<Runnable> queued = new ArrayList<>();
    failuresLeft = 1;
    Actuation inline = actuation(null);
    Actuation onExecutor = actuation(queued::add);
    synchronized (lock) {
      applyColo(inline, 0);
      applyColo(onExecutor, 0);
      inline.stop();
      onExecutor.stop();
    }
    scheduler.advance(10 * SECOND);
    queued.remove(0).run();

    assertThat(scheduler.pendingTasks()).isZero();
    assertThat(calls).hasSize(1);
    assertThat(inline.busy()).isFalse();
    assertThat(onExecutor.busy()).isFalse();
  }

  @Test
  void aRetryDueWhileTheLoopIsNotControllingDoesNothing() {
    failuresLeft = 1;
    Actuation actuation = actuation(null);
    synchronized (lock) {
      applyColo(actuation, 0);
    }
    owner.controlling = false; // the loop entered its fail-safe meanwhile
    scheduler.advance(SECOND);

    assertThat(calls).hasSize(1);
  }

  @Test
  void theEndOfTheReplicationFromTheActuatorIsPassedOn() {
    Actuation actuation = actuation((mode, period) -> {
      throw new ReplicationEndedException("COLO_EXIT primary: error");
    }, null, 4, 100 * MS, 2 * SECOND);
    synchronized (lock) {
      applyColo(actuation, 0);
    }
    scheduler.advance(SECOND);

    assertThat(owner.heard).containsExactly("attempt COLO failed", "ended: COLO_EXIT primary: error");
  }
}
