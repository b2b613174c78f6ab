package dev.tributary.examples.postgres;

import dev.tributary.Connector;
import dev.tributary.MissingSecretException;
import dev.tributary.Page;
import dev.tributary.Position;
import dev.tributary.Row;
import dev.tributary.Schema;
import dev.tributary.Secrets;
import dev.tributary.Table;
import dev.tributary.TableRead;
import dev.tributary.ValueType;
import java.io.IOException;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A generic PostgreSQL connector: syncs any tables without code changes, each read by keyset on
 * {@code (cursor, tiebreaker)} up to the engine's horizon, which is fixed from the database's own
 * clock ({@code SELECT now()}).
 *
 * <h2>Configuration</h2>
 *
 * <p>The connection's {@code secrets}:
 *
 * <pre>{@code
 * {
 *   "jdbc_url": "jdbc:postgresql://db.example.com:5432/shop?sslmode=verify-full",
 *   "user": "fivetran_reader",
 *   "password": "…",
 *   "tables": [
 *     {"name": "orders", "primary_key": ["id"], "cursor": "updated_at", "tiebreaker": "id",
 *      "deletes": {"tombstone_table": "orders_deleted", "tombstone_cursor": "deleted_at"}},
 *     {"name": "customers", "source_schema": "crm", "primary_key": "id",
 *      "cursor": "updated_at", "deletes": {"column": "deleted_at"},
 *      "destination_deletes": "soft"},
 *     {"name": "order_lines", "primary_key": ["order_id", "line_no"], "cursor": "updated_at",
 *      "tiebreaker": "line_key", "tiebreaker_type": "string"},
 *     {"name": "currencies", "primary_key": "code", "tiebreaker_type": "string"}
 *   ]
 * }
 * }</pre>
 *
 * <p>Each entry of {@code tables}:
 *
 * <table>
 *   <caption>Table settings</caption>
 *   <tr><th>setting</th><th>meaning</th><th>default</th></tr>
 *   <tr><td>{@code name}</td><td>destination table name</td><td>required</td></tr>
 *   <tr><td>{@code source_schema}, {@code source_table}</td><td>where to read</td>
 *       <td>{@code public}, {@code name}</td></tr>
 *   <tr><td>{@code primary_key}</td><td>column or list of columns</td><td>required</td></tr>
 *   <tr><td>{@code cursor}</td><td>column every change bumps; absent = full refresh (the whole
 *       table is read every sync, paged by the tiebreaker)</td><td>none</td></tr>
 *   <tr><td>{@code cursor_type}</td><td>{@code timestamp} (a {@code timestamptz} column),
 *       {@code date}, or {@code number} (integers or numeric, no horizon)</td>
 *       <td>{@code timestamp}</td></tr>
 *   <tr><td>{@code tiebreaker}</td><td>NOT NULL column unique among rows sharing a cursor
 *       value</td><td>the primary key if it is one column</td></tr>
 *   <tr><td>{@code tiebreaker_type}</td><td>{@code number} (integer/numeric columns) or
 *       {@code string} (text, varchar, uuid; compared in code-point order,
 *       {@code COLLATE "C"})</td><td>{@code number}</td></tr>
 *   <tr><td>{@code deletes}</td><td>{@code {"tombstone_table": t}} — a table holding the
 *       primary key and tiebreaker of each deleted row and a cursor column
 *       ({@code tombstone_cursor}, default the table's cursor name; {@code tombstone_schema}
 *       defaults to {@code source_schema}); or {@code {"column": c}} — a soft-delete column of
 *       the table: a row whose {@code c} is non-NULL and not {@code false} is sent as a
 *       delete</td><td>none</td></tr>
 *   <tr><td>{@code destination_deletes}</td><td>{@code hard} removes deleted rows in the
 *       destination; {@code soft} marks them {@code _fivetran_deleted}</td><td>{@code hard}</td></tr>
 *   <tr><td>{@code null_cursor}</td><td>rows whose cursor is NULL can never be reached by a
 *       keyset: {@code fail} ends the sync naming the table and column; {@code skip} leaves
 *       them out</td><td>{@code fail}</td></tr>
 * </table>
 *
 * <p>Secrets may be sent flat (newer Fivetran connections): {@code tables} may then be the same
 * list as JSON text. {@code password} may be empty (certificate or trust authentication).
 * {@code tables} and {@code user} are declared plain configuration ({@link #notSecretKeys()}):
 * error messages name tables, columns and the user; the password and the JDBC URL are masked.
 *
 * <h2>Where the schema comes from</h2>
 *
 * <p>Each connection's tables are its {@code secrets.tables} ({@link #schema(Secrets)}; parsed
 * once per distinct value). A deployment that serves one fixed set of tables may instead set
 * {@value #TABLES_ENV} (or the system property {@value #TABLES_PROPERTY}), or construct
 * {@link #PostgresConnector(String)}; connections without {@code secrets.tables} then use those.
 *
 * <h2>Correctness</h2>
 *
 * <p>Nothing is lost when every change bumps the cursor (to the writing transaction's
 * {@code now()} or later) and every transaction commits within the engine's settle lag (30 s
 * by default, {@code TRIBUTARY_SETTLE_LAG_SECONDS}); a transaction open longer than that can
 * commit a cursor value behind the position and be missed. Deletes need a tombstone row or a
 * soft-delete column, and, like any change, a cursor value past the position.
 *
 * <h2>Operation</h2>
 *
 * <p>Each page is one read-only {@code REPEATABLE READ} transaction with a
 * {@code statement_timeout} from the call's deadline. One idle connection per credentials is
 * kept between pages (see {@link Connections}). Identifiers are quoted; values are bound as
 * parameters. Error messages name settings, never secret values.
 */
public final class PostgresConnector implements Connector {
  /** Environment variable holding the deployed {@code tables} list (JSON). */
  public static final String TABLES_ENV = "TRIBUTARY_POSTGRES_TABLES";
  /** System property holding the deployed {@code tables} list (JSON), if the variable is unset. */
  public static final String TABLES_PROPERTY = "tributary.postgres.tables";

  private static final Set<String> NUMBER_TYPES = Set.of("int2", "int4", "int8", "numeric");
  private static final Set<String> STRING_TYPES = Set.of("text", "varchar", "bpchar", "uuid");
  private static final Set<String> COLLATABLE = Set.of("text", "varchar", "bpchar");

  /** Tables a deployment fixes (optional); null when every connection's secrets name them. */
  private final Tables deployed;
  /** Tables per {@code secrets.tables} text, parsed once: Fivetran sends the same secrets each call. */
  private final Map<String, Tables> fromSecrets = new java.util.concurrent.ConcurrentHashMap<>();
  private final Connections connections = new Connections();

  /** Parsed tables and their schema. */
  private record Tables(List<TableSpec> specs, Map<String, TableSpec> byName, Schema schema) {
    static Tables parse(String setting, Object json) {
      List<TableSpec> specs = TableSpec.parseAll(setting, json);
      Map<String, TableSpec> byName = new HashMap<>();
      List<dev.tributary.Table> tables = new ArrayList<>();
      for (TableSpec t : specs) {
        byName.put(t.name(), t);
        tables.add(t.toTable());
      }
      return new Tables(specs, byName, Schema.of(tables));
    }
  }

  /**
   * Tables from each connection's {@code secrets.tables}; or, when set, from
   * {@value #TABLES_ENV} (else the system property {@value #TABLES_PROPERTY}) for every connection.
   */
  public PostgresConnector() {
    this(fromDeployment());
  }

  /** Tables fixed by this JSON list (the shape of {@code secrets.tables}) for every connection. */
  public PostgresConnector(String tablesJson) {
    this(new String[] {"tables", tablesJson});
  }

  private PostgresConnector(String[] originAndJson) {
    this.deployed = originAndJson == null ? null : Tables.parse(originAndJson[0], originAndJson[1]);
  }

  private static String[] fromDeployment() {
    String env = System.getenv(TABLES_ENV);
    if (env != null && !env.isBlank()) {
      return new String[] {TABLES_ENV, env};
    }
    String prop = System.getProperty(TABLES_PROPERTY);
    if (prop != null && !prop.isBlank()) {
      return new String[] {TABLES_PROPERTY, prop};
    }
    return null;
  }

  /** The deployment's tables; without them, a connection's tables come from its secrets. */
  @Override
  public Schema schema() {
    if (deployed == null) {
      throw new MissingSecretException("secrets.tables is missing: this connector syncs the"
          + " tables its secrets name (or set " + TABLES_ENV + " for every connection)");
    }
    return deployed.schema();
  }

  /**
   * {@code tables} and {@code user} are configuration: messages name the table, column or user
   * they are about. {@code password} and {@code jdbc_url} (which may carry a password) stay secret.
   */
  @Override
  public Set<String> notSecretKeys() {
    return Set.of("tables", "user");
  }

  /** The connection's tables: {@code secrets.tables}, else the deployment's. */
  @Override
  public Schema schema(Secrets secrets) {
    return tables(secrets).schema();
  }

  private Tables tables(Secrets secrets) {
    Optional<Object> given = secrets.value("tables");
    if (given.isEmpty()) {
      schema(); // the deployment's, or a message naming secrets.tables
      return deployed;
    }
    String key = String.valueOf(given.get());
    return fromSecrets.computeIfAbsent(key, k -> Tables.parse("secrets.tables", given.get()));
  }


  // ---------------------------------------------------------------------------------------------
  // Secrets

  /** The connection settings of one call. */
  private record Settings(String url, String user, String password, Map<String, TableSpec> tables,
      Secrets secrets) {}

  private Settings settings(Secrets s) {
    String url = s.require("jdbc_url");
    if (!url.startsWith("jdbc:postgresql:")) {
      throw new MissingSecretException("secrets.jdbc_url must start with jdbc:postgresql://");
    }
    String user = s.require("user");
    String password = s.get("password").orElse("");
    Map<String, TableSpec> tables = tables(s).byName();
    return new Settings(url, user, password, tables, s);
  }

  // ---------------------------------------------------------------------------------------------
  // Connector

  @Override
  public void test(Secrets secrets) throws IOException {
    Settings s = settings(secrets);
    Instant deadline = Instant.now().plusSeconds(30);
    withTransaction(s, deadline, null, c -> {
      for (TableSpec t : s.tables().values()) {
        columnsOf(c, t);
      }
      return null;
    });
  }

  @Override
  public Optional<Instant> sourceClock(Secrets secrets) throws IOException {
    Settings s = settings(secrets);
    return Optional.of(withTransaction(s, Instant.now().plusSeconds(30), null, c -> {
      try (PreparedStatement st = c.prepareStatement("SELECT now()");
           ResultSet rs = st.executeQuery()) {
        rs.next();
        return rs.getObject(1, OffsetDateTime.class).toInstant();
      }
    }));
  }

  /** How long a sync's start waits for the transactions writing at that moment to end. */
  static final Duration VISIBILITY_WAIT = Duration.ofSeconds(2);

  /**
   * How long a sync's start keeps taking snapshots for writers that had taken an id but not yet
   * a transaction id when the maximum was read (20 ms was too short on a loaded 2-core host).
   */
  static final Duration VISIBILITY_SETTLE = Duration.ofMillis(250);

  /**
   * The visibility horizon of a number cursor (a sequence such as {@code bigserial}): how far this
   * sync may read without passing an id whose transaction is still open.
   *
   * <p>At the sync's start, in one snapshot {@code S1}: {@code M = max(cursor)} over the rows
   * visible, and {@code S1}'s list of transactions in progress. Every id up to {@code M} was taken
   * before {@code M} was, so by a transaction that had finished, or was writing (listed in
   * {@code S1}), or was inside the statement that took it and not yet listed — which the
   * snapshots taken over the next {@link #VISIBILITY_SETTLE} list. Once every transaction of both lists has ended —
   * polled with {@code pg_xact_status}, on 64-bit transaction ids, so wraparound does not matter
   * — every row up to {@code M} is visible or never will be, and the horizon is {@code M + 1}. If one is still
   * open after {@link #VISIBILITY_WAIT}, the table reads nothing new this sync (the horizon is its
   * position) and the next sync tries again.
   *
   * <p>Cost: one index lookup of the maximum and one snapshot per table per sync, plus a wait only
   * while some transaction in the cluster is writing. Not covered: an id taken with
   * {@code nextval()} in one statement and written by a later one of a transaction that had
   * written nothing yet, or ids from a sequence with {@code CACHE} above 1 or an application-side
   * id allocator; such tables declare {@code lookback_values}.
   */
  @Override
  public Optional<Object> visibilityHorizon(Table table, Optional<Position> position,
      Secrets secrets) throws IOException {
    Settings s = settings(secrets);
    TableSpec t = s.tables().get(table.name());
    if (t == null || t.visibility() != TableSpec.Visibility.SNAPSHOT) {
      return Optional.empty();
    }
    Instant deadline = Instant.now().plus(VISIBILITY_WAIT).plusSeconds(10);
    // One repeatable-read snapshot S1 for the maximum and the writers in progress.
    Object[] first = withTransaction(s, deadline, t, c -> {
      Object max = maxCursor(c, t);
      return new Object[] {max, snapshot(c)};
    });
    Object max = first[0];
    // A writer inside its INSERT has taken its id before it has a transaction id, so S1 may not
    // list it yet; it is listed by a later snapshot once it has one. Snapshots are taken for at
    // least VISIBILITY_SETTLE: a writer held off the CPU longer than that between taking its id
    // and writing its row (a heavily loaded database host) is the case this cannot see.
    long settleFrom = System.nanoTime();
    boolean settled = withTransaction(s, deadline, t, c -> {
      long until = System.nanoTime() + VISIBILITY_WAIT.toNanos();
      long settleUntil = settleFrom + VISIBILITY_SETTLE.toNanos();
      try (PreparedStatement st = c.prepareStatement("SELECT count(*) FROM"
          + " (SELECT pg_snapshot_xip(?::pg_snapshot) UNION"
          + "  SELECT pg_snapshot_xip(pg_current_snapshot())) AS x(id)"
          + " WHERE pg_xact_status(x.id) = 'in progress'")) {
        st.setString(1, (String) first[1]);
        while (true) {
          try (ResultSet rs = st.executeQuery()) {
            rs.next();
            if (rs.getLong(1) == 0 && System.nanoTime() >= settleUntil) {
              return true;
            }
          }
          if (System.nanoTime() > until) {
            return false;
          }
          try {
            Thread.sleep(25);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while waiting for open transactions");
          }
        }
      }
    });
    if (!settled) {
      // Still writing: hold the table where it is rather than pass an open id.
      return Optional.of(position.<Object>map(Position::cursor).orElse(NOTHING_YET));
    }
    if (max == null) {
      return Optional.of(NOTHING_YET); // an empty table: its first rows come in the next sync
    }
    BigDecimal m = decimal(max);
    // Exclusive: an integer column's next value; otherwise the maximum itself (rows at it wait).
    return Optional.of(m.stripTrailingZeros().scale() <= 0 ? m.add(BigDecimal.ONE) : m);
  }

  private static String snapshot(Connection c) throws SQLException {
    try (PreparedStatement st = c.prepareStatement("SELECT pg_current_snapshot()::text");
         ResultSet rs = st.executeQuery()) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static Object maxCursor(Connection c, TableSpec t) throws SQLException {
    return aggregate(c, t, "max");
  }

  /** A horizon below every id: the table reads nothing this sync. */
  private static final BigDecimal NOTHING_YET = BigDecimal.valueOf(Long.MIN_VALUE);

  /** The cursor's maximum ({@code fn}) over the table and, with a tombstone table, its tombstones. */
  private static Object aggregate(Connection c, TableSpec t, String fn) throws SQLException {
    String sql = "SELECT " + fn + "(" + q(t.cursor()) + ") FROM "
        + qualified(t.sourceSchema(), t.sourceTable());
    if (t.deletes() != null && t.deletes().isTombstone()) {
      sql = "SELECT " + fn + "(v) FROM (" + sql.replace("SELECT " + fn + "(", "SELECT (")
          + " UNION ALL SELECT " + q(t.deletes().tombstoneCursor()) + " FROM "
          + qualified(t.deletes().tombstoneSchema(), t.deletes().tombstoneTable()) + ") AS u(v)";
    }
    try (PreparedStatement st = c.prepareStatement(sql); ResultSet rs = st.executeQuery()) {
      rs.next();
      return rs.getBigDecimal(1);
    }
  }

  @Override
  public Page read(TableRead read) throws IOException {
    Settings s = settings(read.secrets());
    TableSpec t = s.tables().get(read.table().name());
    if (t == null) {
      throw new IllegalStateException("no configuration for table " + read.table().name());
    }
    return withTransaction(s, read.deadline(), t, c -> readPage(c, t, read));
  }

  // ---------------------------------------------------------------------------------------------
  // Reading

  private Page readPage(Connection c, TableSpec t, TableRead read) throws SQLException {
    Map<String, String> columns = columnsOf(c, t);
    int limit = Math.max(1, read.pageSize());
    List<Keyed> rows = new ArrayList<>(selectLive(c, t, columns, read, limit + 1));
    if (t.deletes() != null && t.deletes().isTombstone()) {
      rows.addAll(selectTombstones(c, t, read, limit + 1));
      rows.sort(Comparator.naturalOrder());
      // A key both live and tombstoned at the same position exists now: keep the upsert.
      List<Keyed> unique = new ArrayList<>(rows.size());
      for (Keyed k : rows) {
        if (unique.isEmpty() || unique.get(unique.size() - 1).compareTo(k) != 0) {
          unique.add(k);
        }
      }
      rows = unique;
    }
    boolean hasMore = rows.size() > limit;
    List<Row> page = new ArrayList<>(Math.min(rows.size(), limit));
    for (int i = 0; i < rows.size() && i < limit; i++) {
      page.add(rows.get(i).row());
    }
    if (!hasMore && t.isIncremental() && t.nullCursor() == TableSpec.NullCursor.FAIL
        && !"t".equals(columns.get("\0notnull:" + t.cursor()))) {
      failOnNullCursors(c, t);
    }
    return new Page(page, hasMore);
  }

  /** A row with its place in the read order. Live rows sort before tombstones at one position. */
  private record Keyed(Object cursor, Object tiebreaker, boolean tombstone, Row row)
      implements Comparable<Keyed> {
    @Override
    public int compareTo(Keyed o) {
      int c = cursor == null ? 0 : compareValues(cursor, o.cursor);
      if (c == 0) {
        c = compareValues(tiebreaker, o.tiebreaker);
      }
      return c != 0 ? c : Boolean.compare(tombstone, o.tombstone);
    }
  }

  @SuppressWarnings("unchecked")
  private static int compareValues(Object a, Object b) {
    if (a instanceof String && b instanceof String) {
      return Position.compareValues(a, b); // by code point, as the engine orders strings
    }
    if (a instanceof Number && b instanceof Number) {
      return decimal(a).compareTo(decimal(b));
    }
    return ((Comparable<Object>) a).compareTo(b);
  }

  private static BigDecimal decimal(Object n) {
    return n instanceof BigDecimal ? (BigDecimal) n : new BigDecimal(n.toString());
  }

  private List<Keyed> selectLive(Connection c, TableSpec t, Map<String, String> columns,
      TableRead read, int limit) throws SQLException {
    String tb = orderable(t.tiebreaker(), columns.get(t.tiebreaker()));
    List<Object> params = new ArrayList<>();
    StringBuilder sql = new StringBuilder("SELECT * FROM ")
        .append(qualified(t.sourceSchema(), t.sourceTable()));
    sql.append(where(t, t.isIncremental() ? q(t.cursor()) : null, tb, read, params));
    sql.append(" ORDER BY ").append(t.isIncremental() ? q(t.cursor()) + ", " : "").append(tb)
        .append(" LIMIT ?");
    List<Keyed> out = new ArrayList<>();
    try (PreparedStatement st = c.prepareStatement(sql.toString())) {
      int n = bind(st, params);
      st.setInt(n, limit);
      try (ResultSet rs = st.executeQuery()) {
        ResultSetMetaData md = rs.getMetaData();
        int count = md.getColumnCount();
        while (rs.next()) {
          Map<String, Object> values = new LinkedHashMap<>();
          for (int i = 1; i <= count; i++) {
            values.put(md.getColumnName(i), PgValues.read(rs, i, md.getColumnTypeName(i)));
          }
          Object cursor = t.isIncremental() ? values.get(t.cursor()) : null;
          Object tiebreaker = values.get(t.tiebreaker());
          Row row = Row.of(values);
          if (t.deletes() != null && !t.deletes().isTombstone()) {
            Object flag = values.get(t.deletes().column());
            if (flag != null && !Boolean.FALSE.equals(flag)) {
              row = Row.delete(keyOf(t, values, cursor, tiebreaker));
            }
          }
          out.add(new Keyed(cursor, tiebreaker, false, row));
        }
      }
    }
    return out;
  }

  private List<Keyed> selectTombstones(Connection c, TableSpec t, TableRead read, int limit)
      throws SQLException {
    TableSpec.Deletes d = t.deletes();
    Map<String, String> columns = columnsOf(c, t, d.tombstoneSchema(), d.tombstoneTable(),
        t.path() + ".deletes.tombstone_table");
    String tb = orderable(t.tiebreaker(), columns.get(t.tiebreaker()));
    List<String> select = new ArrayList<>();
    for (String k : t.primaryKey()) {
      select.add(q(k));
    }
    if (!t.primaryKey().contains(t.tiebreaker())) {
      select.add(q(t.tiebreaker()));
    }
    select.add(q(d.tombstoneCursor()));
    List<Object> params = new ArrayList<>();
    String sql = "SELECT " + String.join(", ", select) + " FROM "
        + qualified(d.tombstoneSchema(), d.tombstoneTable())
        + where(t, q(d.tombstoneCursor()), tb, read, params)
        + " ORDER BY " + q(d.tombstoneCursor()) + ", " + tb + " LIMIT ?";
    List<Keyed> out = new ArrayList<>();
    try (PreparedStatement st = c.prepareStatement(sql)) {
      int n = bind(st, params);
      st.setInt(n, limit);
      try (ResultSet rs = st.executeQuery()) {
        ResultSetMetaData md = rs.getMetaData();
        while (rs.next()) {
          Map<String, Object> values = new LinkedHashMap<>();
          for (int i = 1; i < select.size(); i++) {
            values.put(md.getColumnName(i), PgValues.read(rs, i, md.getColumnTypeName(i)));
          }
          Object cursor = PgValues.read(rs, select.size(), md.getColumnTypeName(select.size()));
          Object tiebreaker = values.get(t.tiebreaker());
          out.add(new Keyed(cursor, tiebreaker, true,
              Row.delete(keyOf(t, values, cursor, tiebreaker))));
        }
      }
    }
    return out;
  }

  private static Map<String, Object> keyOf(TableSpec t, Map<String, Object> values, Object cursor,
      Object tiebreaker) {
    Map<String, Object> key = new LinkedHashMap<>();
    for (String k : t.primaryKey()) {
      key.put(k, values.get(k));
    }
    if (t.isIncremental()) {
      key.put(t.cursor(), cursor);
    }
    key.put(t.tiebreaker(), tiebreaker);
    return key;
  }

  /** The keyset filter: strictly after the position, below the window's upper bound. */
  private static String where(TableSpec t, String cursor, String tb, TableRead read,
      List<Object> params) {
    List<String> parts = new ArrayList<>();
    Optional<Position> after = read.after();
    if (t.isIncremental()) {
      parts.add(cursor + " IS NOT NULL");
      if (after.isPresent()) {
        Position p = after.get();
        if (p.isInclusiveOfCursor()) {
          parts.add(cursor + " >= ?");
          params.add(p.cursor());
        } else {
          parts.add("(" + cursor + ", " + tb + ") > (?, ?)");
          params.add(p.cursor());
          params.add(p.tiebreaker().get());
        }
      }
      if (read.upTo().isPresent() && t.cursorType() == ValueType.NUMBER) {
        parts.add(cursor + " < ?"); // the visibility horizon
        params.add(read.upTo().get());
      } else if (read.upTo().isPresent()) {
        // Rows at 'infinity' are past every horizon; the engine delivers them once per sync
        // after the others (they sort last), so the window lets them through.
        parts.add("(" + cursor + " < ? OR " + cursor + " = 'infinity')");
        params.add(read.upTo().get());
      }
    } else if (after.isPresent() && after.get().tiebreaker().isPresent()) {
      parts.add(tb + " > ?");
      params.add(after.get().tiebreaker().get());
    }
    return parts.isEmpty() ? "" : " WHERE " + String.join(" AND ", parts);
  }

  /**
   * Binds position values as untyped text, so PostgreSQL reads each as the type of the column it
   * is compared with (and can use the column's index).
   *
   * @return the next parameter index
   */
  private static int bind(PreparedStatement st, List<Object> params) throws SQLException {
    int i = 1;
    for (Object v : params) {
      st.setObject(i++, PgValues.literal(v), Types.OTHER);
    }
    return i;
  }

  private void failOnNullCursors(Connection c, TableSpec t) throws SQLException {
    String sql = "SELECT EXISTS (SELECT 1 FROM " + qualified(t.sourceSchema(), t.sourceTable())
        + " WHERE " + q(t.cursor()) + " IS NULL)";
    try (PreparedStatement st = c.prepareStatement(sql); ResultSet rs = st.executeQuery()) {
      rs.next();
      if (rs.getBoolean(1)) {
        throw new MissingSecretException("table " + t.name() + " (" + t.sourceSchema() + "."
            + t.sourceTable() + ") has rows whose cursor column " + t.cursor() + " is NULL; a"
            + " keyset read never reaches them. Make the column NOT NULL (with a default), or"
            + " set " + t.path() + ".null_cursor to \"skip\" to leave such rows out");
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Catalog checks

  /** Column name → type name of the table, after checking every configured column fits. */
  private Map<String, String> columnsOf(Connection c, TableSpec t) throws SQLException {
    Map<String, String> cols = columnsOf(c, t, t.sourceSchema(), t.sourceTable(),
        t.path() + ".source_table");
    for (String k : t.primaryKey()) {
      need(cols, k, t, "primary_key");
    }
    String tbType = need(cols, t.tiebreaker(), t, "tiebreaker");
    if (!"t".equals(cols.get("\0notnull:" + t.tiebreaker()))) {
      throw new MissingSecretException(t.path() + ".tiebreaker " + t.tiebreaker() + " is"
          + " nullable in " + t.sourceSchema() + "." + t.sourceTable() + "; use a NOT NULL column"
          + " unique among rows that share a cursor value (usually the primary key)");
    }
    checkType(t, "tiebreaker", t.tiebreaker(), tbType, t.tiebreakerType());
    if (t.isIncremental()) {
      checkType(t, "cursor", t.cursor(), need(cols, t.cursor(), t, "cursor"), t.cursorType());
    }
    if (t.deletes() != null) {
      if (t.deletes().isTombstone()) {
        TableSpec.Deletes d = t.deletes();
        String where = t.path() + ".deletes.tombstone_table";
        Map<String, String> tomb = columnsOf(c, t, d.tombstoneSchema(), d.tombstoneTable(), where);
        for (String k : t.primaryKey()) {
          needIn(tomb, k, where, d);
        }
        needIn(tomb, t.tiebreaker(), where, d);
        String ct = needIn(tomb, d.tombstoneCursor(), t.path() + ".deletes.tombstone_cursor", d);
        checkType(t, "deletes.tombstone_cursor", d.tombstoneCursor(), ct, t.cursorType());
      } else {
        need(cols, t.deletes().column(), t, "deletes.column");
      }
    }
    return cols;
  }

  private static String needIn(Map<String, String> cols, String column, String setting,
      TableSpec.Deletes d) {
    String type = cols.get(column);
    if (type == null) {
      throw new MissingSecretException(setting + ": " + d.tombstoneSchema() + "."
          + d.tombstoneTable() + " has no column " + column);
    }
    return type;
  }

  private static String need(Map<String, String> cols, String column, TableSpec t,
      String setting) {
    String type = cols.get(column);
    if (type == null) {
      throw new MissingSecretException(t.path() + "." + setting + " " + column + " is not a"
          + " column of " + t.sourceSchema() + "." + t.sourceTable());
    }
    return type;
  }

  private static void checkType(TableSpec t, String setting, String column, String type,
      ValueType declared) {
    boolean ok;
    String hint;
    switch (declared) {
      case TIMESTAMP:
        ok = type.equals("timestamptz");
        hint = type.equals("timestamp")
            ? "timestamp without time zone cannot be compared with the database clock's horizon;"
                + " use a timestamptz column"
            : "a timestamp cursor must be a timestamptz column";
        break;
      case DATE:
        ok = type.equals("date");
        hint = "a date cursor must be a date column";
        break;
      case NUMBER:
        ok = NUMBER_TYPES.contains(type);
        hint = "declare the type that matches the column (\"string\" for text or uuid)";
        break;
      default:
        ok = STRING_TYPES.contains(type);
        hint = "declare the type that matches the column (\"number\" for integer ids)";
        break;
    }
    if (!ok) {
      String typeSetting = setting.equals("tiebreaker") ? "tiebreaker_type" : "cursor_type";
      throw new MissingSecretException(t.path() + "." + setting + " " + column + " has type "
          + type + ", which does not fit " + t.path() + "." + typeSetting + " "
          + declared.stateName() + "; " + hint);
    }
  }

  /**
   * Column name → type name ({@code int8}, {@code _text}), plus {@code "\0notnull:" + name} →
   * {@code "t"} for NOT NULL columns.
   */
  private static Map<String, String> columnsOf(Connection c, TableSpec t, String schema,
      String table, String setting) throws SQLException {
    Map<String, String> out = new HashMap<>();
    try (PreparedStatement st = c.prepareStatement("SELECT a.attname, ty.typname, a.attnotnull"
        + " FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type ty ON ty.oid = a.atttypid"
        + " WHERE a.attrelid = to_regclass(?) AND a.attnum > 0 AND NOT a.attisdropped")) {
      st.setString(1, qualified(schema, table));
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), rs.getString(2));
          if (rs.getBoolean(3)) {
            out.put("\0notnull:" + rs.getString(1), "t");
          }
        }
      }
    }
    if (out.isEmpty()) {
      throw new MissingSecretException(setting + ": table " + schema + "." + table + " does not"
          + " exist or secrets.user cannot see it (table " + t.name() + ")");
    }
    return out;
  }

  /** The tiebreaker as an ORDER BY / comparison term in code-point order. */
  private static String orderable(String column, String type) {
    return COLLATABLE.contains(type) ? q(column) + " COLLATE \"C\"" : q(column);
  }

  static String q(String identifier) {
    if (identifier.indexOf('\0') >= 0) {
      throw new MissingSecretException("an identifier in the table settings contains a NUL");
    }
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }

  private static String qualified(String schema, String table) {
    return q(schema) + "." + q(table);
  }

  // ---------------------------------------------------------------------------------------------
  // Connections and errors

  private interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  /**
   * Runs {@code work} in a read-only REPEATABLE READ transaction whose statements stop at
   * {@code deadline}, and translates failures into what the engine should do.
   */
  private <T> T withTransaction(Settings s, Instant deadline, TableSpec table, Work<T> work)
      throws IOException {
    long remaining = Math.max(1_000, Duration.between(Instant.now(), deadline).toMillis());
    int connectSeconds = (int) Math.max(1, Math.min(30, remaining / 1000));
    Connection c;
    try {
      c = connections.borrow(s.url(), s.user(), s.password(), connectSeconds);
    } catch (SQLException e) {
      throw translate(e, s, table);
    }
    boolean healthy = false;
    try {
      c.setAutoCommit(false);
      c.setReadOnly(true);
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      try (PreparedStatement st = c.prepareStatement(
          "SELECT set_config('statement_timeout', ?, true)")) {
        st.setString(1, Long.toString(remaining));
        st.execute();
      }
      T result = work.run(c);
      c.commit();
      healthy = true;
      return result;
    } catch (SQLException e) {
      throw translate(e, s, table);
    } finally {
      if (healthy) {
        connections.release(s.url(), s.user(), s.password(), c);
      } else {
        try {
          c.rollback();
        } catch (SQLException ignored) {
          // The connection is closed below anyway.
        }
        Connections.closeQuietly(c);
      }
    }
  }

  private static IOException translate(SQLException e, Settings s, TableSpec table) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    String message = s.secrets().redact(String.valueOf(e.getMessage()));
    String where = table == null ? "" : "table " + table.name() + ": ";
    if (state.startsWith("28")) {
      throw new MissingSecretException("PostgreSQL rejected the credentials in secrets.user and"
          + " secrets.password: " + message);
    }
    if (state.equals("3D000")) {
      throw new MissingSecretException("the database in secrets.jdbc_url does not exist: "
          + message);
    }
    if (state.equals("42501")) {
      throw new MissingSecretException(where + "secrets.user may not read it: " + message);
    }
    if (state.startsWith("08")) {
      return new IOException("cannot connect to PostgreSQL at secrets.jdbc_url: " + message);
    }
    if (state.equals("57014")) {
      return new IOException(where + "query stopped by the statement timeout set from the"
          + " call's deadline; the next call resumes from the last position (add an index on"
          + " (cursor, tiebreaker) if reads are slow): " + message);
    }
    return new IOException(where + message + " (SQLSTATE " + state + ")");
  }
}
