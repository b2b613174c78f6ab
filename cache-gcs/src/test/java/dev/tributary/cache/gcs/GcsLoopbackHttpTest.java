package dev.tributary.cache.gcs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.tributary.cache.CacheBackend;
import dev.tributary.cache.CacheListener;
import dev.tributary.cache.SourceCache;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The provider, and the real JSON-API-over-HTTP client on this module's trimmed class path,
 * against a tiny loopback HTTP server that answers every object request with a 404 (bucket
 * {@code missing}) or a 403 (bucket {@code denied}). It is not a GCS emulator — no emulator runs
 * here — so it covers URL validation, ServiceLoader discovery, not-found, denied and unreachable,
 * and the absence of secrets in errors; round trips are covered in-process by
 * {@link GcsCacheBackendTest}.
 */
class GcsLoopbackHttpTest {
  static final String SECRET = "very-secret-service-detail";
  static HttpServer server;
  static final AtomicInteger requests = new AtomicInteger();

  @BeforeAll
  static void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      requests.incrementAndGet();
      exchange.getRequestBody().readAllBytes();
      String path = exchange.getRequestURI().getPath();
      int code = path.contains("/b/denied/") ? 403 : 404;
      String reason = code == 403 ? "forbidden" : "notFound";
      byte[] body = ("{\"error\":{\"code\":" + code + ",\"message\":\"" + SECRET
          + "\",\"errors\":[{\"reason\":\"" + reason + "\",\"message\":\"" + SECRET + "\"}]}}")
          .getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json; charset=UTF-8");
      exchange.sendResponseHeaders(code, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
  }

  @AfterAll
  static void stop() {
    server.stop(0);
  }

  static Map<String, String> env(String url) {
    Map<String, String> env = new HashMap<>();
    env.put("TRIBUTARY_CACHE_BACKEND", "object_store");
    env.put("TRIBUTARY_CACHE_OBJECT_STORE_URL", url);
    env.put("STORAGE_EMULATOR_HOST", "http://127.0.0.1:" + server.getAddress().getPort());
    return env;
  }

  static CacheBackend backend(String url) {
    return new GcsCacheBackendProvider().create(URI.create(url), env(url));
  }

  @Test
  void aMissingObjectIsAnEmptyReadOverHttpAndTheClientIsMadeOnlyThen() throws Exception {
    int before = requests.get();
    try (CacheBackend gcs = backend("gs://missing/cache/")) {
      assertEquals("object_store", gcs.name());
      assertEquals(before, requests.get(), "no request before the first call");
      assertTrue(gcs.read("acct/accounts").isEmpty());
      assertTrue(requests.get() > before);
    }
  }

  @Test
  void aWriteToAMissingBucketIsAnIOExceptionNamingTheObject() {
    try (CacheBackend gcs = backend("gs://missing/cache/")) {
      IOException e = assertThrows(IOException.class,
          () -> gcs.write("acct/accounts", "{}".getBytes(StandardCharsets.UTF_8), "h", 600));
      assertTrue(e.getMessage().startsWith("create gs://missing/cache/acct/accounts.json failed: "
          + "HTTP 404"), e.getMessage());
      assertFalse(e.getMessage().contains(SECRET), e.getMessage());
    }
  }

  @Test
  void accessDeniedIsAnIOExceptionWithStatusAndReasonButNotTheServiceMessage() {
    try (CacheBackend gcs = backend("gs://denied/p/")) {
      IOException read = assertThrows(IOException.class, () -> gcs.read("acct/k"));
      IOException write = assertThrows(IOException.class,
          () -> gcs.write("acct/k", "{}".getBytes(StandardCharsets.UTF_8), "h", 600));
      for (IOException e : List.of(read, write)) {
        assertTrue(e.getMessage().contains("gs://denied/p/acct/k.json"), e.getMessage());
        assertTrue(e.getMessage().contains("HTTP 403 forbidden"), e.getMessage());
        assertFalse(e.getMessage().contains(SECRET), e.getMessage());
      }
    }
  }

  @Test
  void anUnreachableStoreIsAnIOExceptionQuickly() {
    Map<String, String> env = env("gs://b/p/");
    env.put("STORAGE_EMULATOR_HOST", "http://127.0.0.1:1");
    long start = System.nanoTime();
    try (CacheBackend down = new GcsCacheBackendProvider().create(URI.create("gs://b/p/"), env)) {
      IOException e = assertThrows(IOException.class, () -> down.read("acct/k"));
      assertTrue(e.getMessage().startsWith("get gs://b/p/acct/k.json failed: "), e.getMessage());
    }
    assertTrue(System.nanoTime() - start < Duration.ofSeconds(12).toNanos());
  }

  @Test
  void fromEnvironmentFindsTheProviderAndADeniedBucketFailsOpen() throws Exception {
    List<String> events = new CopyOnWriteArrayList<>();
    CacheListener listener = new CacheListener() {
      @Override
      public void readFailed(String backend, String key, String error) {
        events.add("read_failed " + backend + " " + key + " " + error);
      }

      @Override
      public void writeFailed(String backend, String key, String error) {
        events.add("write_failed " + backend + " " + key + " " + error);
      }
    };
    AtomicInteger fetches = new AtomicInteger();
    try (SourceCache cache = SourceCache.fromEnvironment(env("gs://denied/cache/")).newBuilder()
        .listener(listener).build()) {
      assertEquals("object_store", cache.backendName());
      String got = cache.forAccount("credential").getOrFetch("accounts", () -> {
        fetches.incrementAndGet();
        return "fetched";
      }, String.class);
      assertEquals("fetched", got);
    }
    assertEquals(1, fetches.get());
    assertTrue(events.stream().anyMatch(e -> e.contains("read_failed")), events.toString());
    assertTrue(events.stream().anyMatch(e -> e.contains("write_failed")), events.toString());
    assertTrue(events.stream().allMatch(e -> e.contains("gs://denied/cache/")
        && !e.contains(SECRET)), events.toString());
  }

  @Test
  void aBadUrlFailsAtStartUpNamingTheVariableWithoutEchoingACredential() {
    for (String url : List.of("gs:///prefix/", "gs://key:secret@bucket/prefix/",
        "gs://bucket:443/p/", "gs://bucket/p/?x=1", "gs://bucket/p/#f")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> SourceCache.fromEnvironment(env(url)), url);
      assertTrue(e.getMessage().contains("TRIBUTARY_CACHE_OBJECT_STORE_URL"), e.getMessage());
      assertFalse(e.getMessage().contains("secret"), e.getMessage());
    }
    Map<String, String> env = env("gs://bucket/p/");
    env.put("STORAGE_EMULATOR_HOST", "not a url");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SourceCache.fromEnvironment(env));
    assertTrue(e.getMessage().contains("STORAGE_EMULATOR_HOST"), e.getMessage());
  }

  @Test
  void theProductionClientCanBeMadeOnTheTrimmedClassPath() throws Exception {
    // StorageOptions.getDefaultInstance() with application default credentials (none here, which
    // the client tolerates until a request): no class of the JSON/HTTP path may be missing.
    long start = System.nanoTime();
    try (com.google.cloud.storage.Storage storage = GcsCacheBackendProvider.client(null)) {
      assertEquals("https://storage.googleapis.com/", storage.getOptions().getHost());
    }
    assertTrue(System.nanoTime() - start < Duration.ofSeconds(15).toNanos());
  }

  @Test
  void theProviderServesOnlyGs() {
    GcsCacheBackendProvider p = new GcsCacheBackendProvider();
    assertTrue(p.supports("gs"));
    assertTrue(p.supports("GS"));
    assertFalse(p.supports("s3"));
    GcsCacheBackend b = (GcsCacheBackend) p.create(URI.create("gs://bkt/some/prefix"), Map.of());
    assertEquals("bkt", b.container());
    assertEquals("some/prefix/", b.prefix());
  }
}
