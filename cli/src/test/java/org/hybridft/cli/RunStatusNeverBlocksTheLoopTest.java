package org.hybridft.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.hybridft.controllers.ControllerRegistry;
import org.hybridft.core.CheckpointCounter;
import org.hybridft.core.ControlLoop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** hybrid-ft run's status lines go through a writer of their own: a stalled stdout stops nothing. */
class RunStatusNeverBlocksTheLoopTest {
  private final CountDownLatch release = new CountDownLatch(1);
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

  /** A stdout whose reader went away: every write blocks until the test releases it. */
  private final class StalledStdout extends OutputStream {
    final ByteArrayOutputStream written = new ByteArrayOutputStream();

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
      try {
        release.await();
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", interrupted);
      }
      synchronized (written) {
        written.write(bytes, offset, length);
      }
    }
  }

  @AfterEach
  void releaseAndStop() throws InterruptedException {
    release.countDown();
    scheduler.shutdownNow();
    scheduler.awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void theLoopKeepsTickingAndClosesWhileStdoutIsStalledAndTheSummaryCountsTheDroppedLines()
      throws InterruptedException {
    StalledStdout stdout = new StalledStdout();
    PrintWriter out = new PrintWriter(new OutputStreamWriter(stdout, StandardCharsets.UTF_8), true);
    TerminalWriter terminal = new TerminalWriter(out, out, 4);
    int ticksWanted = 40;
    CountDownLatch ticks = new CountDownLatch(ticksWanted);
    AtomicLong checkpoints = new AtomicLong();
    CheckpointCounter counter = () -> {
      ticks.countDown();
      return checkpoints.addAndGet(3);
    };
    RunCommand.RunSummary summary = new RunCommand.RunSummary(System.nanoTime());
    CountDownLatch ended = new CountDownLatch(1);
    ControlLoop loop =
        ControlLoop.builder(ControllerRegistry.builtIn().create("pi", Map.of()), counter,
                (mode, periodNanos) -> {}, scheduler)
            .period(Duration.ofMillis(1))
            .addListener(RunCommand.statusListener(summary, terminal, ended, false))
            .build();

    loop.start();

    // Status lines (40 ticks' worth) are far more than the queue holds while nothing is written.
    assertThat(ticks.await(30, TimeUnit.SECONDS)).as("ticks while stdout is stalled").isTrue();
    assertTimeoutPreemptively(Duration.ofSeconds(10), loop::close);
    assertThat(loop.state()).isEqualTo(ControlLoop.State.CLOSED);
    assertThat(terminal.dropped()).isPositive();

    StringWriter text = new StringWriter();
    summary.printDropped(new PrintWriter(text, true), terminal.dropped());
    assertThat(text.toString()).contains(terminal.dropped() + " status lines dropped");

    release.countDown();
    assertThat(terminal.close(Duration.ofSeconds(10))).as("the writer finishes once stdout reads again").isTrue();
    synchronized (stdout.written) {
      assertThat(stdout.written.toString(StandardCharsets.UTF_8)).contains("cps");
    }
  }
}
