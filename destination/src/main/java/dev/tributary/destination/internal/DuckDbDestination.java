package dev.tributary.destination.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tributary.destination.ColumnType;
import dev.tributary.destination.DestinationException;
import dev.tributary.destination.DestinationOptions;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A DuckDB destination: one database file a person can open and look at, for local runs. DuckDB
 * lets one process at a time open a file for writing, so the lease only has to keep two runs of
 * one process apart. Rows are staged with multi-row inserts. Decimals are {@code DOUBLE} (rounded);
 * integers up to 128 bits {@code HUGEINT}, beyond that text.
 */
final class DuckDbDestination extends SqlDestination {
  /** Rows per multi-row INSERT into the staging table. */
  private static final int STAGE_CHUNK = 256;
  /** Leases held in this process: file and connection. */
  private static final Set<String> HELD = ConcurrentHashMap.newKeySet();

  private final Path file;

  private DuckDbDestination(Connection db, Path file, DestinationOptions options) {
    super(db, options);
    this.file = file;
  }

  static DuckDbDestination open(String path, DestinationOptions options) {
    if (path.isEmpty()) {
      throw new DestinationException("duckdb: destination without a file: use duckdb:PATH");
    }
    Path file = Path.of(path).toAbsolutePath().normalize();
    Connection db;
    try {
      db = DriverManager.getConnection("jdbc:duckdb:" + file);
    } catch (SQLException e) {
      throw new DestinationException("duckdb:" + file + ": cannot open: " + e.getMessage()
          + (String.valueOf(e.getMessage()).contains("lock")
              ? " — another process has it open (another run?); wait for it or use another file"
              : ""));
    }
    DuckDbDestination d = new DuckDbDestination(db, file, options);
    try {
      d.init();
    } catch (SQLException | RuntimeException e) {
      try {
        db.close();
      } catch (SQLException ignored) {
        // Already failing.
      }
      if (e instanceof SQLException) {
        throw d.failure("preparing the database", (SQLException) e);
      }
      throw (RuntimeException) e;
    }
    return d;
  }

  @Override
  protected String qualified(String table) {
    return q(table);
  }

  @Override
  protected String columnsSql() {
    return "SELECT table_name, column_name, data_type FROM information_schema.columns"
        + " WHERE table_schema = 'main' AND table_catalog = current_database()"
        + " ORDER BY table_name, ordinal_position";
  }

  @Override
  protected String sqlType(ColumnType type) {
    switch (type) {
      case BOOLEAN:
        return "BOOLEAN";
      case INTEGER:
        return "BIGINT";
      case BIG_INTEGER:
        return "HUGEINT";
      case DECIMAL:
        return "DOUBLE";
      case TIMESTAMP:
        return "TIMESTAMPTZ";
      case DATE:
        return "DATE";
      case JSON:
        return "JSON";
      case BYTES:
        return "BLOB";
      default:
        return "VARCHAR";
    }
  }

  @Override
  protected Column column(String dataType) {
    switch (dataType.toUpperCase(java.util.Locale.ROOT)) {
      case "BOOLEAN":
        return new Column(ColumnType.BOOLEAN, "BOOLEAN", false);
      case "BIGINT":
        return new Column(ColumnType.INTEGER, "BIGINT", false);
      case "HUGEINT":
        return new Column(ColumnType.BIG_INTEGER, "HUGEINT", false);
      case "DOUBLE":
        return new Column(ColumnType.DECIMAL, "DOUBLE", false);
      case "TIMESTAMP WITH TIME ZONE":
        return new Column(ColumnType.TIMESTAMP, "TIMESTAMPTZ", false);
      case "DATE":
        return new Column(ColumnType.DATE, "DATE", false);
      case "JSON":
        return new Column(ColumnType.JSON, "JSON", false);
      case "BLOB":
        return new Column(ColumnType.BYTES, "BLOB", false);
      case "VARCHAR":
        return new Column(ColumnType.TEXT, "VARCHAR", false);
      default:
        return new Column(ColumnType.TEXT, dataType, true);
    }
  }

  @Override
  protected ColumnType infer(JsonNode v) {
    ColumnType t = Types.infer(v);
    return t == ColumnType.BIG_INTEGER && v.bigIntegerValue().bitLength() >= 128
        ? ColumnType.TEXT : t;
  }

  @Override
  protected boolean fits(ColumnType type, JsonNode v) {
    if (type == ColumnType.BIG_INTEGER) {
      java.math.BigInteger b = v.isIntegralNumber() ? v.bigIntegerValue()
          : v.isTextual() ? Types.bigInteger(v.textValue()) : null;
      return b != null && b.bitLength() < 128;
    }
    return Types.fits(type, v);
  }

  @Override
  protected String convert(String expr, Column c) {
    return c.type() == ColumnType.BYTES && !c.foreign() ? "from_base64(" + expr + ")"
        : "CAST(" + expr + " AS " + c.sqlType() + ")";
  }

  @Override
  protected String widenSql(String table, String column, Column from, Column to) {
    return "ALTER TABLE " + qualified(table) + " ALTER " + q(column) + " TYPE " + to.sqlType();
  }

  @Override
  protected void setKey(String table, List<String> key, boolean created) {
    // No constraint: DuckDB checks unique keys eagerly, and a response deletes and re-inserts a
    // key in one transaction. The key lives in _tributary_tables.
  }

  @Override
  protected void createStage(List<String> cols) throws SQLException {
    StringBuilder ddl = new StringBuilder("CREATE OR REPLACE TEMP TABLE " + STAGE + " (" + ORD
        + " BIGINT");
    for (String c : cols) {
      ddl.append(", ").append(q(c)).append(" VARCHAR");
    }
    exec(ddl.append(")").toString());
  }

  @Override
  protected void loadStage(String table, List<String> cols, List<String[]> texts)
      throws SQLException {
    String one = "(" + "?, ".repeat(cols.size()) + "?)";
    long ord = 0;
    // Preparing a statement of a chunk's thousand-odd parameters costs as much as running it:
    // the full chunks share one, only the last, shorter chunk has its own.
    PreparedStatement full = null;
    try {
      for (int from = 0; from < texts.size(); from += STAGE_CHUNK) {
        List<String[]> chunk = texts.subList(from, Math.min(texts.size(), from + STAGE_CHUNK));
        boolean whole = chunk.size() == STAGE_CHUNK;
        if (whole && full == null) {
          full = db.prepareStatement(insertStage(one, STAGE_CHUNK));
        }
        PreparedStatement st = whole ? full : db.prepareStatement(insertStage(one, chunk.size()));
        try {
          int i = 1;
          for (String[] row : chunk) {
            st.setLong(i++, ord++);
            for (String v : row) {
              if (v == null) {
                st.setNull(i++, java.sql.Types.VARCHAR);
              } else {
                st.setString(i++, v);
              }
            }
          }
          st.executeUpdate();
        } finally {
          if (!whole) {
            st.close();
          }
        }
      }
    } finally {
      if (full != null) {
        full.close();
      }
    }
  }

  private static String insertStage(String one, int rows) {
    return "INSERT INTO " + STAGE + " VALUES " + String.join(", ", Collections.nCopies(rows, one));
  }

  @Override
  protected void lockBookkeeping() {
    // One process per file: nothing to serialise.
  }

  private String heldKey(String connection) {
    return file + "\u0000" + connection;
  }

  @Override
  protected boolean tryLock(String connection) {
    return HELD.add(heldKey(connection));
  }

  @Override
  protected void unlock(String connection) {
    HELD.remove(heldKey(connection));
  }

  @Override
  protected String holder(String connection) {
    return "another run in this process";
  }

  @Override
  protected String forUpdate() {
    return "";
  }

  @Override
  public String describe() {
    return "duckdb:" + file;
  }
}
