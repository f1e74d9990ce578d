package org.hybridft.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.hybridft.core.testing.ScriptedController;
import org.hybridft.testing.VirtualScheduler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loop's JFR events, read back from a recording the way {@code jfr print} reads one. */
class ControlLoopJfrEventsTest {
  private static final long SECOND = 1_000_000_000L;
  private static final long ACTUATION_NANOS = 25_000_000L;

  private final VirtualScheduler scheduler = new VirtualScheduler(1_000 * SECOND);
  // The actuator takes 25 ms of loop time per call: the clock runs ahead while it works.
  private final AtomicLong actuationTime = new AtomicLong();
  private final AtomicLong checkpoints = new AtomicLong();

  @TempDir Path dir;

  private ControlLoop.Builder loop(ModeController controller, ModeActuator actuator) {
    CheckpointCounter counter =
        new CheckpointCounter() {
          @Override
          public long checkpoints() {
            return checkpoints.addAndGet(20); // 20 checkpoints per 1 s period
          }

          @Override
          public long totalPauseNanos() {
            return checkpoints.get() * 5_000_000L; // 5 ms each: a downtime ratio of 0.1
          }
        };
    return ControlLoop.builder(controller, counter, actuator, scheduler)
        .name("vm-7")
        .clock(() -> scheduler.getAsLong() + actuationTime.get());
  }

  private ModeActuator slowActuator() {
    return (mode, period) -> actuationTime.addAndGet(ACTUATION_NANOS);
  }

  private List<RecordedEvent> record(String eventName, Runnable run) throws IOException {
    Path file = dir.resolve("loop.jfr");
    try (Recording recording = new Recording()) {
      recording.enable(eventName);
      recording.start();
      run.run();
      recording.stop();
      recording.dump(file);
    }
    return RecordingFile.readAllEvents(file).stream()
        .filter(event -> event.getEventType().getName().equals(eventName))
        .collect(Collectors.toList());
  }

  @Test
  void aModeSwitchIsRecordedWithTheVmTheModesTheRateTheRatioAndTheActuationTime()
      throws IOException {
    ControlLoop loop = loop(new ScriptedController(Mode.COLO, Mode.COLO, Mode.CHECKPOINT), slowActuator()).build();

    List<RecordedEvent> events =
        record("org.hybridft.ModeSwitch", () -> {
          loop.start();
          scheduler.advance(4 * SECOND);
          loop.close();
        });

    // The first application (at start) is not a switch; COLO -> CHECKPOINT at the second period is.
    assertThat(events).hasSize(1);
    RecordedEvent event = events.get(0);
    assertThat(event.getString("vm")).isEqualTo("vm-7");
    assertThat(event.getString("from")).isEqualTo("COLO");
    assertThat(event.getString("to")).isEqualTo("CHECKPOINT");
    assertThat(event.getDouble("checkpointsPerSecond")).isEqualTo(20.0, within(0.5));
    assertThat(event.getDouble("downtimeRatio")).isEqualTo(0.1, within(0.01));
    assertThat(event.getDuration("actuationDuration")).isEqualTo(Duration.ofNanos(ACTUATION_NANOS));
    assertThat(event.getBoolean("failSafe")).isFalse();
    assertThat(event.getEventType().getCategoryNames()).containsExactly("hybrid-ft");
  }

  @Test
  void failSafeEntryAndExitAndEachFailedActuationAreRecorded() throws IOException {
    ModeActuator refusesColo =
        (mode, period) -> {
          actuationTime.addAndGet(ACTUATION_NANOS);
          if (mode == Mode.COLO) {
            throw new IllegalStateException("QEMU said no");
          }
        };
    ControlLoop loop =
        loop(new ScriptedController(Mode.CHECKPOINT, Mode.COLO), refusesColo)
            .actuatorAttempts(2)
            .failSafeHold(Duration.ofSeconds(3))
            .build();
    Path file = dir.resolve("failsafe.jfr");
    try (Recording recording = new Recording()) {
      recording.enable("org.hybridft.FailSafeEntered");
      recording.enable("org.hybridft.FailSafeLeft");
      recording.enable("org.hybridft.ActuationFailed");
      recording.start();
      loop.start();
      scheduler.advance(6 * SECOND);
      loop.close();
      recording.stop();
      recording.dump(file);
    }
    List<RecordedEvent> events = RecordingFile.readAllEvents(file);

    List<RecordedEvent> failed = named(events, "org.hybridft.ActuationFailed");
    assertThat(failed).hasSizeGreaterThanOrEqualTo(2);
    assertThat(failed.get(0).getString("vm")).isEqualTo("vm-7");
    assertThat(failed.get(0).getString("mode")).isEqualTo("COLO");
    assertThat(failed.get(0).getInt("attempt")).isEqualTo(1);
    assertThat(failed.get(1).getInt("attempt")).isEqualTo(2);
    assertThat(failed.get(0).getString("failure")).contains("QEMU said no");
    assertThat(failed.get(0).getDuration("actuationDuration"))
        .isEqualTo(Duration.ofNanos(ACTUATION_NANOS));

    List<RecordedEvent> entered = named(events, "org.hybridft.FailSafeEntered");
    assertThat(entered).isNotEmpty();
    assertThat(entered.get(0).getString("vm")).isEqualTo("vm-7");
    assertThat(entered.get(0).getString("mode")).isEqualTo("CHECKPOINT");
    assertThat(entered.get(0).getString("cause")).isEqualTo("ACTUATOR_GAVE_UP");

    List<RecordedEvent> left = named(events, "org.hybridft.FailSafeLeft");
    assertThat(left).isNotEmpty();
    assertThat(left.get(0).getString("vm")).isEqualTo("vm-7");
    assertThat(left.get(0).getDuration("held")).isGreaterThanOrEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void theEndOfTheReplicationIsRecordedWithItsReason() throws IOException {
    CheckpointCounter ending =
        () -> {
          throw new ReplicationEndedException("COLO_EXIT primary: error");
        };
    ControlLoop loop =
        ControlLoop.builder(new ScriptedController(Mode.COLO, Mode.COLO), ending, slowActuator(), scheduler)
            .name("vm-9")
            .clock(scheduler)
            .build();

    List<RecordedEvent> events =
        record("org.hybridft.ReplicationEnded", () -> {
          loop.start();
          scheduler.advance(2 * SECOND);
        });

    assertThat(events).hasSize(1);
    assertThat(events.get(0).getString("vm")).isEqualTo("vm-9");
    assertThat(events.get(0).getString("reason")).isEqualTo("COLO_EXIT primary: error");
  }

  private static List<RecordedEvent> named(List<RecordedEvent> events, String name) {
    return events.stream()
        .filter(event -> event.getEventType().getName().equals(name))
        .collect(Collectors.toList());
  }

  private static org.assertj.core.data.Offset<Double> within(double offset) {
    return org.assertj.core.data.Offset.offset(offset);
  }
}
