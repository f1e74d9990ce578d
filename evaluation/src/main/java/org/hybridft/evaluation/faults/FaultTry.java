package org.hybridft.evaluation.faults;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.hybridft.core.ControlLoop;
import org.hybridft.core.ModeController;
import org.hybridft.evaluation.HttpResource;
import org.hybridft.evaluation.LoadGenerator;
import org.hybridft.evaluation.faults.TestbedPair.Role;
import org.hybridft.qmp.ColoPrimaryControl;
import org.hybridft.qmp.ModeRecipe;
import org.hybridft.qmp.QmpClient;
import org.jspecify.annotations.Nullable;

/**
 * One try of the fault campaign: a fresh testbed pair ({@code start.sh --link-proxy}), a {@link
 * ControlLoop} attached to its primary through {@link ColoPrimaryControl#attach} (its QMP
 * connection through a {@link QmpProxy}), a {@link FailoverWatch}, an open-loop {@link WriteLoad},
 * and a light load of non-deterministic reads (a {@link LoadGenerator}) whose divergence makes
 * COLO checkpoint, so that the controller has reasons to switch modes; after a warm-up, one fault
 * of the given kind at a random moment; then the checks:
 *
 * <ol>
 *   <li>the watch failed over as COLO's documentation says for that fault ({@link
 *       FaultKind#expectedFailover()});
 *   <li>every acknowledged write is on the survivor, with its value ({@code /cgi-bin/log});
 *   <li>the survivor's service answers, and how long after the fault a write sent after it was
 *       acknowledged again;
 *   <li>the loop reported what happened ({@link FaultKind#expectedLoopOutcome()});
 *   <li>after the clean-up, no thread of the try and no process of the pair is left.
 * </ol>
 */
public final class FaultTry {
  private static final Duration COLO_IDLE = Duration.ofSeconds(5);
  private static final Duration SLOW_QMP_DELAY = Duration.ofSeconds(10);
  private static final Duration SLOW_QMP_FOR = Duration.ofSeconds(14);
  private static final String LOOP_THREAD = "hybrid-ft-fault-loop";
  private static final String ACTUATION_THREAD = "hybrid-ft-fault-actuation";
  private static final String QMP_IO_THREAD = "hybridft-qmp-io";
  private static final int START_ATTEMPTS = 4;

  /**
   * How every try runs.
   *
   * @param scripts the project's {@code testbed/} directory
   * @param qemu the QEMU to run, null for the testbed's own
   * @param workDir where each try's pair gets its private directory
   * @param basePortFrom the lowest {@code --base-port} (a multiple of 10); each try picks one
   * @param basePortTo the highest {@code --base-port}
   * @param controller makes each try's fresh controller
   * @param loopPeriod the control period
   * @param failSafeHold how long the loop holds its fail-safe mode
   * @param writeRate mean writes per second
   * @param writeTimeout how long a write may take
   * @param divergenceRate mean non-deterministic reads per second, 0 for none
   * @param heartbeat the failover watch's heartbeat
   * @param warmUp how long the pair runs under control and load before the fault can strike
   * @param window the fault strikes at a uniformly random moment this long after the warm-up
   * @param startTimeout bound on start.sh
   */
  public record Settings(
      Path scripts,
      @Nullable Path qemu,
      Path workDir,
      int basePortFrom,
      int basePortTo,
      Supplier<ModeController> controller,
      Duration loopPeriod,
      Duration failSafeHold,
      double writeRate,
      Duration writeTimeout,
      double divergenceRate,
      Duration heartbeat,
      Duration warmUp,
      Duration window,
      Duration startTimeout) {
    /** Validates the settings. */
    public Settings {
      Objects.requireNonNull(scripts, "scripts");
      Objects.requireNonNull(workDir, "workDir");
      Objects.requireNonNull(controller, "controller");
      if (basePortFrom < 1024 || basePortTo > 65000 || basePortFrom > basePortTo) {
        throw new IllegalArgumentException("base ports must satisfy 1024 <= from <= to <= 65000, were "
            + basePortFrom + " and " + basePortTo);
      }
    }

    /**
     * The campaign's defaults: a 500 ms control period, 5 s fail-safe hold, 5 writes/s, 8 s write
     * timeout, 1 non-deterministic read/s, 3 s heartbeat, 4 s warm-up and a 4 s window.
     */
    public static Settings defaults(Path scripts, @Nullable Path qemu, Path workDir, int basePortFrom,
        int basePortTo, Supplier<ModeController> controller) {
      return new Settings(scripts, qemu, workDir, basePortFrom, basePortTo, controller, Duration.ofMillis(500),
          Duration.ofSeconds(5), 5, Duration.ofSeconds(8), 1, Duration.ofSeconds(3), Duration.ofSeconds(4),
          Duration.ofSeconds(4), Duration.ofSeconds(180));
    }
  }

  private final Settings settings;

  /** A try runner with these settings. */
  public FaultTry(Settings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  /** What the injection did. */
  private record Injection(boolean injected, long atNanos, String moment) {}

  /**
   * Runs one try: never throws for what goes wrong with the pair, which is reported in the result.
   *
   * @param index the try's number, which names its directory
   * @param kind the fault
   * @param seed the try's moment and load
   */
  public TryResult run(int index, FaultKind kind, long seed) throws InterruptedException {
    long started = System.nanoTime();
    SplittableRandom random = new SplittableRandom(seed);
    Path dir = settings.workDir().resolve(String.format(Locale.ROOT, "try-%03d-%s", index, kind.label()));
    List<AutoCloseable> cleanUp = new ArrayList<>();
    TestbedPair pair = null;
    Builder result = new Builder(index, kind, seed);
    try {
      Files.createDirectories(settings.workDir());
      pair = startPair(dir, random);
      TestbedPair started_ = pair;
      QmpProxy proxy = QmpProxy.start(dir.resolve("loop.qmp"), pair.primaryQmp());
      cleanUp.add(proxy);
      QmpClient client = QmpClient.unix(proxy.socket()).connect();
      cleanUp.add(client);
      ColoPrimaryControl control = ColoPrimaryControl.attach(client, c -> ModeRecipe.detect(c, COLO_IDLE));
      cleanUp.add(control);
      ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, LOOP_THREAD);
        thread.setDaemon(true);
        return thread;
      });
      cleanUp.add(() -> {
        scheduler.shutdownNow();
        scheduler.awaitTermination(10, TimeUnit.SECONDS);
      });
      // As the agent runs it: a switch waiting for QEMU must not stop the ticks that notice QEMU's silence.
      ExecutorService actuation = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, ACTUATION_THREAD);
        thread.setDaemon(true);
        return thread;
      });
      cleanUp.add(() -> {
        actuation.shutdownNow();
        actuation.awaitTermination(10, TimeUnit.SECONDS);
      });
      LoopObserver observer = new LoopObserver();
      ControlLoop loop = ControlLoop.builder(settings.controller().get(), control.counter(), control.actuator(),
              scheduler)
          .name("fault-try-" + index)
          .period(settings.loopPeriod())
          .failSafeHold(settings.failSafeHold())
          .actuationExecutor(actuation)
          .addListener(observer)
          .build();
      cleanUp.add(loop);
      FailoverWatch watch = FailoverWatch.start(pair, settings.heartbeat(), COLO_IDLE.plus(settings.heartbeat()));
      cleanUp.add(watch);
      WriteLoad load = WriteLoad.start(watch::service, settings.writeRate(), seed, settings.writeTimeout());
      cleanUp.add(load);
      if (settings.divergenceRate() > 0) {
        cleanUp.add(LoadGenerator.to(pair.primaryHttp())
            .rate(settings.divergenceRate())
            .duration(Duration.ofHours(1))
            .requestTimeout(Duration.ofSeconds(5))
            .seed(seed)
            .resources(List.of(HttpResource.NONDETERMINISTIC), elapsed -> 0)
            .start());
      }
      loop.start();

      long warm = settings.warmUp().toNanos() + (long) (random.nextDouble() * settings.window().toNanos());
      TimeUnit.NANOSECONDS.sleep(warm);
      Injection injection = inject(kind, started_, proxy, watch, random, started);
      result.injected = injection.injected();
      result.moment = injection.moment();
      if (injection.injected()) {
        observe(kind, proxy, watch);
        // The service again: a write sent after the fault, acknowledged.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        OptionalLong again = load.firstAcknowledgedSince(injection.atNanos());
        while (again.isEmpty() && System.nanoTime() - deadline < 0) {
          Thread.sleep(100);
          again = load.firstAcknowledgedSince(injection.atNanos());
        }
        result.serveAgainMillis = again.isPresent() ? again.getAsLong() / 1e6 : Double.NaN;
        Thread.sleep(1_000);   // a few more writes on the survivor
      }
      load.close();
      FailoverWatch.Action action = watch.action();
      if (action != null) {
        result.failover = action.failover();
        result.failoverReason = action.reason();
        result.failedSteps = action.failedSteps();
      }
      check(load, watch.service(), result);
      loop.close();
      observer.awaitFinal(Duration.ofSeconds(5));
      result.loopStates = observer.states();
      result.loopEndReason = observer.endReason();
      result.loopFailSafe = observer.failSafeReason();
      result.loopErrors = observer.errors().size();
      result.loopSwitches = observer.switches();
      result.loopRight = kind.expectedLoopOutcome().matches(result.loopEndReason, result.loopFailSafe != null);
    } catch (IOException | RuntimeException failed) {
      result.problem = failed.toString() + (pair == null ? "" : "\n" + pair.logs());
    } finally {
      for (int i = cleanUp.size() - 1; i >= 0; i--) {
        try {
          cleanUp.get(i).close();
        } catch (Exception failed) {
          result.leftovers.add("clean-up failed: " + failed);
        }
      }
      if (pair != null) {
        try {
          pair.close();
        } catch (IOException | RuntimeException failed) {
          result.leftovers.add("stop.sh failed: " + failed.getMessage());
        }
        result.leftovers.addAll(pair.alive());
      }
      result.leftovers.addAll(threadsLeft());
    }
    return result.build((System.nanoTime() - started) / 1e9);
  }

  private TestbedPair startPair(Path dir, SplittableRandom random) throws IOException, InterruptedException {
    IllegalStateException last = null;
    int slots = (settings.basePortTo() - settings.basePortFrom()) / 10 + 1;
    for (int attempt = 0; attempt < START_ATTEMPTS; attempt++) {
      int port = settings.basePortFrom() + 10 * random.nextInt(slots);
      try {
        return TestbedPair.start(settings.scripts(), settings.qemu(), dir, port, settings.startTimeout());
      } catch (IllegalStateException failed) {
        last = failed;
        if (!String.valueOf(failed.getMessage()).contains("is in use")) {
          throw failed;
        }
      }
    }
    throw Objects.requireNonNull(last);
  }

  private Injection inject(FaultKind kind, TestbedPair pair, QmpProxy proxy, FailoverWatch watch,
      SplittableRandom random, long started) throws IOException, InterruptedException {
    String at = String.format(Locale.ROOT, "%.1f s after the start", (System.nanoTime() - started) / 1e9);
    switch (kind) {
      case PRIMARY_KILL -> {
        long now = System.nanoTime();
        pair.signal(Role.PRIMARY, "KILL");
        return new Injection(true, now, at);
      }
      case PRIMARY_KILL_IN_CHECKPOINT -> {
        if (!watch.awaitCheckpointStart(Duration.ofSeconds(30))) {
          return new Injection(false, 0, "no checkpoint began within 30 s");
        }
        long now = System.nanoTime();
        pair.signal(Role.PRIMARY, "KILL");
        Thread.sleep(200);   // a RESUME that came before the kill is delivered by now
        return new Injection(true, now, String.format(Locale.ROOT, "%.1f s after the start, %s",
            (now - started) / 1e9, watch.inCheckpoint() ? "during a checkpoint" : "just after a checkpoint"));
      }
      case PRIMARY_KILL_IN_SWITCH -> {
        CountDownLatch killed = new CountDownLatch(1);
        long[] when = new long[1];
        String[] between = new String[1];
        boolean[] inSwitch = new boolean[1];
        proxy.onCommand(command -> {
          boolean recipeStep = command.equals("qom-set") || command.equals("migrate-set-parameters");
          if (killed.getCount() == 0 || !recipeStep) {
            return;
          }
          if (!inSwitch[0]) {
            inSwitch[0] = true;
            between[0] = command;
            return;
          }
          when[0] = System.nanoTime();
          try {
            pair.signal(Role.PRIMARY, "KILL");   // a SIGKILL without a fork: it cannot fail or wait
          } catch (IOException | InterruptedException impossible) {
            throw new IllegalStateException("SIGKILL of the primary failed", impossible);
          }
          between[0] += " and " + command;
          killed.countDown();
        });
        boolean struck = killed.await(30, TimeUnit.SECONDS);
        proxy.onCommand(null);
        return struck
            ? new Injection(true, when[0], String.format(Locale.ROOT, "%.1f s after the start, between the switch's %s",
                (when[0] - started) / 1e9, between[0]))
            : new Injection(false, 0, "no mode switch within 30 s");
      }
      case PRIMARY_PAUSE -> {
        long pause = 500 + random.nextInt(1001);
        long now = System.nanoTime();
        pair.signal(Role.PRIMARY, "STOP");
        Thread.sleep(pause);
        pair.signal(Role.PRIMARY, "CONT");
        return new Injection(true, now, at + ", stopped " + pause + " ms");
      }
      case PRIMARY_FREEZE -> {
        long now = System.nanoTime();
        pair.signal(Role.PRIMARY, "STOP");
        return new Injection(true, now, at);
      }
      case LINK_CUT, LINK_BLACKHOLE -> {
        long now = System.nanoTime();
        boolean sent = pair.signal(Role.LINK_PROXY, kind == FaultKind.LINK_CUT ? "USR1" : "USR2");
        return new Injection(sent, now, sent ? at : "the link proxy was gone");
      }
      case SECONDARY_KILL -> {
        long now = System.nanoTime();
        pair.signal(Role.SECONDARY, "KILL");
        return new Injection(true, now, at);
      }
      case QMP_CLOSED -> {
        long now = System.nanoTime();
        proxy.closeConnection();
        return new Injection(true, now, at);
      }
      case QMP_SLOW -> {
        // The worst moment: the loop's switch waits for a reply that is held back with the rest.
        CountDownLatch slowed = new CountDownLatch(1);
        long[] when = new long[1];
        String[] during = new String[1];
        proxy.onCommand(command -> {
          if (slowed.getCount() > 0 && (command.equals("qom-set") || command.equals("migrate-set-parameters"))) {
            when[0] = System.nanoTime();
            proxy.delay(SLOW_QMP_DELAY);
            during[0] = command;
            slowed.countDown();
          }
        });
        boolean struck = slowed.await(30, TimeUnit.SECONDS);
        proxy.onCommand(null);
        return struck
            ? new Injection(true, when[0], String.format(Locale.ROOT, "%.1f s after the start, at the switch's %s",
                (when[0] - started) / 1e9, during[0]))
            : new Injection(false, 0, "no mode switch within 30 s");
      }
      default -> throw new IllegalStateException("unknown fault kind " + kind);
    }
  }

  private void observe(FaultKind kind, QmpProxy proxy, FailoverWatch watch) throws InterruptedException {
    if (kind == FaultKind.QMP_SLOW) {
      Thread.sleep(SLOW_QMP_FOR.toMillis());
      proxy.delay(Duration.ZERO);
      Thread.sleep(kind.observe().minus(SLOW_QMP_FOR).toMillis());
    } else if (kind.expectedFailover() != Failover.NONE) {
      watch.awaitFailover(kind.observe());
    } else {
      Thread.sleep(kind.observe().toMillis());
    }
  }

  private static void check(WriteLoad load, InetSocketAddress survivor, Builder result) throws InterruptedException {
    List<AcknowledgedWrite> acknowledged = load.acknowledged();
    result.acknowledged = acknowledged.size();
    result.writesFailed = load.failed() + load.notSent();
    Map<Integer, String> log = null;
    String problem = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (log == null && System.nanoTime() - deadline < 0) {
      try {
        String reply = WriteLoad.get(survivor, "/cgi-bin/deterministic", Duration.ofSeconds(5));
        if (reply.startsWith("HTTP/1.0 200")) {
          log = WriteLoad.readLog(survivor, load.maxId() + 1, Duration.ofSeconds(15));
        } else {
          problem = reply.lines().findFirst().orElse("an empty reply");
        }
      } catch (IOException noAnswer) {
        problem = noAnswer.toString();
      }
      if (log == null) {
        Thread.sleep(500);
      }
    }
    result.serviceAnswers = log != null;
    for (AcknowledgedWrite write : acknowledged) {
      String stored = log == null ? null : log.get(write.id());
      if (!write.value().equals(stored)) {
        result.lost.add(write.id() + " " + write.value() + (stored == null ? "" : " (stored: " + stored + ")"));
      }
    }
    if (log == null) {
      result.problem = "the survivor " + TestbedPair.uri(survivor, "/") + " did not answer within 30 s: " + problem;
    }
  }

  /** The try's threads still alive after its clean-up, waited for up to 5 s. */
  private static List<String> threadsLeft() throws InterruptedException {
    List<String> left = List.of();
    for (int i = 0; i < 50; i++) {
      left = Thread.getAllStackTraces().keySet().stream()
          .filter(Thread::isAlive)
          .map(Thread::getName)
          .filter(name -> name.startsWith("hybrid-ft-fault") || name.equals(QMP_IO_THREAD)
              || name.equals(LoadGenerator.THREAD_NAME))
          .map(name -> "thread " + name)
          .sorted()
          .toList();
      if (left.isEmpty()) {
        break;
      }
      Thread.sleep(100);
    }
    return left;
  }

  /** The result as it is filled in. */
  private static final class Builder {
    final int index;
    final FaultKind kind;
    final long seed;
    boolean injected;
    String moment = "";
    Failover failover = Failover.NONE;
    String failoverReason = "";
    List<String> failedSteps = List.of();
    int acknowledged;
    final List<String> lost = new ArrayList<>();
    long writesFailed;
    double serveAgainMillis = Double.NaN;
    boolean serviceAnswers;
    String loopStates = "";
    @Nullable String loopEndReason;
    @Nullable String loopFailSafe;
    int loopErrors;
    int loopSwitches;
    boolean loopRight;
    final List<String> leftovers = new ArrayList<>();
    @Nullable String problem;

    Builder(int index, FaultKind kind, long seed) {
      this.index = index;
      this.kind = kind;
      this.seed = seed;
    }

    TryResult build(double seconds) {
      return new TryResult(index, kind, seed, injected, moment, kind.expectedFailover(), failover, failoverReason,
          failedSteps, acknowledged, lost, writesFailed, serveAgainMillis, serviceAnswers,
          kind.expectedLoopOutcome().text(), loopStates, loopEndReason, loopFailSafe, loopErrors, loopSwitches,
          loopRight, leftovers, problem, seconds);
    }
  }
}
