package org.hybridft.controllers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A parameter's check is its one declaration of the valid range: it validates, is shown, bounds the tuner. */
class ParameterDescriptorTest {
  /** A config record for the checks below. */
  record Knobs(double factor, int count, Duration period) {}

  private static final ParameterDescriptor<Knobs> FACTOR =
      ParameterDescriptor.decimal("factor", "factor", Knobs::factor, 2.0).greaterThan(1);
  private static final ParameterDescriptor<Knobs> COUNT =
      ParameterDescriptor.integer("count", "count", Knobs::count, 3).atLeast(1);
  private static final ParameterDescriptor<Knobs> PERIOD =
      ParameterDescriptor.duration("period", "period", Knobs::period, Duration.ofSeconds(1)).positive();
  private static final List<ParameterDescriptor<Knobs>> KNOBS = List.of(FACTOR, COUNT, PERIOD);

  @Test
  void theCheckRefusesWithParameterChecksMessageAndIsShownAsTheRange() {
    assertThat(FACTOR.range()).isEqualTo("> 1");
    assertThatThrownBy(() -> FACTOR.check(1.0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("factor must be finite and > 1.0, was 1.0");
    assertThat(COUNT.range()).isEqualTo(">= 1");
    assertThatThrownBy(() -> COUNT.check(0)).hasMessage("count must be >= 1, was 0");
    assertThat(PERIOD.range()).isEqualTo("> 0");
    assertThatThrownBy(() -> PERIOD.check(Duration.ZERO)).hasMessageStartingWith("period must be > 0");
    assertThatCode(() -> FACTOR.check(1.5)).doesNotThrowAnyException();
  }

  @Test
  void eachRangeIsShownAsItIsChecked() {
    assertThat(decimal(0.5).atLeast(0).range()).isEqualTo(">= 0");
    assertThat(decimal(2).atLeastOrOff(1).range()).isEqualTo(">= 1, or Infinity (off)");
    assertThat(decimal(0.5).inOpenRange(0, 1).range()).isEqualTo("in (0, 1)");
    assertThat(decimal(0.5).inHalfOpenRange(0, 1).range()).isEqualTo("in (0, 1]");
    assertThat(decimal(0.5).atLeast(0.25).range()).isEqualTo(">= 0.25");
    assertThat(decimal(2).atLeast(1).offAt(1).range()).isEqualTo(">= 1 (1 = off)");
    assertThat(PERIOD.range(">= other").range()).isEqualTo(">= other");
    assertThatThrownBy(() -> PERIOD.range(">= other").check(Duration.ZERO)).hasMessageStartingWith("period must be > 0");
    assertThatCode(() -> decimal(2).atLeastOrOff(1).check(Double.POSITIVE_INFINITY)).doesNotThrowAnyException();
    assertThatThrownBy(() -> decimal(0.5).inHalfOpenRange(0, 1).check(0.0)).hasMessage("x must be in (0.0, 1.0], was 0.0");
  }

  private static ParameterDescriptor<Knobs> decimal(double defaultValue) {
    return ParameterDescriptor.decimal("x", "x", Knobs::factor, defaultValue);
  }

  @Test
  void aCheckOfAnotherTypeIsRefusedWhereItIsDeclared() {
    assertThatThrownBy(() -> decimal(0.5).positive())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("positive is a check of a DURATION, x is a DECIMAL");
    assertThatThrownBy(() -> ParameterDescriptor.integer("n", "n", Knobs::count, 1).atLeast(0.5))
        .hasMessageContaining("n is a whole number");
  }

  @Test
  void theTunersSearchRangeMustLieInTheValidRange() {
    assertThatThrownBy(() -> FACTOR.searchedIn(0.5, 8))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("the tuner's search range of factor must lie in its valid range > 1")
        .hasMessageContaining("was 0.5");
    assertThatThrownBy(() -> decimal(2).searchedIn(0.5, 8).greaterThan(1))
        .hasMessageContaining("search range of x");
    assertThat(FACTOR.searchedIn(1.05, 8).searchRange()).isEqualTo(new ParameterDescriptor.SearchRange(1.05, 8));
  }

  @Test
  void aDefaultOutsideTheValidRangeIsRefusedWhereItIsDeclared() {
    assertThatThrownBy(() -> decimal(0.5).greaterThan(1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the default of x must lie in its valid range > 1: x must be finite and > 1.0, was 0.5");
  }

  @Test
  void validateChecksEachValueAgainstItsParameterInOrder() {
    assertThatCode(() -> ParameterDescriptor.validate(KNOBS, 2.0, 3, Duration.ofSeconds(1))).doesNotThrowAnyException();
    assertThatThrownBy(() -> ParameterDescriptor.validate(KNOBS, 2.0, 0, Duration.ZERO))
        .hasMessage("count must be >= 1, was 0");
    assertThatThrownBy(() -> ParameterDescriptor.validate(KNOBS, 2.0, 3, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("period");
  }

  @Test
  void validateRefusesValuesThatDoNotMatchTheParameters() {
    assertThatThrownBy(() -> ParameterDescriptor.validate(KNOBS, 2.0, 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("2 values for the 3 parameters [factor, count, period]");
    assertThatThrownBy(() -> ParameterDescriptor.validate(KNOBS, 3, 2.0, Duration.ofSeconds(1)))
        .hasMessage("Integer given for the DECIMAL parameter factor (value 0)");
  }
}
