package dev.tributary.cache.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobProperties;
import com.azure.storage.blob.models.ListBlobsOptions;
import dev.tributary.cache.CacheBackend.WriteResult;
import dev.tributary.cache.CacheBackend;
import dev.tributary.cache.testing.CacheBackendContract;
import dev.tributary.testing.FakeClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The backend contract, and Azure's own behaviour, against Azurite on loopback. */
@ExtendWith(LoopbackAzurite.class)
class AzureBlobCacheBackendTest extends CacheBackendContract {
  static final String PREFIX = "cache/";

  @Override
  protected CacheBackend create() {
    LoopbackAzurite azurite = LoopbackAzurite.shared();
    return AzureBlobCacheBackend.of(LoopbackAzurite.CONTAINER, PREFIX, azurite::containerClient);
  }

  @Override
  protected Object storedVersion(String key) {
    BlobProperties p = properties(((AzureBlobCacheBackend) backend).objectName(key));
    return p.getETag() + " " + p.getLastModified();
  }

  static BlobProperties properties(String blobName) {
    return LoopbackAzurite.shared().containerClient().getBlobClient(blobName).getProperties();
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void entriesLiveUnderThePrefixAsJsonWithTheHashInMetadata() throws Exception {
    backend.write(ns + "/acct/accounts", utf8("{}"), "h1", 600);
    String expected = PREFIX + ns + "/acct/accounts.json";
    assertEquals(expected, ((AzureBlobCacheBackend) backend).objectName(ns + "/acct/accounts"));
    List<String> names = LoopbackAzurite.shared().containerClient()
        .listBlobs(new ListBlobsOptions().setPrefix(PREFIX + ns + "/"), null).stream()
        .map(BlobItem::getName).toList();
    assertEquals(List.of(expected), names);
    BlobProperties p = properties(expected);
    assertEquals("application/json", p.getContentType());
    assertEquals("h1", p.getMetadata().get("tributaryhash"));
    assertTrue(Long.parseLong(p.getMetadata().get("tributarywrittenat")) > 0);
  }

  @Test
  void oddKeysRoundTripUnderTheirEncodedNames() throws Exception {
    String key = ns + "/x:y é/../a//b";
    backend.write(key, utf8("{\"odd\":true}"), "h", 600);
    String name = ((AzureBlobCacheBackend) backend).objectName(key);
    assertEquals(PREFIX + ns + "/x%3Ay%20%C3%A9/%2E%2E/a/%/b.json", name);
    assertEquals("h", properties(name).getMetadata().get("tributaryhash"));
    assertEquals("h", backend.read(key).orElseThrow().contentHash());
  }

  @Test
  void anUnchangedEntryIsRewrittenOnceHalfItsTtlHasPassedSoItsFreshnessMovesOn()
      throws Exception {
    FakeClock clock = FakeClock.at("2025-01-01T00:00:00Z");
    AzureBlobCacheBackend az = AzureBlobCacheBackend.of(LoopbackAzurite.CONTAINER, PREFIX,
        LoopbackAzurite.shared()::containerClient, clock);
    try {
      assertEquals(WriteResult.WRITTEN, az.write(ns + "/k", utf8("{\"v\":1}"), "same", 600));
      clock.advance(Duration.ofSeconds(299));
      assertEquals(WriteResult.SKIPPED_SAME_HASH,
          az.write(ns + "/k", utf8("{\"v\":2}"), "same", 600));
      assertEquals("{\"v\":1}", new String(az.read(ns + "/k").orElseThrow().envelope(),
          StandardCharsets.UTF_8));
      clock.advance(Duration.ofSeconds(2));
      assertEquals(WriteResult.WRITTEN, az.write(ns + "/k", utf8("{\"v\":3}"), "same", 600));
      assertEquals("{\"v\":3}", new String(az.read(ns + "/k").orElseThrow().envelope(),
          StandardCharsets.UTF_8));
    } finally {
      az.close();
    }
  }

  @Test
  void aBlobWithoutTheHashMetadataIsAnIOException() throws Exception {
    String name = ((AzureBlobCacheBackend) backend).objectName(ns + "/foreign");
    LoopbackAzurite.shared().containerClient().getBlobClient(name)
        .upload(BinaryData.fromString("{}"));
    IOException e = assertThrows(IOException.class, () -> backend.read(ns + "/foreign"));
    assertTrue(e.getMessage().contains("tributaryhash"), e.getMessage());
    assertTrue(e.getMessage().contains("az://" + LoopbackAzurite.CONTAINER + "/" + name),
        e.getMessage());
    assertEquals(WriteResult.WRITTEN, backend.write(ns + "/foreign", utf8("{}"), "h", 600));
    assertEquals("h", backend.read(ns + "/foreign").orElseThrow().contentHash());
  }

  @Test
  void aMissingContainerIsAnIOExceptionNamingTheBlobButNoKey() throws Exception {
    try (AzureBlobCacheBackend missing = AzureBlobCacheBackend.of("no-such-container", PREFIX,
        () -> LoopbackAzurite.shared().containerClient("no-such-container"))) {
      IOException read = assertThrows(IOException.class, () -> missing.read(ns + "/k"));
      IOException write = assertThrows(IOException.class,
          () -> missing.write(ns + "/k", utf8("{}"), "h", 600));
      for (IOException e : List.of(read, write)) {
        assertTrue(e.getMessage().contains("az://no-such-container/" + PREFIX + ns + "/k.json"),
            e.getMessage());
        assertTrue(e.getMessage().contains("ContainerNotFound"), e.getMessage());
        assertFalse(e.getMessage().contains(LoopbackAzurite.KEY), e.getMessage());
        assertFalse(e.getMessage().contains(LoopbackAzurite.KEY.substring(0, 12)), e.getMessage());
      }
    }
  }

  @Test
  void anUnreachableStoreIsAnIOExceptionQuickly() throws Exception {
    Map<String, String> env = Map.of("AZURE_STORAGE_CONNECTION_STRING",
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey="
            + LoopbackAzurite.KEY + ";BlobEndpoint=http://127.0.0.1:1/devstoreaccount1;");
    long start = System.nanoTime();
    try (AzureBlobCacheBackend down = AzureBlobCacheBackend.of(LoopbackAzurite.CONTAINER, PREFIX,
        () -> AzureBlobCacheBackendProvider.clientBuilder(LoopbackAzurite.CONTAINER, env)
            .buildClient())) {
      IOException e = assertThrows(IOException.class, () -> down.read(ns + "/k"));
      assertTrue(e.getMessage().startsWith("GetBlob az://" + LoopbackAzurite.CONTAINER + "/"),
          e.getMessage());
      assertFalse(e.getMessage().contains(LoopbackAzurite.KEY), e.getMessage());
    }
    assertTrue(System.nanoTime() - start < Duration.ofSeconds(12).toNanos());
  }

  @Test
  void theClientIsMadeOnFirstUseAndAgainAfterClose() throws Exception {
    AtomicInteger made = new AtomicInteger();
    LoopbackAzurite server = LoopbackAzurite.shared();
    AzureBlobCacheBackend lazy = AzureBlobCacheBackend.of(LoopbackAzurite.CONTAINER, PREFIX, () -> {
      made.incrementAndGet();
      return server.containerClient();
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
}
