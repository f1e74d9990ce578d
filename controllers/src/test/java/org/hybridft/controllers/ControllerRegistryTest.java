package org.hybridft.controllers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringReader;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The registry describes every controller once and reads and writes configs as the builders do. */
class ControllerRegistryTest {
  private final ControllerRegistry registry = ControllerRegistry.builtIn();

  @Test
  void builtInControllersAreListedInTableOrder() {
    assertThat(registry.names()).containsExactly("checkpoint", "colo", "threshold", "pi", "orbit", "learning");
  }

  @Test
  void defaultsFromTheRegistryEqualTheBuildersDefaults() {
    assertThat(ThresholdController.DESCRIPTOR.defaults()).isEqualTo(ThresholdConfig.defaults());
    assertThat(PiController.DESCRIPTOR.defaults()).isEqualTo(PiConfig.defaults());
    assertThat(OrbitHybridController.DESCRIPTOR.defaults()).isEqualTo(OrbitHybridConfig.defaults());
    assertThat(LearningController.DESCRIPTOR.defaults()).isEqualTo(LearningConfig.defaults());
    assertThat(StaticController.CHECKPOINT.defaults()).isEqualTo(StaticController.DEFAULT_CHECKPOINT_PERIOD);
  }

  @Test
  void aConfigWrittenToPropertiesReadsBackEqual() {
    PiConfig tuned =
        PiConfig.builder().setPointCps(2.73).kp(0.041).minDwell(Duration.ofMillis(1834)).build();
    Map<String, String> written = PiController.DESCRIPTOR.properties(tuned);

    assertThat(written).containsEntry("set-point", "2.73").containsEntry("min-dwell", "1.834s");
    assertThat(PiController.DESCRIPTOR.config(written)).isEqualTo(tuned);
  }

  @Test
  void everyBuiltInConfigRoundTripsThroughProperties() {
    for (ControllerDescriptor<?> descriptor : registry.descriptors()) {
      assertRoundTrip(descriptor);
    }
  }

  private static <C> void assertRoundTrip(ControllerDescriptor<C> descriptor) {
    C defaults = descriptor.defaults();
    assertThat(descriptor.config(descriptor.properties(defaults))).as(descriptor.name()).isEqualTo(defaults);
  }

  @Test
  void aValueOutOfRangeFailsWithTheBuildersMessage() {
    String builderMessage = messageOf(() -> PiConfig.builder().kp(-1).build());

    assertThat(messageOf(() -> registry.create("pi", Map.of("kp", "-1")))).isEqualTo(builderMessage);
    assertThat(builderMessage).isEqualTo("kp must be finite and >= 0.0, was -1.0");
  }

  @Test
  void textThatIsNotAValueNamesTheKeyAndTheText() {
    assertThatThrownBy(() -> registry.create("pi", Map.of("kp", "abc")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("kp: 'abc' is not a number such as 2.5");
    assertThatThrownBy(() -> registry.create("checkpoint", Map.of("checkpoint-period", "500")))
        .hasMessageStartingWith("checkpoint-period: '500' has no unit")
        .hasMessageContaining("ns, us, ms, s, m or h");
  }

  @Test
  void aKeyTheControllerDoesNotReadIsRefusedNamingTheOnesItReads() {
    assertThatThrownBy(() -> registry.create("pi", Map.of("alpha", "2")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("controller pi has no parameter 'alpha'")
        .hasMessageContaining("set-point, kp, ki");
  }

  @Test
  void anUnknownControllerIsRefusedNamingTheKnownOnes() {
    assertThatThrownBy(() -> registry.descriptor("magic"))
        .hasMessage("unknown controller 'magic' (known: checkpoint, colo, threshold, pi, orbit, learning)");
  }

  @Test
  void orbitStillReadsTheDeprecatedPassivePeriodKey() {
    Object config = registry.configured("orbit", "orbit", Map.of("passive-period", "300ms")).config();

    assertThat(config).isEqualTo(OrbitHybridConfig.builder().checkpointPeriod(Duration.ofMillis(300)).build());
    Map<String, String> both = new LinkedHashMap<>();
    both.put("checkpoint-period", "300ms");
    both.put("passive-period", "400ms");
    assertThatThrownBy(() -> OrbitHybridController.DESCRIPTOR.config(both)).hasMessageContaining("once");
  }

  @Test
  void aConfigFileIsLoadedWithoutTheCommand() throws IOException {
    Properties file = new Properties();
    file.load(new StringReader("controller=pi\nname=pi-tuned\nset-point=2.73\nkp=0.041\nmin-dwell=1.8s\n"));

    ControllerConfiguration<?> loaded = registry.load(file);

    assertThat(loaded.label()).isEqualTo("pi-tuned");
    assertThat(loaded.config())
        .isEqualTo(PiConfig.builder().setPointCps(2.73).kp(0.041).minDwell(Duration.ofMillis(1800)).build());
    assertThat(loaded.create()).isInstanceOf(PiController.class);
    Properties written = new Properties();
    written.putAll(loaded.toProperties());
    assertThat(registry.load(written)).isEqualTo(loaded);
  }

  @Test
  void aFileWithoutControllerIsRefused() {
    assertThatThrownBy(() -> registry.load(new Properties())).hasMessageContaining("no 'controller' key");
  }

  @Test
  void aSecondControllerOfTheSameNameIsRefused() {
    assertThatThrownBy(() -> registry.with(PiController.DESCRIPTOR)).hasMessageContaining("'pi' is already registered");
  }

  @Test
  void theCheckpointPeriodHasOneKeyOneNameAndOneDefaultAcrossControllers() {
    for (ControllerDescriptor<?> descriptor : List.of(
        StaticController.CHECKPOINT, ThresholdController.DESCRIPTOR, PiController.DESCRIPTOR,
        LearningController.DESCRIPTOR, OrbitHybridController.DESCRIPTOR)) {
      ParameterDescriptor<?> period = descriptor.parameter("checkpoint-period").orElseThrow();
      assertThat(period.name()).as(descriptor.name()).isEqualTo("checkpointPeriod");
      if (descriptor != OrbitHybridController.DESCRIPTOR) {
        assertThat(period.defaultValue()).as(descriptor.name()).isEqualTo(StaticController.DEFAULT_CHECKPOINT_PERIOD);
      }
    }
  }

  @Test
  void everyParameterShowsTheRangeItsConfigChecks() {
    Map<String, String> shown = new LinkedHashMap<>();
    for (ControllerDescriptor<?> descriptor : registry.descriptors()) {
      for (ParameterDescriptor<?> parameter : descriptor.parameters()) {
        shown.put(descriptor.name() + " " + parameter.key(), parameter.range());
      }
    }
    assertThat(shown)
        .containsExactlyInAnyOrderEntriesOf(
            Map.ofEntries(
                Map.entry("checkpoint checkpoint-period", "> 0"),
                Map.entry("threshold colo-window", "> 0"),
                Map.entry("threshold threshold-cps", ">= 0 (0 = 1/checkpoint-period + 1/min-stretch)"),
                Map.entry("threshold initial-stretch", "in [min-stretch, max-stretch]"),
                Map.entry("threshold alpha", "> 1"),
                Map.entry("threshold beta", "in (0, 1)"),
                Map.entry("threshold min-stretch", "> 0"),
                Map.entry("threshold max-stretch", ">= min-stretch"),
                Map.entry("threshold checkpoint-period", "> 0"),
                Map.entry("threshold early-judgement", ">= 1, or Infinity (off)"),
                Map.entry("threshold learn-episodes", ""),
                Map.entry("pi set-point", ">= 0 (0 = 1.25/checkpoint-period)"),
                Map.entry("pi kp", ">= 0"),
                Map.entry("pi ki", "> 0"),
                Map.entry("pi control-period", "> 0"),
                Map.entry("pi duty-window", ">= 1"),
                Map.entry("pi min-dwell", ">= 0"),
                Map.entry("pi checkpoint-period", "> 0"),
                Map.entry("pi probe-backoff", ">= 1 (1 = off)"),
                Map.entry("pi max-probe-backoff", ">= 1"),
                Map.entry("pi early-exit", ">= 1, or Infinity (off)"),
                Map.entry("pi fast-return", ">= 1, or Infinity (off)"),
                Map.entry("pi learn-episodes", ""),
                Map.entry("orbit passive-limit", "> 0"),
                Map.entry("orbit passive-count", ">= 1"),
                Map.entry("orbit checkpoint-period", "> 0"),
                Map.entry("orbit min-checkpoints", ">= 1"),
                Map.entry("orbit smoothing", "in (0, 1]"),
                Map.entry("learning pause-per-checkpoint", "> 0"),
                Map.entry("learning latency-weight", ">= 0"),
                Map.entry("learning checkpoint-period", "> 0"),
                Map.entry("learning discount", "in (0, 1)"),
                Map.entry("learning exploration", ">= 0"),
                Map.entry("learning min-dwell", ">= 0"),
                Map.entry("learning charge-colo-latency", ""),
                Map.entry("learning early-exit", ">= 1, or Infinity (off)"),
                Map.entry("learning probe-hysteresis", ">= 1 (1 = off)"),
                Map.entry("learning learn-episodes", "")));
  }

  @Test
  void durationsAreWrittenInTheUnitAPersonWouldWrite() {
    assertThat(ParameterType.DURATION.format(Duration.ofMillis(500))).isEqualTo("500ms");
    assertThat(ParameterType.DURATION.format(Duration.ofSeconds(160))).isEqualTo("160s");
    assertThat(ParameterType.DURATION.format(Duration.ofMillis(1800))).isEqualTo("1.8s");
    assertThat(ParameterType.DURATION.format(Duration.ofNanos(250_000))).isEqualTo("0.00025s");
    assertThat(ParameterType.parseDuration("0.00025s")).isEqualTo(Duration.ofNanos(250_000));
  }

  @Test
  void bothFormsOfADurationHaveTheSameRangeSoEveryOneFitsInNanoseconds() {
    for (String tooLong : List.of("PT9999999999H", "P999999999D", "-PT9999999999H", "9999999999h")) {
      assertThatThrownBy(() -> ParameterType.parseDuration(tooLong))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'" + tooLong + "' is out of range");
    }
    assertThat(ParameterType.parseDuration("PT1000000H").toNanos()).isEqualTo(3_600_000_000_000_000_000L);
    assertThat(ParameterType.parseDuration("1000000h")).isEqualTo(ParameterType.parseDuration("PT1000000H"));
    assertThat(ParameterType.parseDuration("PT0.5S")).isEqualTo(Duration.ofMillis(500));
  }

  /** A config record for the descriptor checks below. */
  record Two(double a, Duration b) {}

  @Test
  void aRecordDescriptorMustDescribeEveryComponentByNameAndType() {
    ParameterDescriptor<Two> a = ParameterDescriptor.decimal("a", "a", Two::a, 1.0);
    ParameterDescriptor<Two> b = ParameterDescriptor.duration("b", "b", Two::b, Duration.ofSeconds(1));
    ParameterDescriptor<Two> aAsDuration = ParameterDescriptor.duration("a", "a", two -> Duration.ZERO, Duration.ZERO);

    assertThat(ControllerDescriptor.ofRecord("two", "test", Two.class, List.of(a, b), two -> StaticController.colo())
            .defaults())
        .isEqualTo(new Two(1.0, Duration.ofSeconds(1)));
    assertThatThrownBy(() -> ControllerDescriptor.ofRecord("two", "test", Two.class, List.of(a), two -> StaticController.colo()))
        .hasMessageContaining("Two.b has no parameter descriptor");
    assertThatThrownBy(
            () -> ControllerDescriptor.ofRecord("two", "test", Two.class, List.of(aAsDuration, b), two -> StaticController.colo()))
        .hasMessageContaining("Two.a is a double, described as DURATION");
  }

  private static String messageOf(Runnable action) {
    try {
      action.run();
    } catch (IllegalArgumentException expected) {
      return expected.getMessage();
    }
    throw new AssertionError("no IllegalArgumentException");
  }
}
