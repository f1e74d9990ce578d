package org.hybridft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RunStatusFormatTest {
  @Test
  void anUnknownDowntimeRatioReadsAsUnknownNotAsZero() {
    assertThat(RunCommand.percent(Double.NaN)).isEqualTo("unknown");
    assertThat(RunCommand.percent(0.0)).isEqualTo("  0.00%");
    assertThat(RunCommand.percent(0.4327)).isEqualTo(" 43.27%");
  }
}
