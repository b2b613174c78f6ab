package dev.tributary.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.tributary.ValueType;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Date;
import java.util.Map;
import java.util.UUID;

/** Writes row values as JSON, following the protocol's value rules (timestamps as ISO-8601 UTC). */
final class RowJson {
  private RowJson() {}

  static void writeRow(JsonGenerator g, Map<String, Object> values) throws IOException {
    g.writeStartObject();
    for (Map.Entry<String, Object> e : values.entrySet()) {
      g.writeFieldName(e.getKey());
      writeValue(g, e.getValue(), e.getKey());
    }
    g.writeEndObject();
  }

  static void writeValue(JsonGenerator g, Object v, String column) throws IOException {
    if (v == null) {
      g.writeNull();
    } else if (v instanceof String) {
      g.writeString((String) v);
    } else if (v instanceof Boolean) {
      g.writeBoolean((Boolean) v);
    } else if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
      g.writeNumber(((Number) v).longValue());
    } else if (v instanceof BigDecimal) {
      g.writeNumber((BigDecimal) v);
    } else if (v instanceof BigInteger) {
      g.writeNumber((BigInteger) v);
    } else if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      if (!Double.isFinite(d)) {
        throw new ConnectorFailure("column " + column + " holds " + d
            + ", which JSON cannot carry; map it to null or a string in the connector");
      }
      if (v instanceof Float) {
        g.writeNumber((Float) v);
      } else {
        g.writeNumber(d);
      }
    } else if (v instanceof Instant) {
      g.writeString(Values.instantText((Instant) v));
    } else if (v instanceof OffsetDateTime) {
      g.writeString(Values.instantText((Instant) ValueType.TIMESTAMP.normalize(v)));
    } else if (v instanceof ZonedDateTime) {
      g.writeString(DateTimeFormatter.ISO_INSTANT.format(((ZonedDateTime) v).toInstant()));
    } else if (v instanceof LocalDate) {
      g.writeString(Values.dateText((LocalDate) v));
    } else if (v instanceof LocalDateTime || v instanceof LocalTime) {
      g.writeString(v.toString());
    } else if (v instanceof java.sql.Date) {
      g.writeString(((java.sql.Date) v).toLocalDate().toString());
    } else if (v instanceof Date) {
      g.writeString(DateTimeFormatter.ISO_INSTANT.format(((Date) v).toInstant()));
    } else if (v instanceof byte[]) {
      g.writeString(Base64.getEncoder().encodeToString((byte[]) v));
    } else if (v instanceof UUID || v instanceof Character || v instanceof CharSequence) {
      g.writeString(v.toString());
    } else if (v instanceof Enum) {
      g.writeString(((Enum<?>) v).name());
    } else if (v instanceof com.fasterxml.jackson.databind.JsonNode) {
      // Before Iterable: a JsonNode is Iterable over its values, which would lose object keys.
      g.writeTree((com.fasterxml.jackson.databind.JsonNode) v);
    } else if (v instanceof Map) {
      g.writeStartObject();
      for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
        g.writeFieldName(String.valueOf(e.getKey()));
        writeValue(g, e.getValue(), column);
      }
      g.writeEndObject();
    } else if (v instanceof Iterable) {
      g.writeStartArray();
      for (Object o : (Iterable<?>) v) {
        writeValue(g, o, column);
      }
      g.writeEndArray();
    } else if (v instanceof Object[]) {
      g.writeStartArray();
      for (Object o : (Object[]) v) {
        writeValue(g, o, column);
      }
      g.writeEndArray();
    } else {
      throw new ConnectorFailure("column " + column + " holds a " + v.getClass().getName()
          + ", which has no JSON form; convert it in the connector (see Row's documentation)");
    }
  }
}
