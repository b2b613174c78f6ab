package dev.tributary.cache.valkey;

import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Function;
import javax.net.ssl.SSLSocketFactory;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.UnifiedJedis;

/**
 * One pooled connection to a Valkey/Redis server, built from a {@code redis://} or
 * {@code rediss://} URL, that turns every client failure into an {@link IOException} naming only
 * {@code host:port}. The password is handed to Jedis and kept nowhere else, so it can appear in
 * no message, no {@code toString} and no log line.
 *
 * <p>Timeouts are short on purpose — a cache must never stall a sync: {@value #TIMEOUT_MILLIS} ms
 * to connect, to read a reply and to wait for a pooled connection. Thread-safe.
 */
final class ValkeyClient implements AutoCloseable {
  /** Connect, read and pool-wait timeout in milliseconds. */
  static final int TIMEOUT_MILLIS = 1000;
  /** Connections kept per process; a function handles one sync at a time, so this is generous. */
  static final int MAX_CONNECTIONS = 16;

  private static final String VARIABLE = "TRIBUTARY_CACHE_VALKEY_URL";

  private final String hostPort;
  private final String password;
  private final UnifiedJedis jedis;

  private ValkeyClient(String hostPort, String password, UnifiedJedis jedis) {
    this.hostPort = hostPort;
    this.password = password;
    this.jedis = jedis;
  }

  /**
   * Connects lazily to {@code url}: {@code redis[s]://[[user]:password@]host[:port][/db]}.
   *
   * @param sslSocketFactory for {@code rediss://}; null for the JVM's default trust store
   * @throws IllegalArgumentException naming {@code TRIBUTARY_CACHE_VALKEY_URL} (and never the
   *     password) when the URL cannot be used
   */
  static ValkeyClient open(URI url, SSLSocketFactory sslSocketFactory) {
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(java.util.Locale.ROOT);
    if (!scheme.equals("redis") && !scheme.equals("rediss")) {
      throw new IllegalArgumentException(
          VARIABLE + " must be redis:// or rediss://, not " + scheme + "://");
    }
    String host = url.getHost();
    if (host == null || host.isEmpty()) {
      throw new IllegalArgumentException(VARIABLE + " has no host: " + redacted(url));
    }
    int port = url.getPort() == -1 ? 6379 : url.getPort();
    DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
        .connectionTimeoutMillis(TIMEOUT_MILLIS)
        .socketTimeoutMillis(TIMEOUT_MILLIS)
        .clientName("tributary");
    String user = null;
    String password = null;
    String userInfo = url.getRawUserInfo();
    if (userInfo != null && !userInfo.isEmpty()) {
      int colon = userInfo.indexOf(':');
      if (colon < 0) {
        password = decode(userInfo); // redis://secret@host, as redis-cli reads it
      } else {
        user = colon == 0 ? null : decode(userInfo.substring(0, colon));
        password = decode(userInfo.substring(colon + 1));
      }
      if (password != null && password.isEmpty()) {
        password = null;
      }
    }
    if (user != null) {
      config.user(user);
    }
    if (password != null) {
      config.password(password);
    }
    String path = url.getPath();
    if (path != null && path.length() > 1) {
      try {
        config.database(Integer.parseInt(path.substring(1)));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            VARIABLE + " path must be a database number (/0), not " + path);
      }
    }
    if (scheme.equals("rediss")) {
      config.ssl(true);
      if (sslSocketFactory != null) {
        config.sslSocketFactory(sslSocketFactory);
      }
    }
    GenericObjectPoolConfig<Connection> pool = new GenericObjectPoolConfig<>();
    pool.setMaxTotal(MAX_CONNECTIONS);
    pool.setMaxIdle(MAX_CONNECTIONS);
    pool.setMinIdle(0);
    pool.setMaxWait(Duration.ofMillis(TIMEOUT_MILLIS));
    pool.setTestWhileIdle(false);
    pool.setJmxEnabled(false);
    RedisClient client = RedisClient.builder()
        .hostAndPort(new HostAndPort(host, port))
        .clientConfig(config.build())
        .poolConfig(pool)
        .build();
    return new ValkeyClient(host + ":" + port, password, client);
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  /** {@code url} without its user info, for messages. */
  static String redacted(URI url) {
    return url.getScheme() + "://" + (url.getRawUserInfo() == null ? "" : "***@")
        + url.getHost() + (url.getPort() == -1 ? "" : ":" + url.getPort())
        + (url.getRawPath() == null ? "" : url.getRawPath());
  }

  String hostPort() {
    return hostPort;
  }

  /**
   * Runs {@code command}; any failure (unreachable, timeout, auth, wrong type) becomes an
   * {@link IOException} "valkey at host:port: {@code what} failed: …" with the password masked.
   */
  <T> T call(String what, Function<UnifiedJedis, T> command) throws IOException {
    try {
      return command.apply(jedis);
    } catch (RuntimeException e) {
      throw failure(what, e);
    }
  }

  private IOException failure(String what, RuntimeException e) {
    StringBuilder detail = new StringBuilder(e.getClass().getSimpleName());
    if (e.getMessage() != null) {
      detail.append(": ").append(e.getMessage());
    }
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (root != e && root.getMessage() != null) {
      detail.append(" (").append(root.getMessage()).append(')');
    }
    IOException io = new IOException(
        "valkey at " + hostPort + ": " + what + " failed: " + mask(detail.toString()));
    // Jedis never sees the URL, but keep the cause only if nothing in it could quote the secret.
    if (!mentionsPassword(e)) {
      io.initCause(e);
    }
    return io;
  }

  private String mask(String s) {
    return password == null ? s : s.replace(password, "***");
  }

  private boolean mentionsPassword(Throwable t) {
    if (password == null) {
      return false;
    }
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (String.valueOf(c.getMessage()).contains(password)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void close() {
    try {
      jedis.close();
    } catch (RuntimeException ignored) {
      // closing a pool whose server is gone must not fail anything
    }
  }

  @Override
  public String toString() {
    return "ValkeyClient{" + hostPort + "}";
  }
}
