package org.hybridft.controllers;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Locale;

/**
 * The type of a controller parameter, with its text form in config files and on the command line:
 * how a value is read, written back and, for the tuner, turned into a number.
 */
public enum ParameterType {
  /**
   * A {@link Duration}, written as a number and a unit: {@code 500ms}, {@code 10s}, {@code 2.5s},
   * {@code 3m}, {@code 1h}, {@code 250us}; ISO-8601 ({@code PT10S}) works too. A bare number is
   * refused: the defaults read in milliseconds and seconds alike, so {@code 500} would be a guess
   * either way. As a number (for the tuner) it is in seconds.
   */
  DURATION(Duration.class) {
    @Override
    public Object parse(String text) {
      return parseDuration(text);
    }

    @Override
    public String format(Object value) {
      long nanos = ((Duration) value).toNanos();
      if (nanos % 1_000_000 == 0 && Math.abs(nanos) < 1_000_000_000L) {
        return nanos / 1_000_000 + "ms";
      }
      return BigDecimal.valueOf(nanos).movePointLeft(9).stripTrailingZeros().toPlainString() + "s";
    }

    @Override
    public double toNumber(Object value) {
      return ((Duration) value).toNanos() / 1e9;
    }

    @Override
    public Object fromNumber(double number) {
      return Duration.ofNanos(Math.round(number * 1e9));
    }
  },

  /** A finite or infinite {@code double}, written as Java writes it ({@code 2.5}, {@code 0.05}). */
  DECIMAL(Double.class) {
    @Override
    public Object parse(String text) {
      try {
        return Double.parseDouble(text.strip());
      } catch (NumberFormatException notANumber) {
        throw new IllegalArgumentException("'" + text + "' is not a number such as 2.5");
      }
    }

    @Override
    public String format(Object value) {
      return Double.toString((Double) value);
    }

    @Override
    public double toNumber(Object value) {
      return (Double) value;
    }

    @Override
    public Object fromNumber(double number) {
      return number;
    }
  },

  /** An {@code int}, written in decimal. As a number it is rounded to the nearest whole one. */
  INTEGER(Integer.class) {
    @Override
    public Object parse(String text) {
      try {
        return Integer.parseInt(text.strip());
      } catch (NumberFormatException notAnInteger) {
        throw new IllegalArgumentException("'" + text + "' is not a whole number such as 10");
      }
    }

    @Override
    public String format(Object value) {
      return Integer.toString((Integer) value);
    }

    @Override
    public double toNumber(Object value) {
      return (Integer) value;
    }

    @Override
    public Object fromNumber(double number) {
      return Math.toIntExact(Math.round(number));
    }
  },

  /**
   * A switch, written {@code true} or {@code false} (any case). As a number it is 1 or 0, and a
   * tuner's number of at least 0.5 reads as {@code true}.
   */
  BOOLEAN(Boolean.class) {
    @Override
    public Object parse(String text) {
      String word = text.strip().toLowerCase(Locale.ROOT);
      if (word.equals("true")) {
        return true;
      }
      if (word.equals("false")) {
        return false;
      }
      throw new IllegalArgumentException("'" + text + "' is not true or false");
    }

    @Override
    public String format(Object value) {
      return Boolean.toString((Boolean) value);
    }

    @Override
    public double toNumber(Object value) {
      return (Boolean) value ? 1 : 0;
    }

    @Override
    public Object fromNumber(double number) {
      return number >= 0.5;
    }
  };

  private final Class<?> javaType;

  ParameterType(Class<?> javaType) {
    this.javaType = javaType;
  }

  /** The class of a value: {@link Duration}, {@link Double}, {@link Integer} or {@link Boolean}. */
  Class<?> javaType() {
    return javaType;
  }

  /**
   * Reads a value from its text.
   *
   * @throws IllegalArgumentException quoting the text and saying what is expected
   */
  public abstract Object parse(String text);

  /** Writes a value so that {@link #parse} reads back the same value. */
  public abstract String format(Object value);

  /** The value as a number for the tuner (seconds for a duration). */
  public abstract double toNumber(Object value);

  /** The value of a tuner's number (seconds for a duration). */
  public abstract Object fromNumber(double number);

  /**
   * Reads a duration as {@link #DURATION} documents: a number and a unit, or ISO-8601.
   *
   * @throws IllegalArgumentException quoting the text: no unit, unknown unit, not a number, out of
   *     range
   */
  public static Duration parseDuration(String value) {
    String text = value.strip().toLowerCase(Locale.ROOT);
    String notADuration = "'" + value + "' is not a duration such as 500ms, 10s, 3m";
    if (text.isEmpty()) {
      throw new IllegalArgumentException(notADuration);
    }
    if (text.startsWith("p")) {
      try {
        return Duration.parse(text.toUpperCase(Locale.ROOT));
      } catch (RuntimeException invalid) {
        throw new IllegalArgumentException(notADuration, invalid);
      }
    }
    int split = 0;
    while (split < text.length()
        && (Character.isDigit(text.charAt(split)) || text.charAt(split) == '.' || text.charAt(split) == '-')) {
      split++;
    }
    String number = text.substring(0, split);
    String unit = text.substring(split).strip();
    double nanosPerUnit =
        switch (unit) {
          case "ns" -> 1;
          case "us" -> 1e3;
          case "ms" -> 1e6;
          case "s" -> 1e9;
          case "m", "min" -> 60e9;
          case "h" -> 3600e9;
          case "" -> throw new IllegalArgumentException(
              "'" + value + "' has no unit: write it with one of ns, us, ms, s, m or h (e.g. " + value.strip()
                  + "ms or " + value.strip() + "s)");
          default -> throw new IllegalArgumentException(
              "'" + value + "' has an unknown unit '" + unit + "' (use ns, us, ms, s, m or h)");
        };
    double amount;
    try {
      amount = Double.parseDouble(number);
    } catch (NumberFormatException notANumber) {
      throw new IllegalArgumentException(notADuration, notANumber);
    }
    double nanos = amount * nanosPerUnit;
    if (!Double.isFinite(nanos) || Math.abs(nanos) > Long.MAX_VALUE / 2.0) {
      throw new IllegalArgumentException("'" + value + "' is out of range");
    }
    return Duration.ofNanos(Math.round(nanos));
  }
}
