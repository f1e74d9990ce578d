package org.hybridft.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import org.hybridft.core.Mode;
import org.hybridft.core.testing.ScriptedController;
import org.hybridft.report.RunResult;
import org.hybridft.report.TimeSeries;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TraceTest {
  private static final Path FILE = Paths.get("trace.csv");

  private static Workload parse(String text) throws IOException {
    return Trace.read(new StringReader(text), FILE, "trace.csv");
  }

  @Test
  void rowsBecomePhasesAndOmittedColumnsTakeTheSyntheticValues() throws IOException {
    Workload workload = parse("seconds,divergences_per_second\n0,0\n60,10\n90.5,2\n");
    Phase synthetic = WorkloadProfile.SYNTHETIC.workload().phases().get(0);

    assertThat(workload.name()).isEqualTo("trace.csv");
    assertThat(workload.cyclic()).isFalse();
    assertThat(workload.phases()).hasSize(3);
    assertThat(workload.phases().get(0).duration()).isEqualTo(Duration.ofSeconds(60));
    assertThat(workload.phases().get(1).duration()).isEqualTo(Duration.ofMillis(30_500));
    assertThat(workload.phases().get(1).requestsPerSecond()).isEqualTo(synthetic.requestsPerSecond());
    assertThat(workload.phases().get(1).divergencesPerSecond()).isCloseTo(10, within(1e-9));
    assertThat(workload.phases().get(2).dirtyMbPerSecond()).isEqualTo(synthetic.dirtyMbPerSecond());
  }

  @Test
  void allFourColumnsAreRead() throws IOException {
    Workload workload =
        parse("seconds,divergences_per_second,requests_per_second,dirty_mb_per_second\n0,5,100,30\n");
    Phase phase = workload.phases().get(0);

    assertThat(phase.requestsPerSecond()).isEqualTo(100);
    assertThat(phase.divergenceProbability()).isCloseTo(0.05, within(1e-12));
    assertThat(phase.dirtyMbPerSecond()).isEqualTo(30);
  }

  @Test
  void anOptionalServiceTimeColumnSetsEachStretchsMeanServiceTime() throws IOException {
    Workload workload =
        parse("seconds,divergences_per_second,requests_per_second,dirty_mb_per_second,service_ms\n"
            + "0,0,5,0.5,20\n60,5,5,0.5,35.5\n");

    assertThat(workload.phases().get(0).meanServiceMillis()).isEqualTo(20);
    assertThat(workload.phases().get(1).meanServiceMillis()).isEqualTo(35.5);
    assertThat(workload.phases().get(1).divergenceProbability()).isEqualTo(1.0);
  }

  @Test
  void withoutAServiceTimeColumnTheSyntheticServiceTimeHolds() throws IOException {
    Workload workload = parse("seconds,divergences_per_second,requests_per_second,dirty_mb_per_second\n0,0,5,1\n");

    assertThat(workload.phases().get(0).meanServiceMillis())
        .isEqualTo(WorkloadProfile.SYNTHETIC.workload().phases().get(0).meanServiceMillis());
  }

  @Test
  void aServiceTimeOfZeroIsReported() {
    assertThatThrownBy(
            () -> parse("seconds,divergences_per_second,requests_per_second,dirty_mb_per_second,service_ms\n"
                + "0,0,5,1,0\n"))
        .isInstanceOf(TraceFormatException.class)
        .hasMessage("trace.csv:2: service_ms must be > 0, was 0");
  }

  @Test
  void moreDivergencesThanRequestsRaiseTheRequestRate() throws IOException {
    Phase phase = parse("seconds,divergences_per_second,requests_per_second\n0,40,10\n").phases().get(0);

    assertThat(phase.requestsPerSecond()).isEqualTo(40);
    assertThat(phase.divergenceProbability()).isEqualTo(1.0);
  }

  @Test
  void theReplayFollowsTheTraceAndTheLastRowHoldsToTheEnd() throws IOException {
    Workload workload = parse("seconds,divergences_per_second\n0,0\n60,8\n");
    RunResult result =
        new VmSimulator()
            .run(workload, "colo", ScriptedController.always(Mode.COLO, Duration.ofMillis(500)),
                Duration.ofSeconds(180), 1, 0);
    TimeSeries series = result.timeSeries();

    double quiet = 0;
    double busy = 0;
    for (int i = 5; i < 55; i++) {
      quiet += series.checkpointsPerSecond(i);
    }
    for (int i = 130; i < 175; i++) {
      busy += series.checkpointsPerSecond(i);
    }
    assertThat(quiet / 50).isLessThan(0.1);
    assertThat(busy / 45).isGreaterThan(3);
  }

  @Test
  void aMissingColumnNamesFileLineAndColumn() {
    assertThatThrownBy(() -> parse("seconds,divergences_per_second,requests_per_second\n0,1,2\n5,1\n"))
        .isInstanceOf(TraceFormatException.class)
        .hasMessage("trace.csv:3: missing column requests_per_second (3 expected, 2 found)");
  }

  @Test
  void anUnparsableNumberIsReported() {
    assertThatThrownBy(() -> parse("seconds,divergences_per_second\n0,abc\n"))
        .isInstanceOf(TraceFormatException.class)
        .hasMessage("trace.csv:2: divergences_per_second is not a number: 'abc'");
  }

  @Test
  void timeGoingBackwardsIsReported() {
    assertThatThrownBy(() -> parse("seconds,divergences_per_second\n0,1\n10,1\n\n5,1\n"))
        .isInstanceOf(TraceFormatException.class)
        .satisfies(e -> assertThat(((TraceFormatException) e).line()).isEqualTo(5))
        .hasMessageContaining("time goes backwards");
  }

  @Test
  void aNegativeRateIsReported() {
    assertThatThrownBy(() -> parse("seconds,divergences_per_second\n0,-1\n"))
        .isInstanceOf(TraceFormatException.class)
        .hasMessageContaining("trace.csv:2:")
        .hasMessageContaining("negative rate");
  }

  @Test
  void aWrongHeaderIsReported() {
    assertThatThrownBy(() -> parse("time,divergences\n0,1\n"))
        .isInstanceOf(TraceFormatException.class)
        .hasMessageContaining("trace.csv:1: header column 1 must be seconds");
  }

  @Test
  void theFirstRowMustStartAtZero() {
    assertThatThrownBy(() -> parse("seconds,divergences_per_second\n3,1\n"))
        .isInstanceOf(TraceFormatException.class)
        .hasMessageContaining("start at 0");
  }

  @Test
  void anEmptyTraceIsReported() {
    assertThatThrownBy(() -> parse("seconds,divergences_per_second\n"))
        .isInstanceOf(TraceFormatException.class)
        .hasMessageContaining("no rows");
  }

  @Test
  void aFileIsNamedAfterItself(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("vm42.csv");
    Files.writeString(file, "seconds,divergences_per_second\n0,1\n");

    assertThat(Trace.read(file).name()).isEqualTo("vm42.csv");
  }
}
