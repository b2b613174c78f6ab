package dev.tributary.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CacheFromEnvironmentTest {
  @TempDir Path root;

  static String failure(Map<String, String> env) {
    return assertThrows(IllegalArgumentException.class, () -> SourceCache.fromEnvironment(env))
        .getMessage();
  }

  @Test
  void nothingSetMeansNoCacheWithTheDefaultTtl() {
    SourceCache c = SourceCache.fromEnvironment(Map.of());
    assertFalse(c.enabled());
    assertEquals("none", c.backendName());
    assertEquals(Duration.ofSeconds(600), c.ttl());
    assertFalse(SourceCache.fromEnvironment(Map.of("TRIBUTARY_CACHE_BACKEND", "none")).enabled());
  }

  @Test
  void fileUsesTheRootAndTheTtl() {
    SourceCache c = SourceCache.fromEnvironment(Map.of("TRIBUTARY_CACHE_BACKEND", "file",
        "TRIBUTARY_CACHE_FILE_ROOT", root.toString(), "TRIBUTARY_CACHE_TTL_SECONDS", "60"));
    assertTrue(c.enabled());
    assertEquals("file", c.backendName());
    assertEquals(Duration.ofSeconds(60), c.ttl());
  }

  @Test
  void anObjectStoreFileUrlIsBuiltIn() {
    SourceCache c = SourceCache.fromEnvironment(Map.of("TRIBUTARY_CACHE_BACKEND", "object_store",
        "TRIBUTARY_CACHE_OBJECT_STORE_URL", root.toUri().toString()));
    assertEquals("file", c.backendName());
  }

  @Test
  void fileWithoutARootNamesTheVariable() {
    assertTrue(failure(Map.of("TRIBUTARY_CACHE_BACKEND", "file"))
        .contains("TRIBUTARY_CACHE_FILE_ROOT"));
  }

  @Test
  void anUnknownBackendNamesTheVariable() {
    String m = failure(Map.of("TRIBUTARY_CACHE_BACKEND", "memcached"));
    assertTrue(m.contains("TRIBUTARY_CACHE_BACKEND") && m.contains("memcached"), m);
  }

  @Test
  void anUnknownSchemeNamesTheVariable() {
    String m = failure(Map.of("TRIBUTARY_CACHE_BACKEND", "object_store",
        "TRIBUTARY_CACHE_OBJECT_STORE_URL", "ftp://host/cache/"));
    assertTrue(m.contains("TRIBUTARY_CACHE_OBJECT_STORE_URL") && m.contains("ftp"), m);
    m = failure(Map.of("TRIBUTARY_CACHE_BACKEND", "valkey",
        "TRIBUTARY_CACHE_VALKEY_URL", "http://host:6379"));
    assertTrue(m.contains("TRIBUTARY_CACHE_VALKEY_URL"), m);
  }

  @Test
  void tieredWithoutBothUrlsNamesTheMissingOne() {
    assertTrue(failure(Map.of("TRIBUTARY_CACHE_BACKEND", "tiered",
        "TRIBUTARY_CACHE_OBJECT_STORE_URL", "s3://bucket/p/"))
        .contains("TRIBUTARY_CACHE_VALKEY_URL"));
  }

  @Test
  void aSchemeWithoutAProviderSaysWhatTheClasspathServes() {
    String m = failure(Map.of("TRIBUTARY_CACHE_BACKEND", "object_store",
        "TRIBUTARY_CACHE_OBJECT_STORE_URL", "s3://bucket/prefix/"));
    assertTrue(m.startsWith("TRIBUTARY_CACHE_OBJECT_STORE_URL is a s3:// URL"), m);
    assertTrue(m.contains("tributary-cache-*"), m);
    assertTrue(m.contains("file:// (built in); folder:// (test:folder-store)"), m);
    assertFalse(m.contains("unreachable"), "a Valkey-kind store is not offered as an object store: " + m);
  }

  @Test
  void aProviderOwnsItsScheme() {
    SourceCache c = SourceCache.fromEnvironment(Map.of("TRIBUTARY_CACHE_BACKEND", "object_store",
        "TRIBUTARY_CACHE_OBJECT_STORE_URL", "folder://" + root.toUri().getPath()));
    assertEquals("file", c.backendName());
  }

  @Test
  void aUrlInTheOtherSettingNamesTheRightOne() {
    String m = failure(Map.of("TRIBUTARY_CACHE_BACKEND", "object_store",
        "TRIBUTARY_CACHE_OBJECT_STORE_URL", "unreachable://u:hunter2-secret@host:1"));
    assertTrue(m.contains("test:unreachable-store") && m.endsWith(
        "put it in TRIBUTARY_CACHE_VALKEY_URL instead"), m);
    assertFalse(m.contains("hunter2"), m);
    m = failure(Map.of("TRIBUTARY_CACHE_BACKEND", "valkey",
        "TRIBUTARY_CACHE_VALKEY_URL", root.toUri().toString().replace("file:", "folder:")));
    assertTrue(m.endsWith("put it in TRIBUTARY_CACHE_OBJECT_STORE_URL instead"), m);
  }

  @Test
  void theSecretsAProviderNamesInItsUrlNeverReachALogLine() throws Exception {
    java.util.List<String> log = new java.util.ArrayList<>();
    dev.tributary.cache.testing.RecordingListener listener =
        new dev.tributary.cache.testing.RecordingListener();
    try (SourceCache c = SourceCache.fromEnvironment(Map.of("TRIBUTARY_CACHE_BACKEND", "valkey",
        "TRIBUTARY_CACHE_VALKEY_URL", "unreachable://default:hunter2-secret@host:1"))
        .newBuilder().logSink(log::add).listener(listener).build()) {
      assertEquals("v", c.forAccount("an-account").getOrFetch("k", () -> "v", String.class));
    }
    assertTrue(log.stream().anyMatch(l -> l.contains("cannot connect to unreachable://default:***@host:1")),
        log.toString());
    assertFalse(log.toString().contains("hunter2") || listener.events().toString().contains("hunter2"),
        log + " " + listener.events());
  }

  @Test
  void theValkeyPasswordNeverAppearsInAnError() {
    String m = failure(Map.of("TRIBUTARY_CACHE_BACKEND", "valkey",
        "TRIBUTARY_CACHE_VALKEY_URL", "rediss://default:hunter2-secret@cache.example:6380"));
    assertTrue(m.contains("rediss://") && m.contains("tributary-cache-*"), m);
    assertFalse(m.contains("hunter2"), m);
    m = failure(Map.of("TRIBUTARY_CACHE_BACKEND", "valkey",
        "TRIBUTARY_CACHE_VALKEY_URL", "rediss://default:hunter2 secret@cache.example:6380"));
    assertFalse(m.contains("hunter2"), m);
  }

  @Test
  void aBadTtlNamesTheVariable() {
    assertTrue(failure(Map.of("TRIBUTARY_CACHE_TTL_SECONDS", "ten"))
        .contains("TRIBUTARY_CACHE_TTL_SECONDS"));
    assertTrue(failure(Map.of("TRIBUTARY_CACHE_TTL_SECONDS", "0"))
        .contains("TRIBUTARY_CACHE_TTL_SECONDS"));
  }
}
