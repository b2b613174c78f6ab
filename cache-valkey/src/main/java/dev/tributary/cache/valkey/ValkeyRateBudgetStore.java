package dev.tributary.cache.valkey;

import dev.tributary.cache.RateBudgetStore;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * "Not before" times per source host in Valkey, shared by every process that talks to it.
 *
 * <p>Layout: {@code tributary:ratelimit:<host>} (host lower-cased) holds epoch milliseconds as a
 * decimal string. {@link #raise} is one Lua script that stores the new time only if it is later
 * than the stored one (max-merge, so a shorter wait never shortens a longer one) and lets the key
 * expire {@link #GRACE} after that time, so stale budgets do not pile up. Times come from the
 * callers' clocks, as {@code Retry-After} dates do.
 *
 * <p>Same connection rules as {@link ValkeyCacheBackend}: 1 s timeouts, failures as
 * {@link IOException}s naming {@code host:port} only. Thread-safe.
 */
public final class ValkeyRateBudgetStore implements RateBudgetStore {
  /** How long past its not-before time a host's key is kept. */
  static final Duration GRACE = Duration.ofMinutes(1);
  private static final String PREFIX = "tributary:ratelimit:";

  /** Returns the stored epoch millis after merging ARGV[1]; ARGV[2] is the key's expiry (PXAT). */
  private static final String RAISE = String.join("\n",
      "local stored = tonumber(redis.call('GET', KEYS[1]) or '0') or 0",
      "local proposed = tonumber(ARGV[1])",
      "if proposed > stored then",
      "  redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ARGV[2])",
      "  return proposed",
      "end",
      "return stored");

  private final ValkeyClient client;

  /**
   * A store at {@code redis[s]://[[user]:password@]host[:port][/db]}; connects on first use.
   *
   * @throws IllegalArgumentException naming {@code TRIBUTARY_CACHE_VALKEY_URL} if the URL is unusable
   */
  public ValkeyRateBudgetStore(URI url) {
    this(ValkeyClient.open(url, null));
  }

  ValkeyRateBudgetStore(ValkeyClient client) {
    this.client = client;
  }

  @Override
  public Instant raise(String host, Instant notBefore) throws IOException {
    long millis = notBefore.toEpochMilli();
    if (millis <= 0) {
      return notBefore(host);
    }
    String key = key(host);
    Object stored = client.call("raise", j -> j.eval(RAISE, List.of(key),
        List.of(Long.toString(millis), Long.toString(millis + GRACE.toMillis()))));
    return Instant.ofEpochMilli((Long) stored);
  }

  @Override
  public Instant notBefore(String host) throws IOException {
    String key = key(host);
    String stored = client.call("read budget", j -> j.get(key));
    if (stored == null) {
      return Instant.EPOCH;
    }
    try {
      return Instant.ofEpochMilli(Long.parseLong(stored));
    } catch (NumberFormatException e) {
      throw new IOException("valkey at " + client.hostPort() + ": " + key + " is not epoch millis");
    }
  }

  static String key(String host) {
    return PREFIX + host.toLowerCase(Locale.ROOT);
  }

  @Override
  public void close() {
    client.close();
  }

  @Override
  public String toString() {
    return "ValkeyRateBudgetStore{" + client.hostPort() + "}";
  }
}
