package dev.tributary;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Date;
import java.util.UUID;

/**
 * Turns the values a source hands over into the one form per value that positions hold, so that
 * "the same value" means the same thing in a row, in state and in a read's bounds.
 */
final class Normalizer {
  /** The most digits a number cursor or tiebreaker may have written out. */
  static final int MAX_NUMBER_DIGITS = 1000;

  private Normalizer() {}

  /** See {@link ValueType#normalize}. */
  static Object normalize(ValueType type, Object raw) {
    if (raw == null) {
      throw new IllegalArgumentException("is null");
    }
    return switch (type) {
      case TIMESTAMP -> toInstant(raw);
      case DATE -> toDate(raw);
      case NUMBER -> toNumber(raw);
      case STRING -> toText(raw);
    };
  }

  private static Instant toInstant(Object raw) {
    if (raw instanceof Instant i) {
      return i;
    }
    if (raw instanceof OffsetDateTime odt) {
      // pgjdbc (and others) hand PostgreSQL's infinities over as OffsetDateTime.MAX / MIN.
      if (odt.equals(OffsetDateTime.MAX)) {
        return Instant.MAX;
      }
      if (odt.equals(OffsetDateTime.MIN)) {
        return Instant.MIN;
      }
      return odt.toInstant();
    }
    if (raw instanceof ZonedDateTime zdt) {
      return zdt.toInstant();
    }
    if (raw instanceof java.sql.Date) {
      throw new IllegalArgumentException("is a date, not a timestamp; declare the cursor as ValueType.DATE");
    }
    if (raw instanceof Date date) {
      return date.toInstant();
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
  private static Instant parseInstant(String text) {
    Instant fast = parseCommonInstant(text);
    if (fast != null) {
      return fast;
    }
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
   * The instant of the shape nearly every source writes — {@code yyyy-MM-ddTHH:mm:ss}, an
   * optional fraction of 1 to 9 digits, then {@code Z} or {@code ±HH:MM} — read without the
   * general parser (a tenth of its cost on a row's cursor). Null for any other text, including
   * every one the general parser would reject: it then reads (or refuses) the text, so both
   * paths give one answer.
   */
  static Instant parseCommonInstant(String s) {
    int n = s.length();
    if (n < 20 || n > 35 || s.charAt(4) != '-' || s.charAt(7) != '-'
        || (s.charAt(10) != 'T' && s.charAt(10) != ' ') || s.charAt(13) != ':'
        || s.charAt(16) != ':') {
      return null;
    }
    int year = digits(s, 0, 4);
    int month = digits(s, 5, 2);
    int day = digits(s, 8, 2);
    int hour = digits(s, 11, 2);
    int minute = digits(s, 14, 2);
    int second = digits(s, 17, 2);
    if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0
        || minute > 59 || second < 0 || second > 59 || day > monthLength(year, month)) {
      return null;
    }
    int i = 19;
    int nano = 0;
    if (i < n && s.charAt(i) == '.') {
      int start = ++i;
      while (i < n && i - start < 9 && isDigit(s.charAt(i))) {
        nano = nano * 10 + (s.charAt(i++) - '0');
      }
      if (i == start || (i < n && isDigit(s.charAt(i)))) {
        return null;
      }
      for (int k = i - start; k < 9; k++) {
        nano *= 10;
      }
    }
    int offset;
    if (i == n - 1 && s.charAt(i) == 'Z') {
      offset = 0;
    } else if (i == n - 6 && (s.charAt(i) == '+' || s.charAt(i) == '-') && s.charAt(i + 3) == ':') {
      int hh = digits(s, i + 1, 2);
      int mm = digits(s, i + 4, 2);
      if (hh < 0 || hh > 17 || mm < 0 || mm > 59 || (hh == 0 && mm == 0 && s.charAt(i) == '-')) {
        return null;
      }
      offset = (s.charAt(i) == '-' ? -1 : 1) * (hh * 3600 + mm * 60);
    } else {
      return null;
    }
    long seconds = epochDay(year, month, day) * 86_400L + hour * 3600L + minute * 60L + second;
    return Instant.ofEpochSecond(seconds - offset, nano);
  }

  /** The non-negative number written by {@code count} ASCII digits at {@code at}; -1 if not digits. */
  private static int digits(String s, int at, int count) {
    int v = 0;
    for (int i = at; i < at + count; i++) {
      int d = s.charAt(i) - '0';
      if (d < 0 || d > 9) {
        return -1;
      }
      v = v * 10 + d;
    }
    return v;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static int monthLength(int year, int month) {
    return switch (month) {
      case 2 -> (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
      case 4, 6, 9, 11 -> 30;
      default -> 31;
    };
  }

  /** Days from 1970-01-01 to a date of a year 0 to 9999 (proleptic Gregorian, as java.time). */
  private static long epochDay(int year, int month, int day) {
    long y = year;
    long total = 365 * y + (y + 3) / 4 - (y + 99) / 100 + (y + 399) / 400;
    total += (367L * month - 362) / 12 + day - 1;
    if (month > 2) {
      total -= monthLength(year, 2) == 29 ? 1 : 2;
    }
    return total - 719_528; // days from 0000-01-01 to 1970-01-01
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
    if (raw instanceof LocalDate d) {
      return d;
    }
    if (raw instanceof java.sql.Date d) {
      return d.toLocalDate();
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
    if (raw instanceof BigDecimal b) {
      d = b;
    } else if (raw instanceof BigInteger b) {
      d = new BigDecimal(b);
    } else if (raw instanceof Long || raw instanceof Integer || raw instanceof Short
        || raw instanceof Byte) {
      // Already in the one form (scale 0, at most 19 digits): nothing to strip or bound.
      return BigDecimal.valueOf(((Number) raw).longValue());
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
    if (raw instanceof CharSequence || raw instanceof Character || raw instanceof UUID) {
      return raw.toString();
    }
    if (raw instanceof Number) {
      throw new IllegalArgumentException("is a number but the column is declared ValueType.STRING;"
          + " declare it ValueType.NUMBER so 10 sorts after 9");
    }
    throw new IllegalArgumentException("is a " + raw.getClass().getSimpleName() + ", not a string");
  }
}
