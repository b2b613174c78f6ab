package dev.tributary.cache.azure;

import dev.tributary.cache.testing.RecordingListener;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.storage.blob.models.BlobProperties;
import dev.tributary.cache.SourceCache;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The cache as a function configures it — {@code object_store} from the environment with an
 * {@code az://} URL, found through ServiceLoader — against Azurite on loopback.
 */
@ExtendWith(LoopbackAzurite.class)
class AzureBlobCacheTest {
  public record Accounts(List<String> accounts) {}

  final AtomicInteger fetches = new AtomicInteger();
  final String credential = "acct-" + UUID.randomUUID(); // a fresh account per test
  final String prefix = "env-" + UUID.randomUUID() + "/";
  final RecordingListener listener = new RecordingListener();
  final List<String> log = new ArrayList<>();

  Accounts discover() {
    fetches.incrementAndGet();
    return new Accounts(List.of("a1", "a2"));
  }

  Map<String, String> env() {
    Map<String, String> env = LoopbackAzurite.shared().env();
    env.put("TRIBUTARY_CACHE_BACKEND", "object_store");
    env.put("TRIBUTARY_CACHE_OBJECT_STORE_URL", "az://" + LoopbackAzurite.CONTAINER + "/" + prefix);
    return env;
  }

  SourceCache cache(Map<String, String> env) {
    return SourceCache.fromEnvironment(env).newBuilder().listener(listener).logSink(log::add).build();
  }

  Accounts accounts(SourceCache cache) throws IOException {
    return cache.forAccount(credential).getOrFetch("accounts", this::discover, Accounts.class);
  }

  String blobName() {
    return prefix + SourceCache.accountHash(credential) + "/accounts.json";
  }

  @Test
  void objectStoreFromTheEnvironmentFindsTheAzureProviderAndSharesEntries() throws Exception {
    try (SourceCache first = cache(env())) {
      assertEquals("object_store", first.backendName());
      assertEquals(List.of("a1", "a2"), accounts(first).accounts());
    }
    try (SourceCache second = cache(env())) {
      assertEquals(List.of("a1", "a2"), accounts(second).accounts());
    }
    assertEquals(1, fetches.get(), "the second process read the first one's entry");
    assertTrue(listener.has("hit object_store accounts"), listener.events().toString());
    BlobProperties p = LoopbackAzurite.shared().containerClient().getBlobClient(blobName())
        .getProperties();
    assertEquals("application/json", p.getContentType());
    assertTrue(p.getMetadata().containsKey("tributaryhash"), p.getMetadata().toString());
  }

  @Test
  void accountAndKeyWithAnEndpointWorkToo() throws Exception {
    Map<String, String> env = new HashMap<>(env());
    env.remove("AZURE_STORAGE_CONNECTION_STRING");
    env.put("AZURE_STORAGE_ACCOUNT", LoopbackAzurite.ACCOUNT);
    env.put("AZURE_STORAGE_KEY", LoopbackAzurite.KEY);
    env.put("TRIBUTARY_AZURE_BLOB_ENDPOINT", LoopbackAzurite.shared().blobEndpoint());
    try (SourceCache first = cache(env)) {
      accounts(first);
    }
    try (SourceCache second = cache(env)) {
      accounts(second);
    }
    assertEquals(1, fetches.get(), listener.events().toString());
  }

  @Test
  void aMissingContainerFailsOpenWithEvents() throws Exception {
    Map<String, String> env = env();
    env.put("TRIBUTARY_CACHE_OBJECT_STORE_URL", "az://no-such-container/" + prefix);
    try (SourceCache cache = cache(env)) {
      assertEquals(List.of("a1", "a2"), accounts(cache).accounts());
    }
    assertEquals(1, fetches.get());
    assertTrue(listener.has("read_failed object_store accounts"), listener.events().toString());
    assertTrue(listener.has("miss object_store accounts no-entry"), listener.events().toString());
    assertTrue(listener.has("write_failed object_store accounts"), listener.events().toString());
    String all = String.join("\n", log) + listener.events();
    assertTrue(all.contains("no-such-container"), all);
    assertFalse(all.contains(LoopbackAzurite.KEY), all);
  }

  @Test
  void aBadUrlFailsAtStartUpNamingTheVariable() {
    for (String url : List.of("az:///prefix/", "az://key:secret@container/prefix/")) {
      Map<String, String> env = env();
      env.put("TRIBUTARY_CACHE_OBJECT_STORE_URL", url);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> SourceCache.fromEnvironment(env));
      assertTrue(e.getMessage().contains("TRIBUTARY_CACHE_OBJECT_STORE_URL"), e.getMessage());
      assertFalse(e.getMessage().contains("secret"), e.getMessage());
    }
  }
}
