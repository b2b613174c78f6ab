package dev.tributary.cache.valkey;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/** The shared rate budget against the real {@code redis-server}; hosts are random and deleted after. */
class ValkeyRateBudgetStoreTest {
  static final URI URL = URI.create("redis://127.0.0.1:6379");
  ValkeyRateBudgetStore a;
  ValkeyRateBudgetStore b;
  RedisClient raw;
  String host;
  String otherHost;
  Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);

  @BeforeEach
  void open() {
    a = new ValkeyRateBudgetStore(URL);
    b = new ValkeyRateBudgetStore(URL);
    raw = RedisClient.create("127.0.0.1", 6379);
    host = "budget-" + UUID.randomUUID() + ".example.com";
    otherHost = "budget-" + UUID.randomUUID() + ".example.com";
  }

  @AfterEach
  void close() {
    raw.del(ValkeyRateBudgetStore.key(host), ValkeyRateBudgetStore.key(otherHost));
    raw.close();
    a.close();
    b.close();
  }

  @Test
  void aHostWithNoBudgetMayBeCalledNow() throws Exception {
    assertEquals(Instant.EPOCH, a.notBefore(host));
  }

  @Test
  void raisesFromTwoClientsMergeByMaximum() throws Exception {
    Instant later = now.plusSeconds(10);
    assertEquals(later, a.raise(host, later));
    assertEquals(later, b.raise(host, now.plusSeconds(5)), "a shorter wait does not shorten it");
    assertEquals(later, a.notBefore(host));
    assertEquals(later, b.notBefore(host));
    Instant latest = now.plusSeconds(20);
    assertEquals(latest, b.raise(host, latest));
    assertEquals(latest, a.notBefore(host));
  }

  @Test
  void hostsHaveSeparateBudgets() throws Exception {
    a.raise(host, now.plusSeconds(10));
    assertEquals(Instant.EPOCH, b.notBefore(otherHost));
  }

  @Test
  void storedAsEpochMillisExpiringShortlyAfter() throws Exception {
    Instant later = now.plusSeconds(10);
    a.raise(host.toUpperCase(java.util.Locale.ROOT), later);
    String key = "tributary:ratelimit:" + host;
    assertEquals(Long.toString(later.toEpochMilli()), raw.get(key));
    long pttl = raw.pttl(key);
    long expected = 10_000 + ValkeyRateBudgetStore.GRACE.toMillis();
    assertTrue(pttl > expected - 2_000 && pttl <= expected, "expires a little past the time: " + pttl);
  }

  @Test
  void concurrentRaisesKeepTheLatest() throws Exception {
    Thread[] threads = new Thread[8];
    for (int i = 0; i < threads.length; i++) {
      Instant t = now.plusSeconds(i + 1);
      ValkeyRateBudgetStore store = i % 2 == 0 ? a : b;
      threads[i] = new Thread(() -> {
        try {
          store.raise(host, t);
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      threads[i].start();
    }
    for (Thread t : threads) {
      t.join();
    }
    assertEquals(now.plusSeconds(threads.length), a.notBefore(host));
  }
}
