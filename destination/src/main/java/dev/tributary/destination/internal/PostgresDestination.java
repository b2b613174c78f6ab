package dev.tributary.destination.internal;

import dev.tributary.destination.ColumnType;
import dev.tributary.destination.DestinationException;
import dev.tributary.destination.DestinationOptions;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * A PostgreSQL destination (pgjdbc): tables in one schema, rows staged with {@code COPY … FROM
 * STDIN (FORMAT csv)} and moved set-based, a {@code PRIMARY KEY} constraint on every keyed table,
 * and an advisory lock per connection as the lease.
 *
 * <p>Types are faithful: {@code numeric} keeps every digit of a JSON number, integers beyond 64
 * bits included; {@code timestamptz} holds microseconds (finer instants stay text rather than be
 * rounded); objects and arrays are {@code jsonb}; declared {@link ColumnType#BYTES} columns are
 * {@code bytea}, decoded from base64.
 */
final class PostgresDestination extends SqlDestination {
  /** Bytes of UTF-8 PostgreSQL keeps of a name (NAMEDATALEN - 1); longer ones it truncates. */
  private static final int MAX_NAME_BYTES = 63;
  /** COPY data is sent in chunks of about this many characters. */
  private static final int COPY_CHUNK = 1 << 18;
  private static final String SETUP_LOCK = "tributary setup";

  private final PostgresUrl url;

  private PostgresDestination(Connection db, PostgresUrl url, DestinationOptions options) {
    super(db, options);
    this.url = url;
  }

  static PostgresDestination open(PostgresUrl url, DestinationOptions options) {
    Connection db;
    try {
      db = DriverManager.getConnection(url.jdbcUrl(), url.properties());
    } catch (SQLException e) {
      throw new DestinationException(url.redact(url + ": cannot connect: " + e.getMessage()
          + (e.getSQLState() == null ? "" : " (SQLSTATE " + e.getSQLState() + ")")
          + "; check host, port, database, user and password"));
    }
    PostgresDestination d = new PostgresDestination(db, url, options);
    try {
      d.exec("SET TIME ZONE 'UTC'");
      // Every statement of ours names its schema; this is for query(): a person's SQL finds the
      // connection's tables by their names, as in the DuckDB file.
      d.exec("SET search_path TO " + q(url.schema()) + ", public");
      d.init();
    } catch (SQLException | RuntimeException e) {
      try {
        db.close();
      } catch (SQLException ignored) {
        // Already failing; the first failure is the one to report.
      }
      if (e instanceof SQLException) {
        throw d.failure("preparing schema " + url.schema(), (SQLException) e);
      }
      throw (RuntimeException) e;
    }
    return d;
  }

  @Override
  protected String qualified(String table) {
    return q(url.schema()) + "." + q(table);
  }

  @Override
  protected String columnsSql() {
    return "SELECT table_name, column_name, data_type FROM information_schema.columns"
        + " WHERE table_schema = " + literal(url.schema()) + " ORDER BY table_name, ordinal_position";
  }

  @Override
  protected String sqlType(ColumnType type) {
    switch (type) {
      case BOOLEAN:
        return "boolean";
      case INTEGER:
        return "bigint";
      case BIG_INTEGER:
      case DECIMAL:
        return "numeric";
      case TIMESTAMP:
        return "timestamptz";
      case DATE:
        return "date";
      case JSON:
        return "jsonb";
      case BYTES:
        return "bytea";
      default:
        return "text";
    }
  }

  @Override
  protected Column column(String dataType) {
    switch (dataType) {
      case "boolean":
        return new Column(ColumnType.BOOLEAN, "boolean", false);
      case "bigint":
        return new Column(ColumnType.INTEGER, "bigint", false);
      case "numeric":
        return new Column(ColumnType.DECIMAL, "numeric", false);
      case "timestamp with time zone":
        return new Column(ColumnType.TIMESTAMP, "timestamptz", false);
      case "date":
        return new Column(ColumnType.DATE, "date", false);
      case "jsonb":
        return new Column(ColumnType.JSON, "jsonb", false);
      case "bytea":
        return new Column(ColumnType.BYTES, "bytea", false);
      case "text":
        return new Column(ColumnType.TEXT, "text", false);
      default:
        return new Column(ColumnType.TEXT, dataType, true);
    }
  }

  @Override
  protected String convert(String expr, Column c) {
    return c.type() == ColumnType.BYTES && !c.foreign() ? "decode(" + expr + ", 'base64')"
        : "CAST(" + expr + " AS " + c.sqlType() + ")";
  }

  @Override
  protected String widenSql(String table, String column, Column from, Column to) {
    String c = q(column);
    String using;
    if (to.type() != ColumnType.TEXT) {
      using = c + "::" + to.sqlType();
    } else if (from.type() == ColumnType.TIMESTAMP) {
      // As the instant was sent (ISO-8601 UTC), not as PostgreSQL prints one.
      using = "regexp_replace(to_char(" + c + " AT TIME ZONE 'UTC',"
          + " 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), '\\.?0+Z$', 'Z')";
    } else {
      using = c + "::text";
    }
    return "ALTER TABLE " + qualified(table) + " ALTER COLUMN " + c + " TYPE " + to.sqlType()
        + " USING " + using;
  }

  @Override
  protected void setKey(String table, List<String> key, boolean created) throws SQLException {
    if (!created) {
      try (PreparedStatement st = db.prepareStatement("SELECT conname FROM pg_constraint"
          + " WHERE conrelid = to_regclass(?) AND contype = 'p'")) {
        st.setString(1, qualified(table));
        try (ResultSet rs = st.executeQuery()) {
          if (rs.next()) {
            exec("ALTER TABLE " + qualified(table) + " DROP CONSTRAINT " + q(rs.getString(1)));
          }
        }
      }
    }
    exec("ALTER TABLE " + qualified(table) + " ADD PRIMARY KEY (" + joinQuoted(key) + ")");
  }

  @Override
  protected void createStage(List<String> cols) throws SQLException {
    StringBuilder ddl = new StringBuilder("CREATE TEMP TABLE " + STAGE + " (" + ORD + " bigint");
    for (String c : cols) {
      ddl.append(", ").append(q(c)).append(" text");
    }
    exec(ddl.append(") ON COMMIT DROP").toString());
  }

  /** COPY in CSV: every value quoted, so an unquoted empty field is NULL and {@code ""} is ''. */
  @Override
  protected void loadStage(String table, List<String> cols, List<String[]> texts)
      throws SQLException {
    CopyIn copy = db.unwrap(PGConnection.class).getCopyAPI()
        .copyIn("COPY " + STAGE + " FROM STDIN (FORMAT csv)");
    try {
      StringBuilder sb = new StringBuilder(Math.min(COPY_CHUNK * 2, 64 + texts.size() * 64));
      long ord = 0;
      for (String[] row : texts) {
        sb.append(ord++);
        for (int i = 0; i < row.length; i++) {
          sb.append(',');
          if (row[i] != null) {
            appendQuoted(sb, row[i], table, cols.get(i));
          }
        }
        sb.append('\n');
        if (sb.length() >= COPY_CHUNK) {
          byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
          copy.writeToCopy(bytes, 0, bytes.length);
          sb.setLength(0);
        }
      }
      byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
      copy.writeToCopy(bytes, 0, bytes.length);
      copy.endCopy();
    } finally {
      if (copy.isActive()) {
        copy.cancelCopy();
      }
    }
  }

  private static void appendQuoted(StringBuilder sb, String v, String table, String column) {
    sb.append('"');
    for (int i = 0; i < v.length(); i++) {
      char ch = v.charAt(i);
      if (ch == '\u0000') {
        throw new DestinationException("table " + table + ", column " + column + ": a value holds"
            + " the character U+0000, which PostgreSQL text cannot store; remove it in the"
            + " connector (or send the value as base64 into a BYTES column)");
      }
      if (Character.isSurrogate(ch)) {
        boolean paired = Character.isHighSurrogate(ch) && i + 1 < v.length()
            && Character.isLowSurrogate(v.charAt(i + 1));
        if (!paired) {
          throw new DestinationException("table " + table + ", column " + column + ": a value"
              + " holds a lone UTF-16 surrogate (\\u" + Integer.toHexString(ch) + "), which is"
              + " not text UTF-8 can carry; fix the value in the connector");
        }
        sb.append(ch).append(v.charAt(++i));
        continue;
      }
      if (ch == '"') {
        sb.append('"');
      }
      sb.append(ch);
    }
    sb.append('"');
  }

  @Override
  protected void lockBookkeeping() throws SQLException {
    try (PreparedStatement st = db.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
      st.setLong(1, key(SETUP_LOCK));
      st.execute();
    }
    exec("CREATE SCHEMA IF NOT EXISTS " + q(url.schema()));
  }

  @Override
  protected boolean tryLock(String connection) throws SQLException {
    try (PreparedStatement st = db.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
      st.setLong(1, key(leaseName(connection)));
      try (ResultSet rs = st.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }

  @Override
  protected void unlock(String connection) throws SQLException {
    try (PreparedStatement st = db.prepareStatement("SELECT pg_advisory_unlock(?)")) {
      st.setLong(1, key(leaseName(connection)));
      st.execute();
    }
  }

  @Override
  protected String holder(String connection) throws SQLException {
    long key = key(leaseName(connection));
    try (PreparedStatement st = db.prepareStatement("SELECT a.pid, a.application_name,"
        + " host(a.client_addr), to_char(a.backend_start AT TIME ZONE 'UTC',"
        + " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM pg_locks l JOIN pg_stat_activity a"
        + " ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1"
        + " AND l.classid::bigint = ? AND l.objid::bigint = ?")) {
      st.setLong(1, key >>> 32);
      st.setLong(2, key & 0xffffffffL);
      try (ResultSet rs = st.executeQuery()) {
        if (!rs.next()) {
          return "PostgreSQL advisory lock " + key;
        }
        return "PostgreSQL advisory lock " + key + ", held by backend pid " + rs.getInt(1)
            + (rs.getString(2) == null || rs.getString(2).isEmpty() ? "" : " (" + rs.getString(2) + ")")
            + (rs.getString(3) == null ? "" : " from " + rs.getString(3))
            + (rs.getString(4) == null ? "" : " since " + rs.getString(4));
      }
    }
  }

  /** Leases are per schema and connection: two schemas may hold connections of one name. */
  private String leaseName(String connection) {
    return "tributary lease\u0000" + url.schema() + "\u0000" + connection;
  }

  /** A 64-bit advisory lock key from a name (SHA-256, first 8 bytes). */
  static long key(String name) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
      long k = 0;
      for (int i = 0; i < 8; i++) {
        k = (k << 8) | (d[i] & 0xff);
      }
      return k;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  protected String forUpdate() {
    return " FOR UPDATE";
  }

  @Override
  protected void checkName(String kind, String name, String table) {
    super.checkName(kind, name, table);
    int bytes = name.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_NAME_BYTES) {
      throw new DestinationException((kind.equals("table") ? "table " + name : "table " + table
          + ", column " + name) + ": the name is " + bytes + " bytes and PostgreSQL keeps "
          + MAX_NAME_BYTES + " (longer names are cut, and two could become one); shorten it in"
          + " the connector");
    }
  }

  @Override
  protected String redact(String message) {
    return url.redact(message);
  }

  @Override
  public String describe() {
    return url.toString();
  }
}
