package org.hybridft.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.hybridft.agent.Agent;
import org.hybridft.agent.AgentConfig;
import org.hybridft.agent.AgentConfigException;
import org.hybridft.agent.AgentLog;
import org.hybridft.controllers.ParameterType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import org.jspecify.annotations.Nullable;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * {@code hybrid-ft agent}: the host agent ({@link Agent}) as a long-running service, until SIGTERM
 * or Ctrl-C; SIGHUP reloads the configuration. Logs go to standard error (systemd's journal keeps
 * them). Exits 0 after a stop, 2 for a configuration with mistakes (each on its own line).
 */
@Command(
    name = "agent",
    mixinStandardHelpOptions = true,
    description = {
      "Supervise every COLO primary of this host: one long-running service (see docs/agent.md).",
      "Finds the QMP sockets of discovery.sockets, drives each COLO primary with its own",
      "controller, serves /metrics and /health, logs one line per event; SIGHUP (or a change",
      "of the file) reloads the configuration, SIGTERM stops, leaving every VM in stop.mode."
    })
public final class AgentCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--config", required = true, paramLabel = "FILE",
      description = "the agent's configuration, a properties file (e.g. /etc/hybrid-ft/agent.properties)")
  Path config;

  @Option(names = "--check",
      description = "check the configuration, print what each VM would get, and exit (0 if it is valid)")
  boolean check;

  @Override
  public Integer call() throws IOException, InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    if (!Files.isReadable(config)) {
      throw new UsageException("--config " + config + ": no such readable file");
    }
    AgentConfig parsed;
    try {
      parsed = AgentConfig.read(config);
    } catch (AgentConfigException mistakes) {
      return mistakes(mistakes);
    }
    if (check) {
      out.println(config + ": valid; sockets " + String.join(", ", parsed.socketGlobs())
          + "; metrics " + parsed.metricsAddress().map(a -> a.getHostString() + ":" + a.getPort()).orElse("off"));
      out.println("  every VM: " + describe(parsed, AgentConfig.EVERY_VM));
      for (String vm : parsed.namedVms()) {
        out.println("  " + vm + ": " + describe(parsed, vm));
      }
      out.flush();
      return 0;
    }
    // The log is the service's output: standard error, as systemd and container runtimes keep it.
    AgentLog log = new AgentLog(System.err, parsed.logFormat(), Clock.systemUTC());
    // SIGHUP handled before the agent starts: the JVM's default for it is to exit, and an
    // operator's reload right after the start must not stop the service.
    // A SIGHUP that comes while the agent starts (its first VMs may attach before start returns)
    // is kept and applied as soon as it has started.
    AtomicReference<Agent> started = new AtomicReference<>();
    AtomicBoolean reloadPending = new AtomicBoolean();
    SignalHandler previous = Signal.handle(new Signal("HUP"), signal -> {
      reloadPending.set(true);
      reloadIfPending(started.get(), reloadPending);
    });
    // A signal ignored when the JVM started (nohup) stays ignored: say so, the file still reloads.
    boolean sighupIgnored = previous == SignalHandler.SIG_IGN;
    Agent agent;
    try {
      agent = Agent.start(config, log);
      started.set(agent);
      reloadIfPending(agent, reloadPending);
      if (sighupIgnored) {
        log.warn("sighup-ignored", null, "SIGHUP was ignored when this process started (nohup?), so it"
            + " cannot reload the configuration; a change of the file still does");
      }
    } catch (AgentConfigException mistakes) {
      return mistakes(mistakes);
    } catch (UncheckedIOException cannotListen) {
      throw new UsageException("metrics.listen: " + cannotListen.getMessage(), cannotListen);
    }
    CountDownLatch stop = new CountDownLatch(1);
    // SIGTERM and Ctrl-C run the shutdown hooks: the hook stops the agent within stop.timeout.
    Duration grace = parsed.stopTimeout().plusSeconds(5);
    try (CtrlC ignored = new CtrlC("hybrid-ft-agent-stop", stop, grace)) {
      stop.await();
      agent.close();
    }
    return 0;
  }

  /** Reloads once for every pending SIGHUP, once the agent has started. */
  private static void reloadIfPending(@Nullable Agent agent, AtomicBoolean pending) {
    if (agent != null && pending.getAndSet(false)) {
      agent.reload();
    }
  }

  /** The mistakes, one line each (not the one-line error of other usage errors): exit 2. */
  private int mistakes(AgentConfigException mistakes) {
    PrintWriter err = spec.commandLine().getErr();
    err.println("hybrid-ft: " + mistakes.getMessage());
    err.flush();
    return 2;
  }

  private static String describe(AgentConfig config, String vm) {
    var settings = config.settingsFor(vm);
    return "controller " + settings.controller().controller() + " " + settings.controller().toProperties()
        + ", recipe " + settings.recipe() + ", period " + ParameterType.DURATION.format(settings.period())
        + ", fail-safe " + settings.failSafeMode() + " for " + ParameterType.DURATION.format(settings.failSafeHold());
  }
}
