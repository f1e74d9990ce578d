package org.hybridft.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.management.OperatingSystemMXBean;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.hybridft.agent.Agent;
import org.hybridft.agent.AgentConfig;
import org.hybridft.agent.AgentLog;
import org.hybridft.agent.VmStatus;
import org.jspecify.annotations.Nullable;

/**
 * What the host agent costs a host with many COLO VMs: one {@link Agent}, in this JVM, supervising
 * N fake QEMU primaries served by a {@link FakeQmpFleet} in a child JVM, so that this process's CPU
 * time and memory are the agent's alone. Not a JMH benchmark and not a timed test: it reports, on
 * the real clock,
 *
 * <ul>
 *   <li><b>attach time</b>: from {@link Agent#start} until the first and until every VM is {@code
 *       ATTACHED};
 *   <li><b>steady state</b>, over {@code --seconds} after {@code --warmup-seconds} (two minutes by
 *       default: a service runs for days, and the JIT compiles code that runs a few times a second
 *       only after its first minute): the process CPU
 *       time over the wall time (share of one core, JIT and GC included) and per VM per second, the
 *       CPU of each group of threads, and the checkpoint rate the loops counted (the fleet sends one
 *       checkpoint a second per VM);
 *   <li><b>memory</b>: heap used after a full GC, the resident set ({@code VmRSS}, {@code VmHWM})
 *       and the thread count, and one scrape of {@code /metrics};
 *   <li><b>a reconnect storm</b>: every fake QEMU closes its connection and its socket at once, its
 *       socket file deleted, and binds again after {@code --restart-gap-ms}; the time until every
 *       VM is attached again, the states at the goal ({@code --storm-goal-seconds}, 30 s) after the
 *       storm, the agent's attach and loss counters, and how many VMs logged a new {@code attached};
 *   <li><b>stop</b>: how long {@link Agent#close()} took and whether it left every VM in time.
 * </ul>
 *
 * <p>The agent's configuration is the shipped one but for discovery ({@code DIR/*.sock} every 2 s),
 * metrics on an ephemeral loopback port, JSON logs into a file, and a reattach back-off of 1 s up to
 * 5 s. Exits 1 if a VM never attached, a VM was not attached again after the storm within three times
 * the goal, or the stop ran out of time; the goals (under 2 % of one core and 256 MiB resident for 500
 * VMs, every VM reattached within 30 s of the storm) are reported, not enforced.
 *
 * <p>Usage: {@code AgentScale [--vms 500] [--seconds 60] [--warmup-seconds 120] [--storm|--no-storm]
 * [--restart-gap-ms 1000] [--storm-goal-seconds 30] [--json FILE]}.
 */
public final class AgentScale {
  static final double CPU_GOAL_SHARE = 0.02;
  static final long MEMORY_GOAL_BYTES = 256L << 20;
  static final Duration DEFAULT_STORM_GOAL = Duration.ofSeconds(30);
  /** The JVM's own threads (JIT compilers, GC), which no thread snapshot lists: the process minus the rest. */
  static final String JVM_THREADS = "JVM's own (JIT, GC; process minus the threads listed)";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final long POLL_MILLIS = 20;

  private AgentScale() {}

  /** Attach after start. */
  record Attach(double firstSeconds, double allSeconds, int attached) {}

  /** The steady state. */
  record Steady(double seconds, double processCpuShareOfOneCore, double cpuMicrosPerVmPerSecond,
      Map<String, Double> threadCpuShareOfOneCoreByGroup, long gcCount, double meanCountedCheckpointsPerSecond,
      int attached) {}

  /** What the agent holds. */
  record Memory(long heapUsedBytes, long heapBeforeAgentBytes, long heapPerVmBytes, long rssBytes,
      long rssPeakBytes, int threads, int threadsBeforeAgent, long metricsBytes, double metricsScrapeMillis) {}

  /** The reconnect storm. */
  record Storm(double restartGapSeconds, double allReattachedSecondsAfterClose,
      double allReattachedSecondsAfterRebind, boolean complete, double goalSeconds,
      Map<String, Integer> statesAtGoal, int vmsLoggedAttachedAgain, double attachesDuring, double lossesDuring,
      Map<String, Integer> logEvents) {}

  /** Stopping the agent and the fleet, and the resident set's peak over the whole run before it. */
  record Stop(long rssPeakBytesBeforeStop, double agentCloseSeconds, boolean agentStoppedInTime,
      double fleetQuitSeconds, String fleetStats) {}

  /** One run. */
  record Result(int vms, int cores, String java, String agentConfig, Attach attach, Steady steady, Memory memory,
      @Nullable Storm storm, Stop stop, Map<String, Boolean> goalsMet) {}

  /**
   * Runs the benchmark; see the class comment for the arguments.
   *
   * @param args {@code --vms}, {@code --seconds}, {@code --warmup-seconds}, {@code --storm}, {@code
   *     --no-storm}, {@code --restart-gap-ms}, {@code --storm-goal-seconds}, {@code --json}
   */
  public static void main(String[] args) throws Exception {
    int vms = 500;
    double seconds = 60;
    double warmupSeconds = 120;
    boolean storm = true;
    long restartGapMillis = 1000;
    double stormGoalSeconds = DEFAULT_STORM_GOAL.toSeconds();
    Path json = null;
    try {
      for (int i = 0; i < args.length; i++) {
        String option = args[i];
        if (option.equals("--storm") || option.equals("--no-storm")) {
          storm = option.equals("--storm");
          continue;
        }
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(option + " needs a value");
        }
        String value = args[++i];
        switch (option) {
          case "--vms" -> vms = Integer.parseInt(value);
          case "--seconds" -> seconds = Double.parseDouble(value);
          case "--warmup-seconds" -> warmupSeconds = Double.parseDouble(value);
          case "--restart-gap-ms" -> restartGapMillis = Long.parseLong(value);
          case "--storm-goal-seconds" -> stormGoalSeconds = Double.parseDouble(value);
          case "--json" -> json = Path.of(value);
          default -> throw new IllegalArgumentException("unknown option " + option);
        }
      }
      if (vms < 1 || !(seconds > 0) || !(warmupSeconds >= 0) || restartGapMillis < 0 || !(stormGoalSeconds > 0)) {
        throw new IllegalArgumentException("--vms must be >= 1, --seconds > 0, --warmup-seconds >= 0,"
            + " --restart-gap-ms >= 0, --storm-goal-seconds > 0");
      }
    } catch (RuntimeException bad) {
      System.err.println("AgentScale: " + bad.getMessage() + "\nusage: AgentScale [--vms 500] [--seconds 60]"
          + " [--warmup-seconds 120] [--storm|--no-storm] [--restart-gap-ms 1000] [--storm-goal-seconds 30]"
          + " [--json FILE]");
      System.exit(2);
      return;
    }
    Duration stormGoal = storm ? Duration.ofMillis((long) (stormGoalSeconds * 1000)) : null;
    Result result = run(vms, seconds, warmupSeconds, stormGoal, Duration.ofMillis(restartGapMillis));
    if (json != null) {
      Path parent = json.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      JSON.writeValue(json.toFile(), result);
    }
    boolean complete = result.attach().attached() == vms
        && (result.storm() == null || result.storm().complete())
        && result.stop().agentStoppedInTime();
    if (!complete) {
      System.out.println("INCOMPLETE: a VM was not attached, not attached again, or the stop ran out of time");
    }
    System.exit(complete ? 0 : 1);
  }

  private static Result run(int vms, double seconds, double warmupSeconds, @Nullable Duration stormGoal, Duration gap)
      throws Exception {
    int cores = Runtime.getRuntime().availableProcessors();
    String java = System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version");
    say("%d VMs behind fake QMP servers (one child JVM), one agent in this JVM; %d cores, %s, max heap %d MiB",
        vms, cores, java, Runtime.getRuntime().maxMemory() >> 20);
    Path dir = Files.createTempDirectory("hybridft-agent-scale");
    Duration maxLife = Duration.ofSeconds((long) (seconds + warmupSeconds) + 600);
    try (FleetProcess fleet = FleetProcess.start(vms, dir, gap, maxLife)) {
      fleet.await("ready", Duration.ofSeconds(120));
      Path config = dir.resolve("agent.properties");
      String agentConfig = "discovery.sockets = " + dir + "/*.sock\n"
          + "discovery.interval = 2s\nmetrics.listen = 0\nlog.format = json\n"
          + "reattach.backoff = 1s\nreattach.max-backoff = 5s\n";
      Files.writeString(config, agentConfig);
      Path logFile = dir.resolve("agent.log");
      MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
      long heapBefore = heapUsedAfterGc(memory);
      int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
      try (PrintStream logOut = new PrintStream(new BufferedOutputStream(Files.newOutputStream(logFile)), true,
          StandardCharsets.UTF_8)) {
        long started = System.nanoTime();
        Agent agent = Agent.start(config, new AgentLog(logOut, AgentConfig.LogFormat.JSON, Clock.systemUTC()));
        try {
          Attach attach = awaitAttached(agent, vms, started, Duration.ofSeconds(60 + vms / 5));
          say("attach: first VM %.2f s, %d of %d VMs %.2f s after Agent.start", attach.firstSeconds(),
              attach.attached(), vms, attach.allSeconds());
          Thread.sleep((long) (warmupSeconds * 1000));
          Steady steady = measureSteady(agent, vms, seconds);
          say("steady state (%.0f s after %.0f s warm-up): CPU %.3f %% of one core = %.1f µs per VM per second;"
              + " %d GCs; loops counted %.3f checkpoints/s per VM (fleet sends 1.000); %d attached",
              steady.seconds(), warmupSeconds, 100 * steady.processCpuShareOfOneCore(),
              steady.cpuMicrosPerVmPerSecond(), steady.gcCount(), steady.meanCountedCheckpointsPerSecond(),
              steady.attached());
          StringBuilder groups = new StringBuilder("  threads, % of one core:");
          steady.threadCpuShareOfOneCoreByGroup().forEach((group, share) ->
              groups.append(String.format(Locale.ROOT, " %s %.3f;", group, 100 * share)));
          say("%s", groups);
          Memory held = measureMemory(agent, memory, heapBefore, threadsBefore, vms);
          say("memory: heap used after GC %.1f MiB (%.1f MiB before the agent, %,d B per VM); resident %.1f MiB"
              + " (peak %.1f MiB); %d threads (%d before the agent); /metrics %,d B in %.1f ms",
              mib(held.heapUsedBytes()), mib(held.heapBeforeAgentBytes()), held.heapPerVmBytes(),
              mib(held.rssBytes()), mib(held.rssPeakBytes()), held.threads(), held.threadsBeforeAgent(),
              held.metricsBytes(), held.metricsScrapeMillis());
          Storm stormResult = stormGoal == null ? null : storm(agent, fleet, vms, gap, stormGoal, logFile);
          long rssPeak = procStatus().getOrDefault("VmHWM", -1L);
          long closing = System.nanoTime();
          agent.close();
          double closeSeconds = (System.nanoTime() - closing) / 1e9;
          boolean inTime = stoppedInTime(logFile);
          long quitting = System.nanoTime();
          String stats = fleet.quit(Duration.ofSeconds(60));
          double quitSeconds = (System.nanoTime() - quitting) / 1e9;
          Stop stop = new Stop(rssPeak, closeSeconds, inTime, quitSeconds, stats.substring("stats ".length()));
          say("stop: resident peak of the whole run %.1f MiB; Agent.close() %.2f s, every VM left in stop.mode"
              + " in time: %b; fleet quit %.2f s (%s)",
              mib(rssPeak), closeSeconds, inTime, quitSeconds, stop.fleetStats());
          Map<String, Boolean> goals = new TreeMap<>();
          goals.put("cpuUnder2PercentOfOneCore", steady.processCpuShareOfOneCore() < CPU_GOAL_SHARE);
          goals.put("residentUnder256MiB", Math.max(held.rssPeakBytes(), rssPeak) < MEMORY_GOAL_BYTES);
          if (stormResult != null) {
            goals.put("everyVmReattachedWithin" + Math.round(stormResult.goalSeconds()) + "s", stormResult.complete()
                && stormResult.allReattachedSecondsAfterClose() <= stormResult.goalSeconds());
          }
          say("goals (%d VMs; set for 500): %s", vms, goals);
          return new Result(vms, cores, java, agentConfig, attach, steady, held, stormResult, stop, goals);
        } finally {
          agent.close();
        }
      }
    } finally {
      deleteTree(dir);
    }
  }

  private static Attach awaitAttached(Agent agent, int vms, long started, Duration limit) throws InterruptedException {
    long deadline = started + limit.toNanos();
    long first = -1;
    int attached = 0;
    while (System.nanoTime() - deadline < 0) {
      attached = states(agent).getOrDefault(VmStatus.State.ATTACHED, 0);
      long now = System.nanoTime();
      if (attached > 0 && first < 0) {
        first = now;
      }
      if (attached == vms) {
        return new Attach((first - started) / 1e9, (now - started) / 1e9, attached);
      }
      Thread.sleep(POLL_MILLIS);
    }
    say("attach: only %d of %d VMs attached within %s: %s", attached, vms, limit, states(agent));
    return new Attach(first < 0 ? Double.NaN : (first - started) / 1e9, Double.NaN, attached);
  }

  private static Steady measureSteady(Agent agent, int vms, double seconds) throws InterruptedException {
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    ThreadCpu threadsBefore = ThreadCpu.now();
    long gcBefore = gcCount();
    long cpuBefore = os.getProcessCpuTime();
    long wallBefore = System.nanoTime();
    Thread.sleep((long) (seconds * 1000));
    long wall = System.nanoTime() - wallBefore;
    long cpu = os.getProcessCpuTime() - cpuBefore;
    long gcs = gcCount() - gcBefore;
    Map<String, Double> byGroup = new LinkedHashMap<>(ThreadCpu.now().shareSince(threadsBefore, wall));
    double listed = byGroup.values().stream().mapToDouble(Double::doubleValue).sum();
    byGroup.put(JVM_THREADS, Math.max(0, (double) cpu / wall - listed));
    double cps = 0;
    int gauges = 0;
    for (Gauge gauge : agent.registry().find("hybridft.checkpoints.per.second").gauges()) {
      double value = gauge.value();
      if (Double.isFinite(value)) {
        cps += value;
        gauges++;
      }
    }
    double share = (double) cpu / wall;
    return new Steady(wall / 1e9, share, share * 1e6 / vms, byGroup, gcs, gauges == 0 ? Double.NaN : cps / gauges,
        states(agent).getOrDefault(VmStatus.State.ATTACHED, 0));
  }

  private static Memory measureMemory(Agent agent, MemoryMXBean memory, long heapBefore, int threadsBefore, int vms)
      throws IOException, InterruptedException {
    long heap = heapUsedAfterGc(memory);
    Map<String, Long> status = procStatus();
    int threads = ManagementFactory.getThreadMXBean().getThreadCount();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpRequest request = HttpRequest.newBuilder(URI.create(agent.metricsUrl().orElseThrow()))
        .timeout(Duration.ofSeconds(30)).build();
    long scraping = System.nanoTime();
    HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    double scrapeMillis = (System.nanoTime() - scraping) / 1e6;
    if (response.statusCode() != 200) {
      throw new IllegalStateException("/metrics answered " + response.statusCode());
    }
    return new Memory(heap, heapBefore, (heap - heapBefore) / vms, status.getOrDefault("VmRSS", -1L),
        status.getOrDefault("VmHWM", -1L), threads, threadsBefore, response.body().length, scrapeMillis);
  }

  private static Storm storm(Agent agent, FleetProcess fleet, int vms, Duration gap, Duration stormGoal, Path logFile)
      throws IOException, InterruptedException {
    Counter attaches = agent.registry().get("hybridft.agent.attaches").counter();
    Counter losses = agent.registry().get("hybridft.agent.losses").counter();
    double attachesBefore = attaches.count();
    double lossesBefore = losses.count();
    long logOffset = Files.size(logFile);
    fleet.send("restart");
    fleet.await("closed", Duration.ofSeconds(30));
    long closed = System.nanoTime();
    fleet.await("bound", gap.plusSeconds(30));
    long bound = System.nanoTime();
    // Waits past the goal, so that a slow storm is measured rather than cut off.
    long deadline = closed + stormGoal.toNanos() * 3;
    long goal = closed + stormGoal.toNanos();
    long allBack = -1;
    Map<String, Integer> atGoal = null;
    while (System.nanoTime() - deadline < 0) {
      Map<VmStatus.State, Integer> states = states(agent);
      long now = System.nanoTime();
      if (atGoal == null && now - goal >= 0) {
        atGoal = names(states);
      }
      if (attaches.count() - attachesBefore >= vms && states.getOrDefault(VmStatus.State.ATTACHED, 0) == vms
          && agent.vms().size() == vms) {
        allBack = now;
        break;
      }
      Thread.sleep(POLL_MILLIS);
    }
    if (atGoal == null) {
      // Everything was back before the goal: what counts is what stands at the goal.
      Thread.sleep(Math.max(0, (goal - System.nanoTime()) / 1_000_000));
      atGoal = names(states(agent));
    }
    Map<String, Integer> events = new TreeMap<>();
    TreeSet<String> attachedAgain = new TreeSet<>();
    for (JsonNode line : logLines(logFile, logOffset)) {
      String event = line.path("event").asText();
      events.merge(event, 1, Integer::sum);
      if (event.equals("attached")) {
        attachedAgain.add(line.path("vm").asText());
      }
    }
    boolean complete = allBack > 0 && attachedAgain.size() == vms
        && atGoal.getOrDefault("attached", 0) == vms && atGoal.size() == 1;
    Storm storm = new Storm(gap.toMillis() / 1e3, allBack < 0 ? Double.NaN : (allBack - closed) / 1e9,
        allBack < 0 ? Double.NaN : (allBack - bound) / 1e9, complete, stormGoal.toMillis() / 1e3, atGoal,
        attachedAgain.size(), attaches.count() - attachesBefore, losses.count() - lossesBefore, events);
    String back = allBack < 0
        ? String.format(Locale.ROOT, "NOT all %d VMs attached again within %.0f s", vms, 3 * storm.goalSeconds())
        : String.format(Locale.ROOT, "all %d VMs attached again %.2f s after the close (%.2f s after the sockets"
            + " were back)", vms, storm.allReattachedSecondsAfterClose(), storm.allReattachedSecondsAfterRebind());
    say("storm: every QEMU closed at once, sockets back after %.1f s: %s; at %.0f s: %s (states of the VMs"
        + " discovered); %d VMs logged 'attached' again; attaches +%.0f, losses +%.0f; log events %s",
        storm.restartGapSeconds(), back, storm.goalSeconds(), atGoal, attachedAgain.size(),
        storm.attachesDuring(), storm.lossesDuring(), events);
    return storm;
  }

  private static Map<VmStatus.State, Integer> states(Agent agent) {
    Map<VmStatus.State, Integer> counts = new EnumMap<>(VmStatus.State.class);
    for (VmStatus status : agent.vms()) {
      counts.merge(status.state(), 1, Integer::sum);
    }
    return counts;
  }

  private static Map<String, Integer> names(Map<VmStatus.State, Integer> states) {
    Map<String, Integer> named = new TreeMap<>();
    states.forEach((state, n) -> named.put(state.name().toLowerCase(Locale.ROOT), n));
    return named;
  }

  private static List<JsonNode> logLines(Path logFile, long offset) throws IOException {
    byte[] all = Files.readAllBytes(logFile);
    String text = new String(all, (int) Math.min(offset, all.length), (int) Math.max(0, all.length - offset),
        StandardCharsets.UTF_8);
    return text.lines().filter(line -> !line.isBlank()).map(line -> {
      try {
        return JSON.readTree(line);
      } catch (IOException notJson) {
        throw new IllegalStateException("the agent's log has a line that is not JSON: " + line, notJson);
      }
    }).toList();
  }

  /** Whether the agent's last {@code stopped} line says every VM was left in time. */
  private static boolean stoppedInTime(Path logFile) throws IOException {
    boolean inTime = false;
    for (JsonNode line : logLines(logFile, 0)) {
      if (line.path("event").asText().equals("stopped")) {
        inTime = line.path("inTime").asBoolean(false);
      }
    }
    return inTime;
  }

  /** {@code /proc/self/status}'s sizes in bytes ({@code VmRSS}, {@code VmHWM}); empty off Linux. */
  private static Map<String, Long> procStatus() {
    Map<String, Long> sizes = new TreeMap<>();
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        String[] parts = line.split("\\s+");
        if (parts.length == 3 && parts[2].equals("kB") && parts[0].endsWith(":")) {
          sizes.put(parts[0].substring(0, parts[0].length() - 1), Long.parseLong(parts[1]) * 1024);
        }
      }
    } catch (IOException | NumberFormatException notLinux) {
      // Reported as -1.
    }
    return sizes;
  }

  private static long heapUsedAfterGc(MemoryMXBean memory) throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return memory.getHeapMemoryUsage().getUsed();
  }

  private static long gcCount() {
    long sum = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      sum += Math.max(0, gc.getCollectionCount());
    }
    return sum;
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }

  private static double mib(long bytes) {
    return bytes / 1048576.0;
  }

  private static void say(String format, Object... args) {
    System.out.println(String.format(Locale.ROOT, format, args));
    System.out.flush();
  }
}
