package org.hybridft.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.hybridft.core.Mode;
import org.hybridft.core.ReplicationEndedException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.hybridft.qmp.testing.FakeQmpServer;

/**
 * The counter and the actuator on what a real COLO pair does not do on demand: a parameter that
 * reads back wrong, a missing capability, events with chosen timestamps.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class QmpAdapterPortsTest {
  private static final String EVENTS_ON =
      "[{\"capability\": \"x-colo\", \"state\": true}, {\"capability\": \"events\", \"state\": true}]";

  @TempDir Path dir;
  private FakeQmpServer server;
  private QmpClient client;

  @AfterEach
  void stop() throws Exception {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void counterCountsMigrationPassesAndPausesFromEventTimestamps() throws Exception {
    CountDownLatch go = new CountDownLatch(1);
    server = FakeQmpServer.start(dir, peer -> {
      peer.handshake();
      peer.reply(peer.readCommand(), EVENTS_ON);
      go.await(5, TimeUnit.SECONDS);
      for (int i = 0; i < 3; i++) {
        long stop = 1_000_000L * (10 + i);
        peer.sendLine(event("STOP", stop, "{}"));
        peer.sendLine(event("MIGRATION_PASS", stop + 1000, "{\"pass\": " + (i + 2) + "}"));
        peer.sendLine(event("RESUME", stop + 85_000, "{}"));
      }
      peer.answerAll();
    });
    client = server.client().connect();
    QmpCheckpointCounter counter = QmpCheckpointCounter.attach(client);
    go.countDown();

    awaitCondition(() -> counter.pauses() == 3);

    assertThat(counter.checkpoints()).isEqualTo(3);
    assertThat(counter.totalPauseNanos()).isEqualTo(3 * 85_000_000L);
    assertThat(counter.endReason()).isNull();
  }

  @Test
  void attachingAndClosingCountersLeavesNothingOnALongLivedClient() throws Exception {
    server = FakeQmpServer.start(dir, peer -> {
      peer.handshake();
      JsonNode command;
      while ((command = peer.readCommand()) != null) {
        peer.reply(command, EVENTS_ON);
      }
    });
    client = server.client().connect();
    int dependentsBefore = client.closeDependents();

    for (int i = 0; i < 2_000; i++) {
      QmpCheckpointCounter.attach(client).close();
    }

    assertThat(client.closeDependents()).isEqualTo(dependentsBefore);
    QmpCheckpointCounter last = QmpCheckpointCounter.attach(client);
    client.close();
    awaitCondition(() -> last.endReason() != null);
    assertThat(last.endReason()).startsWith("QMP connection lost");
  }

  @Test
  void aCloseListenerRegisteredAfterTheCloseIsCalledOnceAndAClosedOneNever() throws Exception {
    server = FakeQmpServer.start(dir, peer -> {
      peer.handshake();
      peer.answerAll();
    });
    client = server.client().connect();
    AtomicInteger kept = new AtomicInteger();
    AtomicInteger dropped = new AtomicInteger();
    client.onClosed(reason -> kept.incrementAndGet());
    client.onClosed(reason -> dropped.incrementAndGet()).close();

    client.close();
    awaitCondition(() -> kept.get() == 1);
    AtomicInteger late = new AtomicInteger();
    client.onClosed(reason -> late.incrementAndGet());

    assertThat(late).hasValue(1);
    assertThat(kept).hasValue(1);
    assertThat(dropped).hasValue(0);
  }

  @Test
  void counterEndsTheReplicationOnColoExit() throws Exception {
    server = FakeQmpServer.start(dir, peer -> {
      peer.handshake();
      peer.reply(peer.readCommand(), EVENTS_ON);
      peer.sendLine(event("COLO_EXIT", 5, "{\"mode\": \"primary\", \"reason\": \"error\"}"));
      peer.answerAll();
    });
    client = server.client().connect();
    QmpCheckpointCounter counter = QmpCheckpointCounter.attach(client);

    awaitCondition(() -> counter.endReason() != null);

    assertThatThrownBy(counter::checkpoints)
        .isInstanceOfSatisfying(ReplicationEndedException.class,
            ended -> assertThat(ended.reason()).isEqualTo("COLO_EXIT mode=primary reason=error"));
  }

  @Test
  void counterEndsTheReplicationWhenTheConnectionIsLost() throws Exception {
    server = FakeQmpServer.start(dir, peer -> {
      peer.handshake();
      peer.reply(peer.readCommand(), EVENTS_ON);
      peer.close();
    });
    client = server.client().connect();
    QmpCheckpointCounter counter = QmpCheckpointCounter.attach(client);

    awaitCondition(() -> counter.endReason() != null);

    assertThatThrownBy(counter::checkpoints)
        .isInstanceOf(ReplicationEndedException.class)
        .hasMessageContaining("QMP connection lost");
  }

  @Test
  void aProtocolErrorEndsCountingAsAProtocolErrorNotAsALostConnection() throws Exception {
    server = FakeQmpServer.start(dir, peer -> {
      peer.handshake();
      peer.reply(peer.readCommand(), EVENTS_ON);
      peer.sendLine("{\"event\": \"MIGRATION_PASS\", \"data\": {\"pass\": ]}");
      peer.answerAll();
    });
    client = server.client().connect();
    QmpCheckpointCounter counter = QmpCheckpointCounter.attach(client);

    awaitCondition(() -> counter.endReason() != null);

    assertThatThrownBy(counter::checkpoints)
        .isInstanceOfSatisfying(ReplicationEndedException.class, ended -> {
          assertThat(ended.reason()).startsWith("QMP protocol error from " + client.peer())
              .contains("malformed JSON").doesNotContain("connection lost");
          assertThat(ended.getCause()).isInstanceOf(QmpProtocolException.class);
        });
    assertThat(counter.protocolError()).isInstanceOf(QmpProtocolException.class);
    assertThatThrownBy(() -> new QmpModeActuator(client, ModeRecipe.checkpointDelay())
            .apply(Mode.CHECKPOINT, 200_000_000L))
        .isInstanceOfSatisfying(ReplicationEndedException.class, ended -> {
          assertThat(ended.reason()).startsWith("QMP protocol error from");
          assertThat(ended.getCause()).isInstanceOf(QmpProtocolException.class);
        });
  }

  @Test
  void aQemuThatStopsAnsweringMakesTheCounterUnavailableNotEnded() throws Exception {
    CountDownLatch resume = new CountDownLatch(1);
    server = FakeQmpServer.start(dir, peer -> {
      peer.handshake();
      peer.reply(peer.readCommand(), EVENTS_ON);
      JsonNode probe = peer.readCommand();
      resume.await(10, TimeUnit.SECONDS);
      peer.reply(probe, "{\"status\": \"running\"}");
      peer.answerAll();
    });
    client = server.client().connect();
    QmpCheckpointCounter counter = QmpCheckpointCounter.attach(client, Duration.ofMillis(200));

    assertThat(counter.checkpoints()).isZero(); // sends the first probe
    awaitCondition(() -> {
      try {
        counter.checkpoints();
        return false;
      } catch (QmpTimeoutException unavailable) {
        return true;
      }
    });
    resume.countDown();

    awaitCondition(() -> {
      try {
        return counter.checkpoints() == 0;
      } catch (QmpTimeoutException stillUnavailable) {
        return false;
      }
    });
    assertThat(counter.endReason()).isNull();
  }

  @Test
  void eventsProveQemuAliveSoNoProbeIsSentWhileTheyComeAndOneIsOnceTheyStop() throws Exception {
    AtomicLong probeWaitedNanos = new AtomicLong(-1);
    CountDownLatch eventsStopped = new CountDownLatch(1);
    server = FakeQmpServer.start(dir, peer -> {
      peer.handshake();
      peer.reply(peer.readCommand(), EVENTS_ON);
      long lastEvent = 0;
      for (int i = 0; i < 30; i++) {
        peer.sendLine("{\"event\": \"MIGRATION_PASS\", \"data\": {\"pass\": " + (i + 2) + "},"
            + " \"timestamp\": {\"seconds\": 1, \"microseconds\": 0}}");
        lastEvent = System.nanoTime();
        Thread.sleep(50);
      }
      // From the last event sent, not from the end of the sleep after it: a loaded machine oversleeps.
      long stopped = lastEvent;
      eventsStopped.countDown();
      // A probe sent while the events came would be waiting here already.
      JsonNode probe = peer.readCommand();
      if (probe != null && "query-status".equals(probe.path("execute").asText())) {
        probeWaitedNanos.set(System.nanoTime() - stopped);
      }
      peer.readCommand(); // never answered: the client times out
    });
    client = server.client().connect();
    // Probes at most every 150 ms of silence.
    QmpCheckpointCounter counter = QmpCheckpointCounter.attach(client, Duration.ofMillis(300));
    while (eventsStopped.getCount() > 0) {
      counter.checkpoints(); // never unavailable while the events come
      Thread.sleep(20);
    }
    assertThat(counter.checkpoints()).isEqualTo(30);
    awaitCondition(() -> {
      try {
        counter.checkpoints();
        return false;
      } catch (QmpTimeoutException unavailable) {
        return true;
      }
    });
    // 150 ms of silence after the last event; a probe sent while the events came would have been
    // read about 50 ms after it, once the server's last sleep ended.
    assertThat(probeWaitedNanos.get()).as("the first probe came after the events stopped, not while they came")
        .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(140));
  }

  @Test
  void readsFarApartOnAQuietButHealthyQemuAreNeverUnavailable() throws Exception {
    server = FakeQmpServer.start(dir, peer -> {
      peer.handshake();
      peer.reply(peer.readCommand(), EVENTS_ON);
      peer.answerAll(); // answers every probe at once, sends no event
    });
    client = server.client().connect();
    QmpCheckpointCounter counter = QmpCheckpointCounter.attach(client, Duration.ofMillis(200));
    for (int i = 0; i < 3; i++) {
      Thread.sleep(500); // longer than the liveness timeout between two reads, as a measuring test does
      assertThat(counter.checkpoints()).isZero();
    }
  }

  @Test
  void counterRefusesAPrimaryWithoutTheEventsCapability() throws Exception {
    server = FakeQmpServer.start(dir, peer -> {
      peer.handshake();
      peer.reply(peer.readCommand(), "[{\"capability\": \"events\", \"state\": false}]");
      peer.answerAll();
    });
    client = server.client().connect();

    assertThatThrownBy(() -> QmpCheckpointCounter.attach(client))
        .isInstanceOf(QmpStateException.class)
        .hasMessageContaining("'events' migration capability is off");
  }

  @Test
  void actuatorSendsTheRecipeAndVerifiesTheReadBack() throws Exception {
    List<JsonNode> received = new CopyOnWriteArrayList<>();
    server = FakeQmpServer.start(dir, peer -> {
      peer.handshake();
      JsonNode set = peer.readCommand();
      received.add(set);
      peer.reply(set, "{}");
      JsonNode query = peer.readCommand();
      received.add(query);
      peer.reply(query, "{\"x-checkpoint-delay\": 200, \"max-bandwidth\": 1}");
      peer.answerAll();
    });
    client = server.client().connect();

    new QmpModeActuator(client, ModeRecipe.checkpointDelay()).apply(Mode.CHECKPOINT, 200_400_000L);

    assertThat(received).hasSize(2);
    assertThat(received.get(0).path("execute").asText()).isEqualTo("migrate-set-parameters");
    assertThat(received.get(0).path("arguments").path("x-checkpoint-delay").asLong()).isEqualTo(200);
    assertThat(received.get(1).path("execute").asText()).isEqualTo("query-migrate-parameters");
  }

  @Test
  void actuatorReportsAReadBackMismatchAsAFailure() throws Exception {
    server = FakeQmpServer.start(dir, peer -> {
      peer.handshake();
      peer.reply(peer.readCommand(), "{}");
      peer.reply(peer.readCommand(), "{\"x-checkpoint-delay\": 20000}");
      peer.answerAll();
    });
    client = server.client().connect();
    QmpModeActuator actuator = new QmpModeActuator(client, ModeRecipe.checkpointDelay());

    assertThatThrownBy(() -> actuator.apply(Mode.COLO, 200_000_000L))
        .isInstanceOf(QmpStateException.class)
        .hasMessageContaining("x-checkpoint-delay reads 20000, expected 10000");
  }

  @Test
  void actuatorPassesOnQemuErrorsAndEndsTheReplicationOnALostConnection() throws Exception {
    server = FakeQmpServer.start(dir, peer -> {
      peer.handshake();
      JsonNode set = peer.readCommand();
      peer.sendLine("{\"error\": {\"class\": \"GenericError\", \"desc\": \"no COLO\"}, \"id\": " + set.get("id") + "}");
      peer.readCommand();
      peer.close();
    });
    client = server.client().connect();
    QmpModeActuator actuator = new QmpModeActuator(client, ModeRecipe.checkpointDelay());

    assertThatThrownBy(() -> actuator.apply(Mode.CHECKPOINT, 500_000_000L))
        .isInstanceOfSatisfying(QmpErrorException.class,
            error -> assertThat(error.description()).isEqualTo("no COLO"));
    assertThatThrownBy(() -> actuator.apply(Mode.CHECKPOINT, 500_000_000L))
        .isInstanceOf(ReplicationEndedException.class)
        .hasMessageContaining("QMP connection lost");
  }

  @Test
  void jsonRecipeSubstitutesThePeriodAndListsItsCommandsInOrder() throws Exception {
    Path file = dir.resolve("recipe.json");
    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(file, """
        {"name": "passive-patch",
         "COLO": {"commands": [{"execute": "x-colo-passive", "arguments": {"enable": false}}]},
         "CHECKPOINT": {"commands": [
             {"execute": "x-colo-passive", "arguments": {"enable": true}},
             {"execute": "migrate-set-parameters", "arguments": {"x-checkpoint-delay": "${periodMs}"}},
             {"execute": "human-monitor-command", "arguments": {"command-line": "info ${periodMs} ms"}}],
           "expect": {"x-checkpoint-delay": "${periodMs}"}}}
        """);

    ModeRecipe recipe = ModeRecipe.fromFile(file);

    assertThat(recipe.name()).isEqualTo("passive-patch");
    List<QmpCommand> checkpoint = recipe.commands(Mode.CHECKPOINT, 250);
    assertThat(checkpoint).extracting(QmpCommand::name)
        .containsExactly("x-colo-passive", "migrate-set-parameters", "human-monitor-command");
    assertThat(checkpoint.get(1).arguments().path("x-checkpoint-delay").isNumber()).isTrue();
    assertThat(checkpoint.get(1).arguments().path("x-checkpoint-delay").asLong()).isEqualTo(250);
    assertThat(checkpoint.get(2).arguments().path("command-line").asText()).isEqualTo("info 250 ms");
    assertThat(recipe.expectedMigrateParameters(Mode.CHECKPOINT, 250).get("x-checkpoint-delay").asLong())
        .isEqualTo(250);
    assertThat(recipe.commands(Mode.COLO, 250)).singleElement()
        .satisfies(c -> assertThat(c.arguments().path("enable").asBoolean(true)).isFalse());
    assertThat(recipe.expectedMigrateParameters(Mode.COLO, 250)).isEmpty();
  }

  @Test
  void jsonRecipeMistakesAreNamed() {
    assertThatThrownBy(() -> JsonModeRecipe.parse("{\"COLO\": {\"commands\": [{\"execute\": \"a\"}]}}", "r.json"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("recipe r.json")
        .hasMessageContaining("\"CHECKPOINT\"");
    assertThatThrownBy(() -> JsonModeRecipe.parse(
            "{\"COLO\": {\"commands\": []}, \"CHECKPOINT\": {\"commands\": [{\"execute\": \"a\"}]}}", "r.json"))
        .hasMessageContaining("COLO.commands must be a non-empty array");
    assertThatThrownBy(() -> JsonModeRecipe.parse(
            "{\"COLO\": {\"commands\": [{\"execute\": \"a\", \"arguments\": {\"x\": \"${period}\"}}]},"
                + " \"CHECKPOINT\": {\"commands\": [{\"execute\": \"a\"}]}}", "r.json"))
        .hasMessageContaining("COLO.commands[0] uses the unknown placeholder ${period}");
    assertThatThrownBy(() -> JsonModeRecipe.parse("{\"COLO\": ", "r.json"))
        .hasMessageContaining("is not valid JSON");
  }

  @Test
  void checkpointDelayRecipeValidatesItsPeriods() {
    assertThatThrownBy(() -> ModeRecipe.checkpointDelay(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("coloIdlePeriod must be between 1 ms");
    assertThatThrownBy(() -> ModeRecipe.checkpointDelay().commands(Mode.CHECKPOINT, 1L << 33))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("checkpoint period must be between 1 ms");
    assertThat(ModeRecipe.checkpointDelay().commands(Mode.COLO, 200)).singleElement()
        .satisfies(c -> assertThat(c.arguments().path("x-checkpoint-delay").asLong()).isEqualTo(10_000));
  }

  @Test
  void actuatorRefusesAPeriodBeyondQemusRangeInsteadOfWrappingItToOneMillisecond() throws Exception {
    List<JsonNode> received = new CopyOnWriteArrayList<>();
    server = FakeQmpServer.start(dir, peer -> {
      peer.handshake();
      JsonNode command;
      while ((command = peer.readCommand()) != null) {
        received.add(command);
        peer.reply(command, "{}");
      }
    });
    client = server.client().connect();
    QmpModeActuator actuator = new QmpModeActuator(client, ModeRecipe.checkpointDelay());

    assertThatThrownBy(() -> actuator.apply(Mode.CHECKPOINT, Long.MAX_VALUE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("checkpoint period must be between 1 ms and 4294967295 ms, was 9223372036855 ms");
    assertThat(received).isEmpty();
  }

  @Test
  void actuatorReportsAnUnrepresentableReadBackAsAMismatch() throws Exception {
    server = FakeQmpServer.start(dir, peer -> {
      peer.handshake();
      peer.reply(peer.readCommand(), "{}");
      peer.reply(peer.readCommand(), "{\"x-checkpoint-delay\": 1e999}");
      peer.answerAll();
    });
    client = server.client().connect();
    QmpModeActuator actuator = new QmpModeActuator(client, ModeRecipe.checkpointDelay());

    assertThatThrownBy(() -> actuator.apply(Mode.CHECKPOINT, 200_000_000L))
        .isInstanceOf(QmpStateException.class)
        .hasMessageContaining("x-checkpoint-delay reads")
        .hasMessageContaining("expected 200");
  }

  @Test
  void jsonRecipeWritableByGroupOrOthersIsRefused() throws Exception {
    Path file = recipeFile("0664");

    assertThatThrownBy(() -> ModeRecipe.fromFile(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("recipe " + file)
        .hasMessageContaining("writable by group or others (rw-rw-r--)")
        .hasMessageContaining("chmod go-w");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--rw-"));
    assertThatThrownBy(() -> ModeRecipe.fromFile(file))
        .hasMessageContaining("writable by group or others (rw-r--rw-)");
  }

  @Test
  void jsonRecipeInAFolderOthersMayWriteIsRefusedUnlessTheFolderIsSticky() throws Exception {
    Path file = recipeFile("0644");
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
    try {
      assertThatThrownBy(() -> ModeRecipe.fromFile(file))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("recipe " + file + " is in " + dir.toRealPath())
          .hasMessageContaining("a folder writable by group or others (rwxrwxrwx)");
      Path link = Files.createSymbolicLink(
          Files.createDirectories(dir.resolve("private")).resolve("link.json"), file);
      Files.setPosixFilePermissions(link.getParent(), PosixFilePermissions.fromString("rwx------"));
      assertThatThrownBy(() -> ModeRecipe.fromFile(link))
          .as("checked where the link leads").hasMessageContaining("a folder writable by group or others");
      new ProcessBuilder("chmod", "1777", dir.toString()).start().waitFor();
      assertThat(ModeRecipe.fromFile(file)).as("a sticky folder such as /tmp").isNotNull();
    } finally {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    }
  }

  @Test
  void jsonRecipeOwnedByAnotherUserIsRefused() throws Exception {
    Path file = recipeFile("0644");
    UserPrincipal me = Files.getOwner(file);
    UserPrincipal nobody;
    try {
      nobody = file.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
      Files.setOwner(file, nobody);
    } catch (IOException notRoot) {
      org.junit.jupiter.api.Assumptions.abort("cannot give a file away here: " + notRoot);
      return;
    }
    org.junit.jupiter.api.Assumptions.assumeFalse(nobody.equals(me));

    assertThatThrownBy(() -> ModeRecipe.fromFile(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("recipe " + file + " is owned by nobody, not by " + me.getName());
  }

  @Test
  void aPrimaryWhoseMigrationCompletedInsteadOfEnteringColoIsNamedWithTheRegression() throws Exception {
    server = FakeQmpServer.start(dir, peer -> {
      peer.handshake(FakeQmpServer.GREETING_10_0_2);
      peer.answerByName(Map.of(
          "query-colo-status", "{\"mode\": \"none\", \"last-mode\": \"none\", \"reason\": \"none\"}",
          "query-migrate", "{\"status\": \"completed\", \"setup-time\": 3, \"total-time\": 1507}",
          "query-status", "{\"status\": \"postmigrate\", \"running\": false}"));
    });
    client = server.client().connect();

    Optional<String> diagnosis = ColoPrimaryCheck.migrationCompletedInsteadOfColo(client);

    assertThat(diagnosis).hasValueSatisfying(line -> assertThat(line)
        .contains("QEMU 10.0.2")
        .contains("completed instead of entering COLO")
        .contains("postmigrate")
        .contains("migration: Fix transition to COLO state from precopy")
        .contains("10.0.7")
        .doesNotContain("\n"));
  }

  @Test
  void aPrimaryInColoOrAQemuThatNeverMigratedIsNotTakenForTheRegression() throws Exception {
    server = FakeQmpServer.start(dir, peer -> {
      peer.handshake(FakeQmpServer.GREETING_10_0_2);
      JsonNode command;
      boolean colo = true;
      while ((command = peer.readCommand()) != null) {
        switch (command.path("execute").asText()) {
          case "query-colo-status" -> {
            peer.reply(command, colo ? "{\"mode\": \"primary\"}" : "{\"mode\": \"none\"}");
            colo = false;
          }
          case "query-migrate" -> peer.reply(command, "{}");
          default -> peer.reply(command, "{\"status\": \"prelaunch\", \"running\": false}");
        }
      }
    });
    client = server.client().connect();

    assertThat(ColoPrimaryCheck.migrationCompletedInsteadOfColo(client)).isEmpty();
    assertThat(ColoPrimaryCheck.migrationCompletedInsteadOfColo(client)).isEmpty();
  }

  @Test
  void requirePrimaryRefusesAQemuInAnotherColoModeWithTheRegressionAsAdvice() throws Exception {
    server = FakeQmpServer.start(dir, peer -> {
      peer.handshake(FakeQmpServer.GREETING_10_0_2);
      peer.answerByName(Map.of(
          "query-colo-status", "{\"mode\": \"none\", \"last-mode\": \"none\", \"reason\": \"none\"}",
          "query-migrate", "{\"status\": \"completed\", \"setup-time\": 3, \"total-time\": 1507}",
          "query-status", "{\"status\": \"postmigrate\", \"running\": false}"));
    });
    client = server.client().connect();

    assertThatThrownBy(() -> ColoPrimaryCheck.requirePrimary(client))
        .isInstanceOfSatisfying(QmpNotColoPrimaryException.class, notPrimary -> {
          assertThat(notPrimary.coloMode()).isEqualTo("none");
          assertThat(notPrimary.advice()).contains("QEMU 10.0.2").contains("completed instead of entering COLO");
          assertThat(notPrimary.getMessage()).contains("is not a COLO primary (query-colo-status mode: none)");
        });
  }

  @Test
  void requirePrimaryAcceptsAPrimaryAndAdvisesAttachingToOneOtherwise() throws Exception {
    server = FakeQmpServer.start(dir, peer -> {
      peer.handshake();
      JsonNode command;
      boolean primary = true;
      while ((command = peer.readCommand()) != null) {
        switch (command.path("execute").asText()) {
          case "query-colo-status" -> {
            peer.reply(command, primary ? "{\"mode\": \"primary\"}" : "{\"mode\": \"secondary\"}");
            primary = false;
          }
          default -> peer.reply(command, "{}");
        }
      }
    });
    client = server.client().connect();

    ColoPrimaryCheck.requirePrimary(client);
    assertThatThrownBy(() -> ColoPrimaryCheck.requirePrimary(client))
        .isInstanceOfSatisfying(QmpNotColoPrimaryException.class, notPrimary -> {
          assertThat(notPrimary.coloMode()).isEqualTo("secondary");
          assertThat(notPrimary.advice()).isEqualTo("attach to the primary of a pair in COLO state");
        });
  }

  private Path recipeFile(String octal) throws IOException {
    Path file = dir.resolve("recipe-" + octal + ".json");
    Files.writeString(file, """
        {"COLO": {"commands": [{"execute": "a"}]}, "CHECKPOINT": {"commands": [{"execute": "b"}]}}
        """);
    int mode = Integer.parseInt(octal, 8);
    StringBuilder rwx = new StringBuilder();
    for (int bit = 8; bit >= 0; bit--) {
      rwx.append((mode & (1 << bit)) == 0 ? '-' : "rwx".charAt((8 - bit) % 3));
    }
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(rwx.toString()));
    return file;
  }

  private static String event(String name, long micros, String data) {
    return "{\"event\": \"" + name + "\", \"data\": " + data + ", \"timestamp\": {\"seconds\": "
        + micros / 1_000_000 + ", \"microseconds\": " + micros % 1_000_000 + "}}";
  }

  private static void awaitCondition(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition within 5 s").isLessThan(deadline);
      Thread.sleep(5);
    }
  }
}
