package org.hybridft.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.TypeConversionException;

/** A duration needs a unit: "500" could mean 500 ms (as the defaults read) or 500 s. */
class DurationWithoutUnitTest {
  @TempDir Path dir;

  @Test
  void aBareNumberIsRefusedNamingTheUnits() {
    assertThatThrownBy(() -> new DurationConverter().convert("500"))
        .isInstanceOf(TypeConversionException.class)
        .hasMessageContaining("'500'")
        .hasMessageContaining("no unit")
        .hasMessageContaining("ns, us, ms, s, m or h");
  }

  @Test
  void numbersWithAUnitStillConvert() {
    DurationConverter converter = new DurationConverter();
    assertThat(converter.convert("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(converter.convert("2.5s")).isEqualTo(Duration.ofMillis(2500));
    assertThat(converter.convert("3m")).isEqualTo(Duration.ofMinutes(3));
    assertThat(converter.convert("PT10S")).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void anOptionWithoutAUnitIsAUsageErrorNamingTheOptionAndTheUnits() {
    CommandOutcome outcome =
        CommandOutcome.run("simulate", "--controller", "checkpoint", "--checkpoint-period", "500", "--minutes", "0.05",
            "--runs", "1", "--no-plots", "--out", dir.toString());

    assertThat(outcome.exitCode()).isEqualTo(2);
    assertThat(outcome.err().strip())
        .startsWith("hybrid-ft: ")
        .contains("--checkpoint-period", "'500'", "ms")
        .doesNotContain("\n");
    assertThat(outcome.out()).isEmpty();
  }

  @Test
  void aConfigFileValueWithoutAUnitIsAUsageErrorNamingTheFileAndTheUnits() throws IOException {
    Path config = Files.writeString(dir.resolve("cp.properties"), "controller=checkpoint\ncheckpoint-period=500\n");

    CommandOutcome outcome =
        CommandOutcome.run("simulate", "--config", config.toString(), "--minutes", "0.05", "--runs", "1",
            "--no-plots", "--out", dir.toString());

    assertThat(outcome.exitCode()).isEqualTo(2);
    assertThat(outcome.err().strip()).startsWith("hybrid-ft: config " + config).contains("'500'", "ms");
  }
}
