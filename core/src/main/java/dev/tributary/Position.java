package dev.tributary;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Objects;
import java.util.Optional;

/**
 * A point in a table's read order: a cursor value and a tiebreaker value — a compound cursor.
 *
 * <p>A read resumes <em>strictly after</em> a position, in ascending {@code (cursor, tiebreaker)}
 * order. A position without a tiebreaker sits <em>before</em> every row with that cursor value,
 * so a read after it must include rows whose cursor equals {@link #cursor()} (an inclusive
 * {@code cursor >= value} filter). The engine uses such positions for lookback windows and
 * for state migrated from a plain cursor. Rows at the position's cursor value that a source
 * returns anyway are dropped by the engine, so a source that can only filter
 * {@code cursor >= value} works too: when a whole page is such rows (a tie larger than the
 * page), the engine asks again with a larger page.
 *
 * <p>Full-refresh tables have no cursor: their positions carry only the tiebreaker (the key the
 * table is paged by) and {@link #cursor()} is {@code null}.
 *
 * <p>Values are normalised: {@link Instant} for {@link ValueType#TIMESTAMP},
 * {@link LocalDate} for {@link ValueType#DATE}, {@link BigDecimal} for
 * {@link ValueType#NUMBER} and {@link String} for {@link ValueType#STRING}.
 *
 * <p>Timestamps and dates cover what databases hold: any year (44 BC is the ISO year
 * {@code -0043}; years past 9999), and the infinities as {@link Instant#MAX} / {@link Instant#MIN}
 * and {@link LocalDate#MAX} / {@link LocalDate#MIN}, which sort after / before every other value
 * (see {@link #isCursorPositiveInfinity()}). A connector binding a position back into its query
 * writes them as its source spells them (PostgreSQL: {@code 'infinity'}, {@code '0044-03-15 BC'}).
 */
public final class Position implements Comparable<Position> {
  private final Object cursor;
  private final Object tiebreaker;

  private Position(Object cursor, Object tiebreaker) {
    if (cursor == null && tiebreaker == null) {
      throw new IllegalArgumentException("a position needs a cursor or a tiebreaker");
    }
    this.cursor = cursor;
    this.tiebreaker = tiebreaker;
  }

  /**
   * A position from already normalised values (see the class documentation). Connectors receive
   * positions from the engine; this factory exists for the engine's state codec and for tests.
   */
  public static Position of(Object cursor, Object tiebreaker) {
    return new Position(cursor, tiebreaker);
  }

  /** The cursor value (normalised), or {@code null} for a full-refresh table. */
  public Object cursor() {
    return cursor;
  }

  /** The cursor as an instant; fails if the cursor is not a {@link ValueType#TIMESTAMP}. */
  public Instant cursorInstant() {
    if (cursor instanceof Instant i) {
      return i;
    }
    throw new IllegalStateException("cursor is not a timestamp: " + describe(cursor));
  }

  /** The cursor as a date; fails if the cursor is not a {@link ValueType#DATE}. */
  public LocalDate cursorDate() {
    if (cursor instanceof LocalDate d) {
      return d;
    }
    throw new IllegalStateException("cursor is not a date: " + describe(cursor));
  }

  /**
   * True if the cursor is +infinity ({@link Instant#MAX} or {@link LocalDate#MAX}): PostgreSQL's
   * {@code 'infinity'}. Rows there sort after every finite value, so no horizon ever covers them:
   * the engine delivers them once per sync after the window (a read that returns them — see
   * {@link TableRead#upTo()}) and resumes among them from such a position.
   */
  public boolean isCursorPositiveInfinity() {
    return Instant.MAX.equals(cursor) || LocalDate.MAX.equals(cursor);
  }

  /** True if the cursor is -infinity ({@link Instant#MIN} or {@link LocalDate#MIN}). */
  public boolean isCursorNegativeInfinity() {
    return Instant.MIN.equals(cursor) || LocalDate.MIN.equals(cursor);
  }

  /**
   * The tiebreaker value (normalised); empty when the position sits before every row with this
   * cursor value, in which case the read must include rows whose cursor equals {@link #cursor()}.
   */
  public Optional<Object> tiebreaker() {
    return Optional.ofNullable(tiebreaker);
  }

  /** True when a read after this position must include rows whose cursor equals {@link #cursor()}. */
  public boolean isInclusiveOfCursor() {
    return tiebreaker == null;
  }

  /**
   * Read order, as the engine compares: by cursor, then tiebreaker, a missing tiebreaker before
   * every tiebreaker of its cursor value. Both positions must be of the same table.
   *
   * @throws IllegalArgumentException if one has a cursor and the other does not
   */
  @Override
  public int compareTo(Position other) {
    if (cursor != null || other.cursor != null) {
      if (cursor == null || other.cursor == null) {
        throw new IllegalArgumentException("cannot compare " + this + " with " + other);
      }
      int c = compareValues(cursor, other.cursor);
      if (c != 0) {
        return c;
      }
    }
    if (tiebreaker == null || other.tiebreaker == null) {
      return tiebreaker == null ? (other.tiebreaker == null ? 0 : -1) : 1;
    }
    return compareValues(tiebreaker, other.tiebreaker);
  }

  /**
   * Compares two normalised values of one {@link ValueType} as the engine orders them: strings
   * by Unicode code point (binary collation, not {@link String#compareTo}'s UTF-16 units), every
   * other type by its natural order. What a connector filtering or sorting rows itself compares
   * with, so that its order and the engine's agree.
   *
   * @throws ClassCastException if the values are not of one normalised type
   */
  public static int compareValues(Object a, Object b) {
    if (a instanceof String sa && b instanceof String sb) {
      return compareCodePoints(sa, sb);
    }
    @SuppressWarnings("unchecked")
    Comparable<Object> ca = (Comparable<Object>) a;
    return ca.compareTo(b);
  }

  private static int compareCodePoints(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Boolean.compare(i < a.length(), j < b.length());
  }

  private static String describe(Object value) {
    return value == null ? "none" : value.getClass().getSimpleName();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Position p && Objects.equals(cursor, p.cursor) && Objects.equals(tiebreaker, p.tiebreaker);
  }

  @Override
  public int hashCode() {
    return Objects.hash(cursor, tiebreaker);
  }

  @Override
  public String toString() {
    return "Position(" + text(cursor) + ", " + (tiebreaker == null ? "-" : text(tiebreaker)) + ")";
  }

  private static String text(Object value) {
    return value instanceof BigDecimal d ? d.toPlainString() : String.valueOf(value);
  }
}
