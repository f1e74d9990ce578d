package org.hybridft.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.hybridft.qmp.testing.FakeQmpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent against fake QEMUs on unix sockets: discovery, the not-a-primary rule, loss and
 * reattach, reload, stop. The same behaviour on real testbed pairs is {@code AgentOnTestbedTest}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AgentOnFakeQemuTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;
  private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
  private final PrintStream logStream = new PrintStream(logBytes, true, StandardCharsets.UTF_8);
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable closeable : toClose) {
      closeable.close();
    }
  }

  /** A fake COLO primary named {@code name} in {@code dir/name/fake-qmp.sock}, recording every command. */
  private FakeQmpServer primary(String name, String coloMode, List<JsonNode> commands) throws IOException {
    Path vmDir = Files.createDirectories(dir.resolve(name));
    Map<String, String> returns = Map.of(
        "query-name", "{\"name\": \"" + name + "\"}",
        "query-colo-status", "{\"mode\": \"" + coloMode + "\"}",
        "query-migrate-capabilities", "[{\"capability\": \"events\", \"state\": true}]",
        "qom-list", "[]",
        "migrate-set-parameters", "{}",
        "query-migrate-parameters", "{\"x-checkpoint-delay\": 10000}",
        "query-status", "{\"status\": \"colo\", \"running\": true}",
        "query-migrate", "{\"status\": \"" + (coloMode.equals("primary") ? "colo" : "none") + "\"}");
    FakeQmpServer server = FakeQmpServer.start(vmDir, peer -> {
      peer.handshake(FakeQmpServer.GREETING);
      JsonNode command;
      while ((command = peer.readCommand()) != null) {
        commands.add(command);
        String name1 = command.path("execute").asText();
        String value = returns.get(name1);
        if (value == null) {
          peer.replyError(command, "CommandNotFound", "The command " + name1 + " has not been found");
        } else {
          peer.reply(command, value);
        }
      }
    });
    toClose.add(server);
    return server;
  }

  private Agent agent(String extra) throws IOException {
    Path file = dir.resolve("agent.properties");
    Files.writeString(file, "discovery.sockets = " + dir + "/*/fake-qmp.sock\n"
        + "discovery.interval = 200ms\nmetrics.listen = 0\nlog.format = json\n"
        + "reattach.backoff = 200ms\nreattach.max-backoff = 400ms\n" + extra);
    Agent agent = Agent.start(file, new AgentLog(logStream, AgentConfig.LogFormat.JSON, Clock.systemUTC()));
    toClose.add(agent);
    return agent;
  }

  private List<JsonNode> logLines() throws IOException {
    List<JsonNode> lines = new ArrayList<>();
    for (String line : logBytes.toString(StandardCharsets.UTF_8).split("\n")) {
      if (!line.isBlank()) {
        lines.add(JSON.readTree(line));
      }
    }
    return lines;
  }

  private long events(String event, String vm) throws IOException {
    return logLines().stream()
        .filter(line -> line.path("event").asText().equals(event) && line.path("vm").asText().equals(vm))
        .count();
  }

  private void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as(() -> "waited 20 s for " + what + "; the agent's log:\n"
          + logBytes.toString(StandardCharsets.UTF_8)).isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  private static VmStatus.State state(Agent agent, String vm) {
    return agent.vms().stream().filter(status -> vm.equals(status.vm()))
        .map(VmStatus::state).findFirst().orElse(null);
  }

  private static String get(String url) throws Exception {
    HttpURLConnection connection = (HttpURLConnection) URI.create(url).toURL().openConnection();
    connection.setConnectTimeout(5000);
    connection.setReadTimeout(5000);
    try {
      int status = connection.getResponseCode();
      try (InputStream body = status < 400 ? connection.getInputStream() : connection.getErrorStream()) {
        return status + " " + (body == null ? "" : new String(body.readAllBytes(), StandardCharsets.UTF_8));
      }
    } finally {
      connection.disconnect();
    }
  }

  @Test
  void attachesEveryPrimaryFoundAndLeavesOtherQemusAloneWithTheReasonLoggedOnce() throws Exception {
    primary("vm-a", "primary", new CopyOnWriteArrayList<>());
    primary("vm-b", "primary", new CopyOnWriteArrayList<>());
    primary("plain", "none", new CopyOnWriteArrayList<>());

    Agent agent = agent("");
    await("two primaries attached", () -> state(agent, "vm-a") == VmStatus.State.ATTACHED
        && state(agent, "vm-b") == VmStatus.State.ATTACHED);
    await("the plain QEMU left alone", () -> state(agent, "plain") == VmStatus.State.NOT_PRIMARY);
    Thread.sleep(1000); // five more discoveries

    assertThat(events("not-a-primary", "plain")).as("logged once however often it is checked").isEqualTo(1);
    assertThat(events("attached", "vm-a")).isEqualTo(1);
    String metrics = get(agent.metricsUrl().orElseThrow());
    assertThat(metrics).startsWith("200 ")
        .contains("hybridft_mode{mode=\"colo\",vm=\"vm-a\"} 1")
        .contains("vm=\"vm-b\"")
        .doesNotContain("vm=\"plain\"")
        .contains("hybridft_agent_vms{state=\"attached\"} 2")
        .contains("hybridft_agent_vms{state=\"not_primary\"} 1");
    String health = get(agent.healthUrl().orElseThrow());
    assertThat(health).startsWith("200 ");
    JsonNode report = JSON.readTree(health.substring(4));
    assertThat(report.path("status").asText()).isEqualTo("running");
    assertThat(report.path("counts").path("attached").asInt()).isEqualTo(2);
    assertThat(report.path("vms").findValuesAsText("reason")).anySatisfy(reason ->
        assertThat(reason).startsWith("not a COLO primary (query-colo-status mode: none)"));
  }

  @Test
  void aQemuThatGoesAwayIsAttachedAgainWhenItComesBackAndDetachedWhenItsSocketGoes() throws Exception {
    FakeQmpServer first = primary("vm-a", "primary", new CopyOnWriteArrayList<>());
    Agent agent = agent("");
    await("attached", () -> state(agent, "vm-a") == VmStatus.State.ATTACHED);

    // QEMU killed: the connection closes, the socket file stays (nobody listens on it).
    first.close();
    // The state changes before the line is written: wait for both.
    await("the loss noticed and logged", () -> {
      try {
        return state(agent, "vm-a") == VmStatus.State.WAITING && events("lost", "vm-a") == 1;
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    });
    assertThat(get(agent.metricsUrl().orElseThrow())).doesNotContain("vm=\"vm-a\"");

    // QEMU restarted on the same path.
    Files.delete(first.socket());
    primary("vm-a", "primary", new CopyOnWriteArrayList<>());
    await("attached again", () -> {
      try {
        return state(agent, "vm-a") == VmStatus.State.ATTACHED && events("attached", "vm-a") == 2;
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    });
    // The loop's first tick applies the mode, up to one tick slot (Agent.TICK_SLOT) after the attach.
    await("the mode applied again", () -> {
      try {
        return get(agent.metricsUrl().orElseThrow()).contains("hybridft_mode{mode=\"colo\",vm=\"vm-a\"} 1");
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    });

    // The VM deleted: its socket goes.
    toClose.remove(toClose.size() - 1).close();
    Files.delete(first.socket());
    await("detached", () -> agent.vms().isEmpty());
    await("the detach logged", () -> {
      try {
        return events("detached", "vm-a") == 1;
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    });
    assertThat(get(agent.metricsUrl().orElseThrow())).doesNotContain("vm=\"vm-a\"")
        .contains("hybridft_agent_attaches_total 2.0");
  }

  @Test
  void libvirtAloneIsEnoughAndAnUnreachableDaemonIsLoggedOnceWhileSocketsGoOn() throws Exception {
    // No daemon behind this URI: discovery says so once and goes on with the sockets.
    primary("vm-a", "primary", new CopyOnWriteArrayList<>());
    Agent agent = agent("discovery.libvirt.uri = qemu:///system?socket=" + dir.resolve("no-libvirt-sock") + "\n");
    await("vm-a attached beside the unreachable libvirt", () -> state(agent, "vm-a") == VmStatus.State.ATTACHED);
    Thread.sleep(1000); // several discoveries
    assertThat(logLines()).filteredOn(line -> line.path("event").asText().equals("libvirt-unreachable"))
        .hasSize(1).first().satisfies(line -> assertThat(line.path("message").asText())
            .contains("cannot list the domains at qemu:///system?socket=").contains("kept as they are"));

    Path only = dir.resolve("libvirt-only.properties");
    Files.writeString(only, "discovery.libvirt.uri = qemu:///system?socket=" + dir.resolve("no-libvirt-sock")
        + "\ndiscovery.interval = 200ms\nmetrics.listen = off\n");
    try (Agent libvirtOnly = Agent.start(only, new AgentLog(logStream, AgentConfig.LogFormat.JSON, Clock.systemUTC()))) {
      Thread.sleep(600);
      assertThat(libvirtOnly.vms()).isEmpty();
    }
  }

  @Test
  void twoQemusWithOneNameAreNotBothDriven() throws Exception {
    primary("one", "primary", new CopyOnWriteArrayList<>());
    Path twin = Files.createDirectories(dir.resolve("twin"));
    FakeQmpServer second = FakeQmpServer.answering(twin, "10.0.13", Map.of(
        "query-name", "{\"name\": \"one\"}",
        "query-colo-status", "{\"mode\": \"primary\"}"));
    toClose.add(second);

    Agent agent = agent("");
    await("one attached, its twin refused", () -> agent.vms().size() == 2
        && agent.vms().stream().filter(vm -> vm.state() == VmStatus.State.ATTACHED).count() == 1
        && agent.vms().stream().anyMatch(vm -> vm.state() == VmStatus.State.NOT_PRIMARY
            && vm.reason().startsWith("another QEMU named one is attached through")));
  }

  @Test
  void aReloadRestartsOnlyTheVmsWhoseSettingsChangedAndRefusesAFileWithMistakes() throws Exception {
    primary("vm-a", "primary", new CopyOnWriteArrayList<>());
    primary("vm-b", "primary", new CopyOnWriteArrayList<>());
    Agent agent = agent("");
    await("both attached", () -> state(agent, "vm-a") == VmStatus.State.ATTACHED
        && state(agent, "vm-b") == VmStatus.State.ATTACHED);
    Path file = dir.resolve("agent.properties");
    String good = Files.readString(file);

    Files.writeString(file, good + "vm.vm-b.controller = pi\n");
    assertThat(agent.reload()).isTrue();
    await("vm-b attached again", () -> {
      try {
        return events("attached", "vm-b") == 2 && state(agent, "vm-b") == VmStatus.State.ATTACHED;
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    });
    assertThat(events("attached", "vm-a")).as("vm-a's settings did not change").isEqualTo(1);
    assertThat(logLines()).anySatisfy(line -> assertThat(line.path("controller").asText()).isEqualTo("pi"));

    Files.writeString(file, good + "vm.*.controller = nonsense\n");
    assertThat(agent.reload()).isFalse();
    assertThat(logLines()).anySatisfy(line -> {
      assertThat(line.path("event").asText()).isEqualTo("reload-refused");
      assertThat(line.path("level").asText()).isEqualTo("error");
      assertThat(line.path("message").asText()).contains("vm.*.controller = nonsense: unknown controller");
    });
    assertThat(agent.config().settingsFor("vm-b").controller().controller()).isEqualTo("pi");
    assertThat(state(agent, "vm-a")).isEqualTo(VmStatus.State.ATTACHED);
  }

  @Test
  void aChangedFileIsReloadedWithoutASignal() throws Exception {
    primary("vm-a", "primary", new CopyOnWriteArrayList<>());
    Agent agent = agent("");
    await("attached", () -> state(agent, "vm-a") == VmStatus.State.ATTACHED);
    Path file = dir.resolve("agent.properties");

    Files.writeString(file, Files.readString(file) + "vm.vm-a.controller = colo\n");
    await("the change read and applied", () -> agent.config().settingsFor("vm-a").controller().controller()
        .equals("colo") && state(agent, "vm-a") == VmStatus.State.ATTACHED);
  }

  @Test
  void stoppingLeavesEveryVmInCheckpointModeAndEndsEveryThread() throws Exception {
    List<JsonNode> commands = new CopyOnWriteArrayList<>();
    primary("vm-a", "primary", commands);
    Agent agent = agent("");
    await("attached", () -> state(agent, "vm-a") == VmStatus.State.ATTACHED);
    await("COLO applied", () -> commands.stream().anyMatch(c -> c.path("execute").asText()
        .equals("migrate-set-parameters")));
    String metricsUrl = agent.metricsUrl().orElseThrow();

    agent.close();

    JsonNode lastSet = commands.stream().filter(c -> c.path("execute").asText().equals("migrate-set-parameters"))
        .reduce((a, b) -> b).orElseThrow();
    assertThat(lastSet.path("arguments").path("x-checkpoint-delay").asLong())
        .as("checkpoint mode at the fail-safe period").isEqualTo(500);
    assertThat(logLines()).anySatisfy(line -> {
      assertThat(line.path("event").asText()).isEqualTo("detached");
      assertThat(line.path("message").asText()).contains("left in CHECKPOINT");
    });
    assertThat(Thread.getAllStackTraces().keySet()).noneMatch(thread -> thread.isAlive()
        && thread.getName().startsWith("hybrid-ft-agent"));
    assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> get(metricsUrl)))
        .as("the endpoint is closed").isInstanceOf(IOException.class);
  }
}
