package dev.tributary.cache.valkey;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.tributary.cache.CacheListener;
import dev.tributary.cache.SourceCache;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The cache as a function configures it — TRIBUTARY_CACHE_BACKEND=valkey, found through
 * ServiceLoader — against the real redis-server on loopback and a counting HTTP "discovery"
 * endpoint: a herd of cold starts makes one upstream call, and a Valkey that is down never fails
 * the fetch.
 */
class ValkeyCacheTest {
  /** The source's expensive discovery call, counting how often it is made. */
  HttpServer upstream;
  final AtomicInteger upstreamCalls = new AtomicInteger();
  final HttpClient http = HttpClient.newHttpClient();
  final String credential = "acct-" + UUID.randomUUID(); // a fresh account namespace per test

  @BeforeEach
  void startUpstream() throws IOException {
    upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    upstream.setExecutor(Executors.newFixedThreadPool(4));
    upstream.createContext("/accounts", ex -> {
      upstreamCalls.incrementAndGet();
      try {
        Thread.sleep(300); // discovery is slow: the herd arrives while it runs
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      byte[] body = "{\"accounts\":[\"a1\",\"a2\"]}".getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, body.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    });
    upstream.createContext("/slow-accounts", ex -> {
      upstreamCalls.incrementAndGet();
      try {
        Thread.sleep(1_500); // five times the lease in the test below
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      byte[] body = "{\"accounts\":[\"slow\"]}".getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, body.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    });
    upstream.start();
  }

  @AfterEach
  void stopUpstream() {
    upstream.stop(0);
  }

  public record Accounts(List<String> accounts) {}

  Accounts discover() throws IOException {
    return discover("/accounts");
  }

  Accounts discover(String path) throws IOException {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + upstream.getAddress().getPort() + path)).build(), HttpResponse.BodyHandlers.ofString());
      return new com.fasterxml.jackson.databind.ObjectMapper().readValue(r.body(), Accounts.class);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  static SourceCache valkeyCache(String url, CacheListener listener, List<String> log) {
    return SourceCache.fromEnvironment(Map.of("TRIBUTARY_CACHE_BACKEND", "valkey",
            "TRIBUTARY_CACHE_VALKEY_URL", url))
        .newBuilder().listener(listener).logSink(log::add).build();
  }

  @Test
  void aHerdOfTenColdStartsMakesOneUpstreamCall() throws Exception {
    int herd = 10;
    ExecutorService pool = Executors.newFixedThreadPool(herd);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Accounts>> results = new ArrayList<>();
    List<SourceCache> caches = new ArrayList<>();
    try {
      for (int i = 0; i < herd; i++) {
        SourceCache cache = valkeyCache("redis://127.0.0.1:6379", CacheListener.NONE, new CopyOnWriteArrayList<>());
        caches.add(cache); // each "process" has its own client
        results.add(pool.submit(() -> {
          start.await();
          return cache.forAccount(credential).getOrFetch("accounts", Duration.ofMinutes(10),
              this::discover, Accounts.class);
        }));
      }
      start.countDown();
      for (Future<Accounts> f : results) {
        assertEquals(List.of("a1", "a2"), f.get().accounts());
      }
    } finally {
      pool.shutdownNow();
      caches.forEach(SourceCache::close);
    }
    assertEquals(1, upstreamCalls.get(), "one process fetched, the others read the cache");
  }

  @Test
  void aLeaderSlowerThanItsLeaseStillMakesTheOnlyUpstreamCall() throws Exception {
    int herd = 6;
    ExecutorService pool = Executors.newFixedThreadPool(herd);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Accounts>> results = new ArrayList<>();
    List<SourceCache> caches = new ArrayList<>();
    try {
      for (int i = 0; i < herd; i++) {
        SourceCache cache = valkeyCache("redis://127.0.0.1:6379", CacheListener.NONE,
            new CopyOnWriteArrayList<>()).newBuilder().leaseTtl(Duration.ofMillis(300))
            .leasePollInterval(Duration.ofMillis(20)).build();
        caches.add(cache);
        int n = i;
        results.add(pool.submit(() -> {
          start.await();
          if (n > 0) {
            Thread.sleep(100); // the first takes the lease; the others arrive while it fetches
          }
          return cache.forAccount(credential).getOrFetch("accounts", Duration.ofMinutes(10),
              () -> discover("/slow-accounts"), Accounts.class);
        }));
      }
      start.countDown();
      for (Future<Accounts> f : results) {
        assertEquals(List.of("slow"), f.get().accounts());
      }
    } finally {
      pool.shutdownNow();
      caches.forEach(SourceCache::close);
    }
    assertEquals(1, upstreamCalls.get(), "the renewed lease kept the others waiting");
  }

  @Test
  void aValkeyThatIsDownNeverFailsTheFetchAndSaysSo() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    List<String> events = new CopyOnWriteArrayList<>();
    CacheListener listener = new CacheListener() {
      @Override
      public void readFailed(String backend, String key, String error) {
        events.add("read_failed " + backend);
      }

      @Override
      public void writeFailed(String backend, String key, String error) {
        events.add("write_failed " + backend);
      }
    };
    List<String> log = new CopyOnWriteArrayList<>();
    try (SourceCache cache = valkeyCache("redis://:hunter2-password@127.0.0.1:" + closedPort, listener, log)) {
      long started = System.nanoTime();
      Accounts a = cache.forAccount(credential).getOrFetch("accounts", Duration.ofMinutes(10),
          this::discover, Accounts.class);
      assertEquals(List.of("a1", "a2"), a.accounts());
      assertTrue((System.nanoTime() - started) / 1_000_000 < 5_000, "fails fast");
    }
    assertTrue(events.contains("read_failed valkey") && events.contains("write_failed valkey"), events.toString());
    assertTrue(log.stream().anyMatch(l -> l.contains("cache_read_failed")), log.toString());
    assertTrue(log.stream().noneMatch(l -> l.contains("hunter2") || l.contains(credential)), log.toString());
  }

  @Test
  void aSecondColdStartReadsWhatTheFirstWrote() throws Exception {
    List<String> log = new CopyOnWriteArrayList<>();
    try (SourceCache first = valkeyCache("redis://127.0.0.1:6379", CacheListener.NONE, log);
         SourceCache second = valkeyCache("redis://127.0.0.1:6379", CacheListener.NONE, log)) {
      first.forAccount(credential).getOrFetch("accounts", Duration.ofMinutes(10), this::discover,
          Accounts.class);
      Accounts again = second.forAccount(credential).getOrFetch("accounts", Duration.ofMinutes(10),
          this::discover, Accounts.class);
      assertEquals(List.of("a1", "a2"), again.accounts());
      // Another account sharing the cache does not see it.
      second.forAccount(credential + "-other").getOrFetch("accounts", Duration.ofMinutes(10),
          this::discover, Accounts.class);
    }
    assertEquals(2, upstreamCalls.get(), "one fetch per account");
    assertTrue(log.stream().anyMatch(l -> l.contains("cache_hit")), log.toString());
  }
}
