package dev.tributary.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tributary.ValueType;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;

/**
 * Stores cursor and tiebreaker values in state and reads them back: losslessly, readably, and
 * normalised by {@link ValueType#normalize} so state written by one call is read identically by
 * the next.
 */
final class Values {
  private static final BigDecimal MAX_SAFE_JSON_INTEGER = BigDecimal.valueOf(1L << 53);

  private Values() {}

  /** Writes a normalised value to state, losslessly and readably. */
  static void writeState(JsonGenerator g, Object value) throws IOException {
    if (value == null) {
      g.writeNull();
    } else if (value instanceof Instant i) {
      g.writeString(instantText(i));
    } else if (value instanceof LocalDate d) {
      g.writeString(dateText(d));
    } else if (value instanceof BigDecimal d) {
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
   * {@link Instant#MAX} / {@link Instant#MIN}. Read back exactly by {@link ValueType#normalize}.
   */
  static String instantText(Instant i) {
    if (i.equals(Instant.MAX)) {
      return "infinity";
    }
    if (i.equals(Instant.MIN)) {
      return "-infinity";
    }
    return IsoText.instant(i);
  }

  /** A date as state keeps it: ISO-8601, {@code infinity} / {@code -infinity} for the extremes. */
  static String dateText(LocalDate d) {
    if (d.equals(LocalDate.MAX)) {
      return "infinity";
    }
    if (d.equals(LocalDate.MIN)) {
      return "-infinity";
    }
    return d.toString();
  }

  /** Reads a value written by {@link #writeState}; {@code null} for JSON null. */
  static Object readState(ValueType type, JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (node.isNumber()) {
      return type.normalize(node.decimalValue());
    }
    if (!node.isTextual()) {
      throw new IllegalArgumentException("is a JSON " + node.getNodeType().name().toLowerCase()
          + ", not a " + type.stateName());
    }
    return type.normalize(node.textValue());
  }
}
