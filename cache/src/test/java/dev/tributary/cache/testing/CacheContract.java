package dev.tributary.cache.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.cache.CacheBackend;
import dev.tributary.cache.CacheListener;
import dev.tributary.cache.SourceCache;
import dev.tributary.testing.FakeClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link SourceCache} over each backend, written once: every backend module's test extends this
 * and says how to make its backend. Freshness, refresh, dedupe, corrupt entries, the size cap and
 * account isolation behave the same whichever store holds the entries.
 */
public abstract class CacheContract {
  protected abstract CacheBackend backend() throws Exception;

  protected final FakeClock clock = FakeClock.at("2026-01-01T00:00:00Z");
  protected final List<String> events = new CopyOnWriteArrayList<>();
  protected final AtomicInteger fetches = new AtomicInteger();
  /** A fresh account per test, so runs on a shared store never meet. */
  protected final String credential = "contract-" + UUID.randomUUID();
  private final List<SourceCache> opened = new CopyOnWriteArrayList<>();
  private CacheBackend store;

  @BeforeEach
  void openBackend() throws Exception {
    store = backend();
  }

  @AfterEach
  void closeAll() {
    opened.forEach(SourceCache::close);
  }

  protected SourceCache cache(int maxEntryBytes) {
    CacheListener listener = new CacheListener() {
      @Override
      public void hit(String backend, String key, long ageSeconds) {
        events.add("hit");
      }

      @Override
      public void miss(String backend, String key, MissReason reason) {
        events.add("miss " + reason.logName());
      }

      @Override
      public void writeSkipped(String backend, String key) {
        events.add("write_skipped");
      }

      @Override
      public void writeFailed(String backend, String key, String error) {
        events.add("write_failed");
      }

      @Override
      public void readFailed(String backend, String key, String error) {
        events.add("read_failed");
      }
    };
    SourceCache c = SourceCache.builder().backend(store).clock(clock).ttl(Duration.ofMinutes(10))
        .listener(listener).logSink(line -> {}).maxEntryBytes(maxEntryBytes).build();
    opened.add(c);
    return c;
  }

  protected String fetch(String value) {
    fetches.incrementAndGet();
    return value;
  }

  private String get(SourceCache c, String key, String value) throws Exception {
    return c.forAccount(credential).getOrFetch(key, Duration.ofMinutes(10), () -> fetch(value),
        String.class);
  }

  @Test
  void aMissFetchesAndTheNextColdStartHits() throws Exception {
    assertEquals("v1", get(cache(5_000_000), "accounts", "v1"));
    assertEquals("v1", get(cache(5_000_000), "accounts", "v2"), "a second process reads the entry");
    assertEquals(1, fetches.get());
    assertTrue(events.contains("miss no-entry") && events.contains("hit"), events.toString());
  }

  @Test
  void anEntryOlderThanItsTtlIsFetchedAgain() throws Exception {
    get(cache(5_000_000), "accounts", "v1");
    clock.advance(Duration.ofMinutes(11));
    assertEquals("v2", get(cache(5_000_000), "accounts", "v2"));
    assertEquals(2, fetches.get());
    assertTrue(events.contains("miss expired"), events.toString());
  }

  @Test
  void aForcedRefreshSkipsTheReadAndStillWritesBack() throws Exception {
    get(cache(5_000_000), "accounts", "v1");
    SourceCache c = cache(5_000_000);
    assertEquals("v2", c.forAccount(credential).refresh("accounts", Duration.ofMinutes(10),
        () -> fetch("v2"), String.class));
    assertEquals("v2", get(cache(5_000_000), "accounts", "v3"), "the refreshed value was written");
    assertTrue(events.contains("miss refresh-forced"), events.toString());
  }

  @Test
  void anIdenticalValueIsNotWrittenAgain() throws Exception {
    get(cache(5_000_000), "accounts", "same");
    cache(5_000_000).forAccount(credential).refresh("accounts", Duration.ofMinutes(10),
        () -> fetch("same"), String.class);
    assertTrue(events.contains("write_skipped"), events.toString());
  }

  @Test
  void aCorruptEntryIsAMissAndTheFetchRuns() throws Exception {
    String key = SourceCache.accountHash(credential) + "/accounts";
    store.write(key, "not an envelope".getBytes(StandardCharsets.UTF_8), "corrupt", 600);
    assertEquals("v1", get(cache(5_000_000), "accounts", "v1"));
    assertEquals(1, fetches.get());
    assertTrue(events.contains("read_failed"), events.toString());
  }

  @Test
  void anEntryOverTheSizeCapIsNotStoredButTheValueIsReturned() throws Exception {
    String big = "x".repeat(5_000);
    assertEquals(big, get(cache(1_024), "big", big));
    assertTrue(events.contains("write_failed"), events.toString());
    get(cache(1_024), "big", big);
    assertEquals(2, fetches.get(), "nothing was stored");
  }

  @Test
  void twoAccountsSharingTheStoreNeverSeeEachOthersEntries() throws Exception {
    SourceCache c = cache(5_000_000);
    c.forAccount(credential).getOrFetch("accounts", Duration.ofMinutes(10), () -> fetch("mine"),
        String.class);
    String other = c.forAccount(credential + "-other").getOrFetch("accounts",
        Duration.ofMinutes(10), () -> fetch("theirs"), String.class);
    assertEquals("theirs", other);
    assertEquals(2, fetches.get());
  }
}
