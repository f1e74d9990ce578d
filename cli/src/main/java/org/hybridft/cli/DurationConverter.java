package org.hybridft.cli;

import java.time.Duration;
import org.hybridft.controllers.ParameterType;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads durations as config files do ({@link ParameterType#DURATION}): a number and a unit,
 * {@code 500ms}, {@code 10s}, {@code 2.5s}, {@code 3m}, {@code 1h}, {@code 250us}; ISO-8601
 * ({@code PT10S}) works too. A bare number is refused: the defaults read in milliseconds and
 * seconds alike, so {@code 500} would be a guess either way.
 */
public final class DurationConverter implements ITypeConverter<Duration> {
  @Override
  public Duration convert(String value) {
    try {
      return ParameterType.parseDuration(value);
    } catch (IllegalArgumentException invalid) {
      throw new TypeConversionException(invalid.getMessage());
    }
  }
}
