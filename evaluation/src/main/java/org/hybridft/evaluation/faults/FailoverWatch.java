package org.hybridft.evaluation.faults;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.hybridft.evaluation.faults.TestbedPair.ProcessState;
import org.hybridft.evaluation.faults.TestbedPair.Role;
import org.hybridft.qmp.QmpClient;
import org.hybridft.qmp.QmpCommand;
import org.hybridft.qmp.QmpException;
import org.hybridft.qmp.QmpValue;
import org.jspecify.annotations.Nullable;

/**
 * The pair's failover manager, as an orchestrator runs one beside a COLO pair: it watches both
 * QEMUs and fails over the way QEMU's COLO documentation ({@code docs/COLO-FT.txt}) describes.
 *
 * <ul>
 *   <li><b>The primary is gone</b> (its process ended), <b>or frozen</b> (stopped for a whole
 *       heartbeat; it is fenced with SIGKILL first): the secondary takes over ("Secondary
 *       Failover": {@code nbd-server-stop}, {@code x-colo-lost-heartbeat}, {@code object-del} of
 *       the redirectors {@code f2} and {@code f1}, {@code chardev-remove} of {@code red1} and
 *       {@code red0}), and the service moves to the secondary's address.
 *   <li><b>The replication is broken while the primary runs</b> ({@code COLO_EXIT} on either
 *       side, the secondary gone, a checkpoint under way for a whole heartbeat, or no checkpoint
 *       finished for the checkpoint timeout: COLO's own timer checkpoints at least once per idle
 *       period, so a link that swallows everything shows as checkpoints that stop), for half a
 *       second, so that a primary dying at that moment is seen as such: the secondary is fenced (SIGKILL) and the primary goes on alone ("Primary
 *       Failover": {@code x-blockdev-change} dropping the replication child, {@code drive_del
 *       replication0}, {@code object-del} of {@code comp0}, {@code iothread1}, {@code m0}, {@code
 *       redire0}, {@code redire1}, then {@code x-colo-lost-heartbeat}).
 * </ul>
 *
 * <p>It uses the primary's second monitor ({@link TestbedPair#primaryHaQmp()}), the loop having the
 * first, and the secondary's monitor. One thread, {@value #THREAD_NAME}, polls every 100 ms; one
 * failover at most.
 */
public final class FailoverWatch implements AutoCloseable {
  /** The watch's thread. */
  public static final String THREAD_NAME = "hybrid-ft-fault-failover";

  private static final long POLL_MILLIS = 100;
  private static final long GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
  private static final List<QmpCommand> SECONDARY_FAILOVER = List.of(
      QmpCommand.of("nbd-server-stop"),
      QmpCommand.of("x-colo-lost-heartbeat"),
      new QmpCommand("object-del", QmpValue.from(Map.of("id", "f2"))),
      new QmpCommand("object-del", QmpValue.from(Map.of("id", "f1"))),
      new QmpCommand("chardev-remove", QmpValue.from(Map.of("id", "red1"))),
      new QmpCommand("chardev-remove", QmpValue.from(Map.of("id", "red0"))));
  private static final List<QmpCommand> PRIMARY_FAILOVER = List.of(
      new QmpCommand("x-blockdev-change", QmpValue.from(Map.of("parent", "colo-disk0", "child", "children.1"))),
      new QmpCommand("human-monitor-command", QmpValue.from(Map.of("command-line", "drive_del replication0"))),
      new QmpCommand("object-del", QmpValue.from(Map.of("id", "comp0"))),
      new QmpCommand("object-del", QmpValue.from(Map.of("id", "iothread1"))),
      new QmpCommand("object-del", QmpValue.from(Map.of("id", "m0"))),
      new QmpCommand("object-del", QmpValue.from(Map.of("id", "redire0"))),
      new QmpCommand("object-del", QmpValue.from(Map.of("id", "redire1"))),
      QmpCommand.of("x-colo-lost-heartbeat"));

  /**
   * What the watch did.
   *
   * @param failover which failover
   * @param reason what it saw
   * @param decidedNanos when it decided ({@link System#nanoTime()})
   * @param doneNanos when its last step returned
   * @param failedSteps the steps QEMU refused, with its answer (empty when all went through)
   */
  public record Action(Failover failover, String reason, long decidedNanos, long doneNanos, List<String> failedSteps) {}

  private final TestbedPair pair;
  private final long heartbeatNanos;
  private final long checkpointTimeoutNanos;
  private final QmpClient primary;
  private final QmpClient secondary;
  private final Thread thread;
  private final CountDownLatch done = new CountDownLatch(1);
  private volatile InetSocketAddress service;
  private volatile @Nullable Action action;
  private volatile @Nullable String primaryExit;
  private volatile @Nullable String secondaryExit;
  private volatile long checkpointSince;   // 0 while no checkpoint is under way
  private volatile long lastCheckpointNanos = System.nanoTime();
  private volatile @Nullable CountDownLatch nextCheckpoint;
  private volatile boolean closed;
  private long stoppedSince;
  private long brokenSince;

  private FailoverWatch(TestbedPair pair, Duration heartbeat, Duration checkpointTimeout) {
    this.pair = pair;
    this.heartbeatNanos = heartbeat.toNanos();
    this.checkpointTimeoutNanos = checkpointTimeout.toNanos();
    this.service = pair.primaryHttp();
    this.primary = QmpClient.unix(pair.primaryHaQmp()).commandTimeout(Duration.ofSeconds(10)).connect();
    QmpClient connected;
    try {
      connected = QmpClient.unix(pair.secondaryQmp()).commandTimeout(Duration.ofSeconds(10)).connect();
    } catch (RuntimeException failed) {
      primary.close();
      throw failed;
    }
    this.secondary = connected;
    primary.subscribe("COLO_EXIT", event -> primaryExit = "primary " + event.text("reason"));
    secondary.subscribe("COLO_EXIT", event -> secondaryExit = "secondary " + event.text("reason"));
    primary.subscribe("STOP", event -> {
      checkpointSince = System.nanoTime();
      CountDownLatch waiting = nextCheckpoint;
      if (waiting != null) {
        waiting.countDown();
      }
    });
    primary.subscribe("RESUME", event -> {
      checkpointSince = 0;
      lastCheckpointNanos = System.nanoTime();
    });
    this.thread = new Thread(this::watch, THREAD_NAME);
    this.thread.setDaemon(true);
  }

  /**
   * Starts watching {@code pair}.
   *
   * @param heartbeat how long the primary may be frozen, or a checkpoint last, before it is
   *     declared lost
   * @param checkpointTimeout how long the replication may go without finishing a checkpoint:
   *     more than the COLO idle period (the longest the replication waits between two)
   */
  public static FailoverWatch start(TestbedPair pair, Duration heartbeat, Duration checkpointTimeout) {
    FailoverWatch watch = new FailoverWatch(pair, heartbeat, checkpointTimeout);
    watch.thread.start();
    return watch;
  }

  /** Where the guest's service is now: the primary's address, the secondary's after it took over. */
  public InetSocketAddress service() {
    return service;
  }

  /** What the watch did, or null while it has done nothing. */
  public @Nullable Action action() {
    return action;
  }

  /** Waits until the watch has failed over; whether it did within {@code timeout}. */
  public boolean awaitFailover(Duration timeout) throws InterruptedException {
    return done.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /**
   * Waits for the primary's next checkpoint to begin (its {@code STOP} event); whether one did
   * within {@code timeout}.
   */
  public boolean awaitCheckpointStart(Duration timeout) throws InterruptedException {
    CountDownLatch latch = new CountDownLatch(1);
    nextCheckpoint = latch;
    try {
      return latch.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } finally {
      nextCheckpoint = null;
    }
  }

  /** Whether the primary is inside a checkpoint (a {@code STOP} without its {@code RESUME} yet). */
  public boolean inCheckpoint() {
    return checkpointSince != 0;
  }

  private void watch() {
    try {
      while (!closed && action == null) {
        poll(System.nanoTime());
        Thread.sleep(POLL_MILLIS);
      }
    } catch (InterruptedException closing) {
      // close()
    } catch (RuntimeException | java.io.IOException failed) {
      action = new Action(Failover.NONE, "the watch failed: " + failed, System.nanoTime(), System.nanoTime(), List.of());
      done.countDown();
    }
  }

  private void poll(long now) throws InterruptedException, java.io.IOException {
    ProcessState primaryState = pair.state(Role.PRIMARY);
    if (primaryState == ProcessState.GONE) {
      toSecondary("the primary QEMU ended", now);
      return;
    }
    if (primaryState == ProcessState.STOPPED) {
      brokenSince = 0;
      stoppedSince = stoppedSince == 0 ? now : stoppedSince;
      if (now - stoppedSince >= heartbeatNanos) {
        pair.signal(Role.PRIMARY, "KILL");
        awaitGone(Role.PRIMARY);
        toSecondary("the primary was frozen for " + TimeUnit.NANOSECONDS.toMillis(now - stoppedSince)
            + " ms (fenced with SIGKILL)", now);
      }
      return;
    }
    stoppedSince = 0;
    long checkpoint = checkpointSince;
    long sinceLast = now - lastCheckpointNanos;
    String broken = primaryExit != null ? "COLO_EXIT on the " + primaryExit
        : secondaryExit != null ? "COLO_EXIT on the " + secondaryExit
        : pair.state(Role.SECONDARY) == ProcessState.GONE ? "the secondary QEMU ended"
        : checkpoint != 0 && now - checkpoint >= heartbeatNanos
            ? "a checkpoint under way for " + TimeUnit.NANOSECONDS.toMillis(now - checkpoint) + " ms"
        : sinceLast >= checkpointTimeoutNanos
            ? "no checkpoint finished for " + TimeUnit.NANOSECONDS.toMillis(sinceLast) + " ms"
        : null;
    if (broken == null) {
      brokenSince = 0;
      return;
    }
    brokenSince = brokenSince == 0 ? now : brokenSince;
    if (now - brokenSince >= GRACE_NANOS) {
      primaryAlone(broken, now);
    }
  }

  private void toSecondary(String reason, long decided) {
    List<String> failed = run(secondary, SECONDARY_FAILOVER);
    service = pair.secondaryHttp();
    finish(new Action(Failover.TO_SECONDARY, reason, decided, System.nanoTime(), failed));
  }

  private void primaryAlone(String reason, long decided) throws InterruptedException, java.io.IOException {
    if (pair.state(Role.SECONDARY) != ProcessState.GONE) {
      pair.signal(Role.SECONDARY, "KILL");
      awaitGone(Role.SECONDARY);
      reason += " (the secondary fenced with SIGKILL)";
    }
    List<String> failed = run(primary, PRIMARY_FAILOVER);
    finish(new Action(Failover.PRIMARY_ALONE, reason, decided, System.nanoTime(), failed));
  }

  private void finish(Action done) {
    action = done;
    this.done.countDown();
  }

  private void awaitGone(Role role) throws InterruptedException {
    for (int i = 0; i < 100 && pair.state(role) != ProcessState.GONE; i++) {
      Thread.sleep(50);
    }
  }

  private static List<String> run(QmpClient client, List<QmpCommand> steps) {
    List<String> failed = new ArrayList<>();
    for (QmpCommand step : steps) {
      try {
        client.call(step.name(), step.arguments());
      } catch (QmpException refused) {
        failed.add(step.name() + " " + step.arguments() + ": " + refused.getMessage());
      }
    }
    return failed;
  }

  /** Stops watching and closes its two QMP connections; returns once its thread has ended. */
  @Override
  public void close() throws InterruptedException {
    closed = true;
    thread.interrupt();
    thread.join(15_000);
    primary.close();
    secondary.close();
  }
}
