package dev.tributary.cache.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.cache.CacheBackend.WriteResult;
import dev.tributary.cache.CacheBackend;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link CacheBackend} does, written once: each backend's test extends this and says
 * how to make one (on a fresh namespace). Cache-level behaviour (freshness, corrupt entries,
 * events) is tested on {@code SourceCache} itself.
 */
public abstract class CacheBackendContract {
  protected CacheBackend backend;
  /** A namespace unique to the test, so runs never see each other's entries. */
  protected String ns;

  protected abstract CacheBackend create() throws Exception;

  /** Whether a skipped write left the stored object untouched; backends check their own way. */
  protected abstract Object storedVersion(String key) throws Exception;

  @BeforeEach
  void open() throws Exception {
    backend = create();
    ns = "contract-" + UUID.randomUUID();
  }

  @AfterEach
  void closeBackend() {
    backend.close();
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aMissingKeyIsEmpty() throws Exception {
    assertTrue(backend.read(ns + "/nothing").isEmpty());
  }

  @Test
  void whatIsWrittenIsReadBackWithItsHash() throws Exception {
    assertEquals(WriteResult.WRITTEN, backend.write(ns + "/k", bytes("{\"a\":1}"), "h1", 600));
    CacheBackend.Stored s = backend.read(ns + "/k").orElseThrow();
    assertArrayEquals(bytes("{\"a\":1}"), s.envelope());
    assertEquals("h1", s.contentHash());
  }

  @Test
  void theSameContentIsNotWrittenAgain() throws Exception {
    backend.write(ns + "/k", bytes("{\"a\":1,\"fetched_at\":1}"), "same", 600);
    Object before = storedVersion(ns + "/k");
    assertEquals(WriteResult.SKIPPED_SAME_HASH,
        backend.write(ns + "/k", bytes("{\"a\":1,\"fetched_at\":2}"), "same", 600));
    assertEquals(before, storedVersion(ns + "/k"), "the stored object was not rewritten");
    assertEquals(WriteResult.WRITTEN, backend.write(ns + "/k", bytes("{\"a\":2}"), "other", 600));
    assertEquals("other", backend.read(ns + "/k").orElseThrow().contentHash());
  }

  @Test
  void keysDoNotCollide() throws Exception {
    backend.write(ns + "/acct-a/accounts", bytes("A"), "ha", 600);
    backend.write(ns + "/acct-b/accounts", bytes("B"), "hb", 600);
    assertArrayEquals(bytes("A"), backend.read(ns + "/acct-a/accounts").orElseThrow().envelope());
    assertArrayEquals(bytes("B"), backend.read(ns + "/acct-b/accounts").orElseThrow().envelope());
  }

  @Test
  void aWriteKeepsAStoredEntryThatWasFetchedLater() throws Exception {
    Instant t1 = Instant.parse("2026-03-01T12:00:01Z");
    Instant t2 = Instant.parse("2026-03-01T12:00:02Z");
    Instant t3 = Instant.parse("2026-03-01T12:00:03Z");
    assertEquals(WriteResult.WRITTEN,
        backend.writeIfNewer(ns + "/k", envelope(t2, "b"), "hb", 600, t2));
    assertEquals(WriteResult.KEPT_NEWER,
        backend.writeIfNewer(ns + "/k", envelope(t1, "a"), "ha", 600, t1));
    assertArrayEquals(envelope(t2, "b"), backend.read(ns + "/k").orElseThrow().envelope());
    assertEquals("hb", backend.read(ns + "/k").orElseThrow().contentHash());
    assertEquals(WriteResult.WRITTEN,
        backend.writeIfNewer(ns + "/k", envelope(t3, "c"), "hc", 600, t3));
    assertArrayEquals(envelope(t3, "c"), backend.read(ns + "/k").orElseThrow().envelope());
  }

  /** An envelope as the cache writes it, reduced to what backends look at. */
  protected static byte[] envelope(Instant fetchedAt, String value) {
    return bytes("{\"version\":1,\"fetched_at\":\"" + fetchedAt + "\",\"key\":\"k\",\"payload\":\""
        + value + "\"}");
  }

  @Test
  protected void concurrentWritersLeaveOneWholeEntry() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        int n = i;
        done.add(pool.submit(() -> {
          backend.write(ns + "/race", bytes("{\"writer\":" + n + "}"), "h" + n, 600);
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    CacheBackend.Stored s = backend.read(ns + "/race").orElseThrow();
    String body = new String(s.envelope(), StandardCharsets.UTF_8);
    assertTrue(body.matches("\\{\"writer\":\\d+\\}"), "a whole entry, not a mix: " + body);
    assertEquals("h" + body.replaceAll("\\D", ""), s.contentHash(), "envelope and hash belong together");
  }
}
