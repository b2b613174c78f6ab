package dev.tributary.cache.valkey;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.cache.CacheBackend;
import dev.tributary.cache.CacheBackendProvider;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Connecting: the password from the URL, failures that are fast and never quote the password,
 * and the provider. Uses its own password-protected {@code redis-server}, stopped afterwards.
 */
class ValkeyConnectionTest {
  static final String PASSWORD = "s3cr3t-Pa55-" + System.nanoTime();
  static LocalRedisServer server;

  @BeforeAll
  static void startServer() throws Exception {
    server = LocalRedisServer.withPassword(PASSWORD);
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  static String stackTrace(Throwable t) {
    StringWriter out = new StringWriter();
    t.printStackTrace(new PrintWriter(out));
    return out.toString();
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void thePasswordFromTheUrlAuthenticates() throws Exception {
    for (String userInfo : List.of(":" + PASSWORD, "default:" + PASSWORD)) {
      try (ValkeyCacheBackend backend = new ValkeyCacheBackend(
          URI.create("redis://" + userInfo + "@127.0.0.1:" + server.port + "/2"))) {
        backend.write("acct/k", utf8("v"), "h", 60);
        assertArrayEquals(utf8("v"), backend.read("acct/k").orElseThrow().envelope());
        assertFalse(backend.toString().contains(PASSWORD), backend.toString());
      }
    }
    try (ValkeyRateBudgetStore store = new ValkeyRateBudgetStore(
        URI.create("redis://:" + PASSWORD + "@127.0.0.1:" + server.port))) {
      Instant t = Instant.ofEpochMilli(System.currentTimeMillis() + 5_000);
      assertEquals(t, store.raise("api.example.com", t));
      assertFalse(store.toString().contains(PASSWORD), store.toString());
    }
  }

  @Test
  void aMissingPasswordFailsNamingHostAndPort() {
    try (ValkeyCacheBackend backend =
        new ValkeyCacheBackend(URI.create("redis://127.0.0.1:" + server.port))) {
      IOException e = assertThrows(IOException.class, () -> backend.read("acct/k"));
      assertTrue(e.getMessage().contains("127.0.0.1:" + server.port), e.getMessage());
    }
  }

  @Test
  void aWrongPasswordFailsWithoutQuotingIt() {
    String wrong = "wrong-" + PASSWORD;
    try (ValkeyCacheBackend backend = new ValkeyCacheBackend(
        URI.create("redis://:" + wrong + "@127.0.0.1:" + server.port))) {
      IOException e = assertThrows(IOException.class, () -> backend.read("acct/k"));
      assertTrue(e.getMessage().contains("127.0.0.1:" + server.port), e.getMessage());
      assertFalse(stackTrace(e).contains(wrong), stackTrace(e));
      assertFalse(backend.toString().contains(wrong));
    }
  }

  @Test
  void anUnreachableServerFailsFastNamingHostAndPortNotThePassword() throws Exception {
    int closed = LocalRedisServer.freePort();
    try (ValkeyCacheBackend backend = new ValkeyCacheBackend(
        URI.create("redis://:" + PASSWORD + "@127.0.0.1:" + closed))) {
      long start = System.nanoTime();
      IOException e = assertThrows(IOException.class,
          () -> backend.write("acct/k", utf8("v"), "h", 60));
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertTrue(took.compareTo(Duration.ofSeconds(2)) < 0, "took " + took);
      assertTrue(e.getMessage().startsWith("valkey at 127.0.0.1:" + closed + ": write failed"),
          e.getMessage());
      assertFalse(stackTrace(e).contains(PASSWORD), stackTrace(e));
      assertThrows(IOException.class, () -> backend.tryLease("acct/k", Duration.ofSeconds(1)));
    }
  }

  @Test
  void aServerThatNeverAnswersTimesOutWithinTwoSeconds() throws Exception {
    List<Socket> accepted = new ArrayList<>();
    try (ServerSocket silent = new ServerSocket(0)) {
      Thread acceptor = new Thread(() -> {
        try {
          while (true) {
            accepted.add(silent.accept());
          }
        } catch (IOException closed) {
          // the test is over
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      try (ValkeyCacheBackend backend = new ValkeyCacheBackend(
          URI.create("redis://:" + PASSWORD + "@127.0.0.1:" + silent.getLocalPort()))) {
        long start = System.nanoTime();
        IOException e = assertThrows(IOException.class, () -> backend.read("acct/k"));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(took.compareTo(Duration.ofSeconds(2)) < 0, "took " + took);
        assertTrue(e.getMessage().contains("127.0.0.1:" + silent.getLocalPort()), e.getMessage());
        assertFalse(stackTrace(e).contains(PASSWORD), stackTrace(e));
      }
    } finally {
      for (Socket s : accepted) {
        s.close();
      }
    }
  }

  @Test
  void unusableUrlsAreRejectedNamingTheVariableNotThePassword() {
    IllegalArgumentException db = assertThrows(IllegalArgumentException.class,
        () -> new ValkeyCacheBackend(URI.create("redis://:" + PASSWORD + "@127.0.0.1:6379/x")));
    assertTrue(db.getMessage().contains("TRIBUTARY_CACHE_VALKEY_URL"), db.getMessage());
    assertFalse(db.getMessage().contains(PASSWORD));
    IllegalArgumentException host = assertThrows(IllegalArgumentException.class,
        () -> new ValkeyCacheBackend(URI.create("redis://:" + PASSWORD + "@/0")));
    assertTrue(host.getMessage().contains("TRIBUTARY_CACHE_VALKEY_URL"), host.getMessage());
    assertFalse(host.getMessage().contains(PASSWORD), host.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> new ValkeyCacheBackend(URI.create("http://127.0.0.1:6379")));
  }

  @Test
  void theProviderIsFoundForRedisAndRediss() throws Exception {
    CacheBackendProvider provider = ServiceLoader.load(CacheBackendProvider.class).stream()
        .map(ServiceLoader.Provider::get)
        .filter(p -> p instanceof ValkeyCacheBackendProvider)
        .findFirst()
        .orElseThrow();
    assertTrue(provider.supports("redis"));
    assertTrue(provider.supports("rediss"));
    assertFalse(provider.supports("s3"));
    try (CacheBackend backend = provider.create(
        URI.create("redis://:" + PASSWORD + "@127.0.0.1:" + server.port), Map.of())) {
      assertEquals("valkey", backend.name());
      assertTrue(backend.read("acct/absent").isEmpty());
    }
  }
}
