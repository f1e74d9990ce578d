package org.hybridft.agent;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.hybridft.controllers.ControllerConfiguration;
import org.hybridft.controllers.ControllerDescriptor;
import org.hybridft.controllers.ControllerRegistry;
import org.hybridft.controllers.ParameterType;
import org.hybridft.core.Mode;
import org.jspecify.annotations.Nullable;

/**
 * The agent's configuration: one Java properties file, validated as a whole when it is read.
 *
 * <pre>
 * # Which QEMUs to look at: QMP sockets matching these globs (comma-separated), every 2 s.
 * discovery.sockets = /run/hybrid-ft/vms/*.qmp
 * discovery.interval = 2s
 * # and/or the running domains of a libvirt daemon: by name (a glob), and, if given, only those
 * # carrying a metadata element in this namespace; reached through libvirt, no socket needed.
 * discovery.libvirt.uri = qemu:///system
 * discovery.libvirt.domains = *
 * discovery.libvirt.metadata = https://example.org/colo/1
 * # One endpoint for all VMs: /metrics (Prometheus, label vm) and /health; "off" for none.
 * metrics.listen = 127.0.0.1:9400
 * # Logs: text for people, json (one object a line) for log shippers.
 * log.format = json
 * # On stop (SIGTERM): the mode every VM is left in (checkpoint, colo, or leave), within stop.timeout.
 * stop.mode = checkpoint
 * stop.timeout = 10s
 * # A VM whose QEMU went away is tried again after reattach.backoff, doubling up to reattach.max-backoff.
 * reattach.backoff = 1s
 * reattach.max-backoff = 30s
 * # Every VM: vm.*.KEY; one VM, by its QEMU -name: vm.NAME.KEY (overrides vm.*.KEY).
 * vm.*.controller = threshold
 * vm.*.period = 1s
 * vm.web-1.controller = pi
 * vm.web-1.set-point = 2
 * </pre>
 *
 * <p>The keys of a VM scope: {@code controller} (a name of the {@link ControllerRegistry}),
 * {@code recipe} ({@code auto}, {@code mirror-passive}, {@code checkpoint-delay} or a JSON recipe
 * file), {@code colo-idle-period}, {@code period} (the control period), {@code fail-safe-mode}
 * ({@code checkpoint} or {@code colo}), {@code fail-safe-hold}, and the parameter keys of the
 * controllers. A parameter under {@code vm.*.} applies to every VM whose controller reads it (so
 * the defaults may hold parameters of several controllers); one under {@code vm.NAME.} must be a
 * parameter of that VM's controller. Durations are written {@code 500ms}, {@code 2s}, {@code 1m}.
 *
 * <p>{@link #parse} reports every mistake at once, one line each naming the key, the value and
 * what is allowed ({@link AgentConfigException}). Immutable.
 */
public final class AgentConfig {
  /** The VM scope whose keys apply to every VM. */
  public static final String EVERY_VM = "*";

  /** What {@code stop.mode} leaves the VMs in. */
  public enum StopMode {
    /** Checkpoint mode at the VM's fail-safe checkpoint period: its cost does not depend on the load. */
    CHECKPOINT,
    /** COLO mode, QEMU's own default. */
    COLO,
    /** Whatever mode the VM was last in. */
    LEAVE
  }

  /** What {@code log.format} writes. */
  public enum LogFormat {
    /** One line a message for people: time, level, VM, message. */
    TEXT,
    /** One JSON object a line, for log shippers. */
    JSON
  }

  private static final Set<String> AGENT_KEYS = Set.of(
      "discovery.sockets", "discovery.interval", "discovery.libvirt.uri", "discovery.libvirt.domains",
      "discovery.libvirt.metadata", "metrics.listen", "log.format", "stop.mode",
      "stop.timeout", "reattach.backoff", "reattach.max-backoff");

  /**
   * Where libvirt domains are discovered: the daemon's URI, a glob over domain names, and the
   * metadata namespace a domain must carry an element in, if any.
   *
   * @param uri a libvirt URI ({@code discovery.libvirt.uri}), for instance {@code qemu:///system}
   * @param domains a glob over domain names ({@code discovery.libvirt.domains}, default {@code *})
   * @param metadata a namespace URI ({@code discovery.libvirt.metadata}); empty: any domain
   */
  public record Libvirt(String uri, String domains, Optional<String> metadata) {
    /** Checks the fields. */
    public Libvirt {
      Objects.requireNonNull(uri, "uri");
      Objects.requireNonNull(domains, "domains");
      Objects.requireNonNull(metadata, "metadata");
    }
  }

  private static final Set<String> VM_KEYS = Set.of(
      "controller", "recipe", "colo-idle-period", "period", "fail-safe-mode", "fail-safe-hold");

  private static final String DEFAULT_CONTROLLER = "threshold";

  private final List<String> socketGlobs;
  private final Duration discoveryInterval;
  private final @Nullable Libvirt libvirt;
  private final @Nullable InetSocketAddress metricsAddress;
  private final LogFormat logFormat;
  private final StopMode stopMode;
  private final Duration stopTimeout;
  private final Duration reattachBackoff;
  private final Duration reattachMaxBackoff;
  /** Scope (EVERY_VM or a VM name) to its keys and values, in file order. */
  private final Map<String, Map<String, String>> vmScopes;
  private final ControllerRegistry registry;

  private AgentConfig(Builder parsed) {
    this.socketGlobs = List.copyOf(parsed.socketGlobs);
    this.discoveryInterval = parsed.discoveryInterval;
    this.libvirt = parsed.libvirtUri == null ? null : new Libvirt(parsed.libvirtUri, parsed.libvirtDomains,
        Optional.ofNullable(parsed.libvirtMetadata));
    this.metricsAddress = parsed.metricsAddress;
    this.logFormat = parsed.logFormat;
    this.stopMode = parsed.stopMode;
    this.stopTimeout = parsed.stopTimeout;
    this.reattachBackoff = parsed.reattachBackoff;
    this.reattachMaxBackoff = parsed.reattachMaxBackoff;
    Map<String, Map<String, String>> scopes = new LinkedHashMap<>();
    parsed.vmScopes.forEach((scope, keys) -> scopes.put(scope, Map.copyOf(keys)));
    this.vmScopes = Map.copyOf(scopes);
    this.registry = parsed.registry;
  }

  /**
   * Reads and validates a configuration file.
   *
   * @throws IOException if it cannot be read
   * @throws AgentConfigException listing every mistake, one line each
   */
  public static AgentConfig read(Path file) throws IOException {
    return read(file, ControllerRegistry.installed());
  }

  /**
   * Reads and validates a configuration file, controllers named from {@code registry}.
   *
   * @throws IOException if it cannot be read
   * @throws AgentConfigException listing every mistake, one line each, the file named
   */
  public static AgentConfig read(Path file, ControllerRegistry registry) throws IOException {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      properties.load(reader);
    } catch (IllegalArgumentException malformed) {
      // Properties.load refuses a malformed \\uXXXX escape.
      throw new AgentConfigException(file.toString(), List.of(malformed.getMessage()));
    }
    return parse(properties, registry, file.toString());
  }

  /**
   * Validates the text of a configuration file, as {@link #read(Path, ControllerRegistry)}.
   *
   * @throws AgentConfigException listing every mistake
   */
  public static AgentConfig parse(String text, ControllerRegistry registry) {
    Properties properties = new Properties();
    try {
      properties.load(new StringReader(text));
    } catch (IOException | IllegalArgumentException malformed) {
      throw new AgentConfigException("the configuration", List.of(String.valueOf(malformed.getMessage())));
    }
    return parse(properties, registry, "the configuration");
  }

  /**
   * Validates configuration properties.
   *
   * @param source the file (or other source) named in the exception
   * @throws AgentConfigException listing every mistake
   */
  public static AgentConfig parse(Properties properties, ControllerRegistry registry, String source) {
    Builder parsed = new Builder(registry);
    List<String> errors = new ArrayList<>();
    // Sorted, so errors come in the same order every time.
    Map<String, String> entries = new TreeMap<>();
    for (String key : properties.stringPropertyNames()) {
      entries.put(key.strip(), properties.getProperty(key).strip());
    }
    for (Map.Entry<String, String> entry : entries.entrySet()) {
      String key = entry.getKey();
      String value = entry.getValue();
      try {
        if (AGENT_KEYS.contains(key)) {
          parsed.agentKey(key, value);
        } else if (key.startsWith("vm.")) {
          parsed.vmKey(key, value);
        } else {
          throw new IllegalArgumentException("unknown key (known: " + String.join(", ", sorted(AGENT_KEYS)) + ", and vm.*.KEY or vm.NAME.KEY)");
        }
      } catch (IllegalArgumentException wrong) {
        errors.add(key + " = " + value + ": " + wrong.getMessage());
      }
    }
    if (parsed.socketGlobs.isEmpty() && !entries.containsKey("discovery.sockets")
        && !entries.containsKey("discovery.libvirt.uri")) {
      errors.add("discovery.sockets: missing; give the QMP sockets to supervise as globs, e.g."
          + " discovery.sockets = /run/hybrid-ft/vms/*.qmp, or a libvirt daemon's domains with"
          + " discovery.libvirt.uri = qemu:///system");
    }
    if (!entries.containsKey("discovery.libvirt.uri")) {
      for (String key : List.of("discovery.libvirt.domains", "discovery.libvirt.metadata")) {
        if (entries.containsKey(key)) {
          errors.add(key + " = " + entries.get(key) + ": needs discovery.libvirt.uri, the daemon whose domains it selects");
        }
      }
    }
    if (parsed.reattachMaxBackoff.compareTo(parsed.reattachBackoff) < 0) {
      errors.add("reattach.max-backoff = " + entries.getOrDefault("reattach.max-backoff", "30s") + ": must be >= reattach.backoff ("
          + entries.getOrDefault("reattach.backoff", "1s") + ")");
    }
    AgentConfig config = new AgentConfig(parsed);
    if (errors.isEmpty()) {
      // Every scope must resolve: a VM scope's parameters must suit its controller.
      for (String scope : config.vmScopes.keySet()) {
        try {
          config.settingsFor(scope);
        } catch (IllegalArgumentException wrong) {
          errors.add("vm." + scope + ".*: " + wrong.getMessage());
        }
      }
    }
    if (!errors.isEmpty()) {
      throw new AgentConfigException(source, errors);
    }
    return config;
  }

  private static List<String> sorted(Set<String> keys) {
    return keys.stream().sorted().toList();
  }

  /** The globs of the QMP sockets to supervise ({@code discovery.sockets}). */
  public List<String> socketGlobs() {
    return socketGlobs;
  }

  /** The libvirt domains to supervise ({@code discovery.libvirt.*}); empty when none are. */
  public Optional<Libvirt> libvirt() {
    return Optional.ofNullable(libvirt);
  }

  /** How often discovery looks for VMs ({@code discovery.interval}, default 2 s). */
  public Duration discoveryInterval() {
    return discoveryInterval;
  }

  /** Where {@code /metrics} and {@code /health} are served; empty for {@code metrics.listen = off}. */
  public Optional<InetSocketAddress> metricsAddress() {
    return Optional.ofNullable(metricsAddress);
  }

  /** The log format ({@code log.format}, default text). */
  public LogFormat logFormat() {
    return logFormat;
  }

  /** The mode every VM is left in on stop ({@code stop.mode}, default checkpoint). */
  public StopMode stopMode() {
    return stopMode;
  }

  /** The bound on a stop ({@code stop.timeout}, default 10 s). */
  public Duration stopTimeout() {
    return stopTimeout;
  }

  /** The first wait before a VM is attached again ({@code reattach.backoff}, default 1 s). */
  public Duration reattachBackoff() {
    return reattachBackoff;
  }

  /** The longest wait before a VM is attached again ({@code reattach.max-backoff}, default 30 s). */
  public Duration reattachMaxBackoff() {
    return reattachMaxBackoff;
  }

  /**
   * How the VM named {@code vm} is driven: its {@code vm.NAME.} keys over the {@code vm.*.} keys
   * over the defaults (controller threshold with its defaults, recipe auto, COLO idle period 10 s,
   * period 1 s, fail-safe checkpoint held 60 s).
   *
   * @throws IllegalArgumentException only for a scope that {@link #parse} did not check, which
   *     cannot happen for a name read from QEMU
   */
  public VmSettings settingsFor(String vm) {
    Map<String, String> every = vmScopes.getOrDefault(EVERY_VM, Map.of());
    Map<String, String> own = vm.equals(EVERY_VM) ? Map.of() : vmScopes.getOrDefault(vm, Map.of());
    Map<String, String> merged = new LinkedHashMap<>(every);
    merged.putAll(own);
    String controllerName = merged.getOrDefault("controller", DEFAULT_CONTROLLER).toLowerCase(Locale.ROOT);
    ControllerDescriptor<?> descriptor = registry.descriptor(controllerName);
    Map<String, String> parameters = new LinkedHashMap<>();
    for (Map.Entry<String, String> entry : every.entrySet()) {
      if (!VM_KEYS.contains(entry.getKey()) && descriptor.parameter(entry.getKey()).isPresent()) {
        parameters.put(entry.getKey(), entry.getValue());
      }
    }
    for (Map.Entry<String, String> entry : own.entrySet()) {
      if (!VM_KEYS.contains(entry.getKey())) {
        // Must be the controller's: ControllerDescriptor.config names the keys it reads otherwise.
        parameters.put(entry.getKey(), entry.getValue());
      }
    }
    ControllerConfiguration<?> controller = descriptor.configured(controllerName, parameters);
    return new VmSettings(
        controller,
        merged.getOrDefault("recipe", "auto"),
        duration(merged.getOrDefault("colo-idle-period", "10s")),
        duration(merged.getOrDefault("period", "1s")),
        mode(merged.getOrDefault("fail-safe-mode", "checkpoint")),
        duration(merged.getOrDefault("fail-safe-hold", "60s")));
  }

  /** The VM names with a scope of their own ({@code vm.NAME.}), in no particular order. */
  public Set<String> namedVms() {
    Set<String> names = new TreeSet<>(vmScopes.keySet());
    names.remove(EVERY_VM);
    return names;
  }

  @Override
  public boolean equals(@Nullable Object other) {
    return other instanceof AgentConfig that
        && socketGlobs.equals(that.socketGlobs)
        && discoveryInterval.equals(that.discoveryInterval)
        && Objects.equals(libvirt, that.libvirt)
        && Objects.equals(metricsAddress, that.metricsAddress)
        && logFormat == that.logFormat
        && stopMode == that.stopMode
        && stopTimeout.equals(that.stopTimeout)
        && reattachBackoff.equals(that.reattachBackoff)
        && reattachMaxBackoff.equals(that.reattachMaxBackoff)
        && vmScopes.equals(that.vmScopes);
  }

  @Override
  public int hashCode() {
    return Objects.hash(socketGlobs, discoveryInterval, libvirt, metricsAddress, logFormat, stopMode, vmScopes);
  }

  @Override
  public String toString() {
    return "AgentConfig[sockets=" + socketGlobs + (libvirt == null ? "" : ", libvirt=" + libvirt)
        + ", vm scopes=" + vmScopes.keySet() + "]";
  }

  static Duration duration(String text) {
    return ParameterType.parseDuration(text);
  }

  static Mode mode(String text) {
    switch (text.toLowerCase(Locale.ROOT)) {
      case "checkpoint":
        return Mode.CHECKPOINT;
      case "colo":
        return Mode.COLO;
      default:
        throw new IllegalArgumentException("'" + text + "' is not a mode (allowed: checkpoint, colo)");
    }
  }

  /** A libvirt URI: a scheme and {@code ://}, as in {@code qemu:///system}. */
  static String libvirtUri(String value) {
    int scheme = value.indexOf("://");
    if (value.isBlank() || scheme <= 0 || value.chars().anyMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException("must be a libvirt URI such as qemu:///system or"
          + " qemu:///system?socket=/run/libvirt/libvirt-sock");
    }
    return value;
  }

  /** A glob over domain names ({@code *}, {@code ?}, {@code [...]}, {@code {a,b}}). */
  static String domainGlob(String value) {
    if (value.isBlank() || value.contains("/")) {
      throw new IllegalArgumentException("must be a glob over domain names such as * or web-*, without '/'");
    }
    try {
      java.nio.file.FileSystems.getDefault().getPathMatcher("glob:" + value);
    } catch (IllegalArgumentException invalid) {
      throw new IllegalArgumentException("not a valid glob: " + invalid.getMessage(), invalid);
    }
    return value;
  }

  /** A metadata namespace: an absolute URI, as libvirt requires. */
  static String namespace(String value) {
    try {
      java.net.URI parsed = new java.net.URI(value);
      if (parsed.isAbsolute()) {
        return value;
      }
    } catch (java.net.URISyntaxException malformed) {
      // reported below
    }
    throw new IllegalArgumentException("must be an absolute URI naming the metadata element's namespace,"
        + " such as https://example.org/colo/1");
  }

  static Duration positive(String text, Duration max) {
    Duration value = duration(text);
    if (value.isNegative() || value.isZero() || value.compareTo(max) > 0) {
      throw new IllegalArgumentException("must be > 0 and at most " + max.toSeconds() + "s");
    }
    return value;
  }

  /** The values read so far; defaults for the rest. */
  private static final class Builder {
    final ControllerRegistry registry;
    List<String> socketGlobs = List.of();
    Duration discoveryInterval = Duration.ofSeconds(2);
    @Nullable String libvirtUri;
    String libvirtDomains = "*";
    @Nullable String libvirtMetadata;
    @Nullable InetSocketAddress metricsAddress = new InetSocketAddress("127.0.0.1", 9400);
    LogFormat logFormat = LogFormat.TEXT;
    StopMode stopMode = StopMode.CHECKPOINT;
    Duration stopTimeout = Duration.ofSeconds(10);
    Duration reattachBackoff = Duration.ofSeconds(1);
    Duration reattachMaxBackoff = Duration.ofSeconds(30);
    final Map<String, Map<String, String>> vmScopes = new LinkedHashMap<>();

    Builder(ControllerRegistry registry) {
      this.registry = registry;
    }

    void agentKey(String key, String value) {
      switch (key) {
        case "discovery.sockets":
          socketGlobs = SocketDiscovery.checkGlobs(value);
          break;
        case "discovery.interval":
          discoveryInterval = positive(value, Duration.ofHours(1));
          break;
        case "discovery.libvirt.uri":
          libvirtUri = libvirtUri(value);
          break;
        case "discovery.libvirt.domains":
          libvirtDomains = domainGlob(value);
          break;
        case "discovery.libvirt.metadata":
          libvirtMetadata = namespace(value);
          break;
        case "metrics.listen":
          metricsAddress = value.equalsIgnoreCase("off") ? null : MetricsServer.parseAddress(value);
          break;
        case "log.format":
          logFormat = choice(LogFormat.class, value);
          break;
        case "stop.mode":
          stopMode = choice(StopMode.class, value);
          break;
        case "stop.timeout":
          stopTimeout = positive(value, Duration.ofMinutes(10));
          break;
        case "reattach.backoff":
          reattachBackoff = positive(value, Duration.ofHours(1));
          break;
        case "reattach.max-backoff":
          reattachMaxBackoff = positive(value, Duration.ofHours(1));
          break;
        default:
          throw new IllegalStateException("unhandled agent key " + key);
      }
    }

    void vmKey(String key, String value) {
      int last = key.lastIndexOf('.');
      if (last <= "vm.".length() || last == key.length() - 1) {
        throw new IllegalArgumentException("expected vm.*.KEY (every VM) or vm.NAME.KEY (the VM named NAME)");
      }
      String scope = key.substring("vm.".length(), last);
      String name = key.substring(last + 1).toLowerCase(Locale.ROOT);
      checkVmKey(name, value);
      vmScopes.computeIfAbsent(scope, ignored -> new LinkedHashMap<>()).put(name, value);
    }

    private void checkVmKey(String name, String value) {
      switch (name) {
        case "controller":
          registry.descriptor(value);
          return;
        case "recipe":
          boolean builtIn = value.equals("auto") || value.equals("mirror-passive") || value.equals("checkpoint-delay");
          if (!builtIn && !Files.isReadable(Path.of(value))) {
            throw new IllegalArgumentException("allowed: auto, mirror-passive, checkpoint-delay or a readable JSON"
                + " recipe file");
          }
          return;
        case "colo-idle-period":
          positive(value, Duration.ofMillis(0xFFFF_FFFFL));
          return;
        case "period":
          positive(value, Duration.ofHours(1));
          return;
        case "fail-safe-mode":
          mode(value);
          return;
        case "fail-safe-hold":
          if (duration(value).isNegative()) {
            throw new IllegalArgumentException("must be >= 0");
          }
          return;
        default:
          List<ControllerDescriptor<?>> readers = registry.readers(name);
          if (readers.isEmpty()) {
            throw new IllegalArgumentException("unknown key '" + name + "' (a VM scope reads "
                + String.join(", ", sorted(VM_KEYS)) + ", and the controllers' parameters: "
                + String.join(", ", registry.parameterKeys()) + ")");
          }
          for (ControllerDescriptor<?> reader : readers) {
            // The value alone, so its range is checked here and named with its key.
            reader.config(Map.of(name, value));
          }
      }
    }

    private static <E extends Enum<E>> E choice(Class<E> type, String value) {
      for (E constant : type.getEnumConstants()) {
        if (constant.name().equalsIgnoreCase(value)) {
          return constant;
        }
      }
      List<String> allowed = new ArrayList<>();
      for (E constant : type.getEnumConstants()) {
        allowed.add(constant.name().toLowerCase(Locale.ROOT));
      }
      throw new IllegalArgumentException("allowed: " + String.join(", ", allowed));
    }
  }
}
