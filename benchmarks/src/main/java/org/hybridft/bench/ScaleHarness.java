package org.hybridft.bench;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.hybridft.controllers.ControllerDescriptor;
import org.hybridft.controllers.ControllerRegistry;
import org.hybridft.core.CheckpointCounter;
import org.hybridft.core.ControlLoop;
import org.hybridft.core.Mode;
import org.hybridft.core.ModeActuator;
import org.jspecify.annotations.Nullable;

/**
 * What thousands of VMs cost an orchestrator: N {@link ControlLoop}s at a 1 s period on one
 * 2-thread {@link ScheduledThreadPoolExecutor}, with in-memory ports, measured on the real clock.
 * Not a JMH benchmark: the quantity is a steady-state share of a core over a minute, not the time
 * of one call.
 *
 * <p>For each loop count it builds the loops (controllers of every controller of the {@link ControllerRegistry} in
 * turn; each VM's counter advances by its own rate per read, drawn from deterministic,
 * non-deterministic and mixed workloads, so some loops switch modes and call their no-op
 * actuator), starts them with start delays spread over one period (as {@code
 * ControlLoop.Builder#startDelay} advises), lets the JIT warm up, then measures for {@code
 * --seconds}:
 *
 * <ul>
 *   <li><b>CPU share of one core</b>: the process CPU time ({@code OperatingSystemMXBean}, so JIT
 *       and GC threads are included) over the wall time; also the two scheduler threads' own CPU
 *       time ({@code ThreadMXBean});
 *   <li><b>tick lateness</b>: when a tick read its clock minus when it was due (its loop's start
 *       plus its delay plus whole periods), recorded by a tick listener into an HdrHistogram;
 *   <li><b>heap</b>: heap used after a full GC with the loops running, and its increase over the
 *       heap before the loops were built, per loop.
 * </ul>
 *
 * <p>{@code --start-slots K} puts the loops' start delays on K evenly spaced instants of the
 * period instead of one instant per loop: a scheduler thread then wakes K times per period and
 * runs a group of ticks per wake-up, instead of waking once per tick.
 *
 * <p>{@code --coalesce-ms M} runs the loops through core's {@link org.hybridft.core.CoalescingScheduler}: the ticks
 * due within the same M ms of the period share one task of the scheduler.
 *
 * <p>{@code --bare-tasks} is the control experiment: the same scheduler runs N periodic tasks that
 * only record their lateness, so the difference to a run of loops is what the loops cost.
 *
 * <p>Usage: {@code ScaleHarness [--loops 1000,10000] [--seconds 60] [--warmup-seconds 10]
 * [--start-slots K] [--coalesce-ms M] [--bare-tasks] [--json FILE]}.
 */
public final class ScaleHarness {
  private static final long PERIOD_NANOS = Duration.ofSeconds(1).toNanos();
  private static final int SCHEDULER_THREADS = 2;

  private ScaleHarness() {}

  /** One measured loop count. */
  record Result(
      int loops,
      double seconds,
      long ticks,
      double processCpuShare,
      double schedulerCpuShare,
      double latenessP50Millis,
      double latenessP99Millis,
      double latenessMaxMillis,
      long heapUsedBytes,
      long heapPerLoopBytes,
      long gcCount,
      long modeSwitches,
      int startSlots,
      double coalesceMillis,
      boolean bareTasks) {

    String toJson() {
      return String.format(
          Locale.ROOT,
          "{\"loops\":%d,\"seconds\":%.1f,\"ticks\":%d,\"processCpuShareOfOneCore\":%.5f,"
              + "\"schedulerThreadsCpuShareOfOneCore\":%.5f,\"tickLatenessP50Millis\":%.3f,"
              + "\"tickLatenessP99Millis\":%.3f,\"tickLatenessMaxMillis\":%.3f,"
              + "\"heapUsedBytes\":%d,\"heapPerLoopBytes\":%d,\"gcCount\":%d,\"modeSwitches\":%d,\"startSlots\":%d,\"coalesceMillis\":%.3f,\"bareTasks\":%b}",
          loops, seconds, ticks, processCpuShare, schedulerCpuShare, latenessP50Millis,
          latenessP99Millis, latenessMaxMillis, heapUsedBytes, heapPerLoopBytes, gcCount,
          modeSwitches, startSlots, coalesceMillis, bareTasks);
    }
  }

  /**
   * Runs the harness; see the class comment for the arguments.
   *
   * @param args {@code --loops}, {@code --seconds}, {@code --warmup-seconds}, {@code --json}
   */
  public static void main(String[] args) throws Exception {
    int[] loopCounts = {1_000, 10_000};
    double seconds = 60;
    double warmupSeconds = 10;
    int startSlots = 0;
    double coalesceMillis = 0;
    boolean bareTasks = false;
    @Nullable Path json = null;
    for (int i = 0; i < args.length; i++) {
      String value = i + 1 < args.length ? args[i + 1] : "";
      switch (args[i]) {
        case "--loops" -> {
          String[] parts = value.split(",");
          loopCounts = new int[parts.length];
          for (int p = 0; p < parts.length; p++) {
            loopCounts[p] = Integer.parseInt(parts[p].trim());
          }
          i++;
        }
        case "--seconds" -> {
          seconds = Double.parseDouble(value);
          i++;
        }
        case "--warmup-seconds" -> {
          warmupSeconds = Double.parseDouble(value);
          i++;
        }
        case "--start-slots" -> {
          startSlots = Integer.parseInt(value);
          i++;
        }
        case "--coalesce-ms" -> {
          coalesceMillis = Double.parseDouble(value);
          i++;
        }
        case "--bare-tasks" -> bareTasks = true;
        case "--json" -> {
          json = Path.of(value);
          i++;
        }
        default -> {
          System.err.println(
              "usage: ScaleHarness [--loops 1000,10000] [--seconds 60] [--warmup-seconds 10]"
                  + " [--start-slots K] [--coalesce-ms M] [--bare-tasks] [--json FILE]");
          System.exit(2);
        }
      }
    }
    System.out.printf(
        Locale.ROOT,
        "%d cores, %s %s, max heap %d MiB; %d-thread scheduler%s, 1 s period; start delays %s%s%n",
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.vm.name"),
        System.getProperty("java.runtime.version"),
        Runtime.getRuntime().maxMemory() >> 20,
        SCHEDULER_THREADS,
        coalesceMillis > 0 ? " coalescing ticks into " + coalesceMillis + " ms slots" : "",
        startSlots > 0 ? "on " + startSlots + " slots per period" : "spread loop by loop",
        bareTasks ? "; CONTROL EXPERIMENT: bare periodic tasks instead of control loops" : "");
    List<Result> results = new ArrayList<>();
    for (int loops : loopCounts) {
      Result result = measure(loops, seconds, warmupSeconds, startSlots, coalesceMillis, bareTasks);
      results.add(result);
      System.out.printf(
          Locale.ROOT,
          "%,7d loops, %4.0f s: ticks %,d; CPU %.2f %% of one core (scheduler threads %.2f %%);"
              + " lateness p50 %.3f ms, p99 %.3f ms, max %.3f ms; heap used %.1f MiB"
              + " (%,d B per loop); %d GCs; %,d mode switches%n",
          result.loops(), result.seconds(), result.ticks(), 100 * result.processCpuShare(),
          100 * result.schedulerCpuShare(), result.latenessP50Millis(),
          result.latenessP99Millis(), result.latenessMaxMillis(),
          result.heapUsedBytes() / 1048576.0, result.heapPerLoopBytes(), result.gcCount(),
          result.modeSwitches());
    }
    if (json != null) {
      StringBuilder out = new StringBuilder("[");
      for (int i = 0; i < results.size(); i++) {
        out.append(i == 0 ? "\n  " : ",\n  ").append(results.get(i).toJson());
      }
      out.append("\n]\n");
      writeJson(json, out.toString());
    }
  }

  private static void writeJson(Path json, String text) throws IOException {
    Path parent = json.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(json, text, StandardCharsets.UTF_8);
  }

  private static Result measure(
      int loopCount,
      double seconds,
      double warmupSeconds,
      int startSlots,
      double coalesceMillis,
      boolean bareTasks)
      throws InterruptedException {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    OperatingSystemMXBean os =
        (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long heapBefore = heapUsedAfterGc(memory);

    List<Thread> schedulerThreads = new CopyOnWriteArrayList<>();
    ThreadFactory factory =
        runnable -> {
          Thread thread = new Thread(runnable, "control-loops-" + schedulerThreads.size());
          thread.setDaemon(true);
          schedulerThreads.add(thread);
          return thread;
        };
    ScheduledThreadPoolExecutor scheduler =
        new ScheduledThreadPoolExecutor(SCHEDULER_THREADS, factory);
    scheduler.setRemoveOnCancelPolicy(true);
    // Start both threads now, so their CPU time is counted from the first tick.
    scheduler.prestartAllCoreThreads();
    ScheduledExecutorService loopScheduler =
        coalesceMillis > 0
            ? new org.hybridft.core.CoalescingScheduler(scheduler, java.time.Duration.ofNanos((long) (coalesceMillis * 1e6)))
            : scheduler;

    Recorder lateness = new Recorder(TimeUnit.SECONDS.toNanos(60), 3);
    SwitchCounter switches = new SwitchCounter();
    List<ControllerDescriptor<?>> kinds = ControllerRegistry.installed().descriptors();
    SplittableRandom random = new SplittableRandom(loopCount);
    List<ControlLoop> loops = new ArrayList<>(loopCount);
    for (int i = 0; i < loopCount; i++) {
      // Either every loop its own instant in the period (one scheduler wake-up per tick), or
      // loops grouped on a few instants (one wake-up runs a group's ticks back to back).
      long startDelayNanos =
          startSlots > 0
              ? PERIOD_NANOS * (i % startSlots) / startSlots
              : PERIOD_NANOS * i / loopCount;
      // A loop's first tick takes the baseline and reports nothing; a bare task reports each run.
      LatenessListener listener = new LatenessListener(lateness, switches, bareTasks ? 0 : 1);
      if (bareTasks) {
        listener.firstDueNanos = System.nanoTime() + startDelayNanos;
        loopScheduler.scheduleAtFixedRate(
            () -> listener.onTick(System.nanoTime(), Mode.COLO, 0, 0),
            startDelayNanos,
            PERIOD_NANOS,
            TimeUnit.NANOSECONDS);
        continue;
      }
      ControlLoop loop =
          ControlLoop.builder(
                  kinds.get(i % kinds.size()).createDefault(),
                  new InMemoryCounter(checkpointsPerPeriod(random)),
                  NO_OP_ACTUATOR, loopScheduler)
              .startDelay(Duration.ofNanos(startDelayNanos))
              .addListener(listener)
              .build();
      // Read just before start(): the scheduler's own start reading is a little later, so the
      // lateness measured errs on the late side by well under a microsecond.
      listener.firstDueNanos = System.nanoTime() + startDelayNanos;
      loop.start();
      loops.add(loop);
    }

    Thread.sleep((long) (warmupSeconds * 1000));
    lateness.getIntervalHistogram(); // forget the warm-up's ticks
    long switchesBefore = switches.count();
    long gcBefore = gcCount();
    long cpuBefore = os.getProcessCpuTime();
    long schedulerCpuBefore = threadCpu(threads, schedulerThreads);
    long wallBefore = System.nanoTime();
    Thread.sleep((long) (seconds * 1000));
    long wall = System.nanoTime() - wallBefore;
    long cpu = os.getProcessCpuTime() - cpuBefore;
    long schedulerCpu = threadCpu(threads, schedulerThreads) - schedulerCpuBefore;
    Histogram measured = lateness.getIntervalHistogram();
    long gcs = gcCount() - gcBefore;
    long modeSwitches = switches.count() - switchesBefore;

    // Heap with every loop alive and running, after a full GC: what the loops keep.
    long heapWith = heapUsedAfterGc(memory);
    for (ControlLoop loop : loops) {
      loop.close();
    }
    scheduler.shutdown();
    if (!scheduler.awaitTermination(10, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the scheduler did not stop within 10 s");
    }
    return new Result(
        loopCount,
        wall / 1e9,
        measured.getTotalCount(),
        (double) cpu / wall,
        (double) schedulerCpu / wall,
        measured.getValueAtPercentile(50) / 1e6,
        measured.getValueAtPercentile(99) / 1e6,
        measured.getMaxValue() / 1e6,
        heapWith,
        (heapWith - heapBefore) / loopCount,
        gcs,
        modeSwitches,
        startSlots,
        coalesceMillis,
        bareTasks);
  }

  /** A VM's checkpoints per control period: a third each deterministic, non-deterministic, mixed. */
  private static int checkpointsPerPeriod(SplittableRandom random) {
    return switch (random.nextInt(3)) {
      case 0 -> random.nextInt(2);
      case 1 -> random.nextInt(20, 301);
      default -> random.nextInt(1, 7);
    };
  }

  private static long heapUsedAfterGc(MemoryMXBean memory) throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return memory.getHeapMemoryUsage().getUsed();
  }

  private static long threadCpu(ThreadMXBean threads, List<Thread> schedulerThreads) {
    long sum = 0;
    for (Thread thread : schedulerThreads) {
      long cpu = threads.getThreadCpuTime(thread.getId());
      if (cpu > 0) {
        sum += cpu;
      }
    }
    return sum;
  }

  private static long gcCount() {
    long sum = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      sum += Math.max(0, gc.getCollectionCount());
    }
    return sum;
  }

  private static final ModeActuator NO_OP_ACTUATOR = (mode, checkpointPeriodNanos) -> {};

  /** A VM's checkpoint counter in memory: every read is one period later. */
  private static final class InMemoryCounter implements CheckpointCounter {
    private final int checkpointsPerPeriod;
    private long checkpoints;

    InMemoryCounter(int checkpointsPerPeriod) {
      this.checkpointsPerPeriod = checkpointsPerPeriod;
    }

    @Override
    public long checkpoints() {
      checkpoints += checkpointsPerPeriod;
      return checkpoints;
    }

    @Override
    public long totalPauseNanos() {
      // 5 ms per checkpoint: a small guest's dirty memory over a fast link.
      return checkpoints * 5_000_000L;
    }
  }

  /** Mode switches across all loops; updated from both scheduler threads. */
  private static final class SwitchCounter {
    private final AtomicLong count = new AtomicLong();

    void increment() {
      count.incrementAndGet();
    }

    long count() {
      return count.get();
    }
  }

  /** Records each measured tick's lateness: its clock reading minus when it was due. */
  private static final class LatenessListener implements ControlLoop.Listener {
    private final Recorder lateness;
    private final SwitchCounter switches;
    long firstDueNanos;
    private long tickIndex;

    LatenessListener(Recorder lateness, SwitchCounter switches, long firstReportedTick) {
      this.lateness = lateness;
      this.switches = switches;
      this.tickIndex = firstReportedTick;
    }

    @Override
    public void onTick(long nowNanos, Mode mode, double checkpointsPerSecond, double ratio) {
      long due = firstDueNanos + tickIndex * PERIOD_NANOS;
      tickIndex++;
      lateness.recordValue(Math.max(0, nowNanos - due));
    }

    @Override
    public void onModeSwitch(long nowNanos, Mode from, Mode to, double checkpointsPerSecond) {
      switches.increment();
    }
  }
}
