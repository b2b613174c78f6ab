package dev.tributary.internal;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;

/**
 * Instants written as {@link DateTimeFormatter#ISO_INSTANT} writes them, and the length of a
 * state value's JSON, without the general formatter: a row's timestamp and a row's position are
 * written or measured once per row, and the formatter costs more than the rest of the row.
 * Every result equals the general formatter's (a property test compares them); values outside
 * the common range (years before 0 or after 9999) go to the formatter.
 */
final class IsoText {
  /** 0000-01-01T00:00:00Z and 10000-01-01T00:00:00Z in epoch seconds: the years written in four digits. */
  private static final long FIRST_SECOND = -62_167_219_200L;
  private static final long END_SECOND = 253_402_300_800L;

  private IsoText() {}

  /** The instant as ISO-8601 in UTC, exactly as {@link DateTimeFormatter#ISO_INSTANT} writes it. */
  static String instant(Instant i) {
    long s = i.getEpochSecond();
    if (s < FIRST_SECOND || s >= END_SECOND) {
      return DateTimeFormatter.ISO_INSTANT.format(i);
    }
    long days = Math.floorDiv(s, 86_400L);
    int secs = (int) Math.floorMod(s, 86_400L);
    // Civil date from days (Howard Hinnant's algorithm, as java.time computes it).
    long z = days + 719_468;
    long era = Math.floorDiv(z, 146_097);
    long doe = z - era * 146_097;
    long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    int day = (int) (doy - (153 * mp + 2) / 5 + 1);
    int month = (int) (mp < 10 ? mp + 3 : mp - 9);
    int year = (int) (yoe + era * 400 + (month <= 2 ? 1 : 0));
    int nano = i.getNano();
    byte[] b = new byte[20 + fractionDigits(nano) + (nano == 0 ? 0 : 1)];
    put(b, 0, year, 4);
    b[4] = '-';
    put(b, 5, month, 2);
    b[7] = '-';
    put(b, 8, day, 2);
    b[10] = 'T';
    put(b, 11, secs / 3600, 2);
    b[13] = ':';
    put(b, 14, secs / 60 % 60, 2);
    b[16] = ':';
    put(b, 17, secs % 60, 2);
    int at = 19;
    int digits = fractionDigits(nano);
    if (digits > 0) {
      b[at++] = '.';
      put(b, at, nano / pow10(9 - digits), digits);
      at += digits;
    }
    b[at] = 'Z';
    return new String(b, java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  /** Fraction digits ISO_INSTANT writes: none, or three, six or nine as needed. */
  private static int fractionDigits(int nano) {
    if (nano == 0) {
      return 0;
    }
    return nano % 1_000_000 == 0 ? 3 : nano % 1000 == 0 ? 6 : 9;
  }

  private static int pow10(int n) {
    int p = 1;
    for (int k = 0; k < n; k++) {
      p *= 10;
    }
    return p;
  }

  private static void put(byte[] b, int at, int value, int width) {
    for (int k = at + width - 1; k >= at; k--) {
      b[k] = (byte) ('0' + value % 10);
      value /= 10;
    }
  }

  /**
   * Bytes a normalised value takes in state as {@link Values#writeState} writes it, quotes
   * included; -1 when only writing it can tell (text outside printable ASCII, rare values).
   */
  static int stateLength(Object v) {
    if (v == null) {
      return 4; // null
    }
    if (v instanceof Instant i) {
      if (i.equals(Instant.MAX)) {
        return 10; // "infinity"
      }
      if (i.equals(Instant.MIN)) {
        return 11;
      }
      long s = i.getEpochSecond();
      if (s < FIRST_SECOND || s >= END_SECOND) {
        return -1;
      }
      int digits = fractionDigits(i.getNano());
      return 22 + digits + (digits == 0 ? 0 : 1); // "yyyy-MM-ddTHH:mm:ss.fffZ"
    }
    if (v instanceof LocalDate d) {
      if (d.equals(LocalDate.MAX)) {
        return 10;
      }
      if (d.equals(LocalDate.MIN)) {
        return 11;
      }
      return d.getYear() >= 0 && d.getYear() <= 9999 ? 12 : -1;
    }
    if (v instanceof BigDecimal d) {
      return decimalLength(d);
    }
    if (v instanceof String s) {
      for (int k = 0, n = s.length(); k < n; k++) {
        char c = s.charAt(k);
        if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
          return -1;
        }
      }
      return s.length() + 2;
    }
    return -1;
  }

  private static int decimalLength(BigDecimal d) {
    int scale = d.scale();
    if (scale < 0) {
      return -1;
    }
    int sign = d.signum() < 0 ? 1 : 0;
    int precision = d.precision();
    if (scale == 0 && precision <= 16) {
      // A whole number below 2^53 is written as a JSON number, above as a string.
      long abs = Math.abs(d.longValue());
      if (abs < (1L << 53)) {
        return sign + precision;
      }
    }
    int plain = scale == 0 ? precision : precision > scale ? precision + 1 : scale + 2;
    return sign + plain + 2;
  }
}
