package dev.tributary.examples.postgres;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * A schema of its own in the machine's PostgreSQL ({@code 127.0.0.1:5432}, database
 * {@code test}), dropped with everything in it on {@link #close()}.
 */
final class TestDatabase implements AutoCloseable {
  static final String URL = "jdbc:postgresql://127.0.0.1:5432/test";
  static final String USER = "postgres";
  /** Trust authentication ignores it; it is here so tests can check it never leaks. */
  static final String PASSWORD = "pw-never-shown-" + UUID.randomUUID();

  /**
   * A cursor value that the next sync covers under the default 30-second settle lag: the
   * writing transaction's start minus the lag. Every later sync's horizon is past it, and every
   * earlier sync's horizon was before it.
   */
  static final String SETTLED_NOW = "(now() - interval '30 seconds')";

  final String schema = "tributary_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  private final Connection admin;

  TestDatabase() throws SQLException {
    admin = connect();
    exec("CREATE SCHEMA " + schema);
  }

  static Connection connect() throws SQLException {
    return DriverManager.getConnection(URL, USER, "");
  }

  /** Runs statements in the test schema, each committed. */
  void exec(String... sql) throws SQLException {
    try (Statement st = admin.createStatement()) {
      st.execute("SET search_path TO " + schema);
      for (String s : sql) {
        st.execute(s);
      }
    }
  }

  /** Secrets for this database, with the table list given as JSON. */
  Map<String, Object> secrets(String tablesJson) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("jdbc_url", URL);
    s.put("user", USER);
    s.put("password", PASSWORD);
    if (tablesJson != null) {
      s.put("tables", tablesJson);
    }
    return s;
  }

  @Override
  public void close() throws SQLException {
    try (Statement st = admin.createStatement()) {
      st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    } finally {
      admin.close();
    }
  }
}
