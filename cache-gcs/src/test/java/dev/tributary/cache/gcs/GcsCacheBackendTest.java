package dev.tributary.cache.gcs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageOptions;
import com.google.cloud.storage.contrib.nio.testing.LocalStorageHelper;
import dev.tributary.cache.CacheBackend.WriteResult;
import dev.tributary.cache.CacheBackend;
import dev.tributary.cache.testing.CacheBackendContract;
import dev.tributary.testing.FakeClock;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The backend contract, and the GCS backend's own behaviour, against an <b>in-process fake</b>:
 * {@code LocalStorageHelper} from {@code google-cloud-nio}, an in-memory {@code StorageRpc} behind
 * the real {@link Storage} client ({@code StorageImpl}). It is not Google Cloud Storage and not an
 * emulator — no GCS emulator runs here — so it checks this backend's logic (layout, metadata,
 * dedupe, the half-TTL rewrite, generation-pinned reads, the lazy client) and that the client
 * classes load on the trimmed class path, but not the HTTP wire, authentication, IAM, or GCS's
 * own consistency. The fake keeps no object generations, so the generation-pinned read is not
 * exercised against a real replacement race. {@link GcsLoopbackHttpTest} covers the real HTTP transport for the not-found,
 * denied and unreachable cases.
 */
class GcsCacheBackendTest extends CacheBackendContract {
  static final String BUCKET = "tributary-test";
  static final String PREFIX = "cache/";
  /** One in-memory store for the class, behind a proxy that counts the calls that change it. */
  static Storage storage;
  static final AtomicInteger mutations = new AtomicInteger();

  @BeforeAll
  static void fake() {
    Storage fake = LocalStorageHelper.getOptions().getService();
    storage = (Storage) Proxy.newProxyInstance(Storage.class.getClassLoader(),
        new Class<?>[] {Storage.class}, (proxy, method, args) -> {
          if (MUTATING.matcher(method.getName()).matches()) {
            mutations.incrementAndGet();
          }
          try {
            return method.invoke(fake, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  static final Pattern MUTATING =
      Pattern.compile("create.*|write.*|writer|update|compose|copy|delete|restore|move.*|"
          + "blobWriteSession|upload.*");

  /**
   * The contract's concurrent-writers test needs a store whose object writes are atomic, as real
   * GCS's are (an object's bytes and metadata change together, one generation at a time). The
   * in-process fake stores bytes and metadata in separate steps, so sixteen racing writers can
   * leave it torn — a limit of the fake, not of the backend. Here the writers interleave one
   * after another instead, which the fake handles whole; racing writers are covered on S3, Azure
   * and Valkey.
   */
  @Override
  @org.junit.jupiter.api.Test
  protected void concurrentWritersLeaveOneWholeEntry() throws Exception {
    for (int n = 0; n < 16; n++) {
      backend.write(ns + "/race", ("{\"writer\":" + n + "}").getBytes(java.nio.charset.StandardCharsets.UTF_8),
          "h" + n, 600);
    }
    CacheBackend.Stored s = backend.read(ns + "/race").orElseThrow();
    assertEquals("{\"writer\":15}", new String(s.envelope(), java.nio.charset.StandardCharsets.UTF_8));
    assertEquals("h15", s.contentHash());
  }

  @Override
  protected CacheBackend create() {
    return GcsCacheBackend.of(BUCKET, PREFIX, () -> storage);
  }

  @Override
  protected Object storedVersion(String key) {
    // The fake keeps no generation or metageneration (both null) and update times in whole
    // seconds, so the version also carries the written-at metadata, the CRC32C and the number of
    // mutating calls the backend made on the client.
    Blob blob = storage.get(BlobId.of(BUCKET, ((GcsCacheBackend) backend).objectName(key)));
    return blob.getGeneration() + "/" + blob.getMetageneration() + "/"
        + blob.getUpdateTimeOffsetDateTime() + "/" + blob.getCrc32c() + "/"
        + blob.getMetadata().get(GcsCacheBackend.WRITTEN_AT_METADATA) + " after "
        + mutations.get() + " mutations";
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void entriesLiveUnderThePrefixAsJsonWithTheHashInMetadata() throws Exception {
    backend.write(ns + "/acct/accounts", utf8("{}"), "h1", 600);
    String expected = PREFIX + ns + "/acct/accounts.json";
    assertEquals(expected, ((GcsCacheBackend) backend).objectName(ns + "/acct/accounts"));
    List<String> names = new java.util.ArrayList<>();
    storage.list(BUCKET, Storage.BlobListOption.prefix(PREFIX + ns + "/"))
        .iterateAll().forEach(b -> names.add(b.getName()));
    assertEquals(List.of(expected), names);
    Blob blob = storage.get(BlobId.of(BUCKET, expected));
    assertEquals("application/json", blob.getContentType());
    assertEquals("h1", blob.getMetadata().get("tributary-hash"));
    assertNotNull(blob.getMetadata().get("tributary-written-at"));
  }

  @Test
  void keysCannotLeaveThePrefix() {
    GcsCacheBackend gcs = (GcsCacheBackend) backend;
    assertEquals(PREFIX + "%2E%2E/%2E.json", gcs.objectName("../."));
    assertEquals(PREFIX + "a/%/b.json", gcs.objectName("a//b"));
    assertEquals(PREFIX + "acct/x%3Ay%20%C3%A9.json", gcs.objectName("acct/x:y é"));
    assertTrue(GcsCacheBackend.of("b", "/p", () -> null).objectName("a/b").startsWith("p/"));
    assertEquals("a/b.json", GcsCacheBackend.of("b", "", () -> null).objectName("a/b"));
    assertEquals("object_store", gcs.name());
  }

  @Test
  void anUnchangedEntryIsRewrittenOnceHalfItsTtlHasPassedSoItsFreshnessMovesOn()
      throws Exception {
    FakeClock clock = FakeClock.at("2025-01-01T00:00:00Z");
    try (GcsCacheBackend gcs = GcsCacheBackend.of(BUCKET, PREFIX, () -> storage, clock)) {
      assertEquals(WriteResult.WRITTEN, gcs.write(ns + "/k", utf8("{\"v\":1}"), "same", 600));
      clock.advance(Duration.ofSeconds(299));
      assertEquals(WriteResult.SKIPPED_SAME_HASH,
          gcs.write(ns + "/k", utf8("{\"v\":2}"), "same", 600));
      assertEquals("{\"v\":1}", new String(gcs.read(ns + "/k").orElseThrow().envelope(),
          StandardCharsets.UTF_8));
      clock.advance(Duration.ofSeconds(2));
      assertEquals(WriteResult.WRITTEN, gcs.write(ns + "/k", utf8("{\"v\":3}"), "same", 600));
      assertEquals("{\"v\":3}", new String(gcs.read(ns + "/k").orElseThrow().envelope(),
          StandardCharsets.UTF_8));
    }
  }

  @Test
  void aRewriteMakesANewStoredVersionSoTheContractsSkipCheckMeansSomething() throws Exception {
    backend.write(ns + "/k", utf8("{\"v\":1}"), "h1", 600);
    Object first = storedVersion(ns + "/k");
    backend.write(ns + "/k", utf8("{\"v\":2}"), "h2", 600);
    assertTrue(!first.equals(storedVersion(ns + "/k")), first + " was not replaced");
  }

  @Test
  void anObjectWithoutTheHashMetadataIsAnIOExceptionNamingIt() throws Exception {
    String name = ((GcsCacheBackend) backend).objectName(ns + "/foreign");
    storage.create(BlobInfo.newBuilder(BUCKET, name).build(), utf8("{}"));
    IOException e = assertThrows(IOException.class, () -> backend.read(ns + "/foreign"));
    assertTrue(e.getMessage().contains("gs://" + BUCKET + "/" + name), e.getMessage());
    assertTrue(e.getMessage().contains("tributary-hash"), e.getMessage());
    assertEquals(WriteResult.WRITTEN, backend.write(ns + "/foreign", utf8("{}"), "h", 600));
    assertEquals("h", backend.read(ns + "/foreign").orElseThrow().contentHash());
  }

  @Test
  void theClientIsMadeOnFirstUseAndAgainAfterClose() throws Exception {
    AtomicInteger made = new AtomicInteger();
    StorageOptions oneStore = LocalStorageHelper.getOptions();
    GcsCacheBackend lazy = GcsCacheBackend.of(BUCKET, PREFIX, () -> {
      made.incrementAndGet();
      return oneStore.toBuilder().build().getService(); // a new client on the same fake store
    });
    assertEquals(0, made.get(), "nothing to capture in a snapshot before the first call");
    assertTrue(lazy.read(ns + "/k").isEmpty());
    lazy.write(ns + "/k", utf8("{}"), "h", 600);
    assertEquals(1, made.get());
    lazy.close();
    assertEquals("h", lazy.read(ns + "/k").orElseThrow().contentHash());
    assertEquals(2, made.get());
    lazy.close();
  }

  @Test
  void aClassMissingFromATrimmedClassPathIsAnIOExceptionSoTheCacheStillFailsOpen() {
    Storage broken = (Storage) Proxy.newProxyInstance(Storage.class.getClassLoader(),
        new Class<?>[] {Storage.class}, (proxy, method, args) -> {
          if (method.getName().equals("close")) {
            return null;
          }
          throw new NoClassDefFoundError("com/google/storage/v2/Object");
        });
    try (GcsCacheBackend gcs = GcsCacheBackend.of(BUCKET, PREFIX, () -> broken)) {
      IOException read = assertThrows(IOException.class, () -> gcs.read(ns + "/k"));
      IOException write = assertThrows(IOException.class,
          () -> gcs.write(ns + "/k", utf8("{}"), "h", 600));
      for (IOException e : List.of(read, write)) {
        assertTrue(e.getMessage().contains("gs://" + BUCKET + "/" + PREFIX + ns + "/k.json"),
            e.getMessage());
        assertTrue(e.getMessage().contains("NoClassDefFoundError"), e.getMessage());
      }
    }
  }

  @Test
  void aClientThatCannotBeMadeIsAnIOException() {
    GcsCacheBackend broken = GcsCacheBackend.of(BUCKET, PREFIX, () -> {
      throw new IllegalStateException("no application default credentials");
    });
    IOException e = assertThrows(IOException.class, () -> broken.read(ns + "/k"));
    assertTrue(e.getMessage().contains("gs://" + BUCKET + "/"), e.getMessage());
  }
}
