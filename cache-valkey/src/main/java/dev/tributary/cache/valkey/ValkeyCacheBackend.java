package dev.tributary.cache.valkey;

import dev.tributary.cache.LeasingBackend;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import redis.clients.jedis.params.SetParams;

/**
 * Cache entries in Valkey or Redis, with single-flight leases for herds of cold starts.
 *
 * <p>Layout. The SPI key {@code <account_hash>/<key>} is split at its first {@code /} and stored
 * as {@code tributary:<account_hash>:<key>} (the rest of the key is kept verbatim, slashes
 * included). Each entry is one Valkey <em>hash</em> with the fields {@code envelope} (the
 * envelope bytes), {@code hash} (their content hash) and {@code fetched_at} (epoch millis, when
 * written through {@link #writeIfNewer}), and an expiry of {@code ttlSeconds}: one key, so
 * envelope and hash can never belong to different writes. Leases live at
 * {@code tributary:lease:<account_hash>:<key>}; the rate budget at
 * {@code tributary:ratelimit:<host>} (see {@link ValkeyRateBudgetStore}), so {@code lease} and
 * {@code ratelimit} are not valid account hashes.
 *
 * <p>Writes run as one Lua script, so a write is atomic with its dedupe check: if the stored
 * {@code hash} equals the new one, nothing is rewritten and only the expiry is extended (the
 * entry stays fresh as long as the {@code SourceCache} considers it fresh by {@code fetched_at});
 * otherwise the hash is replaced whole and given a new expiry. {@link #writeIfNewer} (what the
 * cache calls) first compares {@code fetched_at} in the same script and keeps a stored entry
 * fetched later. Leases are renewed by a script that extends them only for their token.
 *
 * <p>Connections: a small pool; connect, read and pool-wait timeouts of 1 s, because a cache must
 * never stall a sync. Every failure is an {@link IOException} naming {@code host:port}, never the
 * password. Thread-safe.
 */
public final class ValkeyCacheBackend implements LeasingBackend {
  private static final String PREFIX = "tributary:";
  private static final String LEASE_PREFIX = PREFIX + "lease:";
  private static final byte[] ENVELOPE = bytes("envelope");
  private static final byte[] HASH = bytes("hash");

  /** Returns 1 if written, 0 if the stored hash matched (then only the expiry is extended). */
  private static final byte[] WRITE = bytes(String.join("\n",
      "local stored = redis.call('HGET', KEYS[1], 'hash')",
      "if stored == ARGV[2] then",
      "  redis.call('EXPIRE', KEYS[1], ARGV[3])",
      "  return 0",
      "end",
      "redis.call('DEL', KEYS[1])",
      "redis.call('HSET', KEYS[1], 'envelope', ARGV[1], 'hash', ARGV[2])",
      "redis.call('EXPIRE', KEYS[1], ARGV[3])",
      "return 1"));

  /**
   * {@link #WRITE} unless the stored {@code fetched_at} (epoch millis) is later than ARGV[4]:
   * then nothing changes and the result is 2. Compare and write are one script, so two racing
   * writers always leave the later fetch.
   */
  private static final byte[] WRITE_IF_NEWER = bytes(String.join("\n",
      "local at = tonumber(redis.call('HGET', KEYS[1], 'fetched_at') or '')",
      "if at and at > tonumber(ARGV[4]) then",
      "  return 2",
      "end",
      "local stored = redis.call('HGET', KEYS[1], 'hash')",
      "if stored == ARGV[2] then",
      "  redis.call('EXPIRE', KEYS[1], ARGV[3])",
      "  return 0",
      "end",
      "redis.call('DEL', KEYS[1])",
      "redis.call('HSET', KEYS[1], 'envelope', ARGV[1], 'hash', ARGV[2], 'fetched_at', ARGV[4])",
      "redis.call('EXPIRE', KEYS[1], ARGV[3])",
      "return 1"));

  /** Extends the lease to ARGV[2] ms only while it still holds the caller's token. */
  private static final String RENEW = String.join("\n",
      "if redis.call('GET', KEYS[1]) == ARGV[1] then",
      "  return redis.call('PEXPIRE', KEYS[1], ARGV[2])",
      "end",
      "return 0");

  /** Deletes the lease only while it still holds the caller's token. */
  private static final String RELEASE = String.join("\n",
      "if redis.call('GET', KEYS[1]) == ARGV[1] then",
      "  return redis.call('DEL', KEYS[1])",
      "end",
      "return 0");

  private final ValkeyClient client;

  /**
   * A backend for {@code redis[s]://[[user]:password@]host[:port][/db]}; connects on first use.
   *
   * @throws IllegalArgumentException naming {@code TRIBUTARY_CACHE_VALKEY_URL} if the URL is unusable
   */
  public ValkeyCacheBackend(URI url) {
    this(ValkeyClient.open(url, null));
  }

  ValkeyCacheBackend(ValkeyClient client) {
    this.client = client;
  }

  @Override
  public String name() {
    return "valkey";
  }

  @Override
  public Optional<Stored> read(String key) throws IOException {
    byte[] redisKey = bytes(entryKey(key));
    List<byte[]> fields = client.call("read", j -> j.hmget(redisKey, ENVELOPE, HASH));
    byte[] envelope = fields.get(0);
    byte[] hash = fields.get(1);
    if (envelope == null && hash == null) {
      return Optional.empty();
    }
    if (envelope == null || hash == null) {
      throw new IOException("valkey at " + client.hostPort() + ": entry " + entryKey(key)
          + " lacks its " + (envelope == null ? "envelope" : "hash"));
    }
    return Optional.of(new Stored(envelope, new String(hash, StandardCharsets.UTF_8)));
  }

  @Override
  public WriteResult write(String key, byte[] envelope, String contentHash, long ttlSeconds)
      throws IOException {
    if (ttlSeconds < 1) {
      throw new IllegalArgumentException("ttlSeconds < 1: " + ttlSeconds);
    }
    byte[] redisKey = bytes(entryKey(key));
    Object written = client.call("write", j -> j.eval(WRITE, List.of(redisKey),
        List.of(envelope, bytes(contentHash), bytes(Long.toString(ttlSeconds)))));
    return Long.valueOf(1).equals(written) ? WriteResult.WRITTEN : WriteResult.SKIPPED_SAME_HASH;
  }

  @Override
  public WriteResult writeIfNewer(String key, byte[] envelope, String contentHash,
      long ttlSeconds, Instant fetchedAt) throws IOException {
    if (ttlSeconds < 1) {
      throw new IllegalArgumentException("ttlSeconds < 1: " + ttlSeconds);
    }
    byte[] redisKey = bytes(entryKey(key));
    Object result = client.call("write", j -> j.eval(WRITE_IF_NEWER, List.of(redisKey),
        List.of(envelope, bytes(contentHash), bytes(Long.toString(ttlSeconds)),
            bytes(Long.toString(fetchedAt.toEpochMilli())))));
    if (Long.valueOf(2).equals(result)) {
      return WriteResult.KEPT_NEWER;
    }
    return Long.valueOf(1).equals(result) ? WriteResult.WRITTEN : WriteResult.SKIPPED_SAME_HASH;
  }

  @Override
  public boolean renew(String key, String token, Duration ttl) throws IOException {
    long millis = ttl.toMillis();
    if (millis < 1) {
      throw new IllegalArgumentException("ttl < 1ms: " + ttl);
    }
    String leaseKey = leaseKey(key);
    Object renewed = client.call("renew lease", j -> j.eval(RENEW, List.of(leaseKey),
        List.of(token, Long.toString(millis))));
    return Long.valueOf(1).equals(renewed);
  }

  @Override
  public Optional<String> tryLease(String key, Duration ttl) throws IOException {
    long millis = ttl.toMillis();
    if (millis < 1) {
      throw new IllegalArgumentException("ttl < 1ms: " + ttl);
    }
    String leaseKey = leaseKey(key);
    String token = UUID.randomUUID().toString();
    String ok = client.call("lease",
        j -> j.set(leaseKey, token, SetParams.setParams().nx().px(millis)));
    return "OK".equals(ok) ? Optional.of(token) : Optional.empty();
  }

  @Override
  public void release(String key, String token) throws IOException {
    String leaseKey = leaseKey(key);
    client.call("release", j -> j.eval(RELEASE, List.of(leaseKey), List.of(token)));
  }

  /** {@code tributary:<account_hash>:<key>} for the SPI key {@code <account_hash>/<key>}. */
  static String entryKey(String key) {
    return PREFIX + namespaced(key);
  }

  /** {@code tributary:lease:<account_hash>:<key>}. */
  static String leaseKey(String key) {
    return LEASE_PREFIX + namespaced(key);
  }

  private static String namespaced(String key) {
    int slash = key.indexOf('/');
    if (slash <= 0 || slash == key.length() - 1) {
      throw new IllegalArgumentException("key is not <account_hash>/<key>: " + key);
    }
    String account = key.substring(0, slash);
    if (account.indexOf(':') >= 0 || account.equals("lease") || account.equals("ratelimit")) {
      throw new IllegalArgumentException("account hash is reserved or has ':': " + account);
    }
    return account + ":" + key.substring(slash + 1);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    client.close();
  }

  @Override
  public String toString() {
    return "ValkeyCacheBackend{" + client.hostPort() + "}";
  }
}
