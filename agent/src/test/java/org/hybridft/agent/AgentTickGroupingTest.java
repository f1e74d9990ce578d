package org.hybridft.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Gauge;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.hybridft.qmp.testing.FakeQmpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The agent's loops share scheduler wake-ups: many VMs, few scheduler tasks, every loop ticking. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AgentTickGroupingTest {
  private static final int VMS = 30;
  @TempDir Path dir;
  private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable closeable : toClose) {
      closeable.close();
    }
  }

  private void primary(String name) throws IOException {
    Path vmDir = Files.createDirectories(dir.resolve(name));
    toClose.add(FakeQmpServer.answering(vmDir, "10.0.0", Map.of(
        "query-name", "{\"name\": \"" + name + "\"}",
        "query-colo-status", "{\"mode\": \"primary\"}",
        "query-migrate-capabilities", "[{\"capability\": \"events\", \"state\": true}]",
        "qom-list", "[]",
        "migrate-set-parameters", "{}",
        "query-migrate-parameters", "{\"x-checkpoint-delay\": 10000}",
        "query-status", "{\"status\": \"colo\", \"running\": true}",
        "query-migrate", "{\"status\": \"colo\"}")));
  }

  private void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as(() -> "waited 30 s for " + what + "; the agent's log:\n"
          + logBytes.toString(StandardCharsets.UTF_8)).isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  @Test
  void theTicksOfManyVmsRunFromAtMostOneSchedulerTaskPerSlotOfThePeriod() throws Exception {
    for (int i = 0; i < VMS; i++) {
      primary("vm-" + i);
    }
    Path file = dir.resolve("agent.properties");
    Files.writeString(file, "discovery.sockets = " + dir + "/*/fake-qmp.sock\n"
        + "discovery.interval = 200ms\nlog.format = json\nvm.*.period = 1s\n");
    Agent agent = Agent.start(file, new AgentLog(new PrintStream(logBytes, true, StandardCharsets.UTF_8),
        AgentConfig.LogFormat.JSON, Clock.systemUTC()));
    toClose.add(agent);

    await(VMS + " VMs attached", () -> agent.vms().size() == VMS
        && agent.vms().stream().allMatch(vm -> vm.state() == VmStatus.State.ATTACHED));
    // Every loop has measured a period: its ticks run although they share tasks.
    await("every loop measured a checkpoint rate", () -> {
      Collection<Gauge> rates = agent.registry().find("hybridft.checkpoints.per.second").gauges();
      return rates.size() == VMS && rates.stream().noneMatch(gauge -> Double.isNaN(gauge.value()));
    });

    long slotsPerPeriod = TimeUnit.SECONDS.toNanos(1) / Agent.TICK_SLOT.toNanos();
    assertThat(agent.tickGroups())
        .as("scheduler tasks running the ticks of %d VMs with a 1 s period", VMS)
        .isPositive()
        .isLessThanOrEqualTo((int) slotsPerPeriod)
        .isLessThan(VMS);
  }
}
