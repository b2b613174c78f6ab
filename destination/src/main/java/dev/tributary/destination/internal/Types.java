package dev.tributary.destination.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tributary.destination.ColumnType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Column types from JSON values: inference, widening, and whether a value fits a type. */
final class Types {
  private static final Pattern INSTANT = Pattern.compile(
      "\\d{4}-\\d{2}-\\d{2}[T ](\\d{2}:\\d{2}:\\d{2})(?:\\.(\\d{1,9}))?(?:Z|[+-]\\d{2}(?::?\\d{2})?)");
  private static final Pattern DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
  /** Both databases keep microseconds; a finer instant would be rounded, so it stays text. */
  private static final int MAX_FRACTION_DIGITS = 6;

  private Types() {}

  /** The type a non-null value suggests; {@code null} for a JSON null. */
  static ColumnType infer(JsonNode v) {
    if (v == null || v.isNull() || v.isMissingNode()) {
      return null;
    }
    if (v.isBoolean()) {
      return ColumnType.BOOLEAN;
    }
    if (v.isIntegralNumber()) {
      return v.canConvertToLong() ? ColumnType.INTEGER : ColumnType.BIG_INTEGER;
    }
    if (v.isNumber()) {
      return ColumnType.DECIMAL;
    }
    if (v.isTextual()) {
      String s = v.textValue();
      if (isInstant(s)) {
        return ColumnType.TIMESTAMP;
      }
      if (isDate(s)) {
        return ColumnType.DATE;
      }
      return ColumnType.TEXT;
    }
    return ColumnType.JSON;
  }

  /** The narrowest type that holds values of both types. */
  static ColumnType widen(ColumnType have, ColumnType next) {
    if (have == null) {
      return next;
    }
    if (next == null || have == next) {
      return have;
    }
    if (isNumber(have) && isNumber(next)) {
      return have.ordinal() > next.ordinal() ? have : next;
    }
    return ColumnType.TEXT;
  }

  private static boolean isNumber(ColumnType t) {
    return t == ColumnType.INTEGER || t == ColumnType.BIG_INTEGER || t == ColumnType.DECIMAL;
  }

  /** Whether a non-null value can be stored in a column of {@code type} without loss. */
  static boolean fits(ColumnType type, JsonNode v) {
    String s = v.isTextual() ? v.textValue() : null;
    switch (type) {
      case TEXT:
      case JSON:
        return true;
      case BOOLEAN:
        return v.isBoolean() || "true".equals(s) || "false".equals(s);
      case INTEGER:
        return v.isIntegralNumber() ? v.canConvertToLong() : s != null && parsesAsLong(s);
      case BIG_INTEGER:
        return v.isIntegralNumber() || s != null && bigInteger(s) != null;
      case DECIMAL:
        return v.isNumber() || s != null && decimal(s) != null;
      case TIMESTAMP:
        return s != null && isInstant(s);
      case DATE:
        return s != null && isDate(s);
      case BYTES:
        return s != null && isBase64(s);
      default:
        throw new IllegalStateException("unhandled " + type);
    }
  }

  /** The value as the text the staging table holds; JSON columns hold every value as JSON. */
  static String text(ColumnType type, JsonNode v) {
    if (type == ColumnType.JSON || v.isContainerNode()) {
      return v.toString();
    }
    if (v.isBigDecimal() || v.isFloatingPointNumber()) {
      return v.decimalValue().toPlainString();
    }
    if (v.isTextual()) {
      return v.textValue();
    }
    return v.asText();
  }

  static boolean isInstant(String s) {
    Matcher m = INSTANT.matcher(s);
    if (!m.matches() || !isCalendarDate(s)) {
      return false;
    }
    if (m.group(2) != null && m.group(2).length() > MAX_FRACTION_DIGITS) {
      return false;
    }
    try {
      LocalTime.parse(m.group(1));
      return true;
    } catch (DateTimeParseException e) {
      return false;
    }
  }

  static boolean isDate(String s) {
    return DATE.matcher(s).matches() && isCalendarDate(s);
  }

  // The patterns check the shape; the database also needs a real date ("2024-13-45" has the
  // shape), or the cast fails and takes the whole response with it.
  private static boolean isCalendarDate(String s) {
    try {
      LocalDate.parse(s.substring(0, 10));
      return true;
    } catch (DateTimeParseException e) {
      return false;
    }
  }

  private static boolean parsesAsLong(String s) {
    try {
      Long.parseLong(s.trim());
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  static BigInteger bigInteger(String s) {
    try {
      return new BigInteger(s.trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static BigDecimal decimal(String s) {
    try {
      return new BigDecimal(s.trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static boolean isBase64(String s) {
    try {
      Base64.getDecoder().decode(s);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
