package dev.tributary.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tributary.ValueType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.Base64;
import java.util.Date;
import java.util.Map;
import java.util.UUID;

/** Writes row values as JSON, following the protocol's value rules (timestamps as ISO-8601 UTC). */
final class RowJson {
  private RowJson() {}

  static void writeRow(JsonGenerator g, Map<String, Object> values) throws IOException {
    g.writeStartObject();
    try {
      // forEach, not entrySet(): a row's unmodifiable map wraps every entry it iterates.
      values.forEach((column, value) -> {
        try {
          g.writeFieldName(column);
          writeValue(g, value, column);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    g.writeEndObject();
  }

  static void writeValue(JsonGenerator g, Object v, String column) throws IOException {
    if (v == null) {
      g.writeNull();
    } else if (!(v instanceof Number n ? writeNumber(g, n, column) : writeText(g, v))
        && !writeNested(g, v, column)) {
      throw new ConnectorFailure("column " + column + " holds a " + v.getClass().getName()
          + ", which has no JSON form; convert it in the connector (see Row's documentation)");
    }
  }

  /** Writes a number exactly; false for a {@link Number} of another kind (no JSON form). */
  private static boolean writeNumber(JsonGenerator g, Number v, String column) throws IOException {
    if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
      g.writeNumber(v.longValue());
    } else if (v instanceof BigDecimal d) {
      g.writeNumber(d);
    } else if (v instanceof BigInteger i) {
      g.writeNumber(i);
    } else if (v instanceof Double || v instanceof Float) {
      double d = v.doubleValue();
      if (!Double.isFinite(d)) {
        throw new ConnectorFailure("column " + column + " holds " + d
            + ", which JSON cannot carry; map it to null or a string in the connector");
      }
      if (v instanceof Float f) {
        g.writeNumber(f);
      } else {
        g.writeNumber(d);
      }
    } else {
      return false;
    }
    return true;
  }

  /** Writes a value JSON carries as a string or boolean; false if {@code v} is not one. */
  private static boolean writeText(JsonGenerator g, Object v) throws IOException {
    if (v instanceof String s) {
      g.writeString(s);
    } else if (v instanceof Boolean b) {
      g.writeBoolean(b);
    } else if (v instanceof Instant i) {
      g.writeString(Values.instantText(i));
    } else if (v instanceof OffsetDateTime) {
      g.writeString(Values.instantText((Instant) ValueType.TIMESTAMP.normalize(v)));
    } else if (v instanceof ZonedDateTime z) {
      g.writeString(IsoText.instant(z.toInstant()));
    } else if (v instanceof LocalDate d) {
      g.writeString(Values.dateText(d));
    } else if (v instanceof LocalDateTime || v instanceof LocalTime) {
      g.writeString(v.toString());
    } else if (v instanceof java.sql.Date d) { // before java.util.Date, which it extends
      g.writeString(d.toLocalDate().toString());
    } else if (v instanceof Date d) {
      g.writeString(IsoText.instant(d.toInstant()));
    } else if (v instanceof byte[] bytes) {
      g.writeString(Base64.getEncoder().encodeToString(bytes));
    } else if (v instanceof UUID || v instanceof Character || v instanceof CharSequence) {
      g.writeString(v.toString());
    } else if (v instanceof Enum<?> e) {
      g.writeString(e.name());
    } else {
      return false;
    }
    return true;
  }

  /** Writes a JSON tree, map, iterable or array; false if {@code v} is none of them. */
  private static boolean writeNested(JsonGenerator g, Object v, String column) throws IOException {
    if (v instanceof JsonNode node) {
      // Before Iterable: a JsonNode is Iterable over its values, which would lose object keys.
      g.writeTree(node);
    } else if (v instanceof Map<?, ?> map) {
      g.writeStartObject();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        g.writeFieldName(String.valueOf(e.getKey()));
        writeValue(g, e.getValue(), column);
      }
      g.writeEndObject();
    } else if (v instanceof Iterable<?> items) {
      g.writeStartArray();
      for (Object o : items) {
        writeValue(g, o, column);
      }
      g.writeEndArray();
    } else if (v instanceof Object[] items) {
      g.writeStartArray();
      for (Object o : items) {
        writeValue(g, o, column);
      }
      g.writeEndArray();
    } else {
      return false;
    }
    return true;
  }
}
