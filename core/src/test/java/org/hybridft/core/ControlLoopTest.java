package org.hybridft.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.hybridft.core.testing.ScriptedController;
import org.hybridft.testing.VirtualScheduler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

// Several tests wait on other threads: one that would wait forever fails instead of hanging the
// build (its thread is left behind, so the timeout runs the test on a thread of its own).
@Timeout(value = 20, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ControlLoopTest {
  private static final long SECOND = 1_000_000_000L;

  /** Records every actuator call; can be told to fail. */
  private static final class RecordingActuator implements ModeActuator {
    final List<Mode> applied = new ArrayList<>();
    int failuresLeft;
    Mode failFor;

    @Override
    public void apply(Mode mode, long checkpointPeriodNanos) {
      if (failuresLeft > 0 && (failFor == null || failFor == mode)) {
        failuresLeft--;
        throw new IllegalStateException("QEMU said no");
      }
      applied.add(mode);
    }
  }

  private static final class RecordingListener implements ControlLoop.Listener {
    final List<String> switches = new ArrayList<>();
    final List<ControlLoopError> errors = new ArrayList<>();
    final List<String> ended = new ArrayList<>();
    final List<ControlLoop.StateChange> states = new ArrayList<>();
    int ticks;

    @Override
    public void onTick(long nowNanos, Mode mode, double cps, double downtimeRatio) {
      ticks++;
    }

    @Override
    public void onModeSwitch(long nowNanos, Mode from, Mode to, double cps) {
      switches.add(from + "->" + to);
    }

    @Override
    public void onError(ControlLoopError error) {
      errors.add(error);
    }

    @Override
    public void onStateChanged(ControlLoop.StateChange change) {
      states.add(change);
      if (change.to() == ControlLoop.State.ENDED) {
        ended.add(change.reason());
      }
    }

    List<String> transitions() {
      return states.stream().map(change -> change.from() + "->" + change.to()).toList();
    }
  }

  private final VirtualScheduler scheduler = new VirtualScheduler(1_000 * SECOND);
  private final AtomicLong checkpoints = new AtomicLong();
  private final RecordingActuator actuator = new RecordingActuator();
  private final RecordingListener listener = new RecordingListener();

  private ControlLoop.Builder loop(ModeController controller, CheckpointCounter counter) {
    return ControlLoop.builder(controller, counter, actuator, scheduler)
        .clock(scheduler)
        .addListener(listener);
  }

  @Test
  void actuatorIsCalledOnceAtStartAndOncePerModeChange() {
    ScriptedController controller =
        new ScriptedController(
            Mode.COLO, Mode.COLO, Mode.CHECKPOINT, Mode.CHECKPOINT, Mode.COLO, Mode.COLO,
            Mode.CHECKPOINT);
    ControlLoop loop = loop(controller, checkpoints::get).build();
    loop.start();
    scheduler.advance(10 * SECOND);

    assertThat(actuator.applied)
        .containsExactly(Mode.COLO, Mode.CHECKPOINT, Mode.COLO, Mode.CHECKPOINT);
    assertThat(listener.switches).containsExactly("COLO->CHECKPOINT", "CHECKPOINT->COLO", "COLO->CHECKPOINT");
    assertThat(loop.appliedMode()).isEqualTo(Mode.CHECKPOINT);
    loop.close();
  }

  @Test
  void controllerSeesTheRateMeasuredOverEachPeriod() {
    ScriptedController controller = new ScriptedController(Mode.COLO, Mode.COLO);
    // Three checkpoints per second, counted in memory.
    scheduler.scheduleAtFixedRate(
        () -> checkpoints.incrementAndGet(), SECOND / 6, SECOND / 3, TimeUnit.NANOSECONDS);
    ControlLoop loop = loop(controller, checkpoints::get).build();
    loop.start();
    scheduler.advance(5 * SECOND);

    assertThat(controller.ratesSeen()).hasSize(5).allSatisfy(cps -> assertThat(cps).isEqualTo(3.0));
    loop.close();
  }

  @Test
  void downtimeRatioComesFromTheCountersPauseTotal() {
    AtomicLong pause = new AtomicLong();
    CheckpointCounter counter =
        new CheckpointCounter() {
          @Override
          public long checkpoints() {
            return checkpoints.get();
          }

          @Override
          public long totalPauseNanos() {
            return pause.get();
          }
        };
    ControlLoop loop = loop(new ScriptedController(Mode.COLO, Mode.COLO), counter).build();
    loop.start();
    scheduler.advance(1);
    // 100 ms of pause per second of wall time.
    scheduler.scheduleAtFixedRate(
        () -> pause.addAndGet(SECOND / 10), SECOND / 2, SECOND, TimeUnit.NANOSECONDS);
    scheduler.advance(10 * SECOND);

    assertThat(loop.downtimeRatio()).isCloseTo(0.1, org.assertj.core.data.Offset.offset(1e-9));
    loop.close();
  }

  @Test
  void actuatorThatKeepsFailingLeadsToTheFailSafeModeAndAnErrorEvent() {
    actuator.failuresLeft = Integer.MAX_VALUE;
    actuator.failFor = Mode.COLO;
    ScriptedController controller = new ScriptedController(Mode.CHECKPOINT, Mode.COLO);
    ControlLoop loop =
        loop(controller, checkpoints::get)
            .actuatorAttempts(3)
            .failSafeHold(Duration.ofSeconds(30))
            .build();
    loop.start();
    scheduler.advance(5 * SECOND);

    assertThat(loop.state()).isEqualTo(ControlLoop.State.FAIL_SAFE);
    assertThat(loop.appliedMode()).isEqualTo(Mode.CHECKPOINT);
    assertThat(listener.errors)
        .extracting(ControlLoopError::kind)
        .containsExactly(
            ControlLoopError.Kind.ACTUATOR_FAILED,
            ControlLoopError.Kind.ACTUATOR_FAILED,
            ControlLoopError.Kind.ACTUATOR_GAVE_UP);
    assertThat(listener.errors.get(2).cause()).hasMessage("QEMU said no");

    // After the hold, control resumes and tries the controller's mode again.
    scheduler.advance(30 * SECOND);
    assertThat(listener.errors.size()).isGreaterThan(3);
    loop.close();
  }

  @Test
  void theListenersHearEachActuationWithItsDurationAndEveryStateChangeWithItsReason() {
    AtomicLong actuationTime = new AtomicLong();
    List<String> heard = new ArrayList<>();
    ModeActuator refusesColo =
        (mode, period) -> {
          actuationTime.addAndGet(30_000_000L);
          if (mode == Mode.COLO) {
            throw new IllegalStateException("QEMU said no");
          }
        };
    ControlLoop loop =
        ControlLoop.builder(new ScriptedController(Mode.CHECKPOINT, Mode.COLO), checkpoints::get,
                refusesColo, scheduler)
            .clock(() -> scheduler.getAsLong() + actuationTime.get())
            .actuatorAttempts(2)
            .failSafeHold(Duration.ofSeconds(3))
            .addListener(
                new ControlLoop.Listener() {
                  @Override
                  public void onActuation(long nowNanos, Mode mode, long durationNanos,
                      boolean succeeded) {
                    heard.add("actuation " + mode + " " + durationNanos / 1_000_000 + " ms "
                        + (succeeded ? "ok" : "failed"));
                  }

                  @Override
                  public void onStateChanged(ControlLoop.StateChange change) {
                    String reason = change.reason().replaceFirst(
                        "held for [0-9]{4,} ms", "held for over 3 s"); // the hold, to the tick
                    heard.add(change.from() + "->" + change.to() + " " + reason
                        + (change.cause() == null ? "" : " (" + change.cause() + ")"));
                  }
                })
            .build();
    loop.start();
    scheduler.advance(5 * SECOND);
    loop.close();

    assertThat(heard)
        .startsWith(
            "NEW->RUNNING started",
            "actuation CHECKPOINT 30 ms ok",
            "actuation COLO 30 ms failed",
            "actuation COLO 30 ms failed",
            "RUNNING->FAIL_SAFE applying COLO failed 2 times; entering fail-safe CHECKPOINT"
                + " (ACTUATOR_GAVE_UP)",
            "actuation CHECKPOINT 30 ms ok",
            "FAIL_SAFE->RUNNING fail-safe CHECKPOINT held for over 3 s; the controller decides"
                + " again")
        .endsWith("RUNNING->CLOSED closed");
  }

  @Test
  void unreadableCounterLeadsToTheFailSafeModeAfterTheTimeout() {
    AtomicInteger reads = new AtomicInteger();
    CheckpointCounter counter =
        () -> {
          if (reads.incrementAndGet() > 2) {
            throw new IllegalStateException("QMP connection busy");
          }
          return 0;
        };
    ControlLoop loop =
        loop(new ScriptedController(Mode.COLO, Mode.COLO), counter)
            .counterTimeout(Duration.ofSeconds(3))
            .build();
    loop.start();
    scheduler.advance(3 * SECOND);
    assertThat(loop.state()).isEqualTo(ControlLoop.State.RUNNING);
    assertThat(actuator.applied).containsExactly(Mode.COLO);
    scheduler.advance(2 * SECOND);

    assertThat(loop.state()).isEqualTo(ControlLoop.State.FAIL_SAFE);
    assertThat(actuator.applied).containsExactly(Mode.COLO, Mode.CHECKPOINT);
    assertThat(listener.errors)
        .extracting(ControlLoopError::kind)
        .contains(ControlLoopError.Kind.COUNTER_READ_FAILED, ControlLoopError.Kind.COUNTER_UNAVAILABLE);
    loop.close();
  }

  @Test
  void replicationEndedStopsTheLoopAndIsReported() {
    AtomicInteger reads = new AtomicInteger();
    CheckpointCounter counter =
        () -> {
          if (reads.incrementAndGet() == 4) {
            throw new ReplicationEndedException("COLO_EXIT primary: error");
          }
          return 0;
        };
    ControlLoop loop = loop(new ScriptedController(Mode.COLO, Mode.COLO), counter).build();
    long started = scheduler.getAsLong();
    loop.start();
    scheduler.advance(10 * SECOND);

    assertThat(loop.state()).isEqualTo(ControlLoop.State.ENDED);
    assertThat(listener.ended).containsExactly("COLO_EXIT primary: error");
    assertThat(listener.transitions()).containsExactly("NEW->RUNNING", "RUNNING->ENDED");
    assertThat(listener.states.get(1).atNanos()).isEqualTo(started + 3 * SECOND);
    loop.close();
    assertThat(listener.transitions()).as("ENDED is final: close() changes nothing")
        .containsExactly("NEW->RUNNING", "RUNNING->ENDED");
    assertThat(reads).hasValue(4);
    assertThat(scheduler.pendingTasks()).isZero();
  }

  @Test
  void closeStopsAllCallsToThePorts() {
    AtomicInteger reads = new AtomicInteger();
    ScriptedController controller = new ScriptedController(Mode.COLO, Mode.CHECKPOINT, Mode.COLO);
    ControlLoop loop =
        loop(controller, () -> { reads.incrementAndGet(); return 0; }).build();
    loop.start();
    scheduler.advance(3 * SECOND);
    loop.close();
    int readsAtClose = reads.get();
    int appliedAtClose = actuator.applied.size();
    scheduler.advance(60 * SECOND);

    assertThat(reads).hasValue(readsAtClose);
    assertThat(actuator.applied).hasSize(appliedAtClose);
    assertThat(loop.state()).isEqualTo(ControlLoop.State.CLOSED);
    assertThat(scheduler.pendingTasks()).isZero();
    loop.close(); // idempotent
  }

  @Test
  void closeCancelsAPendingRetry() {
    actuator.failuresLeft = Integer.MAX_VALUE;
    actuator.failFor = Mode.CHECKPOINT;
    ControlLoop loop =
        loop(new ScriptedController(Mode.COLO, Mode.CHECKPOINT), checkpoints::get).build();
    loop.start();
    scheduler.advance(SECOND);
    assertThat(scheduler.pendingTasks()).isEqualTo(2); // tick + retry
    loop.close();
    assertThat(scheduler.pendingTasks()).isZero();
  }

  @Test
  void closeFromAnotherThreadWaitsForARunningTick() throws Exception {
    ScheduledThreadPoolExecutor realScheduler = new ScheduledThreadPoolExecutor(1);
    CountDownLatch tickStarted = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger ticksFinished = new AtomicInteger();
    AtomicInteger reads = new AtomicInteger();
    CheckpointCounter slowCounter =
        () -> {
          if (reads.incrementAndGet() == 2) {
            tickStarted.countDown();
            try {
              release.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          return 0;
        };
    ControlLoop loop =
        ControlLoop.builder(new ScriptedController(Mode.COLO, Mode.COLO), slowCounter, actuator, realScheduler)
            .period(Duration.ofMillis(10))
            .addListener(
                new ControlLoop.Listener() {
                  @Override
                  public void onTick(long nowNanos, Mode mode, double cps, double ratio) {
                    ticksFinished.incrementAndGet();
                  }
                })
            .build();
    try {
      loop.start();
      assertThat(tickStarted.await(5, TimeUnit.SECONDS)).isTrue();
      Thread closer = new Thread(loop::close);
      closer.start();
      closer.join(200);
      assertThat(closer.isAlive()).as("close() waits for the running tick").isTrue();
      release.countDown();
      closer.join(5_000);
      assertThat(closer.isAlive()).isFalse();
      Thread.sleep(50);
      // No port call after close(); the one measured tick's event may arrive after close returns
      // (listeners run outside the lock), but no later tick's.
      assertThat(reads).hasValue(2);
      assertThat(ticksFinished.get()).isLessThanOrEqualTo(1);
    } finally {
      release.countDown();
      realScheduler.shutdownNow();
    }
  }

  @Test
  void tenThousandLoopsShareOneVirtualScheduler() {
    int loops = 10_000;
    AtomicLong applies = new AtomicLong();
    List<ControlLoop> all = new ArrayList<>(loops);
    AtomicLong[] counters = new AtomicLong[loops];
    for (int i = 0; i < loops; i++) {
      AtomicLong count = new AtomicLong();
      counters[i] = count;
      ControlLoop loop =
          ControlLoop.builder(
                  new ScriptedController(Mode.COLO, Mode.COLO),
                  count::get,
                  (mode, period) -> applies.incrementAndGet(), scheduler)
              .clock(scheduler)
              .startDelay(Duration.ofNanos(i * (SECOND / loops)))
              .build();
      loop.start();
      all.add(loop);
    }
    scheduler.advance(10 * SECOND);

    assertThat(applies).hasValue(loops);
    assertThat(all).allSatisfy(loop -> assertThat(loop.state()).isEqualTo(ControlLoop.State.RUNNING));
    all.forEach(ControlLoop::close);
    assertThat(scheduler.pendingTasks()).isZero();
  }

  @Test
  void tenThousandLoopsAllTickOnARealTwoThreadScheduler() throws Exception {
    int loops = 10_000;
    ScheduledThreadPoolExecutor twoThreads = new ScheduledThreadPoolExecutor(2);
    twoThreads.setRemoveOnCancelPolicy(true);
    AtomicInteger[] ticks = new AtomicInteger[loops];
    List<ControlLoop> all = new ArrayList<>(loops);
    try {
      for (int i = 0; i < loops; i++) {
        AtomicInteger tickCount = new AtomicInteger();
        ticks[i] = tickCount;
        ControlLoop loop =
            ControlLoop.builder(new ScriptedController(Mode.COLO, Mode.COLO), () -> 0, (m, p) -> {}, twoThreads)
                .period(Duration.ofMillis(100))
                .startDelay(Duration.ofNanos(i * 10_000L))
                .addListener(
                    new ControlLoop.Listener() {
                      @Override
                      public void onTick(long nowNanos, Mode mode, double cps, double ratio) {
                        tickCount.incrementAndGet();
                      }
                    })
                .build();
        loop.start();
        all.add(loop);
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (System.nanoTime() < deadline && !allAtLeast(ticks, 3)) {
        Thread.sleep(50);
      }
      assertThat(allAtLeast(ticks, 3)).as("every loop ticked at least 3 times").isTrue();
    } finally {
      all.forEach(ControlLoop::close);
      twoThreads.shutdown();
      assertThat(twoThreads.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(twoThreads.getQueue()).isEmpty();
  }

  private static boolean allAtLeast(AtomicInteger[] ticks, int n) {
    for (AtomicInteger tick : ticks) {
      if (tick.get() < n) {
        return false;
      }
    }
    return true;
  }

  @Test
  void everyListenerGetsEveryEventInTheSameOrder() {
    RecordingListener second = new RecordingListener();
    List<String> order = new ArrayList<>();
    ControlLoop.Listener throwing = new ControlLoop.Listener() {
      @Override
      public void onModeSwitch(long nowNanos, Mode from, Mode to, double cps) {
        order.add("throwing " + to);
        throw new IllegalStateException("a user's listener failed");
      }
    };
    ControlLoop loop =
        loop(new ScriptedController(Mode.COLO, Mode.CHECKPOINT, Mode.COLO), checkpoints::get)
            .addListener(throwing)
            .addListener(second)
            .addListener(new ControlLoop.Listener() {
              @Override
              public void onModeSwitch(long nowNanos, Mode from, Mode to, double cps) {
                order.add("last " + to);
              }
            })
            .build();
    loop.start();
    scheduler.advance(3 * SECOND);
    loop.close();

    assertThat(second.switches).containsExactly("COLO->CHECKPOINT", "CHECKPOINT->COLO")
        .isEqualTo(listener.switches);
    assertThat(second.ticks).isEqualTo(listener.ticks).isEqualTo(3);
    assertThat(second.transitions()).containsExactly("NEW->RUNNING", "RUNNING->CLOSED")
        .isEqualTo(listener.transitions());
    assertThat(order).containsExactly(
        "throwing CHECKPOINT", "last CHECKPOINT", "throwing COLO", "last COLO");
  }

  @Test
  void aListenerAddedWhileRunningHearsWhatFollowsAndNothingOnceRemoved() {
    ControlLoop loop =
        ControlLoop.builder(new ScriptedController(Mode.COLO, Mode.CHECKPOINT, Mode.COLO),
                checkpoints::get, actuator, scheduler)
            .clock(scheduler)
            .build();
    loop.start();
    scheduler.advance(SECOND); // the first measured tick: COLO -> CHECKPOINT, unheard
    RecordingListener late = new RecordingListener();
    loop.addListener(late);
    scheduler.advance(SECOND); // CHECKPOINT -> COLO
    assertThat(loop.removeListener(late)).isTrue();
    assertThat(loop.removeListener(late)).as("removed already").isFalse();
    scheduler.advance(3 * SECOND);
    loop.close();

    assertThat(late.switches).containsExactly("CHECKPOINT->COLO");
    assertThat(late.ticks).isEqualTo(1);
    assertThat(late.states).isEmpty();
  }

  @Test
  void theCounterComingBackEndsTheFailSafeWithAStateChange() {
    AtomicInteger reads = new AtomicInteger();
    CheckpointCounter flaky = () -> {
      int read = reads.incrementAndGet();
      if (read > 2 && read <= 6) {
        throw new IllegalStateException("QMP connection busy");
      }
      return 0;
    };
    ControlLoop loop =
        loop(new ScriptedController(Mode.COLO, Mode.COLO), flaky)
            .counterTimeout(Duration.ofSeconds(2))
            .failSafeHold(Duration.ofSeconds(5))
            .build();
    loop.start();
    scheduler.advance(20 * SECOND);
    loop.close();

    assertThat(listener.transitions())
        .containsExactly("NEW->RUNNING", "RUNNING->FAIL_SAFE", "FAIL_SAFE->RUNNING", "RUNNING->CLOSED");
    ControlLoop.StateChange entered = listener.states.get(1);
    assertThat(entered.cause()).isEqualTo(ControlLoopError.Kind.COUNTER_UNAVAILABLE);
    assertThat(entered.reason()).contains("checkpoint counter unreadable");
    assertThat(listener.states.get(2).cause()).isNull();
    assertThat(listener.states.get(2).atNanos()).isGreaterThan(entered.atNanos());
    assertThat(actuator.applied).containsExactly(Mode.COLO, Mode.CHECKPOINT, Mode.COLO);
  }

  @Test
  void closingALoopThatNeverStartedIsAStateChangeToClosed() {
    ControlLoop loop = loop(new ScriptedController(Mode.COLO, Mode.COLO), checkpoints::get).build();
    loop.close();
    loop.close();

    assertThat(listener.transitions()).containsExactly("NEW->CLOSED");
  }

  @Test
  void theFailSafeModeIsAppliedWithTheLoopsCheckpointPeriodNotTheControllers() {
    List<String> calls = new ArrayList<>();
    ModeActuator coloRefused = (mode, period) -> {
      calls.add(mode + " every " + period / 1_000_000 + " ms");
      if (mode == Mode.COLO) {
        throw new IllegalStateException("QEMU said no");
      }
    };
    ControlLoop loop =
        ControlLoop.builder(new ScriptedController(Mode.CHECKPOINT, Mode.COLO), checkpoints::get,
                coloRefused, scheduler)
            .clock(scheduler)
            .actuatorAttempts(1)
            .failSafeCheckpointPeriod(Duration.ofMillis(100))
            .build();
    loop.start();
    scheduler.advance(SECOND);
    loop.close();

    // The controller's period is 500 ms; the fail-safe's is the loop's.
    assertThat(calls).containsExactly(
        "CHECKPOINT every 500 ms", "COLO every 500 ms", "CHECKPOINT every 100 ms");
    assertThat(loop.state()).isEqualTo(ControlLoop.State.CLOSED);
  }

  @Test
  void startTwiceIsRejected() {
    ControlLoop loop = loop(new ScriptedController(Mode.COLO, Mode.COLO), checkpoints::get).build();
    loop.start();
    assertThatThrownBy(loop::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("RUNNING");
    loop.close();
  }

  @Test
  void builderRejectsInvalidSettingsNamingTheParameter() {
    ControlLoop.Builder builder =
        ControlLoop.builder(new ScriptedController(Mode.COLO, Mode.COLO), () -> 0, (m, p) -> {},
            scheduler);
    assertThatThrownBy(() -> builder.period(Duration.ZERO)).hasMessageContaining("period");
    assertThatThrownBy(() -> builder.actuatorAttempts(0)).hasMessageContaining("actuatorAttempts");
    assertThatThrownBy(() -> builder.retryBackoff(Duration.ofSeconds(3), Duration.ofSeconds(1)))
        .hasMessageContaining("maxRetryBackoff");
    assertThatThrownBy(() -> builder.counterTimeout(Duration.ofSeconds(-1)))
        .hasMessageContaining("counterTimeout");
    assertThatThrownBy(() -> builder.startDelay(Duration.ofSeconds(-1)))
        .hasMessageContaining("startDelay");
    assertThatThrownBy(() -> builder.failSafeHold(Duration.ofDays(1_000_000)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("failSafeHold")
        .hasMessageContaining("at most");
    assertThatThrownBy(() -> builder.failSafeCheckpointPeriod(Duration.ZERO))
        .hasMessageContaining("failSafeCheckpointPeriod");
  }

  @Test
  void aMissingSchedulerIsRejectedByTheBuilderNamingIt() {
    assertThatThrownBy(() -> ControlLoop.builder(
            new ScriptedController(Mode.COLO, Mode.COLO), () -> 0, (m, p) -> {}, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("scheduler must not be null");
  }

  @Test
  void asyncActuationLeavesTheTickAndSwitchesWhenItCompletes() {
    List<Runnable> actuations = new ArrayList<>();
    ScriptedController controller =
        new ScriptedController(Mode.COLO, Mode.CHECKPOINT, Mode.COLO, Mode.COLO, Mode.COLO);
    ControlLoop loop = loop(controller, checkpoints::get).actuationExecutor(actuations::add).build();
    loop.start();
    scheduler.advance(0);
    assertThat(actuator.applied).isEmpty(); // the tick only queued the initial actuation
    assertThat(actuations).hasSize(1);
    actuations.remove(0).run();
    assertThat(actuator.applied).containsExactly(Mode.COLO);

    scheduler.advance(SECOND); // wants CHECKPOINT: queued
    scheduler.advance(SECOND); // wants COLO again while CHECKPOINT is in flight: nothing new
    assertThat(actuations).hasSize(1);
    actuations.remove(0).run();
    assertThat(actuator.applied).containsExactly(Mode.COLO, Mode.CHECKPOINT);
    assertThat(listener.switches).containsExactly("COLO->CHECKPOINT");

    scheduler.advance(SECOND); // the controller wants COLO: the next tick starts it
    assertThat(actuations).hasSize(1);
    actuations.remove(0).run();
    assertThat(loop.appliedMode()).isEqualTo(Mode.COLO);
    loop.close();
  }

  @Test
  void asyncActuationFailuresAreRetriedThenLeadToTheFailSafeMode() {
    actuator.failuresLeft = Integer.MAX_VALUE;
    actuator.failFor = Mode.COLO;
    ControlLoop loop =
        loop(new ScriptedController(Mode.CHECKPOINT, Mode.COLO), checkpoints::get)
            .actuationExecutor(scheduler::execute)
            .actuatorAttempts(3)
            .build();
    loop.start();
    scheduler.advance(5 * SECOND);

    assertThat(loop.state()).isEqualTo(ControlLoop.State.FAIL_SAFE);
    assertThat(loop.appliedMode()).isEqualTo(Mode.CHECKPOINT);
    assertThat(listener.errors)
        .extracting(ControlLoopError::kind)
        .containsExactly(
            ControlLoopError.Kind.ACTUATOR_FAILED,
            ControlLoopError.Kind.ACTUATOR_FAILED,
            ControlLoopError.Kind.ACTUATOR_GAVE_UP);
    loop.close();
  }

  @Test
  void anActuationCompletingAfterCloseIsIgnored() {
    List<Runnable> actuations = new ArrayList<>();
    ControlLoop loop =
        loop(new ScriptedController(Mode.COLO, Mode.COLO), checkpoints::get)
            .actuationExecutor(actuations::add)
            .build();
    loop.start();
    scheduler.advance(0);
    loop.close();
    actuations.remove(0).run(); // the actuator call itself was already under way

    assertThat(loop.appliedMode()).isNull();
    assertThat(listener.switches).isEmpty();
    assertThat(loop.state()).isEqualTo(ControlLoop.State.CLOSED);
  }

  @Test
  void aClockGoingBackwardsIsReportedAndTheLoopKeepsTicking() {
    boolean[] backwards = {false};
    ControlLoop loop =
        ControlLoop.builder(new ScriptedController(Mode.COLO, Mode.COLO), checkpoints::get, actuator, scheduler)
            .clock(() -> scheduler.getAsLong() - (backwards[0] ? 30 * SECOND : 0))
            .addListener(listener)
            .build();
    loop.start();
    scheduler.advance(3 * SECOND);
    int ticksBefore = listener.ticks;
    backwards[0] = true;
    scheduler.advance(3 * SECOND);

    assertThat(listener.errors).isNotEmpty();
    assertThat(listener.errors).extracting(ControlLoopError::kind).containsOnly(ControlLoopError.Kind.CONTROLLER_FAILED);
    assertThat(loop.state()).isEqualTo(ControlLoop.State.RUNNING);
    assertThat(scheduler.pendingTasks()).isEqualTo(1); // the periodic tick is still scheduled
    backwards[0] = false;
    scheduler.advance(40 * SECOND);
    assertThat(listener.ticks).isGreaterThan(ticksBefore);
    loop.close();
  }

  @Test
  void aCounterUnreadableFromTheStartKeepsTheFailSafeModeWhenItComesBack() {
    AtomicInteger reads = new AtomicInteger();
    CheckpointCounter lateCounter =
        () -> {
          if (reads.incrementAndGet() <= 4) {
            throw new IllegalStateException("QMP not connected yet");
          }
          return 0;
        };
    ControlLoop loop =
        loop(new ScriptedController(Mode.COLO, Mode.COLO), lateCounter)
            .counterTimeout(Duration.ofSeconds(2))
            .failSafeHold(Duration.ofSeconds(30))
            .build();
    loop.start();
    scheduler.advance(6 * SECOND);

    assertThat(loop.state()).isEqualTo(ControlLoop.State.FAIL_SAFE);
    assertThat(actuator.applied).containsOnly(Mode.CHECKPOINT);
    loop.close();
  }

  @Test
  void aListenerThrowingAnErrorDoesNotStopTheLoop() {
    int[] ticks = {0};
    ControlLoop loop =
        ControlLoop.builder(new ScriptedController(Mode.COLO, Mode.COLO), checkpoints::get, actuator, scheduler)
            .clock(scheduler)
            .addListener(new ControlLoop.Listener() {
              @Override
              public void onTick(long nowNanos, Mode mode, double cps, double ratio) {
                ticks[0]++;
                throw new AssertionError("a user's listener failed");
              }
            })
            .build();
    loop.start();
    scheduler.advance(5 * SECOND);
    assertThat(ticks[0]).isEqualTo(5);
    assertThat(scheduler.pendingTasks()).isEqualTo(1);
    loop.close();
  }

  @Test
  void anActuationTheExecutorDropsIsDetectedByItsDeadlineAndLeadsToTheFailSafeMode() {
    ControlLoop loop =
        loop(new ScriptedController(Mode.COLO, Mode.COLO), checkpoints::get)
            .actuationExecutor(dropped -> {}) // a DiscardPolicy, or a pool after shutdownNow()
            .actuatorAttempts(2)
            .build();
    loop.start();
    scheduler.advance(120 * SECOND);

    assertThat(listener.errors)
        .extracting(ControlLoopError::kind)
        .startsWith(ControlLoopError.Kind.ACTUATOR_FAILED, ControlLoopError.Kind.ACTUATOR_GAVE_UP)
        .contains(ControlLoopError.Kind.FAIL_SAFE_FAILED);
    assertThat(listener.errors.get(0).message()).contains("did not start");
    assertThat(loop.state()).isEqualTo(ControlLoop.State.FAIL_SAFE);
    assertThat(loop.appliedMode()).isNull();
    loop.close();
  }

  @Test
  void closeReturnsWhileAListenerBlocks() throws Exception {
    ScheduledThreadPoolExecutor realScheduler = new ScheduledThreadPoolExecutor(1);
    CountDownLatch listenerBlocked = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ControlLoop loop =
        ControlLoop.builder(new ScriptedController(Mode.COLO, Mode.COLO), checkpoints::get, actuator, realScheduler)
            .period(Duration.ofMillis(10))
            .addListener(new ControlLoop.Listener() {
              @Override
              public void onTick(long nowNanos, Mode mode, double cps, double ratio) {
                listenerBlocked.countDown();
                try {
                  release.await(); // a terminal that stopped reading
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
            })
            .build();
    try {
      loop.start();
      assertThat(listenerBlocked.await(5, TimeUnit.SECONDS)).isTrue();
      java.util.concurrent.CompletableFuture.runAsync(loop::close).get(5, TimeUnit.SECONDS);
      assertThat(loop.state()).isEqualTo(ControlLoop.State.CLOSED);
    } finally {
      release.countDown();
      realScheduler.shutdownNow();
    }
  }

  @Test
  void aListenerBlockedOnItsOwnExecutorDoesNotStopTheFailSafe() throws Exception {
    java.util.concurrent.ExecutorService listenerThread = Executors.newSingleThreadExecutor();
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger reads = new AtomicInteger();
    CheckpointCounter failingCounter = () -> {
      if (reads.incrementAndGet() > 2) {
        throw new IllegalStateException("QMP connection busy");
      }
      return 0;
    };
    try {
      ControlLoop loop =
          ControlLoop.builder(new ScriptedController(Mode.COLO, Mode.COLO), failingCounter, actuator, scheduler)
              .clock(scheduler)
              .counterTimeout(Duration.ofSeconds(3))
              .listenerExecutor(listenerThread)
              .addListener(new ControlLoop.Listener() {
                @Override
                public void onTick(long nowNanos, Mode mode, double cps, double ratio) {
                  try {
                    release.await();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }
              })
              .build();
      loop.start();
      scheduler.advance(10 * SECOND);

      assertThat(loop.state()).isEqualTo(ControlLoop.State.FAIL_SAFE);
      assertThat(actuator.applied).containsExactly(Mode.COLO, Mode.CHECKPOINT);
      loop.close();
    } finally {
      release.countDown();
      listenerThread.shutdownNow();
    }
  }

  @Test
  void listenerEventsAreDeliveredInOrderOnTheListenerExecutor() throws Exception {
    java.util.concurrent.ExecutorService listenerThread = Executors.newSingleThreadExecutor();
    List<String> events = java.util.Collections.synchronizedList(new ArrayList<>());
    CountDownLatch ended = new CountDownLatch(1);
    AtomicInteger reads = new AtomicInteger();
    CheckpointCounter counter = () -> {
      if (reads.incrementAndGet() == 4) {
        throw new ReplicationEndedException("failover");
      }
      return 0;
    };
    try {
      ControlLoop loop =
          ControlLoop.builder(new ScriptedController(Mode.COLO, Mode.CHECKPOINT), counter, actuator, scheduler)
              .clock(scheduler)
              .listenerExecutor(listenerThread)
              .addListener(new ControlLoop.Listener() {
                @Override
                public void onTick(long nowNanos, Mode mode, double cps, double ratio) {
                  events.add("tick " + mode);
                }

                @Override
                public void onModeSwitch(long nowNanos, Mode from, Mode to, double cps) {
                  events.add(from + "->" + to);
                }

                @Override
                public void onStateChanged(ControlLoop.StateChange change) {
                  events.add(change.to() + " " + change.reason());
                  if (change.to() == ControlLoop.State.ENDED) {
                    ended.countDown();
                  }
                }
              })
              .build();
      loop.start();
      scheduler.advance(10 * SECOND);
      assertThat(ended.await(5, TimeUnit.SECONDS)).isTrue();

      assertThat(events).containsExactly("RUNNING started", "COLO->CHECKPOINT", "tick CHECKPOINT",
          "tick CHECKPOINT", "ENDED failover");
    } finally {
      listenerThread.shutdownNow();
    }
  }

  @Test
  void closeFromAListenerIsFinal() {
    java.util.concurrent.atomic.AtomicReference<ControlLoop> self = new java.util.concurrent.atomic.AtomicReference<>();
    java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    AtomicInteger callsAfterClose = new AtomicInteger();
    ModeActuator coloFails = (mode, period) -> {
      if (closed.get()) {
        callsAfterClose.incrementAndGet();
      }
      if (mode == Mode.COLO) {
        throw new IllegalStateException("QEMU said no");
      }
    };
    ControlLoop loop =
        ControlLoop.builder(new ScriptedController(Mode.COLO, Mode.COLO), checkpoints::get, coloFails, scheduler)
            .clock(scheduler)
            .actuatorAttempts(2)
            .addListener(new ControlLoop.Listener() {
              @Override
              public void onError(ControlLoopError error) {
                if (error.kind() == ControlLoopError.Kind.ACTUATOR_GAVE_UP) {
                  closed.set(true);
                  self.get().close();
                }
              }
            })
            .build();
    self.set(loop);
    loop.start();
    scheduler.advance(120 * SECOND);

    assertThat(closed).isTrue();
    assertThat(loop.state()).isEqualTo(ControlLoop.State.CLOSED);
    assertThat(callsAfterClose).as("actuator calls after close()").hasValue(0);
    assertThat(scheduler.pendingTasks()).isZero();
  }

  @Test
  void aNegativeCountIsACounterFaultThatLeadsToTheFailSafeMode() {
    ControlLoop loop =
        loop(new ScriptedController(Mode.COLO, Mode.COLO), () -> -1)
            .counterTimeout(Duration.ofSeconds(3))
            .build();
    loop.start();
    scheduler.advance(5 * SECOND);

    assertThat(listener.errors)
        .extracting(ControlLoopError::kind)
        .doesNotContain(ControlLoopError.Kind.CONTROLLER_FAILED)
        .contains(ControlLoopError.Kind.COUNTER_READ_FAILED, ControlLoopError.Kind.COUNTER_UNAVAILABLE);
    assertThat(listener.errors.get(0).message()).contains("-1");
    assertThat(loop.state()).isEqualTo(ControlLoop.State.FAIL_SAFE);
    assertThat(actuator.applied).containsExactly(Mode.CHECKPOINT);
    loop.close();
  }

  @Test
  void theDowntimeRatioIsNaNWhileThePausesAreUnknown() {
    List<Double> ratiosSeen = new ArrayList<>();
    ControlLoop loop =
        ControlLoop.builder(new ScriptedController(Mode.COLO, Mode.COLO), checkpoints::get, actuator, scheduler)
            .clock(scheduler)
            .addListener(new ControlLoop.Listener() {
              @Override
              public void onTick(long nowNanos, Mode mode, double cps, double ratio) {
                ratiosSeen.add(ratio);
              }
            })
            .build();
    assertThat(loop.downtimeRatio()).isNaN();
    loop.start();
    scheduler.advance(5 * SECOND);

    assertThat(loop.downtimeRatio()).isNaN();
    assertThat(ratiosSeen).hasSize(5).allSatisfy(ratio -> assertThat(ratio).isNaN());
    loop.close();
  }

  /** How the actuator call under way when {@code close()} is called ends. */
  enum InFlightEnd { APPLIES, FAILS, ENDS_THE_REPLICATION }

  @ParameterizedTest
  @EnumSource(InFlightEnd.class)
  void anActuationUnderWayWhenCloseIsCalledNeitherLeavesClosedNorReportsAfterIt(InFlightEnd end)
      throws Exception {
    List<Runnable> actuations = new ArrayList<>();
    CountDownLatch underWay = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ModeActuator slowCheckpoint = (mode, period) -> {
      if (mode != Mode.CHECKPOINT) {
        return;
      }
      underWay.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (end == InFlightEnd.FAILS) {
        throw new IllegalStateException("QEMU said no");
      } else if (end == InFlightEnd.ENDS_THE_REPLICATION) {
        throw new ReplicationEndedException("COLO_EXIT primary: error");
      }
    };
    List<String> events = java.util.Collections.synchronizedList(new ArrayList<>());
    ControlLoop loop =
        ControlLoop.builder(new ScriptedController(Mode.COLO, Mode.CHECKPOINT), checkpoints::get,
                slowCheckpoint, scheduler)
            .clock(scheduler)
            .actuationExecutor(actuations::add)
            .actuatorAttempts(1) // a failure would enter the fail-safe at once
            .addListener(new ControlLoop.Listener() {
              @Override
              public void onModeSwitch(long nowNanos, Mode from, Mode to, double cps) {
                events.add(from + "->" + to);
              }

              @Override
              public void onActuation(long nowNanos, Mode mode, long durationNanos,
                  boolean succeeded) {
                events.add("actuation " + mode + (succeeded ? " ok" : " failed"));
              }

              @Override
              public void onStateChanged(ControlLoop.StateChange change) {
                events.add(change.to().toString());
              }

              @Override
              public void onError(ControlLoopError error) {
                events.add(error.kind().toString());
              }
            })
            .build();
    loop.start();
    scheduler.advance(0);
    actuations.remove(0).run(); // COLO, the initial mode
    scheduler.advance(SECOND); // the controller wants CHECKPOINT: queued
    Thread actuationThread = new Thread(actuations.remove(0));
    actuationThread.start();
    assertThat(underWay.await(5, TimeUnit.SECONDS)).isTrue();

    loop.close();
    release.countDown();
    actuationThread.join(5_000);

    assertThat(actuationThread.isAlive()).isFalse();
    assertThat(loop.state()).isEqualTo(ControlLoop.State.CLOSED);
    assertThat(loop.appliedMode()).isEqualTo(Mode.COLO);
    assertThat(events).as("the CLOSED event is the last").last().isEqualTo("CLOSED");
    assertThat(events).filteredOn("CLOSED"::equals).hasSize(1);
    assertThat(scheduler.pendingTasks()).as("tasks started after close()").isZero();
  }
}
