package dev.tributary.destination.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.destination.Applied;
import dev.tributary.destination.ColumnType;
import dev.tributary.destination.Destination;
import dev.tributary.destination.DestinationException;
import dev.tributary.destination.DestinationOptions;
import dev.tributary.destination.Lease;
import dev.tributary.destination.LeaseHeldException;
import dev.tributary.destination.QueryResult;
import dev.tributary.destination.StaleStateException;
import java.io.IOException;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A destination on one JDBC connection: the apply algorithm shared by every SQL database, with
 * what differs (types, staging, locks, names) left to a subclass.
 *
 * <p>Each response is applied set-based: a table's rows go as text into a temporary staging
 * table, then one {@code DELETE … USING} and one {@code INSERT … SELECT} (with casts to the
 * columns' types) move them into the table. The connection's state row is read {@code FOR
 * UPDATE}, compared with the request's state, and rewritten in the same transaction.
 */
public abstract class SqlDestination implements Destination {
  static final String SYNCED = "_fivetran_synced";
  static final String DELETED = "_fivetran_deleted";
  static final String BATCH = "_fivetran_batch";
  static final String INDEX = "_fivetran_index";
  static final Set<String> SYSTEM = Set.of(SYNCED, DELETED, BATCH, INDEX);
  static final String STATE_TABLE = "_tributary_state";
  static final String TABLES_TABLE = "_tributary_tables";
  static final String STAGE = "_tributary_stage";
  static final String ORD = "_tributary_ord";
  private static final int MAX_CONNECTION_NAME = 200;

  /** Numbers compare by value, so a state parsed another way (1.5 as a double) still matches. */
  private static final Comparator<JsonNode> BY_VALUE = (a, b) -> {
    if (a.isNumber() && b.isNumber()) {
      return a.decimalValue().compareTo(b.decimalValue());
    }
    return a.equals(b) ? 0 : 1;
  };

  protected final Connection db;
  protected final DestinationOptions options;
  private final Map<String, TableMeta> tables = new LinkedHashMap<>();
  /** Every table of the schema, ours or not, so we never write into someone else's. */
  private final Set<String> existing = new HashSet<>();
  private final Map<String, LeaseImpl> leases = new HashMap<>();
  private boolean closed;

  protected SqlDestination(Connection db, DestinationOptions options) {
    this.db = db;
    this.options = options;
  }

  // ---------------------------------------------------------------------------------------------
  // What a database does its own way

  /** The table's name as SQL, schema-qualified where the database has schemas. */
  protected abstract String qualified(String table);

  /** {@code (table_name, column_name, data_type)} of every column in the destination's schema. */
  protected abstract String columnsSql();

  /** The type to create for {@code type}. */
  protected abstract String sqlType(ColumnType type);

  /** A column whose {@code information_schema} data type is {@code dataType}. */
  protected abstract Column column(String dataType);

  /** Converts the staged text {@code expr} to the column's type. */
  protected String convert(String expr, Column c) {
    return "CAST(" + expr + " AS " + c.sqlType() + ")";
  }

  /** The statement that widens {@code column} from {@code from} to {@code to}. */
  protected abstract String widenSql(String table, String column, Column from, Column to);

  /** Makes {@code key} the table's key in the database (constraint or nothing). */
  protected abstract void setKey(String table, List<String> key, boolean created) throws SQLException;

  /** Creates the temporary staging table {@code _tributary_stage(_tributary_ord, cols…)}, all text. */
  protected abstract void createStage(List<String> cols) throws SQLException;

  /**
   * Loads {@code rows} into the staging table; {@code texts} are the values as text, row by row,
   * each row made when it is read: go through them once, in order.
   */
  protected abstract void loadStage(String table, List<String> cols, List<String[]> texts)
      throws SQLException;

  /** Serialises table creation between processes sharing the schema (or nothing). */
  protected abstract void lockBookkeeping() throws SQLException;

  /** Tries to take the connection's lease in the database; false if another session holds it. */
  protected abstract boolean tryLock(String connection) throws SQLException;

  protected abstract void unlock(String connection) throws SQLException;

  /** Who holds the connection's lease, for the message; empty if the database cannot tell. */
  protected abstract String holder(String connection) throws SQLException;

  /** {@code " FOR UPDATE"} where the database locks rows that way. */
  protected abstract String forUpdate();

  /** The type a value suggests in this database. */
  protected ColumnType infer(JsonNode v) {
    return Types.infer(v);
  }

  /** Whether a value fits a column of {@code type} in this database. */
  protected boolean fits(ColumnType type, JsonNode v) {
    return Types.fits(type, v);
  }

  /** Throws if {@code name} cannot name a {@code kind} (table, column) in this database. */
  protected void checkName(String kind, String name, String table) {
    if (name.isEmpty()) {
      throw new DestinationException((kind.equals("table") ? "a table" : "table " + table
          + " has a column") + " with an empty name: no database can store it; name it in the"
          + " connector");
    }
  }

  /** {@code message} without anything secret in it. */
  protected String redact(String message) {
    return message;
  }

  // ---------------------------------------------------------------------------------------------
  // Opening

  /** Creates the bookkeeping tables if missing and reads what the schema holds. */
  protected final void init() throws SQLException {
    inTransaction(() -> {
      lockBookkeeping();
      exec("CREATE TABLE IF NOT EXISTS " + qualified(TABLES_TABLE) + " (table_name VARCHAR"
          + " PRIMARY KEY, connection VARCHAR NOT NULL, primary_key VARCHAR NOT NULL,"
          + " created_at TIMESTAMPTZ NOT NULL)");
      exec("CREATE TABLE IF NOT EXISTS " + qualified(STATE_TABLE) + " (connection VARCHAR"
          + " PRIMARY KEY, state VARCHAR NOT NULL, batch BIGINT NOT NULL,"
          + " updated_at TIMESTAMPTZ NOT NULL)");
      return null;
    });
    loadMeta();
  }

  private void loadMeta() throws SQLException {
    tables.clear();
    existing.clear();
    try (Statement s = db.createStatement();
         ResultSet rs = s.executeQuery("SELECT table_name, connection, primary_key FROM "
             + qualified(TABLES_TABLE) + " ORDER BY created_at, table_name")) {
      while (rs.next()) {
        List<String> pk = new ArrayList<>();
        try {
          Destinations.JSON.readTree(rs.getString(3)).forEach(n -> pk.add(n.asText()));
        } catch (IOException e) {
          throw new DestinationException("the primary key of table " + rs.getString(1) + " in "
              + TABLES_TABLE + " is not JSON; fix or delete that row", e);
        }
        tables.put(rs.getString(1), new TableMeta(rs.getString(2), pk));
      }
    }
    try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery(columnsSql())) {
      while (rs.next()) {
        existing.add(rs.getString(1));
        TableMeta meta = tables.get(rs.getString(1));
        if (meta != null) {
          meta.columns.put(rs.getString(2), column(rs.getString(3)));
        }
      }
    }
    // A table we recorded but someone dropped: forget it, so the next insert creates it again.
    tables.keySet().retainAll(existing);
  }

  // ---------------------------------------------------------------------------------------------
  // Destination

  @Override
  public synchronized Lease lease(String connection) {
    checkOpen();
    checkConnection(connection);
    if (leases.containsKey(connection)) {
      throw new LeaseHeldException(connection, "this process, through this destination");
    }
    try {
      if (!tryLock(connection)) {
        throw new LeaseHeldException(connection, holder(connection));
      }
      try {
        loadMeta();
      } catch (SQLException | RuntimeException e) {
        unlock(connection);
        throw e;
      }
    } catch (SQLException e) {
      throw failure("taking the lease of connection " + connection, e);
    }
    LeaseImpl lease = new LeaseImpl(connection);
    leases.put(connection, lease);
    return lease;
  }

  @Override
  public synchronized ObjectNode state(String connection) {
    checkOpen();
    checkConnection(connection);
    try {
      return (ObjectNode) readState(connection, false).state;
    } catch (SQLException e) {
      throw failure("reading the state of connection " + connection, e);
    }
  }

  @Override
  public synchronized Set<String> tables(String connection) {
    checkOpen();
    refresh();
    Set<String> out = new LinkedHashSet<>();
    tables.forEach((t, m) -> {
      if (m.connection.equals(connection)) {
        out.add(t);
      }
    });
    return out;
  }

  @Override
  public synchronized List<Map<String, Object>> rows(String table) {
    checkOpen();
    refresh();
    TableMeta meta = tables.get(table);
    if (meta == null) {
      return List.of();
    }
    List<String> order = meta.appendOnly() ? List.of(BATCH, INDEX) : meta.primaryKey;
    List<Map<String, Object>> out = new ArrayList<>();
    try (Statement s = db.createStatement();
         ResultSet rs = s.executeQuery("SELECT * FROM " + qualified(table) + " ORDER BY "
             + joinQuoted(order))) {
      ResultSetMetaData md = rs.getMetaData();
      while (rs.next()) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
          String name = md.getColumnName(i);
          row.put(name, read(rs, i, meta.columns.get(name)));
        }
        out.add(row);
      }
    } catch (SQLException e) {
      throw failure("reading table " + table, e);
    }
    return out;
  }

  /** A value of a column as the Java type {@link Destination#rows} promises. */
  protected Object read(ResultSet rs, int i, Column c) throws SQLException {
    Object raw = rs.getObject(i);
    if (raw == null || (c != null && c.foreign())) {
      return raw; // a type someone else gave the column: as the driver reads it
    }
    switch (c == null ? ColumnType.TEXT : c.type()) {
      case BOOLEAN:
        return rs.getBoolean(i);
      case INTEGER:
        return rs.getLong(i);
      case BIG_INTEGER:
      case DECIMAL:
        return raw instanceof Number && !(raw instanceof BigDecimal) ? raw : rs.getBigDecimal(i);
      case TIMESTAMP:
        return rs.getObject(i, OffsetDateTime.class).toInstant();
      case DATE:
        return rs.getObject(i, LocalDate.class);
      case JSON:
        try {
          return Destinations.READER.readTree(rs.getString(i));
        } catch (IOException e) {
          throw new SQLException("column " + rs.getMetaData().getColumnName(i) + " holds no JSON", e);
        }
      case BYTES:
        return rs.getBytes(i);
      default:
        return rs.getString(i);
    }
  }

  @Override
  public synchronized QueryResult query(String sql) {
    checkOpen();
    try (Statement s = db.createStatement()) {
      if (!s.execute(sql)) {
        return new QueryResult(List.of(), List.of(), s.getUpdateCount());
      }
      try (ResultSet rs = s.getResultSet()) {
        ResultSetMetaData md = rs.getMetaData();
        List<String> columns = new ArrayList<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
          columns.add(md.getColumnLabel(i));
        }
        List<List<String>> rows = new ArrayList<>();
        while (rs.next()) {
          List<String> row = new ArrayList<>();
          for (int i = 1; i <= columns.size(); i++) {
            row.add(rs.getString(i));
          }
          rows.add(row);
        }
        return new QueryResult(columns, rows, -1);
      }
    } catch (SQLException e) {
      throw failure("running the query", e);
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (String connection : new ArrayList<>(leases.keySet())) {
      try {
        unlock(connection);
      } catch (SQLException e) {
        // The session ends below, and the lock with it.
      }
    }
    leases.clear();
    try {
      db.close();
    } catch (SQLException e) {
      throw failure("closing", e);
    }
  }

  /** Without a lease our picture of the tables may be old: another run may have written. */
  private void refresh() {
    if (leases.isEmpty()) {
      try {
        loadMeta();
      } catch (SQLException e) {
        throw failure("reading the destination's tables", e);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Writing, under a lease

  private record Stored(JsonNode state, long batch, boolean exists) {}

  private Stored readState(String connection, boolean lock) throws SQLException {
    try (PreparedStatement st = db.prepareStatement("SELECT state, batch FROM "
        + qualified(STATE_TABLE) + " WHERE connection = ?" + (lock ? forUpdate() : ""))) {
      st.setString(1, connection);
      try (ResultSet rs = st.executeQuery()) {
        if (!rs.next()) {
          return new Stored(Destinations.JSON.createObjectNode(), 0, false);
        }
        JsonNode state;
        try {
          state = Destinations.READER.readTree(rs.getString(1));
        } catch (IOException e) {
          state = null;
        }
        if (state == null || !state.isObject()) {
          throw new DestinationException("the state of connection " + connection + " in "
              + STATE_TABLE + " is not a JSON object; replace it (the state API) or reset the"
              + " connection");
        }
        return new Stored(state, rs.getLong(2), true);
      }
    }
  }

  private void writeState(String connection, JsonNode state, long batch, boolean exists)
      throws SQLException {
    String text;
    try {
      text = Destinations.JSON.writeValueAsString(state);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    try (PreparedStatement st = db.prepareStatement(exists
        ? "UPDATE " + qualified(STATE_TABLE) + " SET state = ?, batch = ?,"
            + " updated_at = current_timestamp WHERE connection = ?"
        : "INSERT INTO " + qualified(STATE_TABLE) + " (state, batch, connection, updated_at)"
            + " VALUES (?, ?, ?, current_timestamp)")) {
      st.setString(1, text);
      st.setLong(2, batch);
      st.setString(3, connection);
      st.executeUpdate();
    }
  }

  synchronized Applied apply(LeaseImpl lease, JsonNode requestState, JsonNode response) {
    lease.check();
    String connection = lease.connection;
    if (response == null || !response.isObject()) {
      throw new DestinationException("the response is not a JSON object: nothing applied");
    }
    JsonNode newState = response.get("state");
    if (newState == null || !newState.isObject()) {
      throw new DestinationException("the response's state is "
          + (newState == null ? "missing" : "a JSON " + kind(newState)) + ", not an object:"
          + " nothing applied");
    }
    JsonNode expected = requestState == null || requestState.isNull()
        ? Destinations.JSON.createObjectNode() : requestState;
    String[] step = {"reading the state of connection " + connection};
    try {
      return inTransaction(() -> {
        Stored stored = readState(connection, true);
        if (!stored.state.equals(BY_VALUE, expected)) {
          throw new StaleStateException("connection " + connection + ": the stored state is not"
              + " the state this call was made with (the call was applied already, or another"
              + " run moved the state); nothing applied — read the state and call again");
        }
        long batch = stored.batch + 1;
        Set<String> soft = new HashSet<>();
        JsonNode sd = response.path("softDelete");
        sd.forEach(n -> soft.add(n.asText()));
        boolean allSoft = sd.isBoolean() && sd.booleanValue();
        Map<String, long[]> counts = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : entries(response, "insert")) {
          step[0] = "inserting into table " + e.getKey();
          counts.computeIfAbsent(e.getKey(), k -> new long[2])[0] +=
              upsert(connection, e.getKey(), declaredKey(response, e.getKey()), e.getValue(), batch);
        }
        for (Map.Entry<String, JsonNode> e : entries(response, "delete")) {
          step[0] = "deleting from table " + e.getKey();
          counts.computeIfAbsent(e.getKey(), k -> new long[2])[1] += delete(connection,
              e.getKey(), declaredKey(response, e.getKey()), e.getValue(),
              allSoft || soft.contains(e.getKey()));
        }
        step[0] = "writing the state of connection " + connection;
        writeState(connection, newState, batch, stored.exists);
        Map<String, Applied.Counts> out = new LinkedHashMap<>();
        counts.forEach((t, n) -> out.put(t, new Applied.Counts(n[0], n[1])));
        return new Applied(out, batch);
      });
    } catch (SQLException e) {
      throw failure(step[0], e, "; nothing applied, the state stays where it was");
    }
  }

  synchronized void replaceState(LeaseImpl lease, ObjectNode state) {
    lease.check();
    if (state == null) {
      throw new DestinationException("state == null: give a JSON object ({} to start over)");
    }
    try {
      inTransaction(() -> {
        Stored stored = readState(lease.connection, true);
        writeState(lease.connection, state, stored.batch, stored.exists);
        return null;
      });
    } catch (SQLException e) {
      throw failure("replacing the state of connection " + lease.connection, e);
    }
  }

  synchronized void reset(LeaseImpl lease) {
    lease.check();
    String connection = lease.connection;
    try {
      inTransaction(() -> {
        for (Map.Entry<String, TableMeta> e : tables.entrySet()) {
          if (e.getValue().connection.equals(connection)) {
            exec("DROP TABLE IF EXISTS " + qualified(e.getKey()));
          }
        }
        for (String t : List.of(TABLES_TABLE, STATE_TABLE)) {
          try (PreparedStatement st = db.prepareStatement("DELETE FROM " + qualified(t)
              + " WHERE connection = ?")) {
            st.setString(1, connection);
            st.executeUpdate();
          }
        }
        return null;
      });
      loadMeta();
    } catch (SQLException e) {
      throw failure("resetting connection " + connection, e);
    }
  }

  synchronized void release(LeaseImpl lease) {
    if (leases.remove(lease.connection) == lease && !closed) {
      try {
        unlock(lease.connection);
      } catch (SQLException e) {
        throw failure("giving back the lease of connection " + lease.connection, e);
      }
    }
  }

  private long upsert(String connection, String table, List<String> declared, JsonNode rows,
      long batch) throws SQLException {
    TableMeta meta = tables.get(table);
    List<String> pk = declared.isEmpty() && meta != null ? meta.primaryKey : declared;
    List<JsonNode> list = rowsOf("insert", table, rows, pk);
    boolean created = false;
    if (meta == null) {
      meta = create(connection, table, pk);
      created = true;
    } else {
      checkOwner(connection, table, meta);
    }
    ensureColumns(table, meta, list, null);
    if (created ? !pk.isEmpty() : !pk.equals(meta.primaryKey) && !pk.isEmpty()) {
      rekey(table, meta, pk, created);
    }
    if (list.isEmpty()) {
      return 0;
    }
    List<String> cols = new ArrayList<>(meta.columns.keySet());
    cols.removeAll(SYSTEM);
    stage(table, meta, cols, list);
    StringBuilder select = new StringBuilder();
    for (String c : cols) {
      select.append(convert("s." + q(c), meta.columns.get(c))).append(", ");
    }
    String into = "INSERT INTO " + qualified(table) + " (" + joinQuoted(cols)
        + (cols.isEmpty() ? "" : ", ") + q(SYNCED) + ", " + q(DELETED);
    if (pk.isEmpty()) {
      exec(into + ", " + q(BATCH) + ", " + q(INDEX) + ") SELECT " + select + "current_timestamp,"
          + " false, " + batch + ", s." + ORD + " FROM " + STAGE + " s");
    } else {
      exec("DELETE FROM " + qualified(table) + " USING " + STAGE + " s WHERE "
          + keyJoin(table, meta, pk));
      // The same key twice in one response: the later row wins.
      StringBuilder keys = new StringBuilder();
      for (String k : pk) {
        keys.append(convert("s." + q(k), meta.columns.get(k))).append(", ");
      }
      exec(into + ") SELECT DISTINCT ON (" + keys.substring(0, keys.length() - 2) + ") " + select
          + "current_timestamp, false FROM " + STAGE + " s ORDER BY " + keys + "s." + ORD
          + " DESC");
    }
    exec("DROP TABLE " + STAGE);
    return list.size();
  }

  private long delete(String connection, String table, List<String> declared, JsonNode rows,
      boolean soft) throws SQLException {
    TableMeta meta = tables.get(table);
    List<String> pk = declared.isEmpty() && meta != null ? meta.primaryKey : declared;
    if (pk.isEmpty()) {
      throw new DestinationException("delete for table " + table + " without a primary key in"
          + " the response's schema: no row can be found to delete; declare the table's key");
    }
    List<JsonNode> list = rowsOf("delete", table, rows, pk);
    if (meta == null) {
      if (existing.contains(table)) {
        throw notOurs(table);
      }
      return list.size(); // nothing of it was ever inserted: nothing to delete
    }
    checkOwner(connection, table, meta);
    ensureColumns(table, meta, list, pk);
    if (!list.isEmpty()) {
      stage(table, meta, pk, list);
      exec(soft
          ? "UPDATE " + qualified(table) + " SET " + q(DELETED) + " = true, " + q(SYNCED)
              + " = current_timestamp FROM " + STAGE + " s WHERE " + keyJoin(table, meta, pk)
          : "DELETE FROM " + qualified(table) + " USING " + STAGE + " s WHERE "
              + keyJoin(table, meta, pk));
      exec("DROP TABLE " + STAGE);
    }
    return list.size();
  }

  private TableMeta create(String connection, String table, List<String> pk) throws SQLException {
    checkName("table", table, table);
    if (table.startsWith("_tributary_")) {
      throw new DestinationException("table " + table + ": names starting with _tributary_ are"
          + " the destination's own; rename the table in the connector");
    }
    if (existing.contains(table)) {
      throw notOurs(table);
    }
    String extra = pk.isEmpty() ? ", " + q(BATCH) + " " + sqlType(ColumnType.INTEGER) + ", "
        + q(INDEX) + " " + sqlType(ColumnType.INTEGER) : "";
    exec("CREATE TABLE " + qualified(table) + " (" + q(SYNCED) + " "
        + sqlType(ColumnType.TIMESTAMP) + " NOT NULL, " + q(DELETED) + " "
        + sqlType(ColumnType.BOOLEAN) + " NOT NULL" + extra + ")");
    try (PreparedStatement st = db.prepareStatement("INSERT INTO " + qualified(TABLES_TABLE)
        + " (table_name, connection, primary_key, created_at) VALUES (?, ?, ?, current_timestamp)")) {
      st.setString(1, table);
      st.setString(2, connection);
      st.setString(3, Destinations.JSON.writeValueAsString(pk));
      st.executeUpdate();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    TableMeta meta = new TableMeta(connection, pk);
    meta.columns.put(SYNCED, new Column(ColumnType.TIMESTAMP, sqlType(ColumnType.TIMESTAMP), false));
    meta.columns.put(DELETED, new Column(ColumnType.BOOLEAN, sqlType(ColumnType.BOOLEAN), false));
    if (pk.isEmpty()) {
      meta.columns.put(BATCH, new Column(ColumnType.INTEGER, sqlType(ColumnType.INTEGER), false));
      meta.columns.put(INDEX, new Column(ColumnType.INTEGER, sqlType(ColumnType.INTEGER), false));
    }
    tables.put(table, meta);
    existing.add(table);
    return meta;
  }

  /** The key of a table changes (or is set for the first time): record it, and in the database. */
  private void rekey(String table, TableMeta meta, List<String> pk, boolean created)
      throws SQLException {
    setKey(table, pk, created);
    try (PreparedStatement st = db.prepareStatement("UPDATE " + qualified(TABLES_TABLE)
        + " SET primary_key = ? WHERE table_name = ?")) {
      st.setString(1, Destinations.JSON.writeValueAsString(pk));
      st.setString(2, table);
      st.executeUpdate();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    meta.primaryKey = List.copyOf(pk);
  }

  private void checkOwner(String connection, String table, TableMeta meta) {
    if (!meta.connection.equals(connection)) {
      throw new DestinationException("table " + table + " belongs to connection "
          + meta.connection + ", not " + connection + "; give each connection its own schema"
          + " (or database file), or rename the table in the connector");
    }
  }

  private DestinationException notOurs(String table) {
    return new DestinationException("table " + table + " exists in the destination but was not"
        + " created by Tributary; drop or rename it, or use another schema (or database file)");
  }

  /** Creates and widens the columns the rows need; {@code only}, if given, limits the columns. */
  private void ensureColumns(String table, TableMeta meta, List<JsonNode> rows,
      Collection<String> only) throws SQLException {
    Map<String, ColumnType> want = new LinkedHashMap<>();
    for (JsonNode row : rows) {
      for (Iterator<Map.Entry<String, JsonNode>> it = row.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        String name = f.getKey();
        JsonNode v = f.getValue();
        if (SYSTEM.contains(name) || (only != null && !only.contains(name)) || v.isNull()) {
          continue;
        }
        Column have = meta.columns.get(name);
        Optional<ColumnType> declared = options.columnType(table, name);
        ColumnType base = have != null ? have.type() : declared.orElse(null);
        boolean fixed = declared.isPresent()
            || (have != null && (have.foreign() || have.type() == ColumnType.BYTES));
        if (fixed) {
          if (!fits(base, v)) {
            throw new DestinationException("table " + table + ", column " + name + " holds "
                + base + (declared.isPresent() ? " (declared with columnType)" : "") + ", and the"
                + " value " + abbreviate(v) + " is not one; send a " + base + " value, or change"
                + " the column's declared type");
          }
          want.putIfAbsent(name, base);
          continue;
        }
        want.put(name, Types.widen(want.getOrDefault(name, base), infer(v)));
      }
    }
    for (Map.Entry<String, ColumnType> e : want.entrySet()) {
      String name = e.getKey();
      Column have = meta.columns.get(name);
      Column next = new Column(e.getValue(), sqlType(e.getValue()), false);
      if (have == null) {
        checkName("column", name, table);
        if (name.equals(ORD)) {
          throw new DestinationException("table " + table + ": column name " + ORD + " is the"
              + " destination's own; rename the column in the connector");
        }
        exec("ALTER TABLE " + qualified(table) + " ADD COLUMN " + q(name) + " " + next.sqlType());
        meta.columns.put(name, next);
      } else if (!have.foreign() && have.type() != next.type()) {
        exec(widenSql(table, name, have, next));
        meta.columns.put(name, next);
      }
    }
  }

  /** Rows of one table of one section, checked: objects, with every key column. */
  private List<JsonNode> rowsOf(String section, String table, JsonNode rows, List<String> pk) {
    if (!rows.isArray()) {
      throw new DestinationException(section + "." + table + " is not an array of rows:"
          + " nothing applied");
    }
    List<JsonNode> out = new ArrayList<>(rows.size());
    int i = 0;
    for (JsonNode row : rows) {
      if (!row.isObject()) {
        throw new DestinationException(section + "." + table + "[" + i + "] is not an object:"
            + " nothing applied");
      }
      for (String k : pk) {
        JsonNode v = row.get(k);
        if (v == null || v.isNull()) {
          throw new DestinationException(section + "." + table + "[" + i + "] has no value for"
              + " primary-key column " + k + ": nothing applied");
        }
      }
      out.add(row);
      i++;
    }
    return out;
  }

  private void stage(String table, TableMeta meta, List<String> cols, List<JsonNode> rows)
      throws SQLException {
    createStage(cols);
    ColumnType[] types = new ColumnType[cols.size()];
    for (int i = 0; i < types.length; i++) {
      types[i] = meta.columns.get(cols.get(i)).type();
    }
    // Each row's texts are made as the stage takes them, not all first: the response's rows
    // are in memory once already (its tree), and a second full copy as text would double that.
    List<String[]> texts = new java.util.AbstractList<>() {
      @Override
      public String[] get(int index) {
        JsonNode row = rows.get(index);
        String[] t = new String[types.length];
        for (int i = 0; i < t.length; i++) {
          JsonNode v = row.get(cols.get(i));
          t[i] = v == null || v.isNull() ? null : Types.text(types[i], v);
        }
        return t;
      }

      @Override
      public int size() {
        return rows.size();
      }
    };
    loadStage(table, cols, texts);
  }

  private String keyJoin(String table, TableMeta meta, List<String> pk) {
    StringBuilder sb = new StringBuilder();
    for (String c : pk) {
      sb.append(sb.length() == 0 ? "" : " AND ").append(qualified(table)).append('.').append(q(c))
          .append(" = ").append(convert("s." + q(c), meta.columns.get(c)));
    }
    return sb.toString();
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  /** Work inside one transaction. */
  protected interface Work<T> {
    T run() throws SQLException;
  }

  /**
   * Runs {@code work} in one transaction: committed if it returns, rolled back if it throws; after
   * a rollback our picture of the tables is read again, since the rollback undid DDL as well.
   */
  protected final <T> T inTransaction(Work<T> work) throws SQLException {
    db.setAutoCommit(false);
    try {
      T result = work.run();
      db.commit();
      return result;
    } catch (SQLException | RuntimeException | Error e) {
      try {
        db.rollback();
        loadMeta();
      } catch (SQLException | RuntimeException again) {
        e.addSuppressed(again);
      }
      throw e;
    } finally {
      try {
        db.setAutoCommit(true);
      } catch (SQLException e) {
        // A broken connection: the next statement says so.
      }
    }
  }

  protected final void exec(String sql) throws SQLException {
    try (Statement s = db.createStatement()) {
      s.execute(sql);
    }
  }

  protected static String q(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }

  protected static String literal(String text) {
    return "'" + text.replace("'", "''") + "'";
  }

  static String joinQuoted(List<String> cols) {
    StringBuilder sb = new StringBuilder();
    for (String c : cols) {
      sb.append(sb.length() == 0 ? "" : ", ").append(q(c));
    }
    return sb.toString();
  }

  private static List<Map.Entry<String, JsonNode>> entries(JsonNode response, String section) {
    JsonNode n = response.get(section);
    if (n == null || n.isNull()) {
      return List.of();
    }
    if (!n.isObject()) {
      throw new DestinationException(section + " is not an object of table → rows: nothing"
          + " applied");
    }
    List<Map.Entry<String, JsonNode>> out = new ArrayList<>();
    n.fields().forEachRemaining(out::add);
    return out;
  }

  private static List<String> declaredKey(JsonNode response, String table) {
    List<String> pk = new ArrayList<>();
    response.path("schema").path(table).path("primary_key").forEach(n -> pk.add(n.asText()));
    return pk;
  }

  private static String abbreviate(JsonNode v) {
    String s = v.toString();
    return s.length() > 40 ? s.substring(0, 37) + "…" : s;
  }

  private static String kind(JsonNode n) {
    return n.getNodeType().name().toLowerCase(Locale.ROOT);
  }

  private void checkConnection(String connection) {
    if (connection == null || connection.isBlank() || connection.length() > MAX_CONNECTION_NAME
        || connection.chars().anyMatch(Character::isISOControl)) {
      throw new DestinationException("connection name " + (connection == null ? "null"
          : "\"" + connection + "\"") + " is not usable: give 1 to " + MAX_CONNECTION_NAME
          + " printable characters");
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("destination closed");
    }
  }

  /** A database failure as a message that says what we were doing, without secrets. */
  protected final DestinationException failure(String doing, SQLException e) {
    return failure(doing, e, "");
  }

  private DestinationException failure(String doing, SQLException e, String after) {
    StringBuilder m = new StringBuilder(describe()).append(": ").append(doing).append(" failed: ")
        .append(e.getMessage());
    if (e.getSQLState() != null) {
      m.append(" (SQLSTATE ").append(e.getSQLState()).append(')');
    }
    for (SQLException next = e.getNextException(); next != null; next = next.getNextException()) {
      m.append("; ").append(next.getMessage());
    }
    // The cause's own message could name what we redact, so it is not attached.
    DestinationException out = new DestinationException(redact(m.append(after).toString()));
    out.setStackTrace(e.getStackTrace());
    return out;
  }

  /** The lease of one connection, through this destination. */
  final class LeaseImpl implements Lease {
    final String connection;
    private boolean open = true;

    LeaseImpl(String connection) {
      this.connection = connection;
    }

    void check() {
      checkOpen();
      if (!open) {
        throw new IllegalStateException("the lease of connection " + connection + " was given back");
      }
    }

    @Override
    public String connection() {
      return connection;
    }

    @Override
    public ObjectNode state() {
      check();
      return SqlDestination.this.state(connection);
    }

    @Override
    public Applied apply(JsonNode requestState, JsonNode response) {
      return SqlDestination.this.apply(this, requestState, response);
    }

    @Override
    public void replaceState(ObjectNode state) {
      SqlDestination.this.replaceState(this, state);
    }

    @Override
    public void reset() {
      SqlDestination.this.reset(this);
    }

    @Override
    public void close() {
      if (open) {
        open = false;
        release(this);
      }
    }
  }
}
