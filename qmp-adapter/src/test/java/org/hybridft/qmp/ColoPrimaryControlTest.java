package org.hybridft.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.hybridft.qmp.testing.FakeQmpServer;

/** One call takes a primary under control: the check, the counter, then the recipe, in that order. */
class ColoPrimaryControlTest {
  @TempDir Path dir;
  private FakeQmpServer server;

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  private QmpClient primary(String coloMode) throws Exception {
    server = FakeQmpServer.start(dir, peer -> {
      peer.handshake();
      peer.answerByName(Map.of(
          "query-colo-status", "{\"mode\": \"" + coloMode + "\"}",
          "query-migrate-capabilities", "[{\"capability\": \"events\", \"state\": true}]",
          "query-migrate", "{\"status\": \"colo\"}",
          "query-status", "{\"status\": \"colo\", \"running\": true}"));
    });
    return server.client().connect();
  }

  @Test
  void attachGivesTheCounterAndAnActuatorWithTheChosenRecipe() throws Exception {
    try (QmpClient client = primary("primary")) {
      ModeRecipe recipe = ModeRecipe.checkpointDelay(Duration.ofSeconds(10));

      try (ColoPrimaryControl control = ColoPrimaryControl.attach(client, c -> recipe)) {
        assertThat(control.recipe()).isSameAs(recipe);
        assertThat(control.actuator().recipe()).isSameAs(recipe);
        assertThat(control.counter().checkpoints()).isZero();
      }
    }
  }

  @Test
  void aQemuThatIsNoPrimaryIsRefusedBeforeTheRecipeIsChosen() throws Exception {
    AtomicBoolean chosen = new AtomicBoolean();
    try (QmpClient client = primary("secondary")) {
      assertThatThrownBy(() -> ColoPrimaryControl.attach(client, c -> {
        chosen.set(true);
        return ModeRecipe.checkpointDelay(Duration.ofSeconds(10));
      })).isInstanceOf(QmpNotColoPrimaryException.class);
    }
    assertThat(chosen).isFalse();
  }
}
