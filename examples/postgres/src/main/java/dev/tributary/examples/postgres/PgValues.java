package dev.tributary.examples.postgres;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Maps PostgreSQL column values to the JSON-ready values a {@link dev.tributary.Row} carries,
 * without losing what the source holds.
 *
 * <table>
 *   <caption>Type mapping</caption>
 *   <tr><th>PostgreSQL</th><th>JSON</th></tr>
 *   <tr><td>smallint, integer, bigint, oid</td><td>integer</td></tr>
 *   <tr><td>numeric</td><td>number with every digit ({@link BigDecimal}, never a double);
 *       {@code NaN} and infinities as strings</td></tr>
 *   <tr><td>real, double precision</td><td>number; {@code NaN} and infinities as strings</td></tr>
 *   <tr><td>boolean</td><td>boolean</td></tr>
 *   <tr><td>timestamp with time zone</td><td>ISO-8601 UTC instant, microseconds kept</td></tr>
 *   <tr><td>timestamp without time zone</td><td>local date-time string
 *       ({@code 2024-05-01T10:00:00.123456}); no zone is invented</td></tr>
 *   <tr><td>date</td><td>{@code yyyy-MM-dd}</td></tr>
 *   <tr><td>bytea</td><td>base64 string</td></tr>
 *   <tr><td>json, jsonb</td><td>the JSON value itself (objects stay objects, numbers stay exact)</td></tr>
 *   <tr><td>arrays</td><td>JSON arrays of the element mapping (nested for multi-dimensional)</td></tr>
 *   <tr><td>uuid, text, varchar, enums, interval, inet, money, time, … </td><td>string as
 *       PostgreSQL prints it</td></tr>
 * </table>
 *
 * <p>{@code infinity} timestamps and dates are sent as the strings PostgreSQL prints.
 */
final class PgValues {
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS);

  private PgValues() {}

  /**
   * The value of column {@code i} of the current row.
   *
   * @param type the column's type name as PostgreSQL reports it ({@code int8}, {@code _text})
   */
  static Object read(ResultSet rs, int i, String type) throws SQLException {
    if (type.startsWith("_")) {
      Array a = rs.getArray(i);
      return a == null ? null : array(a.getArray(), type.substring(1));
    }
    switch (type) {
      case "int2":
      case "int4":
      case "int8":
      case "oid": {
        long v = rs.getLong(i);
        return rs.wasNull() ? null : v;
      }
      case "numeric": {
        String s = rs.getString(i);
        return s == null ? null : decimal(s);
      }
      case "float4":
      case "float8": {
        double v = rs.getDouble(i);
        return rs.wasNull() ? null : Double.isFinite(v) ? (Object) v : rs.getString(i);
      }
      case "bool": {
        boolean v = rs.getBoolean(i);
        return rs.wasNull() ? null : v;
      }
      case "timestamptz": {
        String s = rs.getString(i);
        if (s == null || s.endsWith("infinity")) {
          return s;
        }
        return rs.getObject(i, OffsetDateTime.class).toInstant();
      }
      case "timestamp": {
        String s = rs.getString(i);
        if (s == null || s.endsWith("infinity")) {
          return s;
        }
        return DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(rs.getObject(i, LocalDateTime.class));
      }
      case "date": {
        String s = rs.getString(i);
        if (s == null || s.endsWith("infinity")) {
          return s;
        }
        return rs.getObject(i, LocalDate.class);
      }
      case "bytea":
        return rs.getBytes(i);
      case "json":
      case "jsonb":
        return json(rs.getString(i));
      default:
        return rs.getString(i);
    }
  }

  /** Array elements as pgjdbc gives them, mapped by the element type. */
  private static Object array(Object elements, String elementType) throws SQLException {
    if (elements == null) {
      return null;
    }
    if (!(elements instanceof Object[])) {
      // pgjdbc may hand primitive arrays for some element types; box them through reflection.
      int n = java.lang.reflect.Array.getLength(elements);
      Object[] boxed = new Object[n];
      for (int k = 0; k < n; k++) {
        boxed[k] = java.lang.reflect.Array.get(elements, k);
      }
      elements = boxed;
    }
    Object[] in = (Object[]) elements;
    Object[] out = new Object[in.length];
    for (int k = 0; k < in.length; k++) {
      out[k] = element(in[k], elementType);
    }
    return out;
  }

  private static Object element(Object v, String elementType) throws SQLException {
    if (v == null) {
      return null;
    }
    if (v instanceof Object[]) {
      return array(v, elementType);
    }
    switch (elementType) {
      case "timestamptz":
        return v instanceof Timestamp ? ((Timestamp) v).toInstant() : v.toString();
      case "timestamp":
        return v instanceof Timestamp
            ? DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(((Timestamp) v).toLocalDateTime())
            : v.toString();
      case "date":
        return v instanceof java.sql.Date ? ((java.sql.Date) v).toLocalDate() : v.toString();
      case "numeric":
        return decimal(v.toString());
      case "json":
      case "jsonb":
        return json(v.toString());
      case "float4":
      case "float8":
        return v instanceof Number && Double.isFinite(((Number) v).doubleValue()) ? v : v.toString();
      default:
        if (v instanceof Number || v instanceof Boolean || v instanceof byte[]
            || v instanceof String) {
          return v;
        }
        return v.toString();
    }
  }

  /**
   * A position value as PostgreSQL reads it back: the engine's instants and dates cover every era
   * and the infinities, which PostgreSQL spells its own way ({@code 'infinity'},
   * {@code '0044-03-15 12:00:00+00 BC'}, five-digit years without a sign).
   */
  static String literal(Object v) {
    if (v instanceof BigDecimal) {
      return ((BigDecimal) v).toPlainString();
    }
    if (v instanceof java.time.Instant) {
      java.time.Instant i = (java.time.Instant) v;
      if (i.equals(java.time.Instant.MAX)) {
        return "infinity";
      }
      if (i.equals(java.time.Instant.MIN)) {
        return "-infinity";
      }
      LocalDateTime t = LocalDateTime.ofInstant(i, java.time.ZoneOffset.UTC);
      String nanos = String.format("%09d", t.getNano());
      return era(t.toLocalDate()) + String.format(" %02d:%02d:%02d.%s+00", t.getHour(),
          t.getMinute(), t.getSecond(), nanos.substring(0, 6)) + bc(t.getYear());
    }
    if (v instanceof LocalDate) {
      LocalDate d = (LocalDate) v;
      if (d.equals(LocalDate.MAX)) {
        return "infinity";
      }
      if (d.equals(LocalDate.MIN)) {
        return "-infinity";
      }
      return era(d) + bc(d.getYear());
    }
    return v.toString();
  }

  /** yyyy-MM-dd in PostgreSQL's years: 1 BC is ISO year 0, and no sign on years past 9999. */
  private static String era(LocalDate d) {
    int year = d.getYear() <= 0 ? 1 - d.getYear() : d.getYear();
    return String.format("%04d-%02d-%02d", year, d.getMonthValue(), d.getDayOfMonth());
  }

  private static String bc(int isoYear) {
    return isoYear <= 0 ? " BC" : "";
  }

  private static Object decimal(String s) {
    try {
      return new BigDecimal(s);
    } catch (NumberFormatException e) {
      return s; // NaN, Infinity, -Infinity: JSON has no number for them
    }
  }

  private static Object json(String s) throws SQLException {
    if (s == null) {
      return null;
    }
    try {
      // Plain maps and lists, not a JsonNode: the engine writes a JsonNode object as an array
      // (it is an Iterable), and plain values keep numbers exact just the same.
      return JSON.readValue(s, Object.class);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new SQLException("PostgreSQL returned json that does not parse: " + e.getOriginalMessage());
    }
  }
}
