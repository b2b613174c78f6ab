package dev.tributary;

import java.util.Locale;

/**
 * How the engine reads, compares and stores a cursor or tiebreaker value.
 *
 * <p>Values are normalised before comparison, so two encodings of the same value are equal:
 * {@code 2021-05-17T20:41:16Z} and {@code 2021-05-17T20:41:16.000000+00:00} are the same
 * {@link #TIMESTAMP}; {@code 10} and {@code 10.0} are the same {@link #NUMBER}. Nothing is ever
 * rounded: a timestamp keeps every fractional digit the source gave (down to nanoseconds).
 */
public enum ValueType {
  /**
   * An instant. Accepts {@link java.time.Instant}, {@link java.time.OffsetDateTime},
   * {@link java.time.ZonedDateTime}, {@link java.util.Date} (including {@code java.sql.Timestamp})
   * and ISO-8601 strings that carry an offset or {@code Z} ({@code T} or a space between date and
   * time). Strings without an offset and epoch numbers are rejected: they are ambiguous.
   */
  TIMESTAMP,
  /** A calendar date: {@link java.time.LocalDate} or a {@code yyyy-MM-dd} string. */
  DATE,
  /** A number compared by value: any {@link Number} or a decimal string (big ids stay exact). */
  NUMBER,
  /** A string compared by Unicode code point (binary collation; declare the source's sort the same). */
  STRING;

  /** The lower-case name stored in state. */
  public String stateName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The normalised form of {@code raw} as this type — what positions hold and the engine
   * compares (see {@link Position#compareValues}): an {@link java.time.Instant}, a
   * {@link java.time.LocalDate}, a {@link java.math.BigDecimal} without trailing zeros, or a
   * {@link String}.
   *
   * @throws IllegalArgumentException saying what the value is and what was expected (never the
   *     value itself: it may come from a row)
   */
  public Object normalize(Object raw) {
    return Normalizer.normalize(this, raw);
  }
}
