package org.hybridft.agent;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import org.hybridft.controllers.ParameterType;
import org.hybridft.core.ControlLoop;
import org.hybridft.core.ControlLoopError;
import org.hybridft.core.Mode;
import org.hybridft.core.ModeController;
import org.hybridft.micrometer.ControlLoopMetrics;
import org.hybridft.qmp.ColoPrimaryControl;
import org.hybridft.qmp.ModeRecipe;
import org.hybridft.qmp.QemuProcess;
import org.hybridft.qmp.QmpClient;
import org.hybridft.qmp.QmpException;
import org.hybridft.qmp.QmpNotColoPrimaryException;
import org.hybridft.qmp.QmpSubscription;
import org.jspecify.annotations.Nullable;

/**
 * One discovered QEMU (a QMP socket or a libvirt domain) and what the agent does with it: attach
 * (connect, check it is a COLO primary, start counting, choose the recipe, start a control loop),
 * notice the loss (connection closed, replication ended), wait with back-off and attach again,
 * detach when it is no longer discovered.
 *
 * <p>Every attach checks the QEMU afresh, so a new QEMU on an old socket is driven only once it
 * proved to be a COLO primary, under the settings of its own name. Each state change is logged
 * once; a reason repeated at each retry is not logged again.
 */
final class VmSupervisor {
  private final Agent agent;
  private final VmEndpoint endpoint;

  // Guarded by this.
  private VmStatus.State state = VmStatus.State.ATTACHING;
  private String reason = "discovered";
  private @Nullable String vm;
  private @Nullable Attachment attachment;
  private long nextAttemptNanos;
  private Duration backoff;
  private boolean attemptRunning;
  private @Nullable String lastLoggedProblem;
  private long lastPid = -1;

  /** One attachment's parts, closed together; callbacks of an older attachment are ignored. */
  private static final class Attachment {
    final QmpClient client;
    final ColoPrimaryControl control;
    final ControlLoop loop;
    final ControlLoopMetrics metrics;
    final VmSettings settings;
    final String vm;
    volatile @Nullable QmpSubscription closedSubscription;

    Attachment(QmpClient client, ColoPrimaryControl control, ControlLoop loop, ControlLoopMetrics metrics,
        VmSettings settings, String vm) {
      this.client = client;
      this.control = control;
      this.loop = loop;
      this.metrics = metrics;
      this.settings = settings;
      this.vm = vm;
    }
  }

  VmSupervisor(Agent agent, VmEndpoint endpoint, Duration initialBackoff) {
    this.agent = agent;
    this.endpoint = endpoint;
    this.backoff = initialBackoff;
  }

  VmEndpoint endpoint() {
    return endpoint;
  }

  synchronized VmStatus status() {
    Attachment current = attachment;
    Mode mode = current == null ? null : current.loop.appliedMode();
    return new VmStatus(endpoint.source(), vm, state, mode, reason);
  }

  synchronized @Nullable String vm() {
    return vm;
  }

  /**
   * Starts an attach on the agent's attach threads if one is due: just discovered, or waiting and
   * its back-off over, or not a primary and the discovery interval over.
   */
  void attachIfDue(long nowNanos) {
    synchronized (this) {
      boolean due = switch (state) {
        case ATTACHING -> !attemptRunning;
        case WAITING, NOT_PRIMARY -> !attemptRunning && nowNanos - nextAttemptNanos >= 0;
        case ATTACHED, DETACHED -> false;
      };
      if (!due) {
        return;
      }
      attemptRunning = true;
      state = VmStatus.State.ATTACHING;
    }
    try {
      agent.attachExecutor().execute(this::attach);
    } catch (RejectedExecutionException stopping) {
      synchronized (this) {
        attemptRunning = false;
      }
    }
  }

  /** Connects and attaches; runs on an attach thread, may block for the QMP timeouts. */
  private void attach() {
    QmpClient client = null;
    String claimedName = null;
    try {
      client = endpoint.connect(Agent.QMP_TIMEOUT);
      String name = client.nameOr(endpoint.fallbackName());
      long pid = pidOf(client);
      synchronized (this) {
        if (state == VmStatus.State.DETACHED) {
          client.close();
          return;
        }
        if (lastPid > 0 && pid > 0 && pid != lastPid) {
          agent.log().log(AgentLog.Level.INFO, "new-qemu", name,
              "a new QEMU serves " + endpoint.source() + " (pid " + lastPid + " before, " + pid + " now); checking it",
              Map.of("source", endpoint.source(), "previousPid", lastPid, "pid", pid));
        }
        if (pid > 0) {
          lastPid = pid;
        }
      }
      VmEndpoint other = agent.claimName(name, endpoint);
      if (other == null) {
        claimedName = name;
      } else {
        client.close();
        notPrimary(name, "another QEMU named " + name + " is attached through " + other.source()
            + "; give each VM its own -name");
        return;
      }
      VmSettings settings = agent.config().settingsFor(name);
      ColoPrimaryControl control;
      try {
        QmpClient primary = client;
        control = ColoPrimaryControl.attach(primary,
            c -> ModeRecipe.named(settings.recipe(), c, settings.coloIdlePeriod()));
      } catch (QmpNotColoPrimaryException notPrimary) {
        agent.releaseName(name, endpoint);
        client.close();
        notPrimary(name, "not a COLO primary (query-colo-status mode: " + notPrimary.coloMode() + "); "
            + notPrimary.advice());
        return;
      } catch (QmpException | IOException | IllegalArgumentException cannot) {
        agent.releaseName(name, endpoint);
        throw cannot;
      }
      start(client, control, settings, name);
    } catch (QmpException | IOException | IllegalArgumentException | IllegalStateException failed) {
      if (client != null) {
        client.close();
      }
      releaseUnpublishedClaim(claimedName);
      lost(vm(), "cannot attach: " + failed.getMessage());
    } catch (RuntimeException | Error unexpected) {
      if (client != null) {
        client.close();
      }
      releaseUnpublishedClaim(claimedName);
      lost(vm(), "cannot attach: " + unexpected);
      throw unexpected;
    } finally {
      synchronized (this) {
        attemptRunning = false;
      }
    }
  }

  private void executeUnlessStopping(Runnable task) {
    try {
      agent.attachExecutor().execute(task);
    } catch (RejectedExecutionException stopping) {
      // The agent stops: its stop detaches this VM.
    }
  }

  /** An attach that failed after claiming its name and before publishing frees the name. */
  private void releaseUnpublishedClaim(@Nullable String claimed) {
    boolean published;
    synchronized (this) {
      published = attachment != null;
    }
    if (claimed != null && !published) {
      agent.releaseName(claimed, endpoint);
    }
  }

  private void start(QmpClient client, ColoPrimaryControl control, VmSettings settings, String name) {
    ModeController controller = settings.controller().create();
    ControlLoopMetrics metrics = new ControlLoopMetrics(name);
    ControlLoop loop = ControlLoop.builder(controller, control.counter(), control.actuator(), agent.scheduler())
        .name(name)
        .period(settings.period())
        .failSafeMode(settings.failSafeMode())
        .failSafeHold(settings.failSafeHold())
        .actuationExecutor(agent.actuationExecutor())
        .addListener(metrics.listener())
        .build();
    Attachment attached = new Attachment(client, control, loop, metrics, settings, name);
    loop.addListener(new LoopListener(attached));
    // Bound before the attachment is published: whoever takes it from now on closes its meters.
    metrics.bindTo(agent.registry());
    synchronized (this) {
      if (state == VmStatus.State.DETACHED) {
        close(attached);
        agent.releaseName(name, endpoint);
        return;
      }
      attachment = attached;
      vm = name;
      state = VmStatus.State.ATTACHED;
      reason = "attached";
      backoff = agent.config().reattachBackoff();
      lastLoggedProblem = null;
    }
    attached.closedSubscription = client.onClosed(closed -> onLost(attached, "QMP connection closed: "
        + closed.getMessage()));
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("source", endpoint.source());
    fields.put("qemu", client.greeting().version());
    fields.put("controller", settings.controller().label());
    fields.put("recipe", control.recipe().name());
    fields.put("periodSeconds", settings.period().toNanos() / 1e9);
    agent.log().log(AgentLog.Level.INFO, "attached", name, "attached through " + endpoint.source() + " (QEMU "
        + client.greeting().version() + "): controller " + settings.controller().label() + ", recipe "
        + control.recipe().name() + ", period " + ParameterType.DURATION.format(settings.period()), fields);
    agent.countAttach();
    try {
      loop.start();
    } catch (IllegalStateException closedMeanwhile) {
      // A detach or a reload's restart took the attachment before it started: theirs to report.
      synchronized (this) {
        if (attachment == attached) {
          throw closedMeanwhile;
        }
      }
    }
    if (!settings.equals(agent.config().settingsFor(name))) {
      // A reload came while this attach read the settings before it.
      executeUnlessStopping(() -> {
        boolean stillThisOne;
        synchronized (this) {
          stillThisOne = attachment == attached;
        }
        if (stillThisOne) {
          restart("settings changed by a reload while attaching; attaching again");
        }
      });
    }
  }

  /** The loop's events, logged; the end of the replication is a loss. */
  private final class LoopListener implements ControlLoop.Listener {
    private final Attachment attached;

    LoopListener(Attachment attached) {
      this.attached = attached;
    }

    @Override
    public void onModeSwitch(long nowNanos, Mode from, Mode to, double checkpointsPerSecond) {
      agent.log().log(AgentLog.Level.INFO, "mode-switch", attached.vm, "switched " + from + " -> " + to
          + String.format(java.util.Locale.ROOT, " at %.2f checkpoints/s", checkpointsPerSecond),
          Map.of("from", from.name().toLowerCase(java.util.Locale.ROOT), "to",
              to.name().toLowerCase(java.util.Locale.ROOT), "checkpointsPerSecond",
              Double.isFinite(checkpointsPerSecond) ? checkpointsPerSecond : -1));
    }

    @Override
    public void onStateChanged(ControlLoop.StateChange change) {
      switch (change.to()) {
        case FAIL_SAFE -> agent.log().warn("fail-safe", attached.vm, "fail-safe: " + change.reason());
        case RUNNING -> {
          if (change.from() == ControlLoop.State.FAIL_SAFE) {
            agent.log().info("fail-safe-left", attached.vm, "control resumed: " + change.reason());
          }
        }
        case ENDED -> onLost(attached, "replication ended: " + change.reason());
        default -> { }
      }
    }

    @Override
    public void onError(ControlLoopError error) {
      // Each period of a hung QEMU repeats the same error: the fail-safe line says it once.
      if (error.kind() == ControlLoopError.Kind.ACTUATOR_GAVE_UP
          || error.kind() == ControlLoopError.Kind.COUNTER_UNAVAILABLE) {
        agent.log().warn("control-error", attached.vm, error.describe());
      }
    }
  }

  /** The attachment ended by itself (connection closed, replication ended): wait, then attach again. */
  private void onLost(Attachment lostOne, String why) {
    synchronized (this) {
      if (attachment != lostOne) {
        return;
      }
      attachment = null;
    }
    // Not on the loop's or the QMP thread: closing waits for them.
    try {
      agent.attachExecutor().execute(() -> {
        close(lostOne);
        agent.releaseName(lostOne.vm, endpoint);
        lost(lostOne.vm, why);
      });
    } catch (RejectedExecutionException stopping) {
      close(lostOne);
    }
  }

  private void lost(@Nullable String name, String why) {
    Duration wait;
    synchronized (this) {
      if (state == VmStatus.State.DETACHED) {
        return;
      }
      wait = backoff;
      state = VmStatus.State.WAITING;
      reason = why;
      nextAttemptNanos = agent.nanoTime() + wait.toNanos();
      Duration doubled = backoff.multipliedBy(2);
      Duration max = agent.config().reattachMaxBackoff();
      backoff = doubled.compareTo(max) > 0 ? max : doubled;
      agent.countLoss();
      if (why.equals(lastLoggedProblem)) {
        return;
      }
      lastLoggedProblem = why;
    }
    agent.log().log(AgentLog.Level.WARN, "lost", name, why + "; trying again in " + wait.toMillis() + " ms",
        Map.of("source", endpoint.source(), "retryMillis", wait.toMillis()));
  }

  private void notPrimary(String name, String why) {
    synchronized (this) {
      if (state == VmStatus.State.DETACHED) {
        return;
      }
      vm = name;
      state = VmStatus.State.NOT_PRIMARY;
      reason = why;
      nextAttemptNanos = agent.nanoTime() + agent.config().discoveryInterval().toNanos();
      if (why.equals(lastLoggedProblem)) {
        return;
      }
      lastLoggedProblem = why;
    }
    agent.log().log(AgentLog.Level.INFO, "not-a-primary", name, "left alone: " + why,
        Map.of("source", endpoint.source()));
  }

  /**
   * Whether the attached VM would be driven differently under {@code config}: then it is detached
   * and attached again with the new settings.
   */
  synchronized boolean settingsChanged(AgentConfig config) {
    Attachment current = attachment;
    return current != null && !current.settings.equals(config.settingsFor(current.vm));
  }

  /** Ends the current attachment, if any, and attaches again at once (new settings). */
  void restart(String why) {
    Attachment previous;
    synchronized (this) {
      previous = attachment;
      if (previous == null || state == VmStatus.State.DETACHED) {
        return;
      }
      attachment = null;
      state = VmStatus.State.WAITING;
      reason = why;
      nextAttemptNanos = agent.nanoTime();
      lastLoggedProblem = null;
      // No new attach until the old one is closed and its name released: else the release below
      // could free the new attachment's claim.
      attemptRunning = true;
    }
    try {
      close(previous);
      agent.releaseName(previous.vm, endpoint);
    } finally {
      synchronized (this) {
        attemptRunning = false;
      }
    }
    agent.log().info("restarted", previous.vm, why);
  }

  /**
   * Stops supervising for good: the loop closed, the VM left in {@code leaveIn} (null: the mode it
   * is in) with the fail-safe checkpoint period, the connection closed. Blocks for at most the QMP
   * timeout of the one call that applies the mode.
   */
  void detach(String why, @Nullable Mode leaveIn) {
    Attachment previous;
    synchronized (this) {
      if (state == VmStatus.State.DETACHED) {
        return;
      }
      previous = attachment;
      attachment = null;
      state = VmStatus.State.DETACHED;
      reason = why;
    }
    if (previous == null) {
      agent.log().info("detached", vm(), why + "; it was not attached");
      return;
    }
    previous.loop.close();
    String left = "left in " + (leaveIn == null ? previous.loop.appliedMode() : leaveIn);
    if (leaveIn != null && previous.client.isOpen()) {
      try {
        previous.control.actuator().apply(leaveIn, ControlLoop.DEFAULT_FAIL_SAFE_CHECKPOINT_PERIOD.toNanos());
      } catch (RuntimeException failed) {
        left = "could not be left in " + leaveIn + " (" + failed.getMessage() + "); it stays in "
            + previous.loop.appliedMode();
      }
    }
    close(previous);
    agent.releaseName(previous.vm, endpoint);
    agent.log().info("detached", previous.vm, why + "; " + left);
  }

  private static void close(Attachment attached) {
    attached.loop.close();
    QmpSubscription subscription = attached.closedSubscription;
    if (subscription != null) {
      subscription.close();
    }
    attached.metrics.close();
    attached.control.close();
    attached.client.close();
  }

  /** QEMU's process id, where this host can see it; -1 otherwise (another namespace, no vCPU ids). */
  private static long pidOf(QmpClient client) {
    try {
      return QemuProcess.of(client).pid();
    } catch (RuntimeException unknown) {
      return -1;
    }
  }

  @Override
  public String toString() {
    return "VmSupervisor[" + endpoint.source() + "]";
  }

  @Override
  public boolean equals(@Nullable Object other) {
    return other instanceof VmSupervisor that && endpoint.equals(that.endpoint);
  }

  @Override
  public int hashCode() {
    return Objects.hash(endpoint);
  }
}
