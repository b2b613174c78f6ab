package dev.tributary.runner;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A DuckDB warehouse with Fivetran's semantics, so a person can open it and look.
 *
 * <ul>
 *   <li>One table per table in the responses; columns are created as they appear and widened when
 *       a value no longer fits (type inference below). Every row carries {@code _fivetran_synced}
 *       (UTC timestamp of the write) and {@code _fivetran_deleted}.
 *   <li>With a primary key in {@code schema}: an insert replaces the row with that key; a delete
 *       marks {@code _fivetran_deleted = true} for tables in {@code softDelete}, otherwise removes
 *       the row. Without one: rows are appended with {@code _fivetran_batch} and
 *       {@code _fivetran_index} as the key; a replayed batch replaces itself.
 *   <li>Each response is applied in one transaction.
 * </ul>
 *
 * <p>Type inference from JSON values: {@code true/false} → BOOLEAN; integers → BIGINT (HUGEINT
 * beyond 64 bits, VARCHAR beyond 128); other numbers → DOUBLE; strings that are ISO-8601 instants
 * with an offset → TIMESTAMPTZ, {@code yyyy-MM-dd} → DATE (both only for real calendar dates and
 * clock times), others → VARCHAR; objects and arrays → JSON. A column
 * whose values disagree is widened: BIGINT → HUGEINT → DOUBLE among numbers, anything else to
 * VARCHAR. Nulls never decide a type.
 */
final class Warehouse implements AutoCloseable {
  static final String SYNCED = "_fivetran_synced";
  static final String DELETED = "_fivetran_deleted";
  static final String BATCH = "_fivetran_batch";
  static final String INDEX = "_fivetran_index";

  private static final Pattern INSTANT = Pattern.compile(
      "\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?(Z|[+-]\\d{2}(:?\\d{2})?)");
  private static final Pattern DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");

  private final Connection db;
  private static final com.fasterxml.jackson.databind.ObjectMapper KEY_JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  /**
   * table → primary key, as first declared; kept as the table's comment, so a response that
   * leaves out {@code schema} for a table still upserts by its key.
   */
  private final Map<String, List<String>> keys = new LinkedHashMap<>();
  /** table → column → type, as in the database. */
  private final Map<String, Map<String, String>> columns = new LinkedHashMap<>();

  Warehouse(Path file) throws SQLException {
    this.db = DriverManager.getConnection("jdbc:duckdb:" + file.toAbsolutePath());
    loadColumns();
  }

  private void loadColumns() throws SQLException {
    columns.clear();
    keys.clear();
    try (Statement s = db.createStatement();
         ResultSet rs = s.executeQuery("SELECT table_name, comment FROM duckdb_tables()"
             + " WHERE schema_name = 'main' AND NOT temporary")) {
      while (rs.next()) {
        String comment = rs.getString(2);
        if (comment != null && comment.startsWith("[")) {
          List<String> pk = new ArrayList<>();
          try {
            KEY_JSON.readTree(comment).forEach(n -> pk.add(n.asText()));
          } catch (java.io.IOException e) {
            continue; // not ours
          }
          keys.put(rs.getString(1), pk);
        }
      }
    }
    try (Statement s = db.createStatement();
         ResultSet rs = s.executeQuery("SELECT table_name, column_name, data_type FROM"
             + " information_schema.columns WHERE table_schema = 'main'"
             + " AND table_catalog = current_database() ORDER BY ordinal_position")) {
      while (rs.next()) {
        columns.computeIfAbsent(rs.getString(1), t -> new LinkedHashMap<>())
            .put(rs.getString(2), rs.getString(3).toUpperCase(Locale.ROOT));
      }
    }
  }

  /** What one applied response changed, per table. */
  record Applied(Map<String, long[]> perTable) {}

  /**
   * Applies one accepted response in a transaction.
   *
   * @param batch identifies this response for tables without a primary key (the same call
   *     replayed gets the same id and replaces its own rows)
   */
  Applied apply(JsonNode response, String batch) throws SQLException {
    Map<String, long[]> counts = new LinkedHashMap<>();
    Set<String> soft = new HashSet<>();
    JsonNode sd = response.path("softDelete");
    if (sd.isArray()) {
      sd.forEach(n -> soft.add(n.asText()));
    }
    boolean allSoft = sd.isBoolean() && sd.booleanValue();
    boolean auto = db.getAutoCommit();
    db.setAutoCommit(false);
    try {
      for (Iterator<Map.Entry<String, JsonNode>> it = response.path("insert").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        List<String> pk = primaryKey(response, e.getKey());
        counts.computeIfAbsent(e.getKey(), k -> new long[2])[0] +=
            upsert(e.getKey(), pk, e.getValue(), batch);
        if (!pk.isEmpty() && !pk.equals(keys.get(e.getKey()))) {
          remember(e.getKey(), pk);
        }
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = response.path("delete").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        List<String> pk = primaryKey(response, e.getKey());
        counts.computeIfAbsent(e.getKey(), k -> new long[2])[1] +=
            delete(e.getKey(), pk, e.getValue(), allSoft || soft.contains(e.getKey()));
      }
      db.commit();
    } catch (SQLException | RuntimeException e) {
      db.rollback();
      // The rollback undid this response's CREATE and ALTER too: forget them here as well.
      columns.clear();
      try {
        loadColumns();
      } catch (SQLException reload) {
        e.addSuppressed(reload);
      }
      throw e;
    } finally {
      db.setAutoCommit(auto);
    }
    return new Applied(counts);
  }

  private List<String> primaryKey(JsonNode response, String table) throws SQLException {
    List<String> pk = new ArrayList<>();
    response.path("schema").path(table).path("primary_key").forEach(n -> pk.add(n.asText()));
    if (pk.isEmpty()) {
      return keys.getOrDefault(table, pk);
    }
    if (columns.containsKey(table) && !pk.equals(keys.get(table))) {
      remember(table, pk);
    }
    return pk;
  }

  private void remember(String table, List<String> pk) throws SQLException {
    try {
      exec("COMMENT ON TABLE " + q(table) + " IS '"
          + KEY_JSON.writeValueAsString(pk).replace("'", "''") + "'");
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    keys.put(table, pk);
  }

  /** Rows per multi-row INSERT into the staging table. */
  private static final int STAGE_CHUNK = 256;

  private long upsert(String table, List<String> pk, JsonNode rows, String batch) throws SQLException {
    ensureTable(table, pk.isEmpty());
    for (JsonNode row : rows) {
      for (Iterator<Map.Entry<String, JsonNode>> it = row.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> c = it.next();
        ensureColumn(table, c.getKey(), c.getValue());
      }
    }
    List<String> cols = new ArrayList<>(columns.get(table).keySet());
    cols.removeAll(List.of(SYNCED, DELETED, BATCH, INDEX));
    stage(cols, rows);
    Map<String, String> types = columns.get(table);
    StringBuilder select = new StringBuilder();
    for (String c : cols) {
      select.append(cast(c, types.get(c))).append(", ");
    }
    String target = "INSERT INTO " + q(table) + " (" + joinQuoted(cols) + (cols.isEmpty() ? "" : ", ")
        + q(SYNCED) + ", " + q(DELETED);
    if (pk.isEmpty()) {
      // Append-only: a replayed call (same batch id) replaces its own rows instead of doubling them.
      try (PreparedStatement del = db.prepareStatement("DELETE FROM " + q(table) + " WHERE "
          + q(BATCH) + " = ?")) {
        del.setString(1, batch);
        del.executeUpdate();
      }
      try (PreparedStatement ins = db.prepareStatement(target + ", " + q(BATCH) + ", " + q(INDEX)
          + ") SELECT " + select + "current_timestamp, false, ?, _ord FROM _tributary_stage ORDER BY _ord")) {
        ins.setString(1, batch);
        ins.executeUpdate();
      }
    } else {
      exec("DELETE FROM " + q(table) + " USING _tributary_stage s WHERE " + keyJoin(table, pk, types));
      // The same key twice in one response: the later row wins, as in Fivetran.
      exec(target + ") SELECT " + select + "current_timestamp, false FROM _tributary_stage"
          + " QUALIFY row_number() OVER (PARTITION BY " + joinQuoted(pk) + " ORDER BY _ord DESC) = 1");
    }
    exec("DROP TABLE _tributary_stage");
    return rows.size();
  }

  private long delete(String table, List<String> pk, JsonNode rows, boolean soft) throws SQLException {
    if (!columns.containsKey(table) || pk.isEmpty()) {
      return rows.size(); // nothing of it was ever inserted: nothing to delete
    }
    for (String c : pk) {
      for (JsonNode row : rows) {
        ensureColumn(table, c, row.get(c));
      }
    }
    Map<String, String> types = columns.get(table);
    stage(pk, rows);
    exec(soft
        ? "UPDATE " + q(table) + " SET " + q(DELETED) + " = true, " + q(SYNCED)
            + " = current_timestamp FROM _tributary_stage s WHERE " + keyJoin(table, pk, types)
        : "DELETE FROM " + q(table) + " USING _tributary_stage s WHERE " + keyJoin(table, pk, types));
    exec("DROP TABLE _tributary_stage");
    return rows.size();
  }

  /** Loads rows as text into a temporary staging table with an ordinal, in multi-row inserts. */
  private void stage(List<String> cols, JsonNode rows) throws SQLException {
    StringBuilder ddl = new StringBuilder("CREATE OR REPLACE TEMP TABLE _tributary_stage (_ord BIGINT");
    for (String c : cols) {
      ddl.append(", ").append(q(c)).append(" VARCHAR");
    }
    exec(ddl.append(")").toString());
    String one = "(" + "?, ".repeat(cols.size()) + "?)";
    int ord = 0;
    List<JsonNode> all = new ArrayList<>();
    rows.forEach(all::add);
    for (int from = 0; from < all.size(); from += STAGE_CHUNK) {
      List<JsonNode> chunk = all.subList(from, Math.min(all.size(), from + STAGE_CHUNK));
      String sql = "INSERT INTO _tributary_stage VALUES " + String.join(", ",
          java.util.Collections.nCopies(chunk.size(), one));
      try (PreparedStatement st = db.prepareStatement(sql)) {
        int i = 1;
        for (JsonNode row : chunk) {
          st.setLong(i++, ord++);
          for (String c : cols) {
            bind(st, i++, row.get(c));
          }
        }
        st.executeUpdate();
      }
    }
  }

  private static String cast(String column, String type) {
    return "CAST(" + q(column) + " AS " + type + ")";
  }

  private static String keyJoin(String table, List<String> pk, Map<String, String> types) {
    StringBuilder sb = new StringBuilder();
    for (String c : pk) {
      if (sb.length() > 0) {
        sb.append(" AND ");
      }
      sb.append(q(table)).append('.').append(q(c)).append(" = CAST(s.").append(q(c)).append(" AS ").append(types.get(c)).append(")");
    }
    return sb.toString();
  }

  private static String joinQuoted(List<String> cols) {
    StringBuilder sb = new StringBuilder();
    for (String c : cols) {
      sb.append(sb.length() == 0 ? "" : ", ").append(q(c));
    }
    return sb.toString();
  }

  /** Binds a JSON value as text; DuckDB casts it to the column's type. */
  private static void bind(PreparedStatement st, int i, JsonNode v) throws SQLException {
    if (v == null || v.isNull()) {
      st.setNull(i, java.sql.Types.VARCHAR);
    } else if (v.isContainerNode()) {
      st.setString(i, v.toString());
    } else {
      st.setString(i, v.asText());
    }
  }

  private void ensureTable(String table, boolean appendOnly) throws SQLException {
    if (columns.containsKey(table)) {
      return;
    }
    String extra = appendOnly ? ", " + q(BATCH) + " VARCHAR, " + q(INDEX) + " BIGINT" : "";
    exec("CREATE TABLE " + q(table) + " (" + q(SYNCED) + " TIMESTAMPTZ, " + q(DELETED)
        + " BOOLEAN" + extra + ")");
    Map<String, String> cols = new LinkedHashMap<>();
    cols.put(SYNCED, "TIMESTAMP WITH TIME ZONE");
    cols.put(DELETED, "BOOLEAN");
    if (appendOnly) {
      cols.put(BATCH, "VARCHAR");
      cols.put(INDEX, "BIGINT");
    }
    columns.put(table, cols);
  }

  private void ensureColumn(String table, String column, JsonNode value) throws SQLException {
    String type = typeOf(value);
    if (type == null) {
      return;
    }
    Map<String, String> cols = columns.get(table);
    String have = cols.get(column);
    if (have == null) {
      exec("ALTER TABLE " + q(table) + " ADD COLUMN " + q(column) + " " + type);
      cols.put(column, type);
      return;
    }
    String widened = widen(normalise(have), type);
    if (!widened.equals(normalise(have))) {
      exec("ALTER TABLE " + q(table) + " ALTER " + q(column) + " TYPE " + widened);
      cols.put(column, widened);
    }
  }

  static String typeOf(JsonNode v) {
    if (v == null || v.isNull()) {
      return null;
    }
    if (v.isBoolean()) {
      return "BOOLEAN";
    }
    if (v.isIntegralNumber()) {
      return v.canConvertToLong() ? "BIGINT" : v.bigIntegerValue().bitLength() < 128 ? "HUGEINT"
          : "VARCHAR";
    }
    if (v.isNumber()) {
      return "DOUBLE";
    }
    if (v.isTextual()) {
      String s = v.textValue();
      if (INSTANT.matcher(s).matches() && isCalendarDate(s) && isClockTime(s.substring(11, 19))) {
        return "TIMESTAMPTZ";
      }
      if (DATE.matcher(s).matches() && isCalendarDate(s)) {
        return "DATE";
      }
      return "VARCHAR";
    }
    return "JSON";
  }

  // The patterns check the shape; the database also needs a real date and time ("2024-13-45" has
  // the shape), or the cast fails and takes the whole response with it.
  private static boolean isCalendarDate(String s) {
    try {
      LocalDate.parse(s.substring(0, 10));
      return true;
    } catch (DateTimeParseException e) {
      return false;
    }
  }

  private static boolean isClockTime(String hhmmss) {
    try {
      LocalTime.parse(hhmmss);
      return true;
    } catch (DateTimeParseException e) {
      return false;
    }
  }

  private static String normalise(String dbType) {
    switch (dbType) {
      case "TIMESTAMP WITH TIME ZONE":
        return "TIMESTAMPTZ";
      case "INTEGER":
        return "BIGINT";
      default:
        return dbType;
    }
  }

  static String widen(String have, String next) {
    if (have.equals(next)) {
      return have;
    }
    List<String> numbers = List.of("BIGINT", "HUGEINT", "DOUBLE");
    if (numbers.contains(have) && numbers.contains(next)) {
      return numbers.get(Math.max(numbers.indexOf(have), numbers.indexOf(next)));
    }
    return "VARCHAR";
  }

  private void exec(String sql) throws SQLException {
    try (Statement s = db.createStatement()) {
      s.execute(sql);
    }
  }

  static String q(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }

  /** Runs a query and prints it as a table; returns the number of rows. */
  int query(String sql, PrintStream out) throws SQLException {
    try (Statement s = db.createStatement()) {
      if (!s.execute(sql)) {
        out.println("ok (" + s.getUpdateCount() + " rows changed)");
        return 0;
      }
      try (ResultSet rs = s.getResultSet()) {
        return Tables.print(rs, out);
      }
    }
  }

  /** Rows of a table as column → value text, for checks and the demo's comparison. */
  List<Map<String, String>> rows(String table, String where) throws SQLException {
    if (!columns.containsKey(table)) {
      return new ArrayList<>();
    }
    return select("SELECT * FROM " + q(table) + (where == null ? "" : " WHERE " + where));
  }

  /** The rows {@code sql} selects, as column → value text. */
  List<Map<String, String>> select(String sql) throws SQLException {
    List<Map<String, String>> out = new ArrayList<>();
    try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      ResultSetMetaData md = rs.getMetaData();
      while (rs.next()) {
        Map<String, String> row = new LinkedHashMap<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
          row.put(md.getColumnName(i), rs.getString(i));
        }
        out.add(row);
      }
    }
    return out;
  }

  Set<String> tables() {
    return columns.keySet();
  }

  @Override
  public void close() throws SQLException {
    db.close();
  }
}
