package org.hybridft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.hybridft.sim.ReplicationModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The replication model's testbed effects reach the model from simulate, compare and tune. */
class ModelOptionsTest {
  @TempDir Path dir;

  private static ReplicationModel parse(String... args) {
    ModelOptions options = new ModelOptions();
    new CommandLine(options).parseArgs(args);
    return options.model();
  }

  @Test
  void leftOutTheModelIsTheDefault() {
    assertThat(parse()).isEqualTo(ReplicationModel.defaults());
  }

  @Test
  void theTestbedEffectsReachTheModel() {
    ReplicationModel model =
        parse("--divergence-detection-delay", "250ms", "--stale-checkpoint-interval", "4s", "--connection-per-request");

    assertThat(model.divergenceDetectionDelay()).isEqualTo(Duration.ofMillis(250));
    assertThat(model.coloStaleCheckpointInterval()).isEqualTo(Duration.ofSeconds(4));
    assertThat(model.connectionPerRequest()).isTrue();
    assertThat(model.checkpointFixedCost()).isEqualTo(ReplicationModel.defaults().checkpointFixedCost());
  }

  @Test
  void everyModelCommandOffersTheTestbedEffects() {
    for (String command : new String[] {"simulate", "compare", "tune"}) {
      CommandOutcome help = CommandOutcome.run(command, "--help");
      assertThat(help.out()).as(command)
          .contains("--divergence-detection-delay", "--stale-checkpoint-interval", "--connection-per-request");
    }
  }

  @Test
  void aDetectionDelayWithoutAUnitIsAUsageErrorNamingTheOption() {
    CommandOutcome outcome =
        CommandOutcome.run("simulate", "--controller", "colo", "--divergence-detection-delay", "250", "--minutes",
            "0.05", "--runs", "1", "--no-plots", "--out", dir.toString());

    assertThat(outcome.exitCode()).isEqualTo(2);
    assertThat(outcome.err()).contains("--divergence-detection-delay", "'250'", "ms");
  }

  @Test
  void aNegativeStaleIntervalIsAUsageErrorNamingTheParameter() {
    CommandOutcome outcome =
        CommandOutcome.run("simulate", "--controller", "colo", "--stale-checkpoint-interval=-1s", "--minutes",
            "0.05", "--runs", "1", "--no-plots", "--out", dir.toString());

    assertThat(outcome.exitCode()).isEqualTo(2);
    assertThat(outcome.err()).contains("coloStaleCheckpointInterval", ">= 0");
  }

  @Test
  void simulateWithTheEffectsRuns() {
    CommandOutcome outcome =
        CommandOutcome.run("simulate", "--controller", "checkpoint", "--connection-per-request",
            "--divergence-detection-delay", "300ms", "--stale-checkpoint-interval", "4s", "--minutes", "0.2",
            "--runs", "1", "--no-plots", "--out", dir.toString());

    assertThat(outcome.exitCode()).as(outcome.err()).isZero();
    assertThat(outcome.out()).contains("checkpoint");
  }
}
