package dev.tributary.cache.s3;

import dev.tributary.cache.testing.RecordingListener;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.cache.SourceCache;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * The cache as a function configures it — {@code object_store} and {@code tiered} from the
 * environment, found through ServiceLoader — against S3Proxy on loopback and, for {@code tiered},
 * the real redis-server on 127.0.0.1:6379.
 */
class S3CacheTest {
  static final String VALKEY_URL = "redis://127.0.0.1:6379";

  public record Accounts(List<String> accounts) {}

  final AtomicInteger fetches = new AtomicInteger();
  final String credential = "acct-" + UUID.randomUUID(); // a fresh account per test
  final String prefix = "env-" + UUID.randomUUID() + "/";
  final RecordingListener listener = new RecordingListener();
  final List<String> log = new ArrayList<>();
  S3Client s3;

  @BeforeEach
  void client() throws Exception {
    s3 = LoopbackS3.shared().client();
  }

  @AfterEach
  void closeClient() {
    s3.close();
  }

  Accounts discover() {
    fetches.incrementAndGet();
    return new Accounts(List.of("a1", "a2"));
  }

  Map<String, String> env(String backend) throws Exception {
    Map<String, String> env = LoopbackS3.shared().env();
    env.put("TRIBUTARY_CACHE_BACKEND", backend);
    env.put("TRIBUTARY_CACHE_OBJECT_STORE_URL", "s3://" + LoopbackS3.BUCKET + "/" + prefix);
    env.put("TRIBUTARY_CACHE_VALKEY_URL", VALKEY_URL);
    return env;
  }

  SourceCache cache(Map<String, String> env) {
    return SourceCache.fromEnvironment(env).newBuilder().listener(listener).logSink(log::add).build();
  }

  Accounts accounts(SourceCache cache) throws IOException {
    return cache.forAccount(credential).getOrFetch("accounts", this::discover, Accounts.class);
  }

  String objectKey() {
    return prefix + SourceCache.accountHash(credential) + "/accounts.json";
  }

  String valkeyKey() {
    return "tributary:" + SourceCache.accountHash(credential) + ":accounts";
  }

  @Test
  void objectStoreFromTheEnvironmentFindsTheS3ProviderAndSharesEntries() throws Exception {
    try (SourceCache first = cache(env("object_store"))) {
      assertEquals("object_store", first.backendName());
      assertEquals(List.of("a1", "a2"), accounts(first).accounts());
    }
    try (SourceCache second = cache(env("object_store"))) {
      assertEquals(List.of("a1", "a2"), accounts(second).accounts());
    }
    assertEquals(1, fetches.get(), "the second process read the first one's entry");
    assertTrue(listener.has("hit object_store accounts"), listener.events().toString());
    assertEquals("application/json",
        s3.headObject(b -> b.bucket(LoopbackS3.BUCKET).key(objectKey())).contentType());
  }

  @Test
  void aMissingBucketFailsOpenWithEvents() throws Exception {
    Map<String, String> env = env("object_store");
    env.put("TRIBUTARY_CACHE_OBJECT_STORE_URL", "s3://no-such-bucket/" + prefix);
    try (SourceCache cache = cache(env)) {
      assertEquals(List.of("a1", "a2"), accounts(cache).accounts());
    }
    assertEquals(1, fetches.get());
    assertTrue(listener.has("read_failed object_store accounts"), listener.events().toString());
    assertTrue(listener.has("miss object_store accounts no-entry"), listener.events().toString());
    assertTrue(listener.has("write_failed object_store accounts"), listener.events().toString());
    String all = String.join("\n", log) + listener.events();
    assertTrue(all.contains("no-such-bucket"), all);
    assertFalse(all.contains(LoopbackS3.SECRET_KEY), all);
  }

  @Test
  void aUrlWithoutBucketFailsAtStartUpNamingTheVariable() throws Exception {
    for (String url : List.of("s3:///prefix/", "s3://key:secret@bucket/prefix/")) {
      Map<String, String> env = env("object_store");
      env.put("TRIBUTARY_CACHE_OBJECT_STORE_URL", url);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> SourceCache.fromEnvironment(env));
      assertTrue(e.getMessage().contains("TRIBUTARY_CACHE_OBJECT_STORE_URL"), e.getMessage());
      assertFalse(e.getMessage().contains("secret"), e.getMessage());
    }
  }

  @Test
  void tieredReadsValkeyFirstThenS3AndWritesS3HitsBackToValkey() throws Exception {
    try (Jedis redis = new Jedis("127.0.0.1", 6379)) {
      try {
        // 1. A cold start fetches and writes both tiers.
        try (SourceCache first = cache(env("tiered"))) {
          assertEquals("tiered", first.backendName());
          accounts(first);
        }
        assertEquals(1, fetches.get());
        assertTrue(redis.exists(valkeyKey()), "written to Valkey");
        ResponseBytes<GetObjectResponse> object =
            s3.getObjectAsBytes(b -> b.bucket(LoopbackS3.BUCKET).key(objectKey()));

        // 2. With the S3 object gone, a second process still hits: the entry came from Valkey.
        s3.deleteObject(b -> b.bucket(LoopbackS3.BUCKET).key(objectKey()));
        try (SourceCache second = cache(env("tiered"))) {
          assertEquals(List.of("a1", "a2"), accounts(second).accounts());
        }
        assertEquals(1, fetches.get(), "read from Valkey");
        assertThrows(NoSuchKeyException.class,
            () -> s3.headObject(b -> b.bucket(LoopbackS3.BUCKET).key(objectKey())),
            "a Valkey hit does not touch S3");

        // 3. With the object back and the Valkey key gone, a third process reads S3 and
        //    copies the entry back to Valkey.
        s3.putObject(b -> b.bucket(LoopbackS3.BUCKET).key(objectKey())
                .contentType("application/json").metadata(object.response().metadata()),
            RequestBody.fromBytes(object.asByteArray()));
        redis.del(valkeyKey());
        try (SourceCache third = cache(env("tiered"))) {
          assertEquals(List.of("a1", "a2"), accounts(third).accounts());
        }
        assertEquals(1, fetches.get(), "read from S3");
        byte[] entry = valkeyKey().getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(object.asByteArray(),
            redis.hget(entry, "envelope".getBytes(StandardCharsets.UTF_8)),
            "the S3 entry was written back to Valkey");
        assertEquals(object.response().metadata().get(S3CacheBackend.HASH_METADATA),
            redis.hget(valkeyKey(), "hash"), "with its hash");
        assertEquals(2, listener.events().stream().filter(e -> e.startsWith("hit tiered")).count(),
            listener.events().toString());
      } finally {
        redis.del(valkeyKey(), "tributary:lease:" + SourceCache.accountHash(credential) + ":accounts");
      }
    }
  }
}
