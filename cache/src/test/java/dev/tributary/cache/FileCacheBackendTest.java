package dev.tributary.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.cache.CacheBackend.WriteResult;
import dev.tributary.cache.testing.CacheBackendContract;
import dev.tributary.testing.FakeClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileCacheBackendTest extends CacheBackendContract {
  @TempDir Path root;
  final FakeClock clock = FakeClock.at("2026-01-01T00:00:00Z");

  @Override
  protected CacheBackend create() {
    return FileCacheBackend.at(root, clock);
  }

  @Override
  protected Object storedVersion(String key) throws Exception {
    Path p = ((FileCacheBackend) backend).pathOf(key);
    return List.of(Files.getLastModifiedTime(p), Files.size(p));
  }

  @Test
  void entriesLiveUnderTheAccountFolderAsJson() throws Exception {
    backend.write("abc123/accounts", "{}".getBytes(StandardCharsets.UTF_8), "h", 600);
    assertTrue(Files.isRegularFile(root.resolve("abc123").resolve("accounts.json")));
  }

  @Test
  void keysCannotLeaveTheRoot() {
    FileCacheBackend b = (FileCacheBackend) backend;
    for (String key : List.of("a/../../etc/passwd", "a/./b", "a//b", "a/b c:d\\e")) {
      Path p = b.pathOf(key);
      assertTrue(p.normalize().startsWith(root.toAbsolutePath()), key + " -> " + p);
      assertEquals(p, p.normalize(), key);
    }
    assertTrue(!b.pathOf("a/x y").equals(b.pathOf("a/x%20y")), "encoding is unambiguous");
  }

  @Test
  void anUnchangedEntryIsRewrittenOnceHalfItsTtlHasPassedSoItsFreshnessMovesOn()
      throws Exception {
    backend.write(ns + "/k", "{\"fetched_at\":1}".getBytes(StandardCharsets.UTF_8), "same", 600);
    clock.advance(Duration.ofSeconds(299));
    assertEquals(WriteResult.SKIPPED_SAME_HASH,
        backend.write(ns + "/k", "{\"fetched_at\":2}".getBytes(StandardCharsets.UTF_8), "same", 600));
    clock.advance(Duration.ofSeconds(2));
    assertEquals(WriteResult.WRITTEN,
        backend.write(ns + "/k", "{\"fetched_at\":3}".getBytes(StandardCharsets.UTF_8), "same", 600));
    assertEquals("{\"fetched_at\":3}",
        new String(backend.read(ns + "/k").orElseThrow().envelope(), StandardCharsets.UTF_8));
  }

  @Test
  void aFileWithoutHeaderIsAnIOExceptionAndIsReplacedByTheNextWrite() throws Exception {
    Path p = ((FileCacheBackend) backend).pathOf(ns + "/k");
    Files.createDirectories(p.getParent());
    Files.writeString(p, "garbage");
    assertThrows(IOException.class, () -> backend.read(ns + "/k"));
    assertEquals(WriteResult.WRITTEN, backend.write(ns + "/k", new byte[] {'1'}, "h", 600));
    assertEquals("h", backend.read(ns + "/k").orElseThrow().contentHash());
  }

  @Test
  void leavesNoTemporaryFilesBehind() throws Exception {
    backend.write(ns + "/k", new byte[] {'1'}, "h1", 600);
    backend.write(ns + "/k", new byte[] {'2'}, "h2", 600);
    try (var files = Files.list(((FileCacheBackend) backend).pathOf(ns + "/k").getParent())) {
      assertEquals(List.of("k.json"), files.map(f -> f.getFileName().toString()).toList());
    }
  }
}
