package dev.tributary.runner;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * The machine's PostgreSQL ({@code 127.0.0.1:5432}, trust authentication, database {@code
 * test}) as a destination: a schema of its own, dropped with everything in it on {@link #close()}.
 */
final class TestPostgres implements AutoCloseable {
  static final String HOST = "127.0.0.1:5432";
  /** Trust authentication ignores it; it is here so tests can check it never shows. */
  static final String PASSWORD = "pw-never-shown-" + UUID.randomUUID();

  final String schema = "tributary_runner_"
      + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

  /** The destination URL without a password (the runner reads it from the environment). */
  String url() {
    return "postgresql://postgres@" + HOST + "/test?schema=" + schema;
  }

  /** The destination URL with the password in it. */
  String urlWithPassword() {
    return "postgresql://postgres:" + PASSWORD + "@" + HOST + "/test?schema=" + schema;
  }

  static Connection admin() throws SQLException {
    return DriverManager.getConnection("jdbc:postgresql://" + HOST + "/test", "postgres", "");
  }

  @Override
  public void close() throws SQLException {
    try (Connection c = admin(); Statement st = c.createStatement()) {
      st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
  }
}
