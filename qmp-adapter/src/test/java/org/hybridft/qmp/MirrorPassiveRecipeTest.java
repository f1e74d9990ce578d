package org.hybridft.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.hybridft.core.Mode;
import org.junit.jupiter.api.Test;

class MirrorPassiveRecipeTest {
  private static final MirrorPassiveRecipe RECIPE = new MirrorPassiveRecipe(
      List.of("/objects/m0"), "/objects/comp0", Duration.ofSeconds(10), 3000, 1000);

  @Test
  void checkpointModeTurnsTheMirrorOffAndSetsThePeriod() {
    List<QmpCommand> commands = RECIPE.commands(Mode.CHECKPOINT, 500);

    assertThat(commands).extracting(QmpCommand::name)
        .containsExactly("qom-set", "qom-set", "migrate-set-parameters");
    assertThat(commands.get(1).arguments().toString())
        .isEqualTo("{\"path\":\"/objects/m0\",\"property\":\"status\",\"value\":\"off\"}");
    assertThat(commands.get(2).arguments().path("x-checkpoint-delay").asLong()).isEqualTo(500);
  }

  @Test
  void coloModeTurnsTheMirrorOnAndRestoresTheIdlePeriodAndTheCompareTimeout() {
    List<QmpCommand> commands = RECIPE.commands(Mode.COLO, 500);

    assertThat(commands.get(0).arguments().path("value").asLong()).isEqualTo(3000);
    assertThat(commands.get(1).arguments().path("value").asText()).isEqualTo("on");
    assertThat(commands.get(2).arguments().path("x-checkpoint-delay").asLong()).isEqualTo(10_000);
  }

  @Test
  void aShortPeriodKeepsTheCompareTimeoutAsFound() {
    assertThat(RECIPE.expectedProperties(Mode.CHECKPOINT, 500)
        .get(new QomProperty("/objects/comp0", "compare_timeout")).asLong()).isEqualTo(3000);
  }

  @Test
  void aPeriodNearTheCompareTimeoutRaisesItSoHeldPacketsAreNeverStale() {
    // 2 x 2000 + 1000 scan cycle: a packet held one period is far from stale.
    assertThat(RECIPE.expectedProperties(Mode.CHECKPOINT, 2000)
        .get(new QomProperty("/objects/comp0", "compare_timeout")).asLong()).isEqualTo(5000);
  }

  @Test
  void everyMirrorIsSwitched() {
    MirrorPassiveRecipe two = new MirrorPassiveRecipe(
        List.of("/objects/m0", "/objects/m1"), "/objects/comp0", Duration.ofSeconds(10), 3000, 1000);

    assertThat(two.expectedProperties(Mode.CHECKPOINT, 500).keySet())
        .extracting(QomProperty::path)
        .containsExactly("/objects/comp0", "/objects/m0", "/objects/m1");
  }

  @Test
  void invalidPartsAreRejectedByName() {
    assertThatThrownBy(() -> new MirrorPassiveRecipe(List.of(), "/objects/comp0", Duration.ofSeconds(1), 3000, 1000))
        .hasMessageContaining("mirrors");
    assertThatThrownBy(() -> new MirrorPassiveRecipe(List.of("m0"), "/objects/comp0", Duration.ofSeconds(1), 3000, 1000))
        .hasMessageContaining("must start with '/'");
    assertThatThrownBy(() -> new MirrorPassiveRecipe(List.of("/objects/m0"), "/objects/comp0", Duration.ZERO, 3000, 1000))
        .hasMessageContaining("coloIdlePeriod");
    assertThatThrownBy(() -> new MirrorPassiveRecipe(List.of("/objects/m0"), "/objects/comp0", Duration.ofSeconds(1), 0, 1000))
        .hasMessageContaining("compareTimeoutMillis");
  }
}
