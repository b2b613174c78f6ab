package dev.tributary.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tributary.Position;
import dev.tributary.ValueType;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Date;

/**
 * Normalises, compares and stores cursor and tiebreaker values. One place decides what "the same
 * value" means, so state written by one call is read identically by the next.
 */
public final class Values {
  private static final BigDecimal MAX_SAFE_JSON_INTEGER = BigDecimal.valueOf(1L << 53);
  /** The most digits a number cursor or tiebreaker may have written out. */
  static final int MAX_NUMBER_DIGITS = 1000;

  private Values() {}

  /**
   * The normalised form of {@code raw} as {@code type}.
   *
   * @throws IllegalArgumentException saying what the value is and what was expected
   */
  public static Object normalize(ValueType type, Object raw) {
    if (raw == null) {
      throw new IllegalArgumentException("is null");
    }
    switch (type) {
      case TIMESTAMP:
        return toInstant(raw);
      case DATE:
        return toDate(raw);
      case NUMBER:
        return toNumber(raw);
      case STRING:
        return toText(raw);
      default:
        throw new AssertionError(type);
    }
  }

  private static Instant toInstant(Object raw) {
    if (raw instanceof Instant) {
      return (Instant) raw;
    }
    if (raw instanceof OffsetDateTime) {
      // pgjdbc (and others) hand PostgreSQL's infinities over as OffsetDateTime.MAX / MIN.
      OffsetDateTime odt = (OffsetDateTime) raw;
      if (odt.equals(OffsetDateTime.MAX)) {
        return Instant.MAX;
      }
      if (odt.equals(OffsetDateTime.MIN)) {
        return Instant.MIN;
      }
      return odt.toInstant();
    }
    if (raw instanceof ZonedDateTime) {
      return ((ZonedDateTime) raw).toInstant();
    }
    if (raw instanceof java.sql.Date) {
      throw new IllegalArgumentException("is a date, not a timestamp; declare the cursor as ValueType.DATE");
    }
    if (raw instanceof Date) {
      return ((Date) raw).toInstant();
    }
    if (raw instanceof CharSequence) {
      return parseInstant(raw.toString());
    }
    if (raw instanceof Number) {
      throw new IllegalArgumentException("is a number; a timestamp cursor needs an instant or an"
          + " ISO-8601 string with an offset (epoch values are ambiguous: convert them in the connector)");
    }
    throw new IllegalArgumentException("is a " + raw.getClass().getSimpleName() + ", not a timestamp");
  }

  /**
   * Parses ISO-8601 with an offset; accepts a space for {@code T}, {@code +hh} or {@code +hhmm}
   * offsets, signed years beyond four digits ({@code -0043-03-15T00:00:00Z} is 44 BC,
   * {@code +10000-01-01T00:00:00Z}), and {@code infinity} / {@code -infinity} (PostgreSQL's
   * text for them) as {@link Instant#MAX} / {@link Instant#MIN}.
   */
  static Instant parseInstant(String text) {
    String s = text.trim();
    int infinity = infinity(s);
    if (infinity != 0) {
      return infinity > 0 ? Instant.MAX : Instant.MIN;
    }
    if (s.length() > 10 && s.charAt(10) == ' ') {
      s = s.substring(0, 10) + 'T' + s.substring(11);
    }
    s = normalizeOffset(s);
    try {
      return OffsetDateTime.parse(s, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    } catch (DateTimeException e) {
      throw new IllegalArgumentException("is not an ISO-8601 timestamp with an offset ("
          + shape(text) + ")");
    }
  }

  /**
   * Describes a text without quoting it: values come from rows or state, and neither may appear
   * in error responses or logs.
   */
  private static String shape(String text) {
    return "a string of " + text.length() + " characters";
  }

  private static String normalizeOffset(String s) {
    int t = s.indexOf('T');
    if (t < 0) {
      return s;
    }
    int sign = Math.max(s.lastIndexOf('+'), s.lastIndexOf('-'));
    if (sign <= t) {
      return s;
    }
    String offset = s.substring(sign + 1);
    if (offset.length() == 2 && isDigits(offset)) {
      return s + ":00";
    }
    if (offset.length() == 4 && isDigits(offset)) {
      return s.substring(0, sign + 3) + ":" + offset.substring(2);
    }
    return s;
  }

  private static boolean isDigits(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (!Character.isDigit(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /** +1 for {@code infinity} / {@code +infinity}, -1 for {@code -infinity} (any case), else 0. */
  private static int infinity(String s) {
    if (s.equalsIgnoreCase("infinity") || s.equalsIgnoreCase("+infinity")) {
      return 1;
    }
    return s.equalsIgnoreCase("-infinity") ? -1 : 0;
  }

  private static LocalDate toDate(Object raw) {
    if (raw instanceof LocalDate) {
      return (LocalDate) raw;
    }
    if (raw instanceof java.sql.Date) {
      return ((java.sql.Date) raw).toLocalDate();
    }
    if (raw instanceof CharSequence) {
      String s = raw.toString().trim();
      int infinity = infinity(s);
      if (infinity != 0) {
        return infinity > 0 ? LocalDate.MAX : LocalDate.MIN;
      }
      try {
        return LocalDate.parse(s);
      } catch (DateTimeException e) {
        throw new IllegalArgumentException("is not a yyyy-MM-dd date (" + shape(raw.toString()) + ")");
      }
    }
    throw new IllegalArgumentException("is a " + raw.getClass().getSimpleName() + ", not a date");
  }

  private static BigDecimal toNumber(Object raw) {
    BigDecimal d;
    if (raw instanceof BigDecimal) {
      d = (BigDecimal) raw;
    } else if (raw instanceof BigInteger) {
      d = new BigDecimal((BigInteger) raw);
    } else if (raw instanceof Long || raw instanceof Integer || raw instanceof Short
        || raw instanceof Byte) {
      d = BigDecimal.valueOf(((Number) raw).longValue());
    } else if (raw instanceof Double || raw instanceof Float) {
      double v = ((Number) raw).doubleValue();
      if (!Double.isFinite(v)) {
        throw new IllegalArgumentException("is not a finite number: " + v);
      }
      d = BigDecimal.valueOf(v);
    } else if (raw instanceof CharSequence) {
      try {
        d = new BigDecimal(raw.toString().trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("is not a number (" + shape(raw.toString()) + ")");
      }
    } else {
      throw new IllegalArgumentException("is a " + raw.getClass().getSimpleName() + ", not a number");
    }
    if (d.signum() == 0) {
      return BigDecimal.ZERO;
    }
    // Bound the work before expanding: 1e9999999 is nine characters and ten million digits.
    long plain = d.scale() > 0 ? Math.max((long) d.precision(), d.scale() + 1L)
        : (long) d.precision() - d.scale();
    if (plain > MAX_NUMBER_DIGITS) {
      throw new IllegalArgumentException("has more than " + MAX_NUMBER_DIGITS
          + " digits written out (a number with a huge exponent)");
    }
    // One form per value (10 and 10.0 are equal), printed plainly: 10, never 1E+1.
    d = d.stripTrailingZeros();
    return d.scale() < 0 ? d.setScale(0) : d;
  }

  private static String toText(Object raw) {
    if (raw instanceof CharSequence || raw instanceof Character || raw instanceof java.util.UUID) {
      return raw.toString();
    }
    if (raw instanceof Number) {
      throw new IllegalArgumentException("is a number but the column is declared ValueType.STRING;"
          + " declare it ValueType.NUMBER so 10 sorts after 9");
    }
    throw new IllegalArgumentException("is a " + raw.getClass().getSimpleName() + ", not a string");
  }

  /** Compares two normalised values of the same type. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public static int compare(Object a, Object b) {
    if (a instanceof String) {
      return compareCodePoints((String) a, (String) b);
    }
    return ((Comparable) a).compareTo(b);
  }

  /**
   * Compares positions in read order: by cursor, then by tiebreaker, where a missing tiebreaker
   * sorts before every tiebreaker of that cursor value.
   */
  public static int compare(Position a, Position b) {
    if (a.cursor() != null || b.cursor() != null) {
      if (a.cursor() == null || b.cursor() == null) {
        throw new IllegalArgumentException("cannot compare " + a + " with " + b);
      }
      int c = compare(a.cursor(), b.cursor());
      if (c != 0) {
        return c;
      }
    }
    Object ta = a.tiebreaker().orElse(null);
    Object tb = b.tiebreaker().orElse(null);
    if (ta == null || tb == null) {
      return ta == null ? (tb == null ? 0 : -1) : 1;
    }
    return compare(ta, tb);
  }

  static int compareCodePoints(String a, String b) {
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

  /** Writes a normalised value to state, losslessly and readably. */
  public static void writeState(JsonGenerator g, Object value) throws IOException {
    if (value == null) {
      g.writeNull();
    } else if (value instanceof Instant) {
      g.writeString(instantText((Instant) value));
    } else if (value instanceof LocalDate) {
      g.writeString(dateText((LocalDate) value));
    } else if (value instanceof BigDecimal) {
      BigDecimal d = (BigDecimal) value;
      if (d.scale() <= 0 && d.abs().compareTo(MAX_SAFE_JSON_INTEGER) < 0) {
        g.writeNumber(d.longValueExact());
      } else {
        // Beyond 2^53 or fractional: a string, so no JSON reader on the way rounds it.
        g.writeString(d.toPlainString());
      }
    } else {
      g.writeString(value.toString());
    }
  }

  /**
   * An instant as state keeps it: ISO-8601 in UTC with every digit ({@code -0043-03-15T00:00:00Z}
   * for 44 BC, a signed year past 9999), {@code infinity} / {@code -infinity} for
   * {@link Instant#MAX} / {@link Instant#MIN}. Read back exactly by {@link #parseInstant}.
   */
  public static String instantText(Instant i) {
    if (i.equals(Instant.MAX)) {
      return "infinity";
    }
    if (i.equals(Instant.MIN)) {
      return "-infinity";
    }
    return DateTimeFormatter.ISO_INSTANT.format(i);
  }

  /** A date as state keeps it: ISO-8601, {@code infinity} / {@code -infinity} for the extremes. */
  public static String dateText(LocalDate d) {
    if (d.equals(LocalDate.MAX)) {
      return "infinity";
    }
    if (d.equals(LocalDate.MIN)) {
      return "-infinity";
    }
    return d.toString();
  }

  /**
   * +1 if the cursor value is the positive infinity of its type ({@link Instant#MAX},
   * {@link LocalDate#MAX}), -1 for the negative one, 0 otherwise.
   */
  public static int infinitySign(Object cursor) {
    if (Instant.MAX.equals(cursor) || LocalDate.MAX.equals(cursor)) {
      return 1;
    }
    if (Instant.MIN.equals(cursor) || LocalDate.MIN.equals(cursor)) {
      return -1;
    }
    return 0;
  }

  /** Reads a value written by {@link #writeState}; {@code null} for JSON null. */
  public static Object readState(ValueType type, JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (node.isNumber()) {
      return normalize(type, node.decimalValue());
    }
    if (!node.isTextual()) {
      throw new IllegalArgumentException("is a JSON " + node.getNodeType().name().toLowerCase()
          + ", not a " + type.stateName());
    }
    return normalize(type, node.textValue());
  }
}
