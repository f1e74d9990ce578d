package org.hybridft.cli;

import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads durations as a number and a unit: {@code 500ms}, {@code 10s}, {@code 2.5s}, {@code 3m},
 * {@code 1h}, {@code 250us}. ISO-8601 ({@code PT10S}) works too. A bare number is refused: the
 * defaults read in milliseconds and seconds alike, so {@code 500} would be a guess either way. The
 * same converter reads config files, so the rule holds there too.
 */
public final class DurationConverter implements ITypeConverter<Duration> {
  @Override
  public Duration convert(String value) {
    String text = value.strip().toLowerCase(Locale.ROOT);
    if (text.isEmpty()) {
      throw new TypeConversionException("'" + value + "' is not a duration such as 500ms, 10s, 3m");
    }
    if (text.startsWith("pt") || text.startsWith("p")) {
      try {
        return Duration.parse(text.toUpperCase(Locale.ROOT));
      } catch (RuntimeException invalid) {
        throw new TypeConversionException("'" + value + "' is not a duration such as 500ms, 10s, 3m");
      }
    }
    int split = 0;
    while (split < text.length()
        && (Character.isDigit(text.charAt(split)) || text.charAt(split) == '.' || text.charAt(split) == '-')) {
      split++;
    }
    String number = text.substring(0, split);
    String unit = text.substring(split).strip();
    double nanosPerUnit;
    switch (unit) {
      case "ns":
        nanosPerUnit = 1;
        break;
      case "us":
        nanosPerUnit = 1e3;
        break;
      case "ms":
        nanosPerUnit = 1e6;
        break;
      case "":
        throw new TypeConversionException(
            "'" + value + "' has no unit: write it with one of ns, us, ms, s, m or h (e.g. " + value.strip()
                + "ms or " + value.strip() + "s)");
      case "s":
        nanosPerUnit = 1e9;
        break;
      case "m":
      case "min":
        nanosPerUnit = 60e9;
        break;
      case "h":
        nanosPerUnit = 3600e9;
        break;
      default:
        throw new TypeConversionException(
            "'" + value + "' has an unknown unit '" + unit + "' (use ns, us, ms, s, m or h)");
    }
    double amount;
    try {
      amount = Double.parseDouble(number);
    } catch (NumberFormatException notANumber) {
      throw new TypeConversionException("'" + value + "' is not a duration such as 500ms, 10s, 3m");
    }
    double nanos = amount * nanosPerUnit;
    if (!Double.isFinite(nanos) || Math.abs(nanos) > Long.MAX_VALUE / 2.0) {
      throw new TypeConversionException("'" + value + "' is out of range");
    }
    return Duration.ofNanos(Math.round(nanos));
  }
}
