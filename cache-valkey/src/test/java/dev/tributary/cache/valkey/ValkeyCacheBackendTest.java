package dev.tributary.cache.valkey;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.cache.CacheBackend.WriteResult;
import dev.tributary.cache.CacheBackend;
import dev.tributary.cache.testing.CacheBackendContract;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * The backend contract and Valkey's own behaviour (expiry, leases, layout) against the real
 * {@code redis-server} on 127.0.0.1:6379. Every key a test makes is under a random namespace
 * ({@code tributary:contract-<uuid>:}, {@code tributary:lease:contract-<uuid>:}) and deleted after.
 *
 * <p>{@link #storedVersion} is the raw stored envelope and hash read straight from Valkey: the
 * contract's skipped write carries a different {@code fetched_at}, so an unchanged raw value
 * proves the SET was not repeated.
 */
class ValkeyCacheBackendTest extends CacheBackendContract {
  static final URI URL = URI.create("redis://127.0.0.1:6379");
  static RedisClient raw;
  private final java.util.List<CacheBackend> others = new java.util.ArrayList<>();

  @BeforeAll
  static void connectRaw() {
    raw = RedisClient.create("127.0.0.1", 6379);
  }

  @AfterAll
  static void closeRaw() {
    raw.close();
  }

  @Override
  protected CacheBackend create() {
    return new ValkeyCacheBackend(URL);
  }

  @Override
  protected Object storedVersion(String key) {
    String redisKey = ValkeyCacheBackend.entryKey(key);
    return raw.hmget(redisKey, "envelope", "hash");
  }

  @AfterEach
  void deleteTestKeys() {
    for (CacheBackend b : others) {
      b.close();
    }
    deleteMatching("tributary:" + ns + ":*");
    deleteMatching("tributary:lease:" + ns + ":*");
  }

  static void deleteMatching(String pattern) {
    String cursor = ScanParams.SCAN_POINTER_START;
    do {
      ScanResult<String> page = raw.scan(cursor, new ScanParams().match(pattern).count(500));
      if (!page.getResult().isEmpty()) {
        raw.del(page.getResult().toArray(new String[0]));
      }
      cursor = page.getCursor();
    } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
  }

  private LeasingBackendPair twoClients() {
    ValkeyCacheBackend a = new ValkeyCacheBackend(URL);
    ValkeyCacheBackend b = new ValkeyCacheBackend(URL);
    others.add(a);
    others.add(b);
    return new LeasingBackendPair(a, b);
  }

  record LeasingBackendPair(ValkeyCacheBackend a, ValkeyCacheBackend b) {}

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void storesTheEntryAsAHashAtTributaryAccountKey() throws Exception {
    backend.write(ns + "/projects/open", utf8("{\"p\":1}"), "hp", 600);
    String key = "tributary:" + ns + ":projects/open";
    assertEquals("hash", raw.type(key));
    assertEquals(List.of("{\"p\":1}", "hp"), raw.hmget(key, "envelope", "hash"));
    assertEquals(Set.of("envelope", "hash"), raw.hkeys(key));
  }

  @Test
  void valkeyExpiresTheEntryAfterItsTtl() throws Exception {
    backend.write(ns + "/short", utf8("x"), "h", 1);
    long pttl = raw.pttl("tributary:" + ns + ":short");
    assertTrue(pttl > 0 && pttl <= 1000, "expiry set from ttlSeconds: " + pttl);
    Thread.sleep(1100);
    assertEquals(Optional.empty(), backend.read(ns + "/short"));
  }

  @Test
  void aSkippedWriteStillExtendsTheExpiry() throws Exception {
    backend.write(ns + "/k", utf8("{\"fetched_at\":1}"), "same", 5);
    assertEquals(WriteResult.SKIPPED_SAME_HASH,
        backend.write(ns + "/k", utf8("{\"fetched_at\":2}"), "same", 600));
    long ttl = raw.ttl("tributary:" + ns + ":k");
    assertTrue(ttl > 500, "expiry follows the skipped write: " + ttl);
    assertArrayEquals(utf8("{\"fetched_at\":1}"), backend.read(ns + "/k").orElseThrow().envelope());
  }

  @Test
  void aChangedWriteReplacesTheWholeEntryAndItsExpiry() throws Exception {
    backend.write(ns + "/k", utf8("old"), "h1", 600);
    assertEquals(WriteResult.WRITTEN, backend.write(ns + "/k", utf8("new"), "h2", 30));
    assertEquals(List.of("new", "h2"), raw.hmget("tributary:" + ns + ":k", "envelope", "hash"));
    assertTrue(raw.ttl("tributary:" + ns + ":k") <= 30);
  }

  @Test
  void aLeaseIsExclusiveBetweenTwoClients() throws Exception {
    LeasingBackendPair p = twoClients();
    Optional<String> first = p.a().tryLease(ns + "/accounts", Duration.ofSeconds(10));
    assertTrue(first.isPresent());
    assertEquals(Optional.empty(), p.b().tryLease(ns + "/accounts", Duration.ofSeconds(10)));
    assertEquals(Optional.empty(), p.a().tryLease(ns + "/accounts", Duration.ofSeconds(10)),
        "not re-entrant either");
    assertTrue(p.b().tryLease(ns + "/projects", Duration.ofSeconds(10)).isPresent(),
        "another key is another lease");
    long pttl = raw.pttl("tributary:lease:" + ns + ":accounts");
    assertTrue(pttl > 9000 && pttl <= 10000, "lease expires by PX: " + pttl);
  }

  @Test
  void onlyTheOwnerReleasesALease() throws Exception {
    LeasingBackendPair p = twoClients();
    String token = p.a().tryLease(ns + "/accounts", Duration.ofSeconds(10)).orElseThrow();
    p.b().release(ns + "/accounts", "not-the-token");
    assertEquals(Optional.empty(), p.b().tryLease(ns + "/accounts", Duration.ofSeconds(10)));
    p.a().release(ns + "/accounts", token);
    assertTrue(p.b().tryLease(ns + "/accounts", Duration.ofSeconds(10)).isPresent());
  }

  @Test
  void anExpiredLeaseCanBeTakenByAnotherAndIsNotReleasedByItsFormerOwner() throws Exception {
    LeasingBackendPair p = twoClients();
    String stale = p.a().tryLease(ns + "/accounts", Duration.ofMillis(100)).orElseThrow();
    Thread.sleep(150);
    String fresh = p.b().tryLease(ns + "/accounts", Duration.ofSeconds(10)).orElseThrow();
    p.a().release(ns + "/accounts", stale);
    assertEquals(fresh, raw.get("tributary:lease:" + ns + ":accounts"));
  }

  @Test
  void keysWithoutAnAccountNamespaceAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> backend.read("no-namespace"));
    assertThrows(IllegalArgumentException.class, () -> backend.read("ratelimit/x"));
    assertThrows(IllegalArgumentException.class, () -> backend.read("lease/x"));
  }

  @Test
  void isNamedValkey() {
    assertEquals("valkey", backend.name());
  }

  @Test
  void racingWritersLeaveTheLatestFetchNotTheLastWrite() throws Exception {
    // Rounds of sixteen processes that write, all at once and in shuffled order, fetches that
    // began at different times: the comparison and the write are one script, so the latest fetch
    // is what stays every time (a read-then-write loses this race within a few rounds).
    java.util.Random random = new java.util.Random(12);
    java.time.Instant base = java.time.Instant.parse("2026-03-01T12:00:00Z");
    List<CacheBackend> writers = new java.util.ArrayList<>();
    for (int i = 0; i < 16; i++) {
      CacheBackend own = create();
      others.add(own);
      writers.add(own);
    }
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(16);
    try {
      for (int round = 0; round < 40; round++) {
        String key = ns + "/race-" + round;
        List<Integer> order = new java.util.ArrayList<>();
        for (int i = 0; i < 16; i++) {
          order.add(i);
        }
        java.util.Collections.shuffle(order, random);
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
        for (int w = 0; w < 16; w++) {
          int n = order.get(w);
          CacheBackend own = writers.get(w);
          java.time.Instant at = base.plusSeconds(n);
          done.add(pool.submit(() -> {
            go.await();
            return own.writeIfNewer(key, envelope(at, "v" + n), "h" + n, 600, at);
          }));
        }
        go.countDown();
        for (java.util.concurrent.Future<?> f : done) {
          f.get();
        }
        assertEquals(new String(envelope(base.plusSeconds(15), "v15"), StandardCharsets.UTF_8),
            new String(backend.read(key).orElseThrow().envelope(), StandardCharsets.UTF_8),
            "round " + round);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aLeaseIsRenewedOnlyByItsOwner() throws Exception {
    ValkeyCacheBackend valkey = (ValkeyCacheBackend) backend;
    String token = valkey.tryLease(ns + "/k", Duration.ofMillis(200)).orElseThrow();
    assertTrue(valkey.renew(ns + "/k", token, Duration.ofSeconds(30)));
    long ttl = raw.pttl(ValkeyCacheBackend.leaseKey(ns + "/k"));
    assertTrue(ttl > 20_000, "extended to the new ttl: " + ttl);
    assertEquals(false, valkey.renew(ns + "/k", "not-the-token", Duration.ofSeconds(60)));
    assertTrue(raw.pttl(ValkeyCacheBackend.leaseKey(ns + "/k")) <= 30_000, "a stranger cannot");
    valkey.release(ns + "/k", token);
    assertEquals(false, valkey.renew(ns + "/k", token, Duration.ofSeconds(30)),
        "a released lease is not brought back");
  }
}
