package org.hybridft.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.hybridft.controllers.ControllerRegistry;
import org.hybridft.core.CoalescingScheduler;
import org.hybridft.core.Mode;
import org.hybridft.libvirt.LibvirtHost;
import org.hybridft.libvirt.LibvirtHostException;
import org.jspecify.annotations.Nullable;

/**
 * The host agent: finds every COLO primary its configuration lets it discover and drives each
 * with its own {@link org.hybridft.core.ControlLoop}, until {@link #close()}.
 *
 * <pre>{@code
 * AgentLog log = new AgentLog(System.err, AgentConfig.LogFormat.JSON, Clock.systemUTC());
 * try (Agent agent = Agent.start(Path.of("/etc/hybrid-ft/agent.properties"), log)) {
 *   ... // until the service stops; agent.reload() on SIGHUP
 * }
 * }</pre>
 *
 * <p><b>Discovery.</b> Every {@code discovery.interval} the agent lists the sockets that match
 * {@code discovery.sockets} and the running libvirt domains that {@code discovery.libvirt.*}
 * selects (reached through libvirt's monitor passthrough, counted by query: see {@link
 * org.hybridft.qmp.QmpCheckpointCounter}). A new one is attached at once: connected, checked to be
 * a COLO primary whose checkpoints can be counted, given the settings of its VM's name ({@link
 * AgentConfig#settingsFor}), and driven. A QEMU that is not a COLO primary is left alone, the
 * reason logged once, and checked again at each discovery (COLO may start later). A socket that
 * disappears, or a domain that no longer runs, is detached: its loop closed, its meters removed,
 * its connection closed. While libvirt cannot be reached, its domains are kept as they are and
 * the failure is logged once.
 *
 * <p><b>QEMU's life.</b> A connection that closes (QEMU killed or restarted) or a replication
 * that ends (failover) is logged and attached again after {@code reattach.backoff}, doubled at each
 * failure up to {@code reattach.max-backoff}; the new QEMU is checked like a new one. A hung QEMU
 * (SIGSTOP) keeps its attachment: its loop enters the fail-safe, which is logged, and resumes when
 * QEMU answers again.
 *
 * <p><b>Reload.</b> {@link #reload()} (the command calls it on SIGHUP) and a change of the
 * configuration file (checked at each discovery) read the file again: a file with mistakes is
 * refused with them logged, and the running configuration stays; otherwise VMs whose settings are
 * unchanged keep running untouched, the others are attached again with their new settings.
 *
 * <p><b>Stop.</b> {@link #close()} detaches every VM, leaving each in {@code stop.mode} (default
 * checkpoint mode, whose cost does not depend on the workload, at the fail-safe checkpoint period
 * of 500 ms), within {@code stop.timeout}; a VM that cannot be reached in time stays in the mode it
 * was in.
 *
 * <p><b>One place to look.</b> {@code metrics.listen} serves every VM's {@link
 * org.hybridft.micrometer.ControlLoopMetrics} (label {@code vm}) and the agent's own meters ({@code
 * hybridft_agent_vms{state}}, {@code hybridft_agent_attaches_total}, {@code
 * hybridft_agent_losses_total}) on {@code /metrics}, and each VM's state as JSON on {@code
 * /health}. Logs go to the {@link AgentLog}.
 *
 * <p><b>Threads.</b> Two scheduler threads run every loop's ticks (those due within the same 50 ms
 * of the period together, from one task) and the discovery; four attach
 * threads connect and check QEMUs (blocking for at most the QMP timeout of {@value
 * #QMP_TIMEOUT_SECONDS} s per call); four actuation threads apply modes, so a slow QEMU holds up
 * no other VM. All are daemon threads, ended by {@link #close()}.
 */
public final class Agent implements AutoCloseable {
  static final int QMP_TIMEOUT_SECONDS = 3;
  static final Duration QMP_TIMEOUT = Duration.ofSeconds(QMP_TIMEOUT_SECONDS);
  /**
   * The loops' ticks due within the same 50 ms of their period run together, from one scheduler
   * task ({@link CoalescingScheduler}): a wake-up of a scheduler thread costs far more than a tick,
   * and the wake-ups are bounded at one per slot of each control period in use (20 a second at the
   * default period of 1 s) whatever the number of VMs. A loop's first tick waits at most this
   * long; its period is unchanged.
   */
  static final Duration TICK_SLOT = Duration.ofMillis(50);
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final @Nullable Path configFile;
  private final ControllerRegistry registry;
  private final AgentLog log;
  private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final CoalescingScheduler scheduler;
  private final ExecutorService attachExecutor;
  private final ExecutorService actuationExecutor;
  private final Map<VmEndpoint, VmSupervisor> supervisors = new ConcurrentHashMap<>();
  private final Map<String, VmEndpoint> names = new ConcurrentHashMap<>();
  private final Counter attaches;
  private final Counter losses;
  private final Object lifecycle = new Object();
  private final Object discovering = new Object();

  private volatile AgentConfig config;
  private volatile SocketDiscovery discovery;
  private volatile @Nullable LibvirtDiscovery libvirtDiscovery;
  private @Nullable String libvirtProblem; // the last libvirt failure logged; under discovering
  private java.util.concurrent.@Nullable Future<LibvirtDiscovery.Scan> libvirtScan; // under discovering
  private volatile boolean stopping;
  // Guarded by lifecycle.
  private @Nullable MetricsServer server;
  private @Nullable ScheduledFuture<?> discoveryTask;
  private @Nullable FileStamp configStamp;

  private Agent(AgentConfig config, @Nullable Path configFile, ControllerRegistry registry, AgentLog log) {
    this.config = config;
    this.configFile = configFile;
    this.registry = registry;
    this.log = log;
    this.discovery = new SocketDiscovery(config.socketGlobs());
    this.libvirtDiscovery = config.libvirt().map(LibvirtDiscovery::new).orElse(null);
    this.scheduler = new CoalescingScheduler(
        Executors.newScheduledThreadPool(2, daemon("hybrid-ft-agent-loop")), TICK_SLOT);
    this.attachExecutor = Executors.newFixedThreadPool(4, daemon("hybrid-ft-agent-attach"));
    this.actuationExecutor = Executors.newFixedThreadPool(4, daemon("hybrid-ft-agent-actuation"));
    this.attaches = Counter.builder("hybridft.agent.attaches")
        .description("VMs attached, reattaches included").register(meters);
    this.losses = Counter.builder("hybridft.agent.losses")
        .description("attached VMs lost (QMP closed, replication ended) or attaches that failed").register(meters);
    for (VmStatus.State state : VmStatus.State.values()) {
      if (state != VmStatus.State.DETACHED) {
        Gauge.builder("hybridft.agent.vms", () -> count(state))
            .description("discovered QEMUs by what the agent does with them")
            .tag("state", state.name().toLowerCase(Locale.ROOT))
            .register(meters);
      }
    }
  }

  /**
   * Reads {@code configFile} and starts the agent; {@link #reload()} and a change of the file read
   * it again.
   *
   * @throws IOException if the file cannot be read
   * @throws AgentConfigException listing the file's mistakes
   * @throws java.io.UncheckedIOException if the metrics address cannot be bound
   */
  public static Agent start(Path configFile, AgentLog log) throws IOException {
    ControllerRegistry registry = ControllerRegistry.installed();
    AgentConfig config = AgentConfig.read(configFile, registry);
    Agent agent = new Agent(config, configFile, registry, log);
    agent.configStamp = FileStamp.of(configFile);
    agent.begin();
    return agent;
  }

  /**
   * Starts the agent with a configuration made in code; {@link #reload(AgentConfig)} replaces it.
   *
   * @throws java.io.UncheckedIOException if the metrics address cannot be bound
   */
  public static Agent start(AgentConfig config, AgentLog log) {
    Agent agent = new Agent(config, null, ControllerRegistry.installed(), log);
    agent.begin();
    return agent;
  }

  private void begin() {
    synchronized (lifecycle) {
      try {
        startServer(config);
      } catch (RuntimeException failed) {
        shutdownExecutors();
        meters.close();
        throw failed;
      }
      Map<String, Object> fields = new java.util.LinkedHashMap<>();
      fields.put("sockets", config.socketGlobs());
      config.libvirt().ifPresent(libvirt -> fields.put("libvirt", libvirt.uri()));
      log.log(AgentLog.Level.INFO, "started", null, "supervising " + sources(config)
          + (server == null ? "" : "; metrics at " + server.url() + ", health at " + server.healthUrl()), fields);
      discoveryTask = scheduler.scheduleWithFixedDelay(this::discover, 0,
          config.discoveryInterval().toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  /** What a configuration supervises, in words. */
  private static String sources(AgentConfig with) {
    List<String> sources = new ArrayList<>(with.socketGlobs());
    with.libvirt().ifPresent(libvirt -> sources.add("libvirt domains " + libvirt.domains()
        + libvirt.metadata().map(namespace -> " with metadata in " + namespace).orElse("") + " at " + libvirt.uri()));
    return String.join(", ", sources);
  }

  private void startServer(AgentConfig with) {
    Optional<java.net.InetSocketAddress> address = with.metricsAddress();
    server = address.isEmpty() ? null : MetricsServer.start(address.get(), meters, this::health);
  }

  /** One discovery: new sockets and domains attached, vanished ones detached, due retries started. */
  private void discover() {
    // One discovery at a time, and none once close() has taken its list of VMs.
    synchronized (discovering) {
      if (!stopping) {
        discoverOnce();
      }
    }
  }

  private void discoverOnce() {
    try {
      checkConfigFile();
      Set<VmEndpoint> found = new HashSet<>();
      for (Path socket : discovery.scan()) {
        found.add(new VmEndpoint.Socket(socket));
      }
      LibvirtDiscovery libvirt = libvirtDiscovery;
      boolean libvirtListed = true;
      String currentUri = libvirt == null ? null : libvirt.settings().uri();
      if (libvirt != null) {
        LibvirtDiscovery.Scan scan = scanLibvirt(libvirt);
        for (String domain : scan.domains()) {
          found.add(new VmEndpoint.Domain(currentUri, domain, this::libvirtHost));
        }
        libvirtListed = scan.failed().isEmpty();
        String problem = scan.failed().orElse(null);
        if (problem != null && !problem.equals(libvirtProblem)) {
          log.log(AgentLog.Level.WARN, "libvirt-unreachable", null, "cannot list the domains at " + currentUri + ": "
              + problem + "; its domains are kept as they are until it answers", Map.of("libvirt", currentUri));
        } else if (problem == null && libvirtProblem != null) {
          log.log(AgentLog.Level.INFO, "libvirt-reachable", null, "libvirt at " + currentUri + " answers again",
              Map.of("libvirt", currentUri));
        }
        libvirtProblem = problem;
      }
      for (VmEndpoint endpoint : found) {
        supervisors.computeIfAbsent(endpoint, e -> new VmSupervisor(this, e, config.reattachBackoff()));
      }
      long now = nanoTime();
      for (VmSupervisor supervisor : new ArrayList<>(supervisors.values())) {
        VmEndpoint endpoint = supervisor.endpoint();
        // Domains are judged only by a listing of their own daemon that worked: libvirt down is
        // not every domain gone. Those of a daemon no longer configured go.
        boolean judged = !(endpoint instanceof VmEndpoint.Domain domainEndpoint) || libvirtListed
            || !domainEndpoint.uri().equals(currentUri);
        if (judged && !found.contains(endpoint)) {
          supervisors.remove(endpoint);
          String gone = endpoint instanceof VmEndpoint.Domain domain
              ? "domain " + domain.name() + " no longer runs or is no longer selected"
              : "its socket " + endpoint.source() + " is gone";
          attachExecutor.execute(() -> supervisor.detach(gone, null));
        } else {
          supervisor.attachIfDue(now);
        }
      }
    } catch (RuntimeException unexpected) {
      // The next discovery tries again; a task that threw would never run again.
      log.log(AgentLog.Level.ERROR, "discovery-failed", null, "discovery failed: " + unexpected, Map.of());
    }
  }

  /**
   * One listing of libvirt's domains, bounded in time: a libvirt call has no timeout of its own,
   * and a hung daemon must not hold up the sockets' discovery, reloads or the stop. While a
   * listing is still blocked, the next discovery does not start another one.
   */
  private LibvirtDiscovery.Scan scanLibvirt(LibvirtDiscovery libvirt) {
    java.util.concurrent.Future<LibvirtDiscovery.Scan> running = libvirtScan;
    if (running == null || running.isDone()) {
      try {
        running = attachExecutor.submit(libvirt::scan);
      } catch (java.util.concurrent.RejectedExecutionException stopping) {
        return new LibvirtDiscovery.Scan(new java.util.TreeSet<>(), "the agent stops");
      }
      libvirtScan = running;
    }
    try {
      return running.get(QMP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException hung) {
      return new LibvirtDiscovery.Scan(new java.util.TreeSet<>(),
          "libvirt did not answer within " + QMP_TIMEOUT_SECONDS + " s");
    } catch (java.util.concurrent.ExecutionException failed) {
      return new LibvirtDiscovery.Scan(new java.util.TreeSet<>(), String.valueOf(failed.getCause()));
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      return new LibvirtDiscovery.Scan(new java.util.TreeSet<>(), "interrupted");
    }
  }

  /** Reads the configuration file again when it changed since it was last read. */
  private void checkConfigFile() {
    if (configFile == null) {
      return;
    }
    FileStamp now = FileStamp.of(configFile);
    FileStamp before;
    synchronized (lifecycle) {
      before = configStamp;
    }
    if (now != null && !now.equals(before)) {
      reload();
    }
  }

  /**
   * Reads the configuration file again and applies it ({@link #reload(AgentConfig)}); a file that
   * cannot be read or has mistakes is refused, the mistakes logged, and the running configuration
   * stays. Does nothing for an agent started without a file.
   *
   * @return whether the new configuration was applied
   */
  public boolean reload() {
    if (configFile == null) {
      return false;
    }
    AgentConfig next;
    synchronized (lifecycle) {
      configStamp = FileStamp.of(configFile);
    }
    try {
      next = AgentConfig.read(configFile, registry);
    } catch (IOException | IllegalArgumentException refused) {
      log.log(AgentLog.Level.ERROR, "reload-refused", null, "configuration not reloaded, the running one"
          + " stays: " + refused.getMessage().replace("\n", ";"), Map.of("file", configFile.toString()));
      return false;
    }
    reload(next);
    return true;
  }

  /**
   * Applies a new configuration: VMs whose settings are unchanged keep running untouched; the
   * others are attached again with their new settings; new globs are searched at the next
   * discovery, and sockets no glob matches any more are detached then. A changed metrics address
   * is bound anew (if it cannot be, the metrics stay where they were, and that is logged).
   */
  public void reload(AgentConfig next) {
    Objects.requireNonNull(next, "next");
    AgentConfig previous = config;
    // In force before the attached VMs are compared: an attach that read the old settings and
    // publishes after this sees the change itself (VmSupervisor.start).
    config = next;
    discovery = new SocketDiscovery(next.socketGlobs());
    if (!next.libvirt().equals(previous.libvirt())) {
      LibvirtDiscovery old = libvirtDiscovery;
      libvirtDiscovery = next.libvirt().map(settings -> new LibvirtDiscovery(settings, old)).orElse(null);
      if (old != null) {
        old.close(); // its connection, unless the new discovery took it over (same URI)
      }
    }
    List<VmSupervisor> restart = new ArrayList<>();
    for (VmSupervisor supervisor : supervisors.values()) {
      if (supervisor.settingsChanged(next)) {
        restart.add(supervisor);
      }
    }
    synchronized (lifecycle) {
      if (!next.metricsAddress().equals(previous.metricsAddress()) && !stopping) {
        // The new address is bound before the old one is let go: a failure keeps the old endpoint.
        MetricsServer old = server;
        try {
          startServer(next);
          if (old != null) {
            old.close();
          }
        } catch (RuntimeException cannotBind) {
          server = old;
          log.log(AgentLog.Level.ERROR, "metrics-failed", null, "metrics.listen: " + cannotBind.getMessage()
              + (old == null ? "; no metrics endpoint" : "; metrics stay at " + old.url()), Map.of());
        }
      }
      if (!next.discoveryInterval().equals(previous.discoveryInterval()) && discoveryTask != null && !stopping) {
        discoveryTask.cancel(false);
        discoveryTask = scheduler.scheduleWithFixedDelay(this::discover, 0,
            next.discoveryInterval().toNanos(), TimeUnit.NANOSECONDS);
      }
    }
    for (VmSupervisor supervisor : restart) {
      attachExecutor.execute(() -> supervisor.restart("settings changed by a reload; attaching again"));
    }
    log.log(AgentLog.Level.INFO, "reloaded", null, "configuration reloaded; " + restart.size()
        + " VM(s) attached again with new settings, the others untouched", Map.of("restarted", restart.size()));
  }

  /** Every discovered QEMU's status, sorted by where it was found. */
  public List<VmStatus> vms() {
    List<VmStatus> statuses = new ArrayList<>();
    for (VmSupervisor supervisor : supervisors.values()) {
      statuses.add(supervisor.status());
    }
    statuses.sort((a, b) -> a.source().compareTo(b.source()));
    return statuses;
  }

  /** The configuration in force. */
  public AgentConfig config() {
    return config;
  }

  /** Where the metrics are served, if they are. */
  public Optional<String> metricsUrl() {
    synchronized (lifecycle) {
      return Optional.ofNullable(server).map(MetricsServer::url);
    }
  }

  /** Where the health report is served, if it is. */
  public Optional<String> healthUrl() {
    synchronized (lifecycle) {
      return Optional.ofNullable(server).map(MetricsServer::healthUrl);
    }
  }

  /** The registry every VM's meters and the agent's own are in. */
  public PrometheusMeterRegistry registry() {
    return meters;
  }

  /**
   * Stops: no more discovery; every VM detached and left in {@code stop.mode}, all within {@code
   * stop.timeout}; threads ended, metrics endpoint closed. Idempotent.
   */
  @Override
  public void close() {
    synchronized (lifecycle) {
      if (stopping) {
        return;
      }
      stopping = true;
      if (discoveryTask != null) {
        discoveryTask.cancel(false);
      }
    }
    synchronized (discovering) {
      // A discovery under way has finished: no VM is added after the list below is taken.
    }
    AgentConfig current = config;
    Mode leaveIn = switch (current.stopMode()) {
      case CHECKPOINT -> Mode.CHECKPOINT;
      case COLO -> Mode.COLO;
      case LEAVE -> null;
    };
    long deadline = System.nanoTime() + current.stopTimeout().toNanos();
    List<VmSupervisor> all = new ArrayList<>(supervisors.values());
    supervisors.clear();
    // Each VM on its own short-lived thread: one hung QEMU must not hold the others' stop.
    ExecutorService stoppers = Executors.newFixedThreadPool(Math.max(1, Math.min(16, all.size())),
        daemon("hybrid-ft-agent-stop"));
    for (VmSupervisor supervisor : all) {
      stoppers.execute(() -> supervisor.detach("the agent stops", leaveIn));
    }
    stoppers.shutdown();
    boolean inTime;
    try {
      inTime = stoppers.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      inTime = false;
    }
    stoppers.shutdownNow();
    shutdownExecutors();
    LibvirtDiscovery libvirt = libvirtDiscovery;
    if (libvirt != null) {
      libvirt.close();
    }
    synchronized (lifecycle) {
      if (server != null) {
        server.close();
        server = null;
      }
    }
    log.log(inTime ? AgentLog.Level.INFO : AgentLog.Level.WARN, "stopped", null,
        "stopped; " + all.size() + " VM(s) detached" + (leaveIn == null ? "" : " and left in " + leaveIn)
            + (inTime ? "" : "; some did not answer within stop.timeout and stay in the mode they were in"),
        Map.of("vms", all.size(), "inTime", inTime));
    meters.close();
  }

  private void shutdownExecutors() {
    scheduler.shutdownNow();
    attachExecutor.shutdownNow();
    actuationExecutor.shutdownNow();
    try {
      scheduler.awaitTermination(QMP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      attachExecutor.awaitTermination(QMP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      actuationExecutor.awaitTermination(QMP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private MetricsServer.Health health() {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("status", stopping ? "stopping" : "running");
    Map<VmStatus.State, Integer> counts = new EnumMap<>(VmStatus.State.class);
    ArrayNode vms = root.putArray("vms");
    for (VmStatus status : vms()) {
      counts.merge(status.state(), 1, Integer::sum);
      ObjectNode vm = vms.addObject()
          .put("source", status.source())
          .put("vm", status.vm())
          .put("state", status.state().name().toLowerCase(Locale.ROOT))
          .put("reason", status.reason());
      vm.put("mode", status.mode() == null ? null : status.mode().name().toLowerCase(Locale.ROOT));
    }
    ObjectNode byState = root.putObject("counts");
    counts.forEach((state, n) -> byState.put(state.name().toLowerCase(Locale.ROOT), n));
    return new MetricsServer.Health(!stopping, root.toString());
  }

  private double count(VmStatus.State state) {
    int n = 0;
    for (VmSupervisor supervisor : supervisors.values()) {
      if (supervisor.status().state() == state) {
        n++;
      }
    }
    return n;
  }

  // --- for the supervisors

  AgentLog log() {
    return log;
  }

  ScheduledExecutorService scheduler() {
    return scheduler;
  }

  /** How many scheduler tasks run the loops' ticks (each runs the ticks of one slot). */
  int tickGroups() {
    return scheduler.groupCount();
  }

  ExecutorService attachExecutor() {
    return attachExecutor;
  }

  ExecutorService actuationExecutor() {
    return actuationExecutor;
  }

  long nanoTime() {
    return System.nanoTime();
  }

  void countAttach() {
    attaches.increment();
  }

  void countLoss() {
    losses.increment();
  }

  /**
   * Reserves {@code name} for {@code endpoint}: two QEMUs with one name would share one set of
   * meters and one configuration.
   *
   * @return null when reserved, else the endpoint that holds the name
   */
  @Nullable VmEndpoint claimName(String name, VmEndpoint endpoint) {
    VmEndpoint holder = names.putIfAbsent(name, endpoint);
    return holder == null || holder.equals(endpoint) ? null : holder;
  }

  void releaseName(String name, VmEndpoint endpoint) {
    names.remove(name, endpoint);
  }

  /** The connection to the libvirt daemon at {@code uri}, for the domains' attaches. */
  private LibvirtHost libvirtHost(String uri) {
    LibvirtDiscovery libvirt = libvirtDiscovery;
    if (libvirt == null || !libvirt.settings().uri().equals(uri)) {
      throw new LibvirtHostException("libvirt at " + uri + " is no longer in the configuration", null);
    }
    return libvirt.host();
  }

  private static ThreadFactory daemon(String name) {
    AtomicInteger number = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, name + "-" + number.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  /** A file's modification time and size: what tells a changed configuration file. */
  private record FileStamp(FileTime modified, long size) {
    static @Nullable FileStamp of(Path file) {
      try {
        return new FileStamp(Files.getLastModifiedTime(file), Files.size(file));
      } catch (IOException unreadable) {
        return null;
      }
    }
  }
}
