package dev.tributary.examples.postgres;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * A tiny pool: at most one idle connection per (url, user, password), kept between reads.
 *
 * <p>Why this and not a pool library: a function serves one call at a time per instance (more
 * only on Azure or with Cloud Functions concurrency), and one call reads many pages. Opening a
 * TLS connection per page costs tens of milliseconds; keeping one warm connection removes that
 * without holding connections a database must budget for. A connection idle longer than
 * {@link #TRUST_IDLE_MILLIS} is checked with {@link Connection#isValid} before reuse (a
 * function's instance may have been frozen and its socket cut), and one idle longer than
 * {@link #MAX_IDLE_MILLIS} is closed. Concurrent calls open extra connections, which are
 * closed when another is already idle. Thread-safe.
 */
final class Connections {
  static final long TRUST_IDLE_MILLIS = 5_000;
  static final long MAX_IDLE_MILLIS = 300_000;

  private record Idle(Connection connection, long since) {}

  private final Map<String, Idle> idle = new HashMap<>();

  /** A connection for these credentials: the idle one if it is still good, else a new one. */
  Connection borrow(String url, String user, String password, int connectTimeoutSeconds)
      throws SQLException {
    String key = url + '\0' + user + '\0' + password;
    Idle found;
    synchronized (this) {
      found = idle.remove(key);
    }
    if (found != null) {
      long age = System.currentTimeMillis() - found.since();
      if (age < TRUST_IDLE_MILLIS
          || (age < MAX_IDLE_MILLIS && found.connection().isValid(connectTimeoutSeconds))) {
        return found.connection();
      }
      closeQuietly(found.connection());
    }
    Properties p = new Properties();
    p.setProperty("user", user);
    p.setProperty("password", password);
    p.setProperty("connectTimeout", Integer.toString(connectTimeoutSeconds));
    p.setProperty("loginTimeout", Integer.toString(connectTimeoutSeconds));
    p.setProperty("ApplicationName", "tributary");
    return DriverManager.getConnection(url, p);
  }

  /** Gives a healthy connection back for the next read; closes it if another is idle. */
  void release(String url, String user, String password, Connection c) {
    String key = url + '\0' + user + '\0' + password;
    Idle previous;
    synchronized (this) {
      previous = idle.put(key, new Idle(c, System.currentTimeMillis()));
    }
    if (previous != null) {
      closeQuietly(previous.connection());
    }
  }

  static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException ignored) {
      // Closing a broken connection fails; there is nothing left to release.
    }
  }
}
