package dev.tributary.scheduled.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The machine's PostgreSQL ({@code 127.0.0.1:5432}, trust authentication, database {@code test})
 * as both ends of a scheduled sync: a source schema with an {@code items} table that tests
 * change between ticks, and a destination schema the sync writes; both dropped on
 * {@link #close()}.
 */
public final class SourceItems implements AutoCloseable {
  public static final String HOST = "127.0.0.1:5432";
  public static final String JDBC_URL = "jdbc:postgresql://" + HOST + "/test";
  /** Trust authentication ignores it; tests check that it never shows. */
  public final String password = "pw-scheduled-" + UUID.randomUUID();
  /** Trust authentication ignores it too; it goes in the destination settings. */
  public final String destinationPassword = "dest-pw-" + UUID.randomUUID();

  public final String sourceSchema = "tributary_src_" + token();
  public final String destinationSchema = "tributary_sched_" + token();
  private final Random random;
  private long nextId = 1;

  public SourceItems(long seed) throws SQLException {
    this.random = new Random(seed);
    try (Connection c = admin(); Statement st = c.createStatement()) {
      st.execute("CREATE SCHEMA " + sourceSchema);
      st.execute("CREATE TABLE " + sourceSchema + ".items (id bigint PRIMARY KEY, name text NOT NULL,"
          + " updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),"
          + " deleted boolean NOT NULL DEFAULT false)");
    }
  }

  /** The destination URL, without the password (it goes in its own setting). */
  public String destinationUrl() {
    return "postgresql://postgres@" + HOST + "/test?schema=" + destinationSchema;
  }

  /** The connector's secrets; {@code slowMs} pauses each page read. */
  public ObjectNode secrets(long slowMs) {
    ObjectNode s = new ObjectMapper().createObjectNode();
    s.put("jdbc_url", JDBC_URL);
    s.put("schema", sourceSchema);
    s.put("user", "postgres");
    s.put("password", password);
    s.put("slow_ms", Long.toString(slowMs));
    return s;
  }

  /** Adds {@code n} rows. */
  public void insert(int n) throws SQLException {
    try (Connection c = admin(); PreparedStatement st = c.prepareStatement(
        "INSERT INTO " + sourceSchema + ".items (id, name) VALUES (?, ?)")) {
      for (int i = 0; i < n; i++) {
        st.setLong(1, nextId++);
        st.setString(2, "item-" + random.nextInt(1_000_000));
        st.addBatch();
      }
      st.executeBatch();
    }
  }

  /** Renames {@code n} live rows (their cursor moves) and deletes {@code d} (tombstones). */
  public void change(int n, int d) throws SQLException {
    List<Long> live = new ArrayList<>(live().keySet());
    try (Connection c = admin()) {
      try (PreparedStatement st = c.prepareStatement("UPDATE " + sourceSchema + ".items SET"
          + " name = ?, updated_at = clock_timestamp() WHERE id = ?")) {
        for (int i = 0; i < n && !live.isEmpty(); i++) {
          st.setString(1, "renamed-" + random.nextInt(1_000_000));
          st.setLong(2, live.get(random.nextInt(live.size())));
          st.executeUpdate();
        }
      }
      try (PreparedStatement st = c.prepareStatement("UPDATE " + sourceSchema + ".items SET"
          + " deleted = true, updated_at = clock_timestamp() WHERE id = ?")) {
        for (int i = 0; i < d && !live.isEmpty(); i++) {
          st.setLong(1, live.remove(random.nextInt(live.size())));
          st.executeUpdate();
        }
      }
    }
  }

  /** The live rows of the source: id → name. */
  public Map<Long, String> live() throws SQLException {
    return read("SELECT id, name FROM " + sourceSchema + ".items WHERE NOT deleted");
  }

  /** The rows the destination holds (not marked deleted): id → name; empty before the first write. */
  public Map<Long, String> destination() throws SQLException {
    try (Connection c = admin(); ResultSet rs = c.getMetaData().getTables(null, destinationSchema,
        "items", null)) {
      if (!rs.next()) {
        return new TreeMap<>();
      }
    }
    return read("SELECT id, name FROM " + destinationSchema + ".items WHERE NOT _fivetran_deleted");
  }

  private static Map<Long, String> read(String sql) throws SQLException {
    Map<Long, String> rows = new TreeMap<>();
    try (Connection c = admin(); ResultSet rs = c.createStatement().executeQuery(sql)) {
      while (rs.next()) {
        rows.put(rs.getLong(1), rs.getString(2));
      }
    }
    return rows;
  }

  public static Connection admin() throws SQLException {
    return DriverManager.getConnection(JDBC_URL, "postgres", "");
  }

  private static String token() {
    return UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  }

  @Override
  public void close() throws SQLException {
    try (Connection c = admin(); Statement st = c.createStatement()) {
      st.execute("DROP SCHEMA IF EXISTS " + sourceSchema + " CASCADE");
      st.execute("DROP SCHEMA IF EXISTS " + destinationSchema + " CASCADE");
    }
  }
}
