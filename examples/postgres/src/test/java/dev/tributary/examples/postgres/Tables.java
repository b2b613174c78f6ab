package dev.tributary.examples.postgres;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads a PostgreSQL table and a warehouse (DuckDB) table into the same canonical form — id →
 * column → value — so a test can say "the warehouse equals the source" column by column.
 * Independent of the connector's own mapping: each side is read with its own driver.
 */
final class Tables {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Tables() {}

  /** PostgreSQL column name → type name, in column order. */
  static Map<String, String> types(Connection pg, String qualified) throws SQLException {
    Map<String, String> out = new LinkedHashMap<>();
    try (Statement st = pg.createStatement();
         ResultSet rs = st.executeQuery("SELECT * FROM " + qualified + " LIMIT 0")) {
      ResultSetMetaData md = rs.getMetaData();
      for (int i = 1; i <= md.getColumnCount(); i++) {
        out.put(md.getColumnName(i), md.getColumnTypeName(i));
      }
    }
    return out;
  }

  /** Rows of a PostgreSQL query, by {@code id}, canonical. */
  static Map<Long, Map<String, Object>> source(Connection pg, String sql, Map<String, String> types)
      throws SQLException {
    Map<Long, Map<String, Object>> out = new TreeMap<>();
    try (Statement st = pg.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (Map.Entry<String, String> c : types.entrySet()) {
          row.put(c.getKey(), canonicalSource(rs, c.getKey(), c.getValue()));
        }
        out.put(rs.getLong("id"), row);
      }
    }
    return out;
  }

  /** Rows of a warehouse query, by {@code id}, canonical, for the source's columns. */
  static Map<Long, Map<String, Object>> warehouse(Connection duck, String sql,
      Map<String, String> types) throws SQLException {
    Map<Long, Map<String, Object>> out = new TreeMap<>();
    try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (Map.Entry<String, String> c : types.entrySet()) {
          row.put(c.getKey(), canonicalWarehouse(rs, c.getKey(), c.getValue()));
        }
        out.put(rs.getLong("id"), row);
      }
    }
    return out;
  }

  private static Object canonicalSource(ResultSet rs, String col, String type) throws SQLException {
    if (rs.getObject(col) == null) {
      return null;
    }
    switch (type) {
      case "numeric":
        return number(rs.getBigDecimal(col).toPlainString());
      case "timestamptz":
        return rs.getObject(col, OffsetDateTime.class).toInstant();
      case "jsonb":
      case "json":
        return tree(rs.getString(col));
      case "bool":
        return rs.getBoolean(col);
      default:
        if (type.startsWith("_")) {
          Array a = rs.getArray(col);
          return JSON.valueToTree(new ArrayList<>(Arrays.asList((Object[]) a.getArray())));
        }
        return rs.getString(col);
    }
  }

  private static Object canonicalWarehouse(ResultSet rs, String col, String type)
      throws SQLException {
    if (rs.getObject(col) == null) {
      return null;
    }
    switch (type) {
      case "numeric":
        return number(rs.getString(col));
      case "timestamptz":
        return rs.getObject(col, OffsetDateTime.class).toInstant();
      case "bool":
        return rs.getBoolean(col);
      default:
        if (type.startsWith("_") || type.startsWith("json")) {
          return tree(rs.getString(col));
        }
        return rs.getString(col);
    }
  }

  private static String number(String s) {
    BigDecimal d = new BigDecimal(s).stripTrailingZeros();
    return d.signum() == 0 ? "0" : d.toPlainString();
  }

  private static JsonNode tree(String s) {
    try {
      return JSON.readTree(s);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new AssertionError("not JSON: " + s, e);
    }
  }

  /** Fails naming the first id whose row differs, instead of printing both tables. */
  static void assertSameRows(Map<Long, Map<String, Object>> expected,
      Map<Long, Map<String, Object>> actual, String what) {
    for (Map.Entry<Long, Map<String, Object>> e : expected.entrySet()) {
      org.junit.jupiter.api.Assertions.assertEquals(e.getValue(), actual.get(e.getKey()),
          what + ": row " + e.getKey());
    }
    org.junit.jupiter.api.Assertions.assertEquals(expected.keySet(), actual.keySet(),
        what + ": ids");
  }

  static List<Long> ids(Map<Long, ?> rows) {
    return new ArrayList<>(rows.keySet());
  }
}
