package org.hybridft.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class VirtualSchedulerTest {
  private final VirtualScheduler scheduler = new VirtualScheduler(1_000);
  private final List<String> ran = new ArrayList<>();

  private Runnable record(String name) {
    return () -> ran.add(name + "@" + scheduler.getAsLong());
  }

  @Test
  void tasksRunInDueOrderAtTheirDueTimeOnlyWhenTimeAdvances() {
    scheduler.schedule(record("late"), 30, TimeUnit.NANOSECONDS);
    scheduler.schedule(record("early"), 10, TimeUnit.NANOSECONDS);
    scheduler.execute(record("now"));
    assertThat(ran).isEmpty();

    scheduler.advance(20);

    assertThat(ran).containsExactly("now@1000", "early@1010");
    assertThat(scheduler.getAsLong()).isEqualTo(1_020);
    assertThat(scheduler.pendingTasks()).isEqualTo(1);
  }

  @Test
  void aPeriodicTaskRunsOncePerPeriodAndQueuesBehindTasksDueWithIt() {
    scheduler.scheduleAtFixedRate(record("tick"), 0, 10, TimeUnit.NANOSECONDS);
    scheduler.schedule(record("once"), 10, TimeUnit.NANOSECONDS);

    scheduler.advance(Duration.ofNanos(25));

    assertThat(ran).containsExactly("tick@1000", "once@1010", "tick@1010", "tick@1020");
  }

  @Test
  void aCancelledTaskNeverRunsAndIsNotPending() {
    ScheduledFuture<?> tick = scheduler.scheduleAtFixedRate(record("tick"), 5, 10, TimeUnit.NANOSECONDS);
    scheduler.advance(5);
    assertThat(tick.cancel(false)).isTrue();

    scheduler.advance(100);

    assertThat(ran).containsExactly("tick@1005");
    assertThat(scheduler.pendingTasks()).isZero();
    assertThatThrownBy(tick::get).isInstanceOf(CancellationException.class);
  }

  @Test
  void aFailingTaskStopsAdvanceAndIsNotRunAgain() {
    int[] runs = {0};
    scheduler.scheduleAtFixedRate(
        () -> {
          runs[0]++;
          throw new IllegalArgumentException("broken tick");
        },
        10, 10, TimeUnit.NANOSECONDS);
    ScheduledFuture<?> later = scheduler.schedule(record("later"), 50, TimeUnit.NANOSECONDS);

    assertThatThrownBy(() -> scheduler.advance(100))
        .isInstanceOf(IllegalStateException.class)
        .hasRootCauseMessage("broken tick");
    assertThat(scheduler.getAsLong()).isEqualTo(1_010);
    scheduler.advance(100);

    assertThat(runs[0]).isEqualTo(1);
    assertThat(ran).containsExactly("later@1050");
    assertThat(later.isDone()).isTrue();
  }

  @Test
  void getReturnsTheResultOfATaskThatRanAndRefusesToWaitForOneThatHasNot() throws Exception {
    ScheduledFuture<String> answer = scheduler.schedule(() -> "done", 10, TimeUnit.NANOSECONDS);
    ScheduledFuture<String> failing =
        scheduler.schedule(() -> { throw new java.io.IOException("no"); }, 20, TimeUnit.NANOSECONDS);
    assertThatThrownBy(answer::get).isInstanceOf(IllegalStateException.class).hasMessageContaining("advance");

    scheduler.advance(10);
    assertThatThrownBy(() -> scheduler.advance(10)).isInstanceOf(IllegalStateException.class);

    assertThat(answer.get()).isEqualTo("done");
    assertThatThrownBy(failing::get).isInstanceOf(ExecutionException.class).hasRootCauseMessage("no");
  }

  @Test
  void timeOnlyMovesForwardAndPeriodsArePositive() {
    assertThatThrownBy(() -> scheduler.advance(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nanos")
        .hasMessageContaining("-1");
    assertThatThrownBy(() -> scheduler.scheduleAtFixedRate(record("x"), 0, 0, TimeUnit.SECONDS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("period");
  }

  @Test
  void shutdownRefusesNewTasksAndShutdownNowDropsQueuedOnes() {
    scheduler.schedule(record("queued"), 10, TimeUnit.NANOSECONDS);
    scheduler.shutdown();
    assertThatThrownBy(() -> scheduler.execute(record("new"))).isInstanceOf(RejectedExecutionException.class);
    assertThat(scheduler.isTerminated()).isFalse();

    scheduler.shutdownNow();

    assertThat(scheduler.isTerminated()).isTrue();
    scheduler.advance(100);
    assertThat(ran).isEmpty();
  }
}
