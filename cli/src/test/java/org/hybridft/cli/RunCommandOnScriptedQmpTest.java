package org.hybridft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.hybridft.qmp.testing.FakeQmpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code hybrid-ft run} against QMP states no QEMU here reproduces. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RunCommandOnScriptedQmpTest {
  @TempDir Path dir;

  @Test
  void aPrimaryWhoseMigrationCompletedInsteadOfEnteringColoIsRefusedNamingTheRegression()
      throws Exception {
    try (FakeQmpServer qemu = FakeQmpServer.answering(dir, "10.0.2", Map.of(
        "query-colo-status", "{\"mode\": \"none\", \"last-mode\": \"none\", \"reason\": \"none\"}",
        "query-migrate", "{\"status\": \"completed\"}",
        "query-status", "{\"status\": \"postmigrate\", \"running\": false}"))) {

      CommandOutcome outcome = CommandOutcome.run("run", "--qmp", qemu.socket().toString(), "--duration", "5s");

      assertThat(outcome.exitCode()).as(outcome.err()).isEqualTo(2);
      assertThat(outcome.err().strip())
          .startsWith("hybrid-ft: --qmp " + qemu.socket() + " is not a COLO primary (query-colo-status mode: none)")
          .contains("QEMU 10.0.2")
          .contains("completed instead of entering COLO")
          .contains("migration: Fix transition to COLO state from precopy")
          .doesNotContain("\n");
    }
  }

  @Test
  void aProtocolErrorExitsThreeWithTheReasonAndIsNoFailover() throws Exception {
    try (FakeQmpServer qemu = FakeQmpServer.answering(dir, "7.2.0", Map.of(
        "query-colo-status", "{\"mode\": \"primary\"}",
        "query-migrate-capabilities", "[{\"capability\": \"events\", \"state\": true}]",
        "migrate-set-parameters", "{}",
        "query-migrate-parameters", "{\"x-checkpoint-delay\": 10000}",
        "query-status", "{\"status\": \"colo\", \"running\": true}"), "query-migrate-parameters")) {

      CommandOutcome outcome = CommandOutcome.run(
          "run", "--qmp", qemu.socket().toString(), "--period", "100ms", "--duration", "20s");

      assertThat(outcome.exitCode()).as("the documented exit code of a protocol error; " + outcome.out() + outcome.err())
          .isEqualTo(3);
      assertThat(outcome.err()).contains("QMP protocol error").contains("malformed JSON")
          .contains("not a failover");
      assertThat(outcome.out()).doesNotContain("ended by the replication");
    }
  }

  @Test
  void theDefaultRecipeIsMirrorPassiveWhereThePrimaryHasAFilterMirrorAndAColoCompare() throws Exception {
    try (FakeQmpServer qemu = FakeQmpServer.answering(dir, "10.0.13", Map.of(
        "query-colo-status", "{\"mode\": \"primary\"}",
        "query-migrate-capabilities", "[{\"capability\": \"events\", \"state\": true}]",
        "qom-list", "[{\"name\": \"m0\", \"type\": \"child<filter-mirror>\"},"
            + " {\"name\": \"comp0\", \"type\": \"child<colo-compare>\"}]",
        "qom-get", "3000",
        "query-status", "{\"status\": \"colo\", \"running\": true}"))) {

      CommandOutcome outcome = CommandOutcome.run(
          "run", "--qmp", qemu.socket().toString(), "--period", "100ms", "--duration", "300ms");

      assertThat(outcome.out()).as(outcome.err()).contains("recipe mirror-passive");
    }
  }

  @Test
  void theDefaultRecipeIsCheckpointDelayWhereThePrimaryHasNoFilterMirror() throws Exception {
    try (FakeQmpServer qemu = FakeQmpServer.answering(dir, "10.0.13", Map.of(
        "query-colo-status", "{\"mode\": \"primary\"}",
        "query-migrate-capabilities", "[{\"capability\": \"events\", \"state\": true}]",
        "qom-list", "[{\"name\": \"comp0\", \"type\": \"child<colo-compare>\"}]",
        "query-status", "{\"status\": \"colo\", \"running\": true}"))) {

      CommandOutcome outcome = CommandOutcome.run(
          "run", "--qmp", qemu.socket().toString(), "--period", "100ms", "--duration", "300ms");

      assertThat(outcome.out()).as(outcome.err()).contains("recipe checkpoint-delay");
    }
  }

  @Test
  void mirrorPassiveOnAPrimaryWithoutAFilterMirrorIsAUsageError() throws Exception {
    try (FakeQmpServer qemu = FakeQmpServer.answering(dir, "10.0.13", Map.of(
        "query-colo-status", "{\"mode\": \"primary\"}",
        "query-migrate-capabilities", "[{\"capability\": \"events\", \"state\": true}]",
        "qom-list", "[]",
        "query-status", "{\"status\": \"colo\", \"running\": true}"))) {

      CommandOutcome outcome = CommandOutcome.run(
          "run", "--qmp", qemu.socket().toString(), "--recipe", "mirror-passive", "--duration", "1s");

      assertThat(outcome.exitCode()).isEqualTo(2);
      assertThat(outcome.err().strip()).startsWith("hybrid-ft: --recipe mirror-passive:")
          .contains("no filter-mirror").doesNotContain("\n");
    }
  }
}
